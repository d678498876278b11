package planparse

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSplitUnits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"one unit", "市大数据中心", []string{"市大数据中心"}},
		{"enumeration comma", "市工信局、市大数据中心", []string{"市工信局", "市大数据中心"}},
		{"mixed separators", "市工信局,市大数据中心;市财政局，市人社局；市医保局", []string{"市工信局", "市大数据中心", "市财政局", "市人社局", "市医保局"}},
		{"separator inside parentheses", "各县(市、区)人民政府,平凉工业园区(高新区)管委会", []string{"各县(市、区)人民政府", "平凉工业园区(高新区)管委会"}},
		{"full-width parentheses made half-width", "各县（市、区）人民政府，市直有关部门", []string{"各县(市、区)人民政府", "市直有关部门"}},
		{"level word joins the next item", "市直有关部门,中、省驻平有关单位", []string{"市直有关部门", "中、省驻平有关单位"}},
		{"places sharing one government", "东城、西城区人民政府,市财政局", []string{"东城、西城区人民政府", "市财政局"}},
		{"levels sharing one government", "各县、市、区政府", []string{"各县、市、区政府"}},
		{"a bare noun shares the head before it", "市直有关部门、单位,各区市政府", []string{"市直有关部门、单位", "各区市政府"}},
		{"governments of their own stay apart", "崆峒区人民政府、华亭市人民政府", []string{"崆峒区人民政府", "华亭市人民政府"}},
		{"a place then an office stays apart", "各街道、区直各部门", []string{"各街道", "区直各部门"}},
		{"chain of level words", "市、县、乡三级政务服务中心", []string{"市、县、乡三级政务服务中心"}},
		{"two-character level word", "中直、省直驻平单位、市财政局", []string{"中直、省直驻平单位", "市财政局"}},
		{"trailing full stop", "各县(市、区)人民政府、市直相关部门。", []string{"各县(市、区)人民政府", "市直相关部门"}},
		{"trailing 等", "市工信局、市大数据中心等", []string{"市工信局", "市大数据中心"}},
		{"trailing 等相关部门", "市工信局、市财政局等相关部门。", []string{"市工信局", "市财政局"}},
		{"spaces removed", " 市 工信局 、 市大数据中心 ", []string{"市工信局", "市大数据中心"}},
		{"ideographic spaces removed", "市工信局\u3000、\u3000市大数据中心", []string{"市工信局", "市大数据中心"}},
		{"line breaks separate", "市工信局\n市大数据中心", []string{"市工信局", "市大数据中心"}},
		{"duplicates kept once", "市公管办、市大数据中心、市公管办", []string{"市公管办", "市大数据中心"}},
		{"empty items dropped", "市公管办、、市大数据中心,", []string{"市公管办", "市大数据中心"}},
		{"placeholders for none", "无", []string{}},
		{"dash placeholder", "—", []string{}},
		{"empty", "", []string{}},
		{"unbalanced parenthesis does not swallow the list", "市工信局(牵头、市财政局", []string{"市工信局(牵头", "市财政局"}},
		{"lead marker kept by SplitUnits", "市工信局(牵头)、市财政局", []string{"市工信局(牵头)", "市财政局"}},
		{"dangling level word kept", "市工信局、省", []string{"市工信局", "省"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, SplitUnits(tt.in))
		})
	}
}

func TestLeadMarkers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		units      []string
		qual       string
		r          role
		lead, rest []string
	}{
		{"marker moves the unit", []string{"市工信局(牵头)", "市财政局"}, "", roleResp, []string{"市工信局"}, []string{"市财政局"}},
		{"qualifier names the first", []string{"市工信局", "市财政局"}, "排第一位的为牵头单位", roleResp, []string{"市工信局"}, []string{"市财政局"}},
		{"lead list stays lead", []string{"市工信局(牵头)", "市财政局"}, "", roleLead, []string{"市工信局", "市财政局"}, nil},
		{"no marker", []string{"市工信局", "市财政局"}, "", roleResp, nil, []string{"市工信局", "市财政局"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lead, rest := leadMarkers(tt.units, tt.qual, tt.r)
			assert.Equal(t, tt.lead, lead)
			assert.Equal(t, tt.rest, rest)
		})
	}
}

func TestIndicators(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []Indicator
	}{
		{"以上", "市级大厅进驻事项1200项以上", []Indicator{{"市级大厅进驻事项1200项以上", ">=", 1200, "项"}}},
		{"达到 percent", "注册率达到90%以上", []Indicator{{"注册率达到90%以上", ">=", 90, "%"}}},
		{"decimal", "群众满意度达到99.5%", []Indicator{{"群众满意度达到99.5%", ">=", 99.5, "%"}}},
		{"压缩至…内", "全流程压缩至3小时内办结", []Indicator{{"全流程压缩至3小时内办结", "<=", 3, "小时"}}},
		{"time then 办结", "实行企业开办3小时办结", []Indicator{{"实行企业开办3小时办结", "<=", 3, "小时"}}},
		{"不超过", "办理时间不超过5个工作日", []Indicator{{"办理时间不超过5个工作日", "<=", 5, "个工作日"}}},
		{"不少于 not 少于", "培训不少于3次", []Indicator{{"培训不少于3次", ">=", 3, "次"}}},
		{"classifier takes its noun", "将业务压缩至1个环节", []Indicator{{"将业务压缩至1个环节", "<=", 1, "个环节"}}},
		{"亿条", "向省级归集数据达到50亿条以上", []Indicator{{"向省级归集数据达到50亿条以上", ">=", 50, "亿条"}}},
		{"bare percentage", "事项100%纳入线上办理", []Indicator{{"事项100%纳入线上办理", "=", 100, "%"}}},
		{"parallel subjects split", "政务事项、公共服务事项数据编目率达到100%", []Indicator{
			{"政务事项数据编目率达到100%", ">=", 100, "%"}, {"公共服务事项数据编目率达到100%", ">=", 100, "%"}}},
		{"non-parallel list stays one", "法人、个人用户注册率达到90%", []Indicator{{"法人、个人用户注册率达到90%", ">=", 90, "%"}}},
		{"two clauses", "市级1200项以上,县级1400项以上。", []Indicator{{"市级1200项以上", ">=", 1200, "项"}, {"县级1400项以上", ">=", 1400, "项"}}},
		{"description without a target word", "设置10个综合窗口和2个专区", nil},
		{"a reference, not a target", "对照国家905类电子证照", nil},
		{"ordinal", "五届市政府第38次常务会议", nil},
		{"document number", "(国发〔2022〕5号)", nil},
		{"dates", "2023年8月31日前完成", nil},
		{"hotline number", "12345政务服务便民热线", nil},
		{"内容 is not 内", "明确3项内容", nil},
		{"24-hour area is a name", "1个24小时自助服务区", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, scanIndicators(tt.text))
		})
	}
}

func TestIndicatorsTitleNotRepeated(t *testing.T) {
	t.Parallel()
	got := indicators("实行企业开办3小时办结", "全流程压缩至3小时内办结。", "")
	assert.Equal(t, []Indicator{{"全流程压缩至3小时内办结", "<=", 3, "小时"}}, got)
	got = indicators("新建基站200个以上", "", "")
	assert.Equal(t, []Indicator{{"新建基站200个以上", ">=", 200, "个"}}, got)
	assert.Equal(t, []Indicator{}, indicators("推行市民卡应用", "集成服务。", ""))
}
