package planparse

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spaceRow is the part of a task the space-joined table tests check.
type spaceRow struct {
	source   int
	title    string
	lead     []string
	resp     []string
	deadline string
}

// TestSpaceTables reads task tables whose cells a copy from a web page
// joined with single spaces (see spaceTables).
func TestSpaceTables(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []spaceRow
	}{
		{
			name: "header at the end of a paragraph, a section line, a list of units",
			text: "附件:某市2018年政府工作任务分解表 序号 名称 工作任务 牵头责任单位\n\n" +
				"一、经济社会发展主要预期目标分解(11项)\n\n" +
				"1 地区生产总值增长7%以上,服务业增加值占GDP比重47.1%. 发改委\n\n" +
				"2 全社会固定资产投资额550亿元. 发改委、经信委、科技局\n",
			want: []spaceRow{
				{1, "地区生产总值增长7%以上,服务业增加值占GDP比重47.1%", []string{"发改委"}, e, ""},
				{2, "全社会固定资产投资额550亿元", []string{"发改委", "经信委", "科技局"}, e, ""},
			},
		},
		{
			name: "lead, responsible and deadline columns",
			text: "序号 重点任务 牵头单位 责任单位 完成时限\n" +
				"1 推行一网通办。县级政务服务事项网上可办率达到95%以上。 县政务服务中心 各乡镇人民政府、县直有关部门 2023年9月底前\n" +
				"2 推行信用承诺。 县市场监管局 持续推进\n",
			want: []spaceRow{
				{1, "推行一网通办", []string{"县政务服务中心"}, []string{"各乡镇人民政府", "县直有关部门"}, "2023年9月底前"},
				// One unit token for two unit columns: the leftmost (lead) is filled.
				{2, "推行信用承诺", e, []string{"县市场监管局"}, "持续推进"},
			},
		},
		{
			name: "a list of units itself joined with spaces; English words and figures in the text",
			text: "序号 工作任务 牵头单位\n" +
				"1. 新建 5G 基站 1200 个,推进 NB-IoT 网络覆盖. 市工信局 市通信发展办\n" +
				"2、 提升 12345 热线接通率. 市政务服务中心\n",
			want: []spaceRow{
				{1, "新建 5G 基站 1200 个,推进 NB-IoT 网络覆盖", []string{"市工信局", "市通信发展办"}, e, ""},
				{2, "提升 12345 热线接通率", []string{"市政务服务中心"}, e, ""},
			},
		},
		{
			name: "a row wrapped over lines before its units; numbering restarting under a section",
			text: "序号 工作任务 责任单位\n" +
				"(一)稳增长\n" +
				"1 推进重大项目建设,\n全年完成投资100亿元. 市发改委\n" +
				"2 扩大有效投资. 市财政局\n" +
				"(二)促改革\n" +
				"1 深化“放管服”改革. 市政务服务中心\n",
			want: []spaceRow{
				{1, "推进重大项目建设, 全年完成投资100亿元", e, []string{"市发改委"}, ""},
				{2, "扩大有效投资", e, []string{"市财政局"}, ""},
				{1, "深化“放管服”改革", e, []string{"市政务服务中心"}, ""},
			},
		},
		{
			name: "a row without units keeps its place; the table ends at prose",
			text: "序号 工作任务 牵头单位\n" +
				"1 推进数字政府建设. 市大数据中心\n" +
				"2 完善考核办法\n" +
				"3 加强督查. 市政府办公室\n" +
				"各地 各部门 要 认真落实 市政府办公室\n" +
				"4 这一行在表格之后. 市财政局\n",
			want: []spaceRow{
				{1, "推进数字政府建设", []string{"市大数据中心"}, e, ""},
				{2, "完善考核办法", e, e, ""},
				{3, "加强督查", []string{"市政府办公室"}, e, ""},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := mustParseText(t, []byte(tt.text))
			var got []spaceRow
			for _, task := range doc.Tasks {
				got = append(got, spaceRow{task.SourceNumber, task.Title, task.LeadUnits, task.ResponsibleUnits, task.Deadline.Text})
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestSpaceTablesNot: lines that only look like a space-joined table stay
// text. Each document below has one labelled task, which must remain the only
// task, read as it is without the lines around it.
func TestSpaceTablesNot(t *testing.T) {
	t.Parallel()
	task := "(1)推进数字政府建设。\n牵头单位:市大数据中心\n完成时限:2023年底前\n"
	tests := []struct {
		name, text string
	}{
		{"prose with spaces after a header-like line",
			"各单位要按 序号 工作任务 牵头单位 填报\n各地 各部门 要 加强 组织领导 确保 各项任务 按时完成\n"},
		{"a numbered prose line after a header-like line",
			"序号 工作任务 牵头单位\n1 要加强组织领导,确保各项任务按时完成\n2 市政府办公室 要 定期 督查\n"},
		{"a header without a unit column",
			"序号 工作任务 完成时限 备注\n1 推进项目建设. 市发改委\n"},
		{"a header without a number column",
			"工作任务 牵头单位 责任单位\n1 推进项目建设. 市发改委\n"},
		{"a header whose first row ends in a figure",
			"序号 工作任务 牵头单位\n1 全年完成投资 100亿元\n2 扩大有效投资. 市财政局\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := ParseText([]byte(tt.text + task))
			require.NoError(t, err)
			require.Len(t, doc.Tasks, 1, "%v", doc.Tasks)
			assert.Equal(t, "推进数字政府建设", doc.Tasks[0].Title)
			assert.Equal(t, []string{"市大数据中心"}, doc.Tasks[0].LeadUnits)
		})
	}
	// Alone, the prose is no plan at all.
	_, err := ParseText([]byte("序号 工作任务 牵头单位\n各地 各部门 要 加强 组织领导 市政府办公室\n"))
	assert.ErrorIs(t, err, ErrNotPlan)
}

// TestSpaceTablesSeedUnchanged: the new path leaves documents without a
// space-joined table line for line as they were.
func TestSpaceTablesSeedUnchanged(t *testing.T) {
	t.Parallel()
	var raw []rawLine
	for i, l := range strings.Split(string(readSeed(t)), "\n") {
		raw = append(raw, rawLine{no: i + 1, text: l})
	}
	assert.Equal(t, raw, spaceTables(raw))
}

func TestUnitToken(t *testing.T) {
	t.Parallel()
	for tok, want := range map[string]bool{
		"发改委":         true,
		"发改委、经信委、科技局": true,
		"各县(市、区)人民政府": true,
		"市直有关部门":      true,
		"47.1%.":      false,
		"增长7%以上,服务业增加值占GDP比重47.1%.": false,
		"推进项目建设":   false,
		"100亿元":    false,
		"市12345热线": false,
		"GDP":      false,
	} {
		assert.Equal(t, want, unitToken(tok), tok)
	}
}
