package status

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

var sh = deadline.Shanghai

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, sh) }

func due(y int, m time.Month, d int) deadline.Deadline {
	return deadline.Deadline{Text: "限期", Kind: deadline.KindDue, Due: deadline.NewDate(y, m, d)}
}

var ongoing = deadline.Deadline{Text: "持续推进", Kind: deadline.KindOngoing}

// plan builds a PlanAt with one task per deadline and one responsible unit
// per facts entry of that task.
type builder struct {
	p    workplan.PlanAt
	next int64
}

func newBuilder(at time.Time) *builder {
	return &builder{p: workplan.PlanAt{Plan: workplan.Plan{ID: 1, Slug: "p", IssuedOn: deadline.NewDate(2023, 8, 1)}, At: at, Version: 1}}
}

func (b *builder) task(n int, dl deadline.Deadline) int64 {
	b.next++
	b.p.Tasks = append(b.p.Tasks, workplan.Task{ID: b.next, Number: n, Deadline: dl, Start: deadline.NewDate(2023, 8, 1)})
	return b.next
}

func (b *builder) unit(task int64, unitID int64, role workplan.Role, f deadline.Facts) {
	b.next++
	var t workplan.Task
	for _, x := range b.p.Tasks {
		if x.ID == task {
			t = x
		}
	}
	f.Deadline = t.Deadline
	if f.Start.IsZero() {
		f.Start = t.Start
	}
	b.p.Assignments = append(b.p.Assignments, workplan.AssignmentFacts{
		Assignment: workplan.Assignment{ID: b.next, TaskID: task, UnitID: unitID, UnitName: fmt.Sprintf("单位%02d", unitID), Role: role},
		UnitKind:   workplan.UnitCityDepartment, TaskNumber: t.Number, Facts: f})
}

// TestCategoryOf: overdue and lagging are different facts.
func TestCategoryOf(t *testing.T) {
	t.Parallel()
	pol := deadline.DefaultPolicy()
	at := day(2023, 9, 20)
	start := deadline.NewDate(2023, 8, 1)
	reported := func(pct int, when time.Time) deadline.Facts {
		return deadline.Facts{Start: start, Reports: 1, LastReportAt: when, FirstReportAt: when, Percent: pct}
	}
	for _, tt := range []struct {
		name string
		f    deadline.Facts
		want Category
	}{
		{"past its due day", deadline.Facts{Deadline: due(2023, 9, 10), Start: start}, Overdue},
		{"past its due day though on pace", func() deadline.Facts {
			f := reported(95, day(2023, 9, 19))
			f.Deadline = due(2023, 9, 10)
			return f
		}(), Overdue},
		{"far behind pace", func() deadline.Facts {
			f := reported(0, day(2023, 9, 19))
			f.Deadline = due(2023, 10, 31)
			return f
		}(), Lagging},
		{"no report for two weeks", func() deadline.Facts {
			f := reported(70, day(2023, 9, 5))
			f.Deadline = due(2023, 12, 31)
			return f
		}(), Lagging},
		{"ongoing, silent", deadline.Facts{Deadline: ongoing, Start: start}, Lagging},
		{"due soon, on pace", func() deadline.Facts {
			f := reported(95, day(2023, 9, 19))
			f.Deadline = due(2023, 9, 25)
			return f
		}(), DueSoon},
		{"on track", func() deadline.Facts {
			f := reported(30, day(2023, 9, 19))
			f.Deadline = due(2023, 12, 31)
			return f
		}(), Normal},
		{"completed", func() deadline.Facts {
			f := reported(100, day(2023, 9, 1))
			f.Deadline, f.CompletedAt, f.AcceptedAt = due(2023, 9, 10), day(2023, 9, 1), day(2023, 9, 2)
			return f
		}(), Done},
		{"deadline not understood", deadline.Facts{Deadline: deadline.Deadline{Text: "适时", Kind: deadline.KindUnknown}, Start: start}, Unknown},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, cat := Of(tt.f, at, pol)
			assert.Equal(t, tt.want, cat, "%+v", st)
		})
	}
}

// TestOverdueAndLaggingCounted: cards count tasks and assignments per
// category, and the late-unit lists give every unit, worst first.
func TestOverdueAndLaggingCounted(t *testing.T) {
	t.Parallel()
	b := newBuilder(day(2023, 10, 20))
	late := b.task(1, due(2023, 9, 30))
	for u := int64(1); u <= 14; u++ {
		b.unit(late, u, workplan.RoleResponsible, deadline.Facts{})
	}
	lag := b.task(2, ongoing)
	b.unit(lag, 20, workplan.RoleLead, deadline.Facts{Reports: 1, LastReportAt: day(2023, 10, 1), FirstReportAt: day(2023, 10, 1)})
	b.unit(lag, 21, workplan.RoleCooperating, deadline.Facts{})
	ok := b.task(3, due(2023, 12, 31))
	b.unit(ok, 22, workplan.RoleLead, deadline.Facts{Reports: 1, LastReportAt: day(2023, 10, 19), FirstReportAt: day(2023, 10, 19), Percent: 90})
	pic := Evaluate(b.p, deadline.DefaultPolicy())
	assert.Equal(t, Counts{Overdue: 1, Lagging: 1, Normal: 1}, pic.TaskCounts)
	assert.Equal(t, Counts{Overdue: 14, Lagging: 1, Normal: 1}, pic.AssignmentCounts, "cooperating units are shown, not counted")
	require.Len(t, pic.Overdue, 14, "every late unit is listed: the total is 14")
	assert.Equal(t, 20, pic.Overdue[0].MaxDays)
	require.Len(t, pic.Lagging, 1)
	assert.Equal(t, int64(20), pic.Lagging[0].UnitID)
	assert.Equal(t, 19, pic.Lagging[0].MaxDays, "days since the last report")
	assert.Equal(t, Overdue, pic.Task(1).Category)
	assert.Equal(t, deadline.LightRed, pic.Task(1).Rollup.Light)
}

// TestNotIssued: before the plan's issue date nothing is judged.
func TestNotIssued(t *testing.T) {
	t.Parallel()
	b := newBuilder(day(2023, 7, 1))
	b.unit(b.task(1, due(2023, 9, 30)), 1, workplan.RoleLead, deadline.Facts{})
	pic := Evaluate(b.p, deadline.DefaultPolicy())
	assert.True(t, pic.NotIssued)
	assert.Empty(t, pic.Tasks)
	assert.Zero(t, pic.TaskCounts.Total())
	b.p.At = day(2023, 8, 1)
	assert.False(t, Evaluate(b.p, deadline.DefaultPolicy()).NotIssued, "issued that day")
}

// TestDesignationsCountNowhere: an unmapped designation is listed as a
// to-do and counts in no total; a task that names nothing else has no unit.
func TestDesignationsCountNowhere(t *testing.T) {
	t.Parallel()
	b := newBuilder(day(2023, 10, 20))
	only := b.task(1, due(2023, 9, 30))
	mixed := b.task(2, due(2023, 9, 30))
	b.unit(mixed, 1, workplan.RoleLead, deadline.Facts{})
	b.p.Designations = []workplan.Designation{
		{TaskID: only, UnitID: 90, Text: "市直有关部门", Role: workplan.RoleResponsible},
		{TaskID: mixed, UnitID: 91, Text: "中、省驻平有关单位", Role: workplan.RoleResponsible},
		{TaskID: mixed, UnitID: 92, Text: "各县(市、区)人民政府", Role: workplan.RoleResponsible, Scope: workplan.ScopeRegistry},
	}
	pic := Evaluate(b.p, deadline.DefaultPolicy())
	assert.Equal(t, Unassigned, pic.Task(1).Category)
	assert.Equal(t, Overdue, pic.Task(2).Category)
	assert.Equal(t, 1, pic.AssignmentCounts.Total())
	require.Len(t, pic.Unmapped, 2)
	assert.Equal(t, "市直有关部门", pic.Unmapped[0].Text)
	assert.Len(t, pic.Overdue, 1, "only the real unit is late")
	assert.Len(t, pic.Task(2).Designations, 2)
}

// TestClockStartsWhenTheWorkStarts: a unit that joins later is judged from
// the day it joined, for pace, cadence and days overdue.
func TestClockStartsWhenTheWorkStarts(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, sh)
	b := newBuilder(now)
	fresh := b.task(28, due(2027, 6, 30))
	b.p.Tasks[0].Start = deadline.NewDate(2026, 12, 6)
	b.unit(fresh, 1, workplan.RoleLead, deadline.Facts{})
	old := b.task(1, due(2023, 9, 30))
	b.unit(old, 2, workplan.RoleLead, deadline.Facts{})
	b.unit(old, 3, workplan.RoleResponsible, deadline.Facts{Start: deadline.NewDate(2026, 12, 4)})
	pic := Evaluate(b.p, deadline.DefaultPolicy())
	a := pic.Task(28).Assignments[0]
	assert.Equal(t, deadline.LightGreen, a.Status.Light, a.Status.Explain())
	assert.Equal(t, Normal, a.Category)
	assert.Less(t, a.Status.PaceLag, 1.0)
	byUnit := map[int64]Assignment{}
	for _, x := range pic.Task(1).Assignments {
		byUnit[x.UnitID] = x
	}
	assert.Greater(t, byUnit[2].Status.DaysOverdue, 1000)
	assert.Equal(t, 3, byUnit[3].Status.DaysOverdue, "late from the day it joined (the 4th), not from 2023")
}
