package planparse

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Unit lists of the seed plan, by the way the plan writes them.
var (
	ciyu      = []string{"市工信局", "市大数据中心"}
	telecom   = []string{"各县(市、区)人民政府", "平凉工业园区(高新区)管委会", "市直有关部门", "电信平凉分公司", "移动平凉分公司", "联通平凉分公司"}
	standard  = []string{"各县(市、区)人民政府", "平凉工业园区(高新区)管委会", "市直有关部门", "中、省驻平有关单位"}
	xiangguan = []string{"各县(市、区)人民政府", "平凉工业园区(高新区)管委会", "市直相关部门"}
	gbd       = []string{"市公管办", "市大数据中心"}
	dbg       = []string{"市大数据中心", "市公管办"}
	none      = []string{}
)

// seedTasks is every task of the seed plan, computed by hand from the file:
// number, title, lead, responsible, cooperating units, deadline kind and due.
var seedTasks = []struct {
	title             string
	lead, resp, coop  []string
	kind              deadline.Kind
	due               string
	section, group    string
	sectionN, groupNo int
}{
	{"统筹整合现有政务云资源", ciyu, telecom, none, deadline.KindOngoing, "", "提升数字资源支撑能力", "推进全市政务“一朵云”建设", 1, 1},
	{"集约利用全市政务云资源", ciyu, telecom, none, deadline.KindOngoing, "", "提升数字资源支撑能力", "推进全市政务“一朵云”建设", 1, 1},
	{"完成政务外网一二平面互联互通", ciyu, telecom, none, deadline.KindOngoing, "", "提升数字资源支撑能力", "推进全市政务外网“一张网”建设", 1, 2},
	{"扩大政务外网覆盖范围", ciyu, telecom, none, deadline.KindOngoing, "", "提升数字资源支撑能力", "推进全市政务外网“一张网”建设", 1, 2},
	{"推动电子证照扩大应用", []string{"市大数据中心"}, standard, none, deadline.KindOngoing, "", "提升数字资源支撑能力", "推进数据资源汇聚共享应用", 1, 3},
	{"推动数据资源应汇尽汇", []string{"市大数据中心"}, standard, none, deadline.KindDueThenOngoing, "2023-12-31", "提升数字资源支撑能力", "推进数据资源汇聚共享应用", 1, 3},
	{"推进平台互通数据共享", []string{"市大数据中心"}, standard, none, deadline.KindOngoing, "", "提升数字资源支撑能力", "推进数据资源汇聚共享应用", 1, 3},
	{"提升政府网站运行质量", []string{"市融媒体中心", "市大数据中心", "市委网信办"}, []string{"各县(市、区)人民政府", "市直有关单位"}, none, deadline.KindOngoing, "", "提升数字资源支撑能力", "推进数据资源汇聚共享应用", 1, 3},
	{"发挥数字政府运营指挥中心作用", []string{"市大数据中心"}, standard, none, deadline.KindDueThenOngoing, "2023-10-31", "提升数字资源支撑能力", "推进数据资源汇聚共享应用", 1, 3},
	{"组建国有大数据公司", []string{"市政府国资委", "市大数据中心", "市工信局"}, none, []string{"市直有关部门", "有关企业"}, deadline.KindDue, "2023-12-31", "提升数字资源支撑能力", "推进数据资源汇聚共享应用", 1, 3},
	{"规范市、县政务服务中心事项进驻", []string{"市公管办"}, standard, none, deadline.KindDue, "2023-09-30", "提升线上政务服务能力", "推进各级政务服务场所“一站式办理”", 2, 1},
	{"规范乡镇(街道)、村(社区)便民服务中心(站)事项下沉", []string{"市公管办"}, []string{"各县(市、区)人民政府"}, none, deadline.KindDue, "2023-09-30", "提升线上政务服务能力", "推进各级政务服务场所“一站式办理”", 2, 1},
	{"规范市、县政务大厅专区、综窗设置", []string{"市公管办"}, []string{"各县(市、区)人民政府", "平凉工业园区(高新区)管委会", "市机关事务管理局", "市直有关部门", "中、省驻平有关单位"}, none, deadline.KindDue, "2023-09-30", "提升线上政务服务能力", "推进市县政务大厅“一窗综合受理”", 2, 2},
	{"规范市、县政务大厅人员管理", []string{"市公管办"}, []string{"各县(市、区)人民政府", "平凉工业园区(高新区)管委会", "市委组织部", "市委编办", "市委直属机关工委", "市财政局", "市人社局"}, none, deadline.KindDue, "2023-08-31", "提升线上政务服务能力", "推进各级政务服务场所人员“一体化管理”", 2, 3},
	{"统筹建设网上“一窗受理”系统", gbd, standard, none, deadline.KindDue, "2023-12-31", "提升线上政务服务能力", "推进政务服务一体化平台“一网通办”", 2, 4},
	{"提升“一网一端”办理质效", dbg, standard, none, deadline.KindDue, "2023-09-30", "提升线上政务服务能力", "推进政务服务一体化平台“一网通办”", 2, 4},
	{"制定全市数字政府服务能力指标提升方案", none, gbd, none, deadline.KindDue, "2023-08-31", "提升数字政府服务能力", "细化工作方案促进全面提升", 3, 1},
	{"强化提升一体化政务服务平台能力指标", []string{"市公管办", "市大数据中心", "市市场监管局", "市医保局", "市税务局"}, standard, none, deadline.KindDue, "2023-09-30", "提升数字政府服务能力", "优化措施促进难点突破", 3, 2},
	{"强化提升数据资源汇聚共享能力指标", dbg, standard, none, deadline.KindDue, "2023-09-30", "提升数字政府服务能力", "优化措施促进难点突破", 3, 2},
	{"建立数字政府服务能力指标常态化考评机制", gbd, standard, none, deadline.KindOngoing, "", "提升数字政府服务能力", "强化考评建立长效机制", 3, 3},
	{"建立数字政府建设服务能力提升联席会议制度", gbd, standard, none, deadline.KindDueThenOngoing, "2023-08-31", "提升数字政府服务能力", "强化考评建立长效机制", 3, 3},
	{"实行企业开办3小时办结", []string{"市市场监管局"}, []string{"市公安局", "市人社局", "市税务局", "市住房公积金中心", "人行平凉市中心支行"}, none, deadline.KindDue, "2023-08-31", "提升利企便民服务效能", "提升涉企综合服务效能", 4, 1},
	{"实行企业不动产登记1个工作日办结", []string{"市自然资源局"}, []string{"市住建局", "市税务局"}, none, deadline.KindDue, "2023-09-30", "提升利企便民服务效能", "提升涉企综合服务效能", 4, 1},
	{"实行项目全流程审批60个工作日办结", []string{"市发展改革委", "市住建局", "市自然资源局"}, xiangguan, none, deadline.KindDue, "2023-09-30", "提升利企便民服务效能", "提升涉企综合服务效能", 4, 1},
	{"推行市民卡应用", []string{"市人社局", "市大数据中心"}, xiangguan, none, deadline.KindDue, "2023-12-31", "提升利企便民服务效能", "提升政务便民服务效能", 4, 2},
	{"推行政务服务“免证办”", dbg, xiangguan, none, deadline.KindDue, "2023-12-31", "提升利企便民服务效能", "提升政务便民服务效能", 4, 2},
	{"推行“一件事一次办”", []string{"市公管办"}, xiangguan, none, deadline.KindDue, "2023-12-31", "提升利企便民服务效能", "提升政务便民服务效能", 4, 2},
}

// seedUnits are the 31 distinct unit names of the seed plan, sorted.
var seedUnits = []string{
	"中、省驻平有关单位", "人行平凉市中心支行", "各县(市、区)人民政府", "市人社局", "市住建局",
	"市住房公积金中心", "市公安局", "市公管办", "市医保局", "市发展改革委",
	"市大数据中心", "市委直属机关工委", "市委组织部", "市委编办", "市委网信办",
	"市工信局", "市市场监管局", "市政府国资委", "市机关事务管理局", "市直有关单位",
	"市直有关部门", "市直相关部门", "市税务局", "市自然资源局", "市融媒体中心",
	"市财政局", "平凉工业园区(高新区)管委会", "有关企业", "电信平凉分公司", "移动平凉分公司",
	"联通平凉分公司",
}

func TestParseSeed(t *testing.T) {
	t.Parallel()
	doc := mustParseText(t, readSeed(t))

	assert.Equal(t, "平凉市深化数字政府建设提升政务服务能力工作方案", doc.Title)
	assert.Equal(t, "平凉市人民政府办公室", doc.IssuedBy)
	require.NotNil(t, doc.IssuedOn)
	assert.Equal(t, "2023-08-01", doc.IssuedOn.String())
	assert.Equal(t, 2023, doc.Year)
	assert.Equal(t, []string{"各县(市、区)人民政府", "平凉工业园区(高新区)管委会", "市直有关部门", "中、省驻平有关单位"}, doc.Addressees)

	require.Len(t, doc.Sections, 4)
	var groups []int
	for i, s := range doc.Sections {
		assert.Equal(t, []string{"一", "二", "三", "四"}[i], s.Numeral)
		groups = append(groups, len(s.Groups))
	}
	assert.Equal(t, []string{"提升数字资源支撑能力", "提升线上政务服务能力", "提升数字政府服务能力", "提升利企便民服务效能"},
		[]string{doc.Sections[0].Title, doc.Sections[1].Title, doc.Sections[2].Title, doc.Sections[3].Title})
	assert.Equal(t, []int{3, 4, 3, 2}, groups)
	assert.Equal(t, Group{Number: 1, Title: "推进全市政务“一朵云”建设", Line: 29}, doc.Sections[0].Groups[0])

	require.Len(t, doc.Tasks, 27)
	for i, want := range seedTasks {
		task := doc.Tasks[i]
		t.Run(want.title, func(t *testing.T) {
			assert.Equal(t, i+1, task.Number)
			assert.Equal(t, i+1, task.SourceNumber)
			assert.Equal(t, want.title, task.Title)
			assert.Equal(t, want.lead, task.LeadUnits, "lead units")
			assert.Equal(t, want.resp, task.ResponsibleUnits, "responsible units")
			assert.Equal(t, want.coop, task.CooperatingUnits, "cooperating units")
			assert.Equal(t, want.kind, task.Deadline.Kind)
			assert.Equal(t, want.due, task.Deadline.Due.String())
			assert.Equal(t, want.section, task.Section)
			assert.Equal(t, []string{"一", "二", "三", "四"}[want.sectionN-1], task.SectionNumeral)
			assert.Equal(t, want.group, task.Group)
			assert.Equal(t, want.groupNo, task.GroupNumber)
			assert.NotEmpty(t, task.Body)
			assert.False(t, strings.HasSuffix(task.Title, "。"))
		})
	}

	first := doc.Tasks[0]
	assert.Equal(t, 31, first.Line)
	assert.Equal(t, "按照国家、省级相关标准和要求,对现有政务云资源进行统筹整合,进一步提升资源利用率。按照省上要求接入省级政务云管理平台,逐步实现统一集中管理、统一安全认证、统一考核评价的“政务一朵云”体系。", first.Body)
	assert.Equal(t, "持续推进", first.Deadline.Text)
	assert.Equal(t, "2023年10月底前完成并持续推进", doc.Tasks[8].Deadline.Text)
	assert.Equal(t, 265, doc.Tasks[26].Line)

	units := slices.Sorted(slices.Values(doc.Units()))
	assert.Equal(t, seedUnits, units)
	assert.Len(t, units, 31)

	assert.Equal(t, []Warning{{Line: 177, Key: "task.nolead", Args: []string{"17"}, Message: "任务17没有牵头单位"}}, doc.Warnings)
}

func TestParseSeedIndicators(t *testing.T) {
	t.Parallel()
	doc := mustParseText(t, readSeed(t))
	type ind struct {
		cmp   string
		value float64
		unit  string
	}
	want := map[int][]ind{
		11: {{">=", 1200, "项"}, {">=", 1400, "项"}},
		12: {{">=", 50, "项"}, {">=", 20, "项"}},
		15: {{"=", 100, "%"}},
		16: {{">=", 99, "%"}},
		17: {{">=", 120, "项"}},
		18: {{">=", 90, "%"}},
		19: {{">=", 100, "%"}, {">=", 100, "%"}, {">=", 200, "类"}, {">=", 180, "类"}, {">=", 100, "%"}, {">=", 100, "%"}, {">=", 50, "亿条"}},
		22: {{"<=", 3, "小时"}},
		23: {{"<=", 1, "个环节"}, {"<=", 1, "个工作日"}},
		24: {{"<=", 15, "个工作日"}, {"<=", 43, "个工作日"}, {"<=", 48, "个工作日"}, {"<=", 60, "个工作日"}},
	}
	for _, task := range doc.Tasks {
		var got []ind
		for _, in := range task.Indicators {
			got = append(got, ind{in.Comparator, in.Value, in.Unit})
		}
		assert.Equal(t, want[task.Number], got, "task %d: %v", task.Number, task.Indicators)
	}
	assert.Equal(t, "市级大厅进驻事项1200项以上", doc.Tasks[10].Indicators[0].Text)
	var texts []string
	for _, in := range doc.Tasks[18].Indicators {
		texts = append(texts, in.Text)
	}
	assert.Equal(t, []string{
		"政务事项数据编目率达到100%", "公共服务事项数据编目率达到100%", "电子证照归集达到200类以上",
		"电子印章加盖类型达到180类以上", "加盖率达到100%", "资源挂接率达到100%", "向省级归集数据达到50亿条以上",
	}, texts)
	assert.Equal(t, "全流程压缩至3小时内办结", doc.Tasks[21].Indicators[0].Text)
}

// TestGoldenJSON compares the seed plan's JSON with testdata; run
// `go test ./internal/planparse -update` to rewrite it after a deliberate change.
func TestGoldenJSON(t *testing.T) {
	t.Parallel()
	doc := mustParseText(t, readSeed(t))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(doc))
	golden := filepath.Join("testdata", "pingliang-2023.golden.json")
	if *update {
		require.NoError(t, os.WriteFile(golden, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test ./internal/planparse -update to create it")
	assert.Equal(t, string(want), buf.String())
}

// TestJSONContract checks the keys and the null/[] rules an external tool
// relies on.
func TestJSONContract(t *testing.T) {
	t.Parallel()
	doc := mustParseText(t, readSeed(t))
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, json.Unmarshal(b, &v))
	for _, k := range []string{"title", "issued_by", "issued_on", "addressees", "sections", "tasks", "warnings"} {
		assert.Contains(t, v, k)
	}
	assert.Equal(t, "2023-08-01", v["issued_on"])
	tasks := v["tasks"].([]any)
	t17 := tasks[16].(map[string]any)
	for _, k := range []string{"number", "section", "group", "title", "body", "lead_units", "responsible_units",
		"cooperating_units", "deadline", "indicators", "line"} {
		assert.Contains(t, t17, k)
	}
	assert.Equal(t, []any{}, t17["lead_units"], "empty lists are [] not null")
	assert.Equal(t, []any{}, t17["cooperating_units"])
	assert.Equal(t, map[string]any{"text": "2023年8月底前", "kind": "due", "due": "2023-08-31"}, t17["deadline"])
	ind := t17["indicators"].([]any)[0].(map[string]any)
	assert.Equal(t, map[string]any{"text": "形成“颗粒化”指标项目120项以上", "comparator": ">=", "value": 120.0, "unit": "项"}, ind)
	t1 := tasks[0].(map[string]any)
	assert.Equal(t, []any{}, t1["indicators"])
	assert.Equal(t, map[string]any{"text": "持续推进", "kind": "ongoing", "due": nil}, t1["deadline"])
	w := v["warnings"].([]any)[0].(map[string]any)
	assert.Equal(t, map[string]any{"line": 177.0, "key": "task.nolead", "args": []any{"17"}, "message": "任务17没有牵头单位"}, w)

	// Without a cover notice: issued_on is null, warnings an empty array.
	plain, err := ParseText([]byte("(1)做一件事。\n牵头单位:市政府办公室\n完成时限:2024年底前\n"))
	require.NoError(t, err)
	b, err = json.Marshal(plain)
	require.NoError(t, err)
	v = nil
	require.NoError(t, json.Unmarshal(b, &v))
	assert.Nil(t, v["issued_on"])
	assert.Equal(t, []any{}, v["warnings"])
	assert.Equal(t, []any{}, v["addressees"])
	assert.Equal(t, []any{}, v["sections"])
}
