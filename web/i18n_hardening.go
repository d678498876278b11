package web

func init() { register(hardeningMessages) }

// hardeningMessages are the messages of input checks: evidence files,
// malformed or over-long input, throttling, API tokens.
var hardeningMessages = map[string][2]string{
	"evidence.file":       {"文件“%s”", "File “%s”"},
	"evidence.in_archive": {"压缩包“%s”中的“%s”", "“%[2]s” in the archive “%[1]s”"},
	"evidence.empty":      {"%s是空文件(0 字节),请重新选择", "%s is empty (0 bytes); choose it again"},
	"evidence.too_large":  {"%s超过 %d MB,请压缩或分成几个文件后上传", "%s is larger than %d MB; compress it or split it into several files"},
	"evidence.type": {"%s的类型不能作为佐证材料。可以上传:PDF、OFD、照片(JPG、PNG、WebP、HEIC)、Word(.doc .docx)、Excel(.xls .xlsx)、WPS(.wps .et)、文本(.txt),或装有这些文件的 .zip 压缩包",
		"%s is not of a type accepted as evidence. Accepted: PDF, OFD, photos (JPG, PNG, WebP, HEIC), Word (.doc .docx), Excel (.xls .xlsx), WPS (.wps .et), text (.txt), or a .zip archive of these"},
	"evidence.executable": {"%s是程序、脚本或网页文件,出于安全考虑不能作为佐证材料", "%s is a program, a script or a web page, which cannot be evidence for safety reasons"},
	"evidence.mismatch": {"%s的内容与扩展名不符,或文件已损坏(按内容识别),请用制作它的程序重新保存后上传",
		"%s: its content does not match its extension, or the file is damaged (checked by content); save it again from the program that made it"},
	"evidence.macro":     {"%s含有宏,不能作为佐证材料,请另存为不含宏的文档(.docx、.xlsx)或 PDF", "%s contains macros and cannot be evidence; save it without macros (.docx, .xlsx) or as PDF"},
	"evidence.bomb":      {"%s解压后过大(超过 %d MB,或压缩比异常),不能作为佐证材料", "%s unpacks to too much data (over %d MB, or an abnormal compression ratio) and cannot be evidence"},
	"evidence.encrypted": {"%s已加密,无法检查内容,请上传未加密的文件", "%s is encrypted and cannot be checked; upload it unencrypted"},
	"evidence.nested":    {"%s中的压缩包嵌套过深(最多 %d 层)", "%s nests archives too deeply (at most %d levels)"},
	"evidence.too_many":  {"佐证材料最多 %d 个文件,更多的照片请打包成一个 .zip", "At most %d evidence files per report; put more photos in one .zip"},
	"evidence.total":     {"一次报送的佐证材料合计不能超过 %d MB", "The evidence of one report must not exceed %d MB together"},
	"evidence.busy":      {"服务器正在处理其他单位上传的材料,请稍后再提交", "The server is busy storing other units' uploads; submit again shortly"},

	"input.body_too_large":  {"提交的内容超过 %d MB 的上限,请减少或压缩附件", "The submission exceeds the limit of %d MB; send fewer or smaller files"},
	"input.form_unreadable": {"表单无法解析,请刷新页面后重新提交", "The form could not be read; reload the page and submit it again"},
}

func init() { register(inputMessages) }

// inputMessages name what is wrong with a request's input, and the fields.
var inputMessages = map[string][2]string{
	"input.bad_path":  {"网址无效:含有空字符、控制字符或不是 UTF-8 编码的字符", "The address is not valid: it contains NUL, control characters or bytes that are not UTF-8"},
	"input.bad_query": {"网址中的参数无效,请检查 ? 之后的部分", "The parameters of the address (after ?) are not valid"},
	"input.bad_name":  {"表单字段名无效", "A form field's name is not valid"},
	"input.too_many":  {"表单字段过多(最多 %d 个)", "Too many form fields (at most %d)"},
	"input.utf8":      {"“%s”含有无效的字符编码(不是 UTF-8),请重新输入", "“%s” is not valid UTF-8 text; type it again"},
	"input.nul":       {"“%s”含有空字符(NUL),请删除后重试", "“%s” contains a NUL character; remove it and try again"},
	"input.control":   {"“%s”含有不可见的控制字符,请删除后重试", "“%s” contains invisible control characters; remove them and try again"},
	"input.too_long":  {"“%s”不能超过 %d 个字(现有 %d 个)", "“%s” takes at most %d characters (it has %d)"},
	"field.reason":    {"理由", "Reason"},
	"field.comment":   {"批示", "Comment"},
	"field.unit_name": {"单位名称", "Unit name"},
	"field.new_slug":  {"新方案标识", "New plan's identifier"},
	"field.plan":      {"方案", "Plan"},
	"field.search":    {"搜索", "Search"},
	"field.next":      {"跳转地址", "Return address"},
	"field.plan_text": {"方案文本", "Plan text"},
}
