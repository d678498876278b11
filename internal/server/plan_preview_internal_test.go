package server

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"duban/web"
)

func TestTextChanges(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("甲", 60)
	tests := []struct {
		name          string
		before, after string
		old, new      web.TextChange
	}{
		{"insertion", "形成测试方案。", "形成并印发测试方案。",
			web.TextChange{Prefix: "形成", Suffix: "测试方案。"},
			web.TextChange{Prefix: "形成", Changed: "并印发", Suffix: "测试方案。"}},
		{"replacement", "2024年12月底前", "2025年6月底前",
			web.TextChange{Prefix: "202", Changed: "4年12", Suffix: "月底前"},
			web.TextChange{Prefix: "202", Changed: "5年6", Suffix: "月底前"}},
		{"added", "", "新内容",
			web.TextChange{Empty: true},
			web.TextChange{Changed: "新内容"}},
		{"repeated characters are not counted twice", "甲甲", "甲甲甲",
			web.TextChange{Prefix: "甲甲"},
			web.TextChange{Prefix: "甲甲", Changed: "甲"}},
		{"long unchanged text is shortened on both sides", long + "旧" + long, long + "新" + long,
			web.TextChange{Lead: true, Trail: true, Prefix: strings.Repeat("甲", previewContext), Changed: "旧", Suffix: strings.Repeat("甲", previewContext)},
			web.TextChange{Lead: true, Trail: true, Prefix: strings.Repeat("甲", previewContext), Changed: "新", Suffix: strings.Repeat("甲", previewContext)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, n := textChanges(tt.before, tt.after)
			assert.Equal(t, tt.old, o)
			assert.Equal(t, tt.new, n)
		})
	}
}

func TestUnitChips(t *testing.T) {
	t.Parallel()
	got := unitChips([]string{"市公管办", "崆峒区人民政府"}, []string{"市公管办", "各县(市、区)人民政府"})
	assert.Equal(t, []web.UnitChip{{Name: "市公管办"}, {Name: "各县(市、区)人民政府", Change: "added"}, {Name: "崆峒区人民政府", Change: "removed"}}, got)
}
