package planparse

import (
	"fmt"
	"maps"
	"slices"
)

// messages are the Chinese texts of the parser's errors and warnings, by key.
// Every argument is a string (%s). The web interface shows them through its
// message table under "parse."+key, in Chinese or English; the Chinese text
// here is also Warning.Message and what Error.Error returns, for the command
// line and logs.
var messages = map[string]string{
	"at.line": "第%s行:%s",

	// Errors: the document cannot be read.
	"err.empty":         "文件是空的,没有文字",
	"err.toolarge":      "文件太大:超过%s MB",
	"err.toomanylines":  "文件太长:超过%s行",
	"err.assignments":   "任务与单位的对应超过%s对,文件不像一份工作方案",
	"err.encoding":      "从第%s字节起的文字无法识别:文件既不是UTF-8,也不是GBK/GB18030或带BOM的UTF-16。请用记事本或WPS“另存为”UTF-8文本,或直接上传.docx或PDF",
	"err.utf16odd":      "文件以UTF-16标记开头,但字节数是奇数,文件可能不完整",
	"err.docx":          "无法读取这个.docx文件:文件已损坏或不是Word文档。请在Word或WPS中打开后重新“另存为”.docx",
	"err.docx.toolarge": "这个.docx展开后超过%s MB,无法读取",
	"err.oldword":       "这是旧版Word(.doc)或WPS(.wps)文件,无法直接读取。请在Word或WPS中“另存为”.docx或PDF后上传",
	"err.rtf":           "这是RTF文件,无法直接读取。请在Word或WPS中“另存为”.docx或PDF后上传",
	"err.nul":           "文件第%s字节处有空字符(NUL):这不是文本文件。请上传方案的.docx、PDF或文本",
	"err.pdf":           "这是PDF文件,需先提取其中的文字:请通过“导入方案”页面或 duban plan parse 上传,系统会自动提取",
	"err.pdf.notool":    "服务器未安装PDF文字提取工具(pdftotext,属于poppler-utils),暂不能读取PDF。请上传.docx或文本,或请管理员安装poppler-utils",
	"err.pdf.scanned":   "这个PDF没有文字层(可能是扫描件或图片),无法提取文字。请上传原始的.docx或文本,或先用文字识别(OCR)转换",
	"err.pdf.bad":       "无法读取这个PDF文件:文件已损坏、加密或不是PDF",
	"err.notplan":       "没有找到任务:应有“(1)……”这样的编号任务并带有牵头单位、责任单位等,或有任务表格,或有以“(某某牵头,某某配合)”结尾的任务",
	"err.nolabels":      "找到%s个编号条目,但都没有牵头单位、责任单位或完成时限,不像一份工作方案",

	// Warnings: doubts for an administrator.
	"label.empty":        "“%s”后没有内容",
	"label.unknown":      "不认识的标注“%s”,未作为单位或时限,请核对:%s",
	"task.altnumber":     "任务编号不是(N)格式,仍按任务解析,请核对:%s",
	"labels.unused":      "单位行之前的任务都已有这些单位或时限,未使用:%s",
	"labels.outside":     "单位行不在任何任务内,已忽略:%s",
	"deadline.repeat":    "完成时限重复,保留第一个“%s”,未用“%s”",
	"units.toomany":      "单位超过%s个,其余%s个未列入:%s",
	"units.note":         "单位后的说明未作为单位:%s",
	"task.textafter":     "任务(%s)的单位行之后还有文字,已并入正文:%s",
	"warnings.more":      "还有%s条警告未列出:文档问题太多,请先检查它是否是这一类工作方案",
	"number.gap1":        "任务编号不连续:缺少(%s)",
	"number.gap":         "任务编号不连续:缺少(%s)至(%s)",
	"number.repeat":      "任务编号(%s)重复(第%s行已有),已按文档顺序编为%s",
	"number.restart":     "任务编号按部分重新从头编排,已按文档顺序统一编为1至%s,原编号保留在source_number",
	"number.order":       "任务编号不是依次递增的,已按文档顺序统一编为1至%s,原编号保留在source_number",
	"task.notitle":       "任务%s没有标题",
	"task.nounits":       "任务%s没有牵头单位和责任单位",
	"task.nolead":        "任务%s没有牵头单位",
	"deadline.unknown":   "任务%s的完成时限“%s”无法识别,已原样保留,需管理员确认",
	"task.nodeadline":    "任务%s没有完成时限",
	"indicators.toomany": "任务%s的指标候选超过%s个,只列入前%s个",
	"section.empty":      "(%s)%s下没有任务",
	"group.empty":        "%s.%s下没有任务",
	"row.notext":         "表格行没有任务内容,已忽略:%s",
	"pdf.text":           "文字提取自PDF:已去掉页眉、页脚和页码,并接上换行断开的句子,请核对任务内容",
}

// Text returns the Chinese message key formatted with args. An unknown key
// is returned as is, so that a missing message is visible.
func Text(key string, args []string) string {
	f, ok := messages[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return f
	}
	a := make([]any, len(args))
	for i, s := range args {
		a[i] = s
	}
	return fmt.Sprintf(f, a...)
}

// Messages returns a copy of the message table: Chinese text by key. The web
// interface registers each under "parse."+key with its English translation.
func Messages() map[string]string {
	return maps.Clone(messages)
}

// MessageKeys returns the keys of the message table, sorted.
func MessageKeys() []string {
	return slices.Sorted(maps.Keys(messages))
}
