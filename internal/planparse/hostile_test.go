package planparse

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plan wraps s in a plan with one task, so that it is parsed as task text.
func plan(s string) []byte {
	return []byte("二、主要任务\n(1)任务。" + s + "\n牵头单位:市政府办公室\n完成时限:年内\n")
}

// TestHostileInputs feeds inputs of a few megabytes built to make a careless
// parser quadratic (hours at this size) or make its result far bigger than
// the input. Each must finish in seconds, with a result of bounded size or an
// input error. The cases run one after another, so that the bound measures
// the parser rather than contention; the test is skipped in -short mode.
func TestHostileInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds inputs of several megabytes")
	}
	t.Parallel()
	manyTasks := strings.Repeat("(1)甲。\n", 50_000) + "(牵头单位:" + names(100_000) + ")\n"
	tests := []struct {
		name  string
		input func() []byte
		is    error // nil: parses
	}{
		{"a line of colons and brackets", func() []byte { return plan(strings.Repeat("a(b(c):", 300_000)) }, nil},
		{"a task with many continuation lines", func() []byte {
			return plan(strings.Repeat("续写一段文字,写得长一些,再长一些。\n", 50_000))
		}, nil},
		{"a list of many unit names", func() []byte { return plan("\n责任单位:" + names(200_000)) }, nil},
		{"a million level words", func() []byte { return plan("\n责任单位:" + strings.Repeat("市、", 400_000)) }, nil},
		{"a clause of many figures", func() []byte { return plan(strings.Repeat("达到1%、", 250_000)) }, nil},
		{"a long list subject before a target", func() []byte { return plan(strings.Repeat("甲事项、", 200_000) + "乙事项率达到100%") }, nil},
		{"nested brackets", func() []byte { return plan(strings.Repeat("(", 1_000_000) + strings.Repeat(")", 1_000_000)) }, nil},
		{"a group block for many tasks", func() []byte { return []byte(manyTasks) }, ErrTooLarge},
		{"only line breaks", func() []byte { return bytes.Repeat([]byte("\n"), MaxSize) }, ErrTooLarge},
		{"many headings", func() []byte { return []byte("二、主要任务\n" + strings.Repeat("1.甲\n", 99_990)) }, ErrNotPlan},
		{"a vertically merged cell repeated", func() []byte { return mergeBomb(t) }, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.input()
			require.LessOrEqual(t, len(in), MaxSize)
			start := time.Now()
			doc, err := Parse(bytes.NewReader(in), tt.name)
			elapsed := time.Since(start)
			// A quadratic parser takes minutes on these; 10s leaves room for
			// a loaded machine.
			assert.Less(t, elapsed, 10*time.Second)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is, "%v", err)
				return
			}
			require.NoError(t, err)
			out, err := json.Marshal(doc)
			require.NoError(t, err)
			assert.Less(t, len(out), 20*len(in)+1<<20, "the result is not far bigger than the input")
			assert.LessOrEqual(t, len(doc.Warnings), maxWarnings+1)
			for _, task := range doc.Tasks {
				assert.LessOrEqual(t, len(task.LeadUnits), maxUnits)
				assert.LessOrEqual(t, len(task.ResponsibleUnits), maxUnits)
				assert.LessOrEqual(t, len(task.Indicators), maxIndicators)
			}
		})
	}
}

// mergeBomb is a .docx whose table has one big cell merged down many rows:
// a few bytes of XML per row, megabytes of text.
func mergeBomb(t *testing.T) []byte {
	var d docx
	rows := [][]tcell{
		{{text: "序号"}, {text: "任务"}, {text: "牵头单位"}},
		{{text: "1"}, {text: "甲。"}, {text: strings.Repeat("市甲局、", 300_000), vmerge: "restart"}},
	}
	for i := 0; i < 20_000; i++ {
		rows = append(rows, []tcell{{text: "2"}, {text: "乙。"}, {vmerge: "continue"}})
	}
	d.table(rows)
	return d.bytes(t)
}

func TestLimitsKeepWarnings(t *testing.T) {
	t.Parallel()
	doc := mustParseText(t, plan("\n责任单位:"+names(311)))
	require.Len(t, doc.Tasks, 1)
	assert.Len(t, doc.Tasks[0].ResponsibleUnits, maxUnits)
	w := doc.Warnings[0]
	assert.Equal(t, 3, w.Line)
	assert.True(t, strings.HasPrefix(w.Message, "单位超过200个,其余111个未列入:局0、局1、局2、"), w.Message)
	assert.True(t, strings.HasSuffix(w.Message, "…"), "the list is clipped: %s", w.Message)
	assert.Less(t, len(w.Message), 200)

	doc = mustParseText(t, []byte("二、主要任务\n"+strings.Repeat("(1)甲。\n", 600)+"牵头单位:市政府\n"))
	require.Len(t, doc.Warnings, maxWarnings+1)
	assert.Contains(t, doc.Warnings[maxWarnings].Message, "还有")
}

// names returns n distinct unit names separated by 、.
func names(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString("、")
		}
		b.WriteString("局" + strconv.Itoa(i))
	}
	return b.String()
}
