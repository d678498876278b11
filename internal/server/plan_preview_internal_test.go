package server

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"duban/web"
)

// sides writes a side of a change as text with changes in [brackets].
func sides(c web.TextChange) string {
	var b strings.Builder
	for _, p := range c.Parts {
		if p.Changed {
			b.WriteString("[" + p.Text + "]")
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

func TestTextChanges(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("甲", 60)
	ctx := strings.Repeat("甲", previewContext)
	tests := []struct {
		name          string
		before, after string
		old, new      string
		shortened     bool
	}{
		{"insertion", "形成测试方案。", "形成并印发测试方案。", "形成测试方案。", "形成[并印发]测试方案。", false},
		{"two changes apart", "市级1200项以上(>=1200项)", "市级1300项以上(>=1300项)",
			"市级1[2]00项以上(>=1[2]00项)", "市级1[3]00项以上(>=1[3]00项)", false},
		{"one shared character between changes is folded into them", "形成方案的通知", "印发制度的办法",
			"[形成方案的通知]", "[印发制度的办法]", false},
		{"added", "", "新内容", "", "[新内容]", false},
		{"removed", "旧内容", "", "[旧内容]", "", false},
		{"repeated characters", "甲甲", "甲甲甲", "甲甲", "甲甲[甲]", false},
		{"long unchanged text is shortened on both sides", long + "旧" + long, long + "新" + long,
			"…" + ctx + "[旧]" + ctx + "…", "…" + ctx + "[新]" + ctx + "…", true},
		{"a long stretch between two changes keeps both ends", "旧" + long + "旧", "新" + long + "新",
			"[旧]" + ctx + "…" + ctx + "[旧]", "[新]" + ctx + "…" + ctx + "[新]", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, n, short := textChanges(tt.before, tt.after)
			assert.Equal(t, tt.old, sides(o))
			assert.Equal(t, tt.new, sides(n))
			assert.Equal(t, tt.shortened, short)
			assert.Equal(t, tt.before == "", o.Empty)
			assert.Equal(t, tt.after == "", n.Empty)
		})
	}
}

// TestTextChangesBounded: two long texts that differ throughout are not
// compared character by character past maxDiffCells: the middle is one
// change, and it is quick.
func TestTextChangesBounded(t *testing.T) {
	t.Parallel()
	a, b := strings.Repeat("甲乙", 600), strings.Repeat("乙甲", 600)
	o, n, _ := textChanges(a, b)
	assert.Len(t, o.Parts, 1)
	assert.Len(t, n.Parts, 1)
	assert.True(t, o.Parts[0].Changed)
}

func TestUnitChips(t *testing.T) {
	t.Parallel()
	got := unitChips([]string{"市公管办", "崆峒区人民政府"}, []string{"市公管办", "各县(市、区)人民政府"})
	assert.Equal(t, []web.UnitChip{{Name: "市公管办"}, {Name: "各县(市、区)人民政府", Change: "added"}, {Name: "崆峒区人民政府", Change: "removed"}}, got)
}
