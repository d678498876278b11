package workplan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
)

func docTask(n int, title, dl string, lead ...string) DocTask {
	return DocTask{Number: n, Title: title, Deadline: deadline.Deadline{Text: dl}, Units: map[Role][]string{RoleLead: lead}}
}

func storedTask(id int64, title, dl string, archived bool, lead ...string) StoredTask {
	return StoredTask{ID: id, Title: title, Deadline: dl, Archived: archived, Units: map[Role][]string{RoleLead: lead}}
}

// TestDiff: tasks are keyed by number and each gets one action; the change
// is computed without a database.
func TestDiff(t *testing.T) {
	t.Parallel()
	stored := StoredPlan{Exists: true, Version: 3, SHA256: "aa", Title: "方案", Tasks: map[int]StoredTask{
		1: storedTask(11, "甲", "2023年底前", false, "市甲局"),
		2: storedTask(12, "乙", "2023年底前", false, "市甲局"),
		3: storedTask(13, "丙", "持续推进", false, "市乙局"),
		4: storedTask(14, "丁", "持续推进", true, "市乙局"),
	}}
	doc := &Document{Title: "方案(修订)", Tasks: []DocTask{
		docTask(1, "甲", "2023年底前", "市甲局"),
		docTask(2, "乙", "2024年6月底前", "市甲局", "市丙局"),
		docTask(4, "丁", "持续推进", "市乙局"),
		docTask(5, "戊", "2024年底前", "市丁局"),
		docTask(5, "戊(重复)", "2024年底前", "市丁局"),
	}}
	tests := []struct {
		number int
		action TaskAction
		fields []string
	}{
		{1, ActionKeep, nil},
		{2, ActionChange, []string{"deadline", "lead_units"}},
		{4, ActionRestore, nil},
		{5, ActionAdd, nil},
		{3, ActionArchive, nil},
	}
	c := Diff(stored, doc, "bb")
	require.Len(t, c.Tasks, len(tests), "one action per number; a repeated number counts once")
	for i, tt := range tests {
		p := c.Tasks[i]
		assert.Equal(t, tt.number, p.Number)
		assert.Equal(t, tt.action, p.Action, "task %d", tt.number)
		var fields []string
		for _, f := range p.Fields {
			fields = append(fields, f.Field)
		}
		assert.Equal(t, tt.fields, fields, "task %d", tt.number)
	}
	assert.Equal(t, "戊", c.Tasks[3].Doc.Title, "the first of a repeated number stands")
	assert.False(t, c.NewPlan)
	assert.False(t, c.SameDocument)
	assert.Equal(t, 3, c.BaseVersion)
	assert.Equal(t, []FieldChange{{Field: "title", Before: "方案", After: "方案(修订)"}}, c.Metadata)
	assert.True(t, c.Tasks[1].Revises())
	assert.False(t, c.Tasks[0].Revises())
	assert.True(t, c.Tasks[2].Revises(), "a restored task gets a revision")

	r := c.Report("pl", "bb", nil)
	assert.Equal(t, []int{1}, r.Unchanged)
	assert.Len(t, r.Changed, 1)
	assert.Len(t, r.Restored, 1)
	assert.Len(t, r.Added, 1)
	assert.Equal(t, []TaskChange{{Number: 3, Title: "丙"}}, r.Archived)
	assert.Equal(t, 5, r.Changes())

	// A mapping changed the assignments of an unchanged task: it shows as
	// changed, in number order.
	r.NoteAssignments(1, "甲", "市甲局(牵头单位)", "市甲局(牵头单位)、市财政局(责任单位)")
	assert.Empty(t, r.Unchanged)
	require.Len(t, r.Changed, 2)
	assert.Equal(t, 1, r.Changed[0].Number)

	// The same document again: nothing changes.
	again := Diff(StoredPlan{Exists: true, Version: 1, SHA256: "cc", Title: "x", Tasks: map[int]StoredTask{1: storedTask(1, "甲", "2023年底前", false, "市甲局")}},
		&Document{Title: "x", Tasks: []DocTask{docTask(1, "甲", "2023年底前", "市甲局")}}, "cc")
	assert.True(t, again.SameDocument)
	assert.Zero(t, again.Report("pl", "cc", nil).Changes())

	// A plan not stored yet: every task is added.
	fresh := Diff(StoredPlan{}, doc, "bb")
	assert.True(t, fresh.NewPlan)
	assert.Empty(t, fresh.Metadata)
	assert.Len(t, fresh.Report("pl", "bb", nil).Added, 4)
}

func TestDocumentIndicatorsAndSlug(t *testing.T) {
	t.Parallel()
	a := []DocIndicator{{Text: "进驻事项", Comparator: ">=", Value: 1200, Unit: "项"}}
	b := []DocIndicator{{Text: "进驻事项", Comparator: ">=", Value: 1400, Unit: "项"}}
	assert.True(t, SameIndicators(a, a))
	assert.False(t, SameIndicators(a, b))
	assert.Equal(t, "进驻事项(>=1200项)", a[0].String())
	assert.Equal(t, "plan-2023", (&Document{Year: 2023}).DefaultSlug())
	assert.Equal(t, "plan", (&Document{}).DefaultSlug())
	d := &Document{Tasks: []DocTask{docTask(1, "甲", "", "市甲局", "市乙局"), docTask(2, "乙", "", "市乙局")}}
	assert.Equal(t, []string{"市甲局", "市乙局"}, d.UnitNames())
}
