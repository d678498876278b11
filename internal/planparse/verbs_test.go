package planparse

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReportFamily reads the ways task breakdowns of a government work report
// write units with verbs: lead (牵头), responsible (负责, 按职责分工负责,
// 落实) and cooperating (配合, 协助, 参与), in brackets of any kind or a closing
// 由… sentence, with 等 dropped and a deadline clause kept.
func TestReportFamily(t *testing.T) {
	t.Parallel()
	text := "某市2024年政府工作报告重点工作任务分解\n\n" +
		"一、稳增长\n\n" +
		"(一)扩大有效投资\n\n" +
		"1.实施重大项目攻坚行动。新开工亿元以上项目100个。(市发展改革委牵头,市财政局、市自然资源局等按职责分工负责)\n\n" +
		"2.促进消费扩容提质。举办促消费活动50场以上。(市商务局牵头,市文旅局、市市场监管局配合,2024年6月底前完成)\n\n" +
		"(二)优化营商环境\n\n" +
		"3.推行“高效办成一件事”。〔责任单位:市政务服务中心、市大数据中心〕\n\n" +
		"4.深化“放管服”改革。由市司法局牵头,市直有关部门配合。\n\n" +
		"5.抓好安全生产。(各县区政府负责)\n\n" +
		"6.建设城市更新项目。(市住建局牵头,市财政局,市自然资源局协助;年内完成)\n"
	doc := mustParseText(t, []byte(text))
	require.Len(t, doc.Tasks, 6)
	type units struct{ lead, resp, coop []string }
	want := []units{
		{[]string{"市发展改革委"}, []string{"市财政局", "市自然资源局"}, nil},
		{[]string{"市商务局"}, nil, []string{"市文旅局", "市市场监管局"}},
		{nil, []string{"市政务服务中心", "市大数据中心"}, nil},
		{[]string{"市司法局"}, nil, []string{"市直有关部门"}},
		{nil, []string{"各县区政府"}, nil},
		{[]string{"市住建局"}, nil, []string{"市财政局", "市自然资源局"}},
	}
	for i, w := range want {
		g := doc.Tasks[i]
		assert.Equal(t, nonNil(w.lead), g.LeadUnits, "task %d lead", i+1)
		assert.Equal(t, nonNil(w.resp), g.ResponsibleUnits, "task %d responsible", i+1)
		assert.Equal(t, nonNil(w.coop), g.CooperatingUnits, "task %d cooperating", i+1)
	}
	assert.Equal(t, "实施重大项目攻坚行动", doc.Tasks[0].Title)
	assert.Equal(t, "新开工亿元以上项目100个。", doc.Tasks[0].Body, "the units are not left in the body")
	assert.Equal(t, "2024年6月底前完成", doc.Tasks[1].Deadline.Text)
	assert.Equal(t, "2024-06-30", doc.Tasks[1].Deadline.Due.String())
	assert.Equal(t, "深化“放管服”改革", doc.Tasks[3].Title)
	assert.Equal(t, "", doc.Tasks[3].Body, "the closing 由… sentence is units, not body")
	assert.Equal(t, "年内完成", doc.Tasks[5].Deadline.Text)
	assert.Equal(t, "扩大有效投资", doc.Tasks[0].Section)
}

// TestVerbsAreNotProse: a bracketed remark in running text is not units.
func TestVerbsAreNotProse(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"由企业自主负责", "加快推进城市更新落实", "具体办法另行制定", "2023年底前完成", "含市级、县级", ""} {
		_, ok := readVerbs(s)
		assert.False(t, ok, s)
	}
	for _, s := range []string{"市商务局牵头", "各县(市、区)人民政府负责", "市财政局等部门配合", "市级各有关部门及各县市区政府按职责分工负责"} {
		_, ok := readVerbs(s)
		assert.True(t, ok, s)
	}
	v, _ := readVerbs("市政府办公室、市审改办牵头,市级各有关部门及各县市区政府按职责分工负责")
	assert.Equal(t, []string{"市政府办公室", "市审改办"}, v.lists[roleLead])
	assert.Equal(t, []string{"市级各有关部门", "各县市区政府"}, v.lists[roleResp])
}

// TestPeopleAndUnknownLabels: people named beside units are people, never
// units; a label the parser does not know is a warning with its line, and
// its text is not left in the task.
func TestPeopleAndUnknownLabels(t *testing.T) {
	t.Parallel()
	text := "二、重点任务\n" +
		"(1)建设智慧园区。完成园区平台建设。\n" +
		"责任领导:张三、李四\n" +
		"牵头单位:市工信局\n" +
		"协同责任单位:市财政局\n" +
		"督办单位:市政府督查室\n" +
		"完成时限:2024年底前\n"
	doc := mustParseText(t, []byte(text))
	require.Len(t, doc.Tasks, 1)
	task := doc.Tasks[0]
	assert.Equal(t, []Person{{"责任领导", "张三"}, {"责任领导", "李四"}}, task.People)
	assert.Equal(t, []string{"市工信局"}, task.LeadUnits)
	assert.Equal(t, []string{"市财政局"}, task.CooperatingUnits, "协同责任单位 cooperates")
	assert.Equal(t, []string{}, task.ResponsibleUnits)
	assert.Equal(t, "完成园区平台建设。", task.Body)
	assert.Equal(t, []lineMessage{{6, "不认识的标注“督办单位”,未作为单位或时限,请核对:市政府督查室"}}, lineMessages(doc.Warnings))
}
