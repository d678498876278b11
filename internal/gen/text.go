package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The phrase banks reports are written from. A report says what was done
// (进展), what stands in the way (问题) and what comes next (下一步), the way
// office staff write them: formulaic, short, with figures.
var (
	progressPhrases = []string{
		"召开专题推进会%d次,明确责任分工和时间节点",
		"完成%d个业务系统的梳理和数据对接",
		"组织业务骨干开展专项培训%d场次",
		"对照任务清单逐项推进,已完成阶段性目标",
		"与省级平台完成接口联调,运行总体平稳",
		"印发工作方案,细化任务%d项",
		"开展实地督导检查%d次,发现问题已督促整改",
		"完成需求调研和技术方案编制",
		"政务服务事项梳理工作有序推进,累计梳理事项%d项",
		"数据归集共享稳步推进,本周新增归集数据%d万条",
		"配合牵头单位完成相关材料报送",
		"线上办理渠道进一步优化,办件量较上周有所提升",
		"推进系统迁移上云,已迁移%d个系统",
		"完成窗口人员业务考核,合格率达到要求",
		"建立周调度工作机制,及时协调解决推进中的困难",
		"制定工作台账,实行清单化管理、销号式推进",
	}
	problemPhrases = []string{
		"部分业务系统数据标准不统一,对接进度偏慢",
		"基层工作人员业务能力有待提升",
		"资金保障不足,部分建设内容推进受限",
		"省级平台接口调整,需重新联调",
		"跨部门协调难度较大,数据共享不够及时",
		"专业技术人员短缺",
		"部分事项办理流程尚未完全优化",
		"网络带宽不足,高峰时段系统响应较慢",
	}
	nextPhrases = []string{
		"加快推进剩余工作,确保按期完成",
		"加强与牵头单位的沟通衔接",
		"开展问题整改回头看",
		"持续做好数据更新维护",
		"组织开展第二轮业务培训",
		"完善长效工作机制",
		"对照时间节点倒排工期,挂图作战",
		"做好验收准备工作",
		"及时总结经验做法,形成可复制推广的成果",
	}
	claimPhrases = []string{
		"任务已全部完成,相关佐证材料已上传,申请销号",
		"按照方案要求完成全部建设内容,经自查达到预期目标,申请审核",
		"各项指标均已达到要求,现申请完成销号",
	}
	keepUpPhrases = []string{
		"持续巩固提升任务成果,运行情况良好",
		"按照长效机制常态化推进,本周无新增问题",
		"做好日常运维和数据更新,成果巩固良好",
	}
	returnReasons = []string{
		"佐证材料不完整,请补充相关文件后重新申报",
		"指标完成情况与实际不符,请核实后重新报送",
		"部分建设内容尚未完成,不符合销号条件",
		"进展描述过于笼统,请补充具体数据",
		"未附验收报告,请补充后再行申报",
	}
	revokeReasons = []string{
		"复核发现部分指标未达标,撤销完成认定,请继续整改",
		"经实地核查,系统尚未正常运行,退回重新整改",
	}
	extensionReasons = []string{
		"受省级平台建设进度影响,需延期完成",
		"项目招标流程尚未完成,申请延期",
		"资金尚未落实到位,申请适当延长完成时限",
		"涉及多部门协调,工作量较大,申请延期",
	}
	rejectReasons = []string{
		"延期理由不充分,请按原定时限完成",
		"该任务为市政府重点督办事项,不同意延期",
	}
	approveReasons = []string{"", "同意延期,请加快推进", "同意,请严格按新时限完成"}
)

// phrase fills a phrase's %d, if any, with a plausible figure.
func phrase(r *rand.Rand, p string) string {
	if strings.Contains(p, "%d") {
		return fmt.Sprintf(p, between(r, 2, 60))
	}
	return p
}

// progressText writes a report's three fields.
func progressText(r *rand.Rand, title string, percent int) (progress, problems, next string) {
	var b strings.Builder
	if r.IntN(3) == 0 {
		fmt.Fprintf(&b, "围绕“%s”,", title)
	}
	b.WriteString(phrase(r, pick(r, progressPhrases)))
	if r.IntN(2) == 0 {
		b.WriteString(";")
		b.WriteString(phrase(r, pick(r, progressPhrases)))
	}
	fmt.Fprintf(&b, "。目前完成总体进度的%d%%。", percent)
	if r.IntN(2) == 0 {
		problems = pick(r, problemPhrases) + "。"
	} else if r.IntN(2) == 0 {
		problems = "无"
	}
	next = pick(r, nextPhrases) + "。"
	return b.String(), problems, next
}

var (
	surnames   = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文")
	givenNames = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉斌宇浩凯健俊帆帅旭宁龙林欣佳彤晨瑶婷雪琳岩峰波亮建国志刚文博")
)

// personName invents a Chinese name of two or three characters.
func personName(r *rand.Rand) string {
	n := []rune{pick(r, surnames), pick(r, givenNames)}
	if r.IntN(3) > 0 {
		n = append(n, pick(r, givenNames))
	}
	return string(n)
}
