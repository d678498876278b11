package planparse

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
)

func parseFixture(t *testing.T, name string) *Document {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return mustParseText(t, b)
}

// row is the part of a task the shape tests check.
type row struct {
	number, source   int
	title            string
	lead, resp, coop []string
	kind             deadline.Kind
	due              string
	section, group   string
}

func rows(doc *Document) []row {
	var out []row
	for _, t := range doc.Tasks {
		out = append(out, row{t.Number, t.SourceNumber, t.Title, t.LeadUnits, t.ResponsibleUnits, t.CooperatingUnits,
			t.Deadline.Kind, t.Deadline.Due.String(), t.Section, t.Group})
	}
	return out
}

var e = []string{}

func TestShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		title    string
		year     int
		rows     []row
		sections []Section
		warnings []lineMessage
	}{
		{
			file: "inline.txt", title: "某市2024年优化营商环境工作要点", year: 2024,
			rows: []row{
				{1, 1, "推行告知承诺制", []string{"市司法局"}, []string{"各县(市、区)人民政府"}, e, deadline.KindUnknown, "", "提升政务服务效能", ""},
				{2, 2, "压缩企业开办时间", []string{"市市场监管局"}, []string{"市税务局", "市人社局"}, e, deadline.KindDue, "2024-06-30", "提升政务服务效能", ""},
				{3, 3, "保障项目用地", []string{"市自然资源局"}, e, e, deadline.KindDue, "2024-12-31", "优化要素保障", ""},
			},
			sections: []Section{
				{Numeral: "一", Title: "提升政务服务效能", Line: 9, Groups: []Group{}},
				{Numeral: "二", Title: "优化要素保障", Line: 15, Groups: []Group{}},
			},
			warnings: []lineMessage{{11, "任务1没有完成时限"}},
		},
		{
			file: "group-inline.txt", title: "某县2024年项目审批提速工作方案", year: 2024,
			rows: []row{
				{1, 1, "推行并联审批", e, []string{"县发展改革局", "县自然资源局"}, e, deadline.KindDue, "2024-12-31", "优化审批服务", "精简审批环节"},
				{2, 2, "推行容缺受理", e, []string{"县发展改革局", "县自然资源局"}, e, deadline.KindDue, "2024-12-31", "优化审批服务", "精简审批环节"},
				// Its own lead stays; the block after the group gives it the rest.
				{3, 3, "开展联合检查", []string{"县市场监管局"}, []string{"各乡镇人民政府"}, e, deadline.KindDue, "2024-12-31", "优化审批服务", "强化事中监管"},
				{4, 4, "推行信用监管", []string{"县应急管理局"}, []string{"各乡镇人民政府"}, e, deadline.KindDue, "2024-12-31", "优化审批服务", "强化事中监管"},
				// The section heading's labels are defaults for its tasks.
				{5, 5, "保障项目资金", []string{"县财政局"}, []string{"县财政局", "县审计局"}, e, deadline.KindOngoing, "", "加强要素保障", ""},
				{6, 6, "保障项目用地", []string{"县财政局"}, []string{"县自然资源局"}, e, deadline.KindOngoing, "", "加强要素保障", ""},
			},
			sections: []Section{
				{Numeral: "一", Title: "优化审批服务", Line: 5, Groups: []Group{{1, "精简审批环节", 7}, {2, "强化事中监管", 15}}},
				{Numeral: "二", Title: "加强要素保障", Line: 23, Groups: []Group{}},
			},
			warnings: []lineMessage{{9, "任务1没有牵头单位"}, {11, "任务2没有牵头单位"}},
		},
		{
			file: "restart.txt", title: "某市2024年数据治理工作计划", year: 2024,
			rows: []row{
				{1, 1, "归集人口数据", []string{"市公安局"}, e, e, deadline.KindDue, "2024-03-31", "数据归集", ""},
				{2, 2, "归集法人数据", []string{"市市场监管局"}, e, e, deadline.KindDue, "2024-06-30", "数据归集", ""},
				{3, 1, "建设共享平台", []string{"市大数据中心"}, e, e, deadline.KindDue, "2024-09-30", "数据共享", ""},
				{4, 2, "编制共享目录", []string{"市大数据中心"}, e, e, deadline.KindDue, "2024-09-30", "数据共享", ""},
				{5, 2, "开展共享评估", []string{"市政府办公室"}, e, e, deadline.KindDue, "2024-12-31", "数据共享", ""},
			},
			sections: []Section{
				{Numeral: "一", Title: "数据归集", Line: 5, Groups: []Group{}},
				{Numeral: "二", Title: "数据共享", Line: 15, Groups: []Group{}},
			},
			warnings: []lineMessage{
				{17, "任务编号按部分重新从头编排,已按文档顺序统一编为1至5,原编号保留在source_number"},
				{25, "任务编号(2)重复(第21行已有),已按文档顺序编为5"},
			},
		},
		{
			file: "labels.txt", title: "某区2024年政务服务工作要点", year: 2024,
			rows: []row{
				{1, 1, "建设综合窗口", []string{"区政务服务中心"}, []string{"区市场监管局", "区税务局"}, []string{"区财政局"}, deadline.KindDue, "2024-05-31", "主要任务", ""},
				{2, 2, "推行帮办代办", []string{"区发展改革局"}, []string{"区工信局", "区商务局"}, []string{"各街道办事处"}, deadline.KindDue, "2024-06-30", "主要任务", ""},
				{3, 3, "推行延时服务", []string{"区政务服务中心"}, []string{"各街道办事处"}, e, deadline.KindUnknown, "", "主要任务", ""},
				{4, 4, "开展满意度评价", []string{"区政务服务中心"}, e, e, deadline.KindUnknown, "", "主要任务", ""},
			},
			sections: []Section{{Numeral: "二", Title: "主要任务", Line: 3, Groups: []Group{}}},
			warnings: []lineMessage{
				{19, "任务3的完成时限“根据省上安排”无法识别,已原样保留,需管理员确认"},
				{21, "任务4没有完成时限"},
			},
		},
		{
			file: "table.txt", title: "某县2023年优化营商环境重点任务清单", year: 2023,
			rows: []row{
				{1, 1, "推行一网通办", []string{"县政务服务中心"}, []string{"各乡镇人民政府", "县直有关部门"}, e, deadline.KindDue, "2023-09-30", "提升审批效率", ""},
				{2, 2, "压缩审批时限", []string{"县发展改革局"}, []string{"县自然资源局", "县住建局"}, e, deadline.KindDue, "2023-12-31", "提升审批效率", ""},
				{3, 3, "推行信用承诺", []string{"县市场监管局"}, e, e, deadline.KindOngoing, "", "强化监管服务", ""},
			},
			sections: []Section{
				{Numeral: "一", Title: "提升审批效率", Line: 4, Groups: []Group{}},
				{Numeral: "二", Title: "强化监管服务", Line: 7, Groups: []Group{}},
			},
			warnings: []lineMessage{},
		},
		{
			// Headings that carry labels and have no (N) tasks are the tasks.
			file: "promoted.txt", title: "某市2024年5G网络建设行动计划", year: 2024,
			rows: []row{
				{1, 1, "加快5G基站建设", []string{"市工信局"}, []string{"各县(市、区)人民政府"}, e, deadline.KindDue, "2024-12-31", "重点任务", ""},
				{2, 2, "推进千兆光网覆盖", []string{"市工信局"}, []string{"电信平凉分公司"}, e, deadline.KindUnknown, "", "重点任务", ""},
			},
			sections: []Section{{Numeral: "二", Title: "重点任务", Line: 3, Groups: []Group{}}},
			warnings: []lineMessage{{10, "任务2没有完成时限"}},
		},
		{
			file: "warnings.txt", title: "某市2024年工作方案", year: 2024,
			rows: []row{
				{1, 1, "建立工作台账", []string{"市政府办公室"}, e, e, deadline.KindDue, "2024-12-31", "主要任务", ""},
				{3, 3, "开展督查", e, []string{"市政府督查室"}, e, deadline.KindUnknown, "", "主要任务", ""},
			},
			sections: []Section{{Numeral: "二", Title: "主要任务", Line: 5, Groups: []Group{}}},
			warnings: []lineMessage{
				{3, "单位行不在任何任务内,已忽略:牵头单位:市政府办公室"},
				{12, "任务(1)的单位行之后还有文字,已并入正文:请各单位按月报送进展。"},
				{14, "任务编号不连续:缺少(2)"},
				{14, "任务3没有牵头单位"},
				{16, "任务3的完成时限“尽快”无法识别,已原样保留,需管理员确认"},
				{17, "完成时限重复,保留第一个“尽快”,未用“2024年底前”"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			doc := parseFixture(t, tt.file)
			assert.Equal(t, tt.title, doc.Title)
			assert.Equal(t, tt.year, doc.Year)
			assert.Nil(t, doc.IssuedOn, "no cover notice")
			assert.Equal(t, "", doc.IssuedBy)
			assert.Equal(t, tt.rows, rows(doc))
			assert.Equal(t, tt.sections, doc.Sections)
			assert.Equal(t, tt.warnings, lineMessages(doc.Warnings))
		})
	}
}

func TestShapeDetails(t *testing.T) {
	t.Parallel()
	t.Run("inline labels are cut from the body", func(t *testing.T) {
		t.Parallel()
		doc := parseFixture(t, "inline.txt")
		assert.Equal(t, "企业开办时间压缩至1个工作日内。", doc.Tasks[1].Body)
		assert.Equal(t, []Indicator{{"企业开办时间压缩至1个工作日内", "<=", 1, "个工作日"}}, doc.Tasks[1].Indicators)
		assert.Equal(t, "全年供应工业用地不少于3000亩。", doc.Tasks[2].Body)
		assert.Equal(t, "年内", doc.Tasks[2].Deadline.Text)
	})
	t.Run("a text table's body and indicators", func(t *testing.T) {
		t.Parallel()
		doc := parseFixture(t, "table.txt")
		assert.Equal(t, "县级政务服务事项网上可办率达到95%以上。", doc.Tasks[0].Body)
		assert.Equal(t, []Indicator{{"一般项目审批时限压缩至30个工作日内", "<=", 30, "个工作日"}}, doc.Tasks[1].Indicators)
		assert.Equal(t, []int{5, 6, 8}, []int{doc.Tasks[0].Line, doc.Tasks[1].Line, doc.Tasks[2].Line})
	})
	t.Run("a promoted heading keeps its text", func(t *testing.T) {
		t.Parallel()
		doc := parseFixture(t, "promoted.txt")
		assert.Equal(t, "新建5G基站200个以上。", doc.Tasks[0].Body)
		assert.Equal(t, "城市家庭千兆光网覆盖率达到90%。", doc.Tasks[1].Body)
		assert.Equal(t, []Indicator{{"新建5G基站200个以上", ">=", 200, "个"}}, doc.Tasks[0].Indicators)
	})
	t.Run("text after the labels is kept in the body", func(t *testing.T) {
		t.Parallel()
		doc := parseFixture(t, "warnings.txt")
		assert.Equal(t, "对任务逐项建账。\n请各单位按月报送进展。", doc.Tasks[0].Body)
		assert.Equal(t, "尽快", doc.Tasks[1].Deadline.Text)
	})
}

// TestPlanYear checks where the year for deadlines without one comes from.
func TestPlanYear(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		year       int
		due        string
	}{
		{"issue date", "关于印发工作方案的通知\n\n各单位:\n\n市政府办公室\n\n2022年12月30日\n\n某市2023年工作方案\n\n(1)甲。\n牵头单位:市政府\n完成时限:年内\n", 2022, "2022-12-31"},
		{"title", "某市2025年工作要点\n\n(1)甲。\n牵头单位:市政府\n完成时限:年内\n", 2025, "2025-12-31"},
		{"first deadline with a year", "某市工作要点\n\n(1)甲。\n牵头单位:市政府\n完成时限:三季度末\n\n(2)乙。\n牵头单位:市政府\n完成时限:2026年底前\n", 2026, "2026-09-30"},
		{"Chinese numeral date", "各单位:\n\n市政府办公室\n\n二〇二四年三月五日\n\n某市工作要点\n\n(1)甲。\n牵头单位:市政府\n完成时限:年内\n", 2024, "2024-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := mustParseText(t, []byte(tt.text))
			assert.Equal(t, tt.year, doc.Year)
			assert.Equal(t, tt.due, doc.Tasks[0].Deadline.Due.String())
		})
	}
}

func TestCoverNotice(t *testing.T) {
	t.Parallel()
	text := "各乡镇人民政府,县直各部门:\n\n现将《某县2024年营商环境优化提升行动方案》印发给你们,请认真贯彻落实。\n\n某县人民政府办公室 2024年3月5日\n\n" +
		"二、重点任务\n\n(1)甲。\n牵头单位:县政府\n完成时限:年内\n"
	doc := mustParseText(t, []byte(text))
	assert.Equal(t, "某县2024年营商环境优化提升行动方案", doc.Title, "from the notice's 《》 when no title line")
	assert.Equal(t, "某县人民政府办公室", doc.IssuedBy, "office and date on one line")
	require.NotNil(t, doc.IssuedOn)
	assert.Equal(t, "2024-03-05", doc.IssuedOn.String())
	assert.Equal(t, []string{"各乡镇人民政府", "县直各部门"}, doc.Addressees)

	wrapped := "平凉市深化数字政府建设\n提升政务服务能力工作方案\n\n(1)甲。\n牵头单位:市政府\n完成时限:2023年底前\n"
	doc = mustParseText(t, []byte(wrapped))
	assert.Equal(t, "平凉市深化数字政府建设提升政务服务能力工作方案", doc.Title, "a title wrapped over two lines")
}

// TestOtherNumbering covers tasks numbered ① or 1): inside a task whose
// labelled lines have not begun they are points of its text; elsewhere they
// start tasks, with a warning to check them.
func TestOtherNumbering(t *testing.T) {
	t.Parallel()
	text := "二、主要任务\n" +
		"(1)建立台账。分三步:\n①梳理任务;\n②明确责任。\n牵头单位:市政府办公室\n完成时限:年内\n" +
		"2)开展督查。按月督查。\n牵头单位:市政府督查室\n完成时限:2024年底前\n"
	doc := mustParseText(t, []byte(text))
	require.Len(t, doc.Tasks, 2)
	assert.Equal(t, "分三步:\n①梳理任务;\n②明确责任。", doc.Tasks[0].Body)
	assert.Equal(t, "开展督查", doc.Tasks[1].Title)
	assert.Equal(t, 2, doc.Tasks[1].Number)
	assert.Equal(t, []string{"市政府督查室"}, doc.Tasks[1].LeadUnits)
	assert.Equal(t, "2024-12-31", doc.Tasks[0].Deadline.Due.String(), "年内 takes the year of the other deadline")
	assert.Equal(t, []lineMessage{
		{7, "任务编号不是(N)格式,仍按任务解析,请核对:2)开展督查。按月督查。"},
	}, lineMessages(doc.Warnings))
}
