// Package status is the one place where duban decides how a plan stands: it
// takes a plan as it stood at an instant (workplan.PlanAt: the version in
// force, the tasks and accountable units of that moment and their facts),
// the status policy, and returns every assignment's and task's light, state,
// reason and category, with the counts and lists the dashboard, ledger, task
// pages, my tasks, the API, exports, rankings and bulletins show. Each of
// them reads a Picture; none evaluates on its own.
//
// The package is pure: no database, no HTTP, no clock. The same inputs give
// the same Picture, which is what makes a cached picture and one computed
// from scratch comparable (see the property tests).
package status

import (
	"cmp"
	"slices"
	"time"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// Category is the fact about an assignment or a task that a leader reads
// first. Overdue and lagging are different facts: work past its due day is
// 超期 whatever its pace; work behind its pace or its reporting cadence is
// 滞后.
type Category string

// The categories, from worst to best.
const (
	// Overdue (超期): past the end of its due day without an accepted completion.
	Overdue Category = "overdue"
	// Lagging (滞后): behind the expected pace (序时进度) by PaceYellow points or
	// more, or its last report older than the reporting cadence.
	Lagging Category = "lagging"
	// DueSoon (临期): due within DueSoonDays days, on pace and reporting.
	DueSoon Category = "due_soon"
	// Unknown (待确认): the deadline text was not understood.
	Unknown Category = "unknown"
	// Unassigned (待明确单位): a task with no accountable unit, such as one that
	// names only collective designations nobody has mapped yet.
	Unassigned Category = "unassigned"
	// Normal (正常): on track, reporting, not yet due soon.
	Normal Category = "normal"
	// Done (已完成): completion accepted (a due-then-ongoing task keeps
	// reporting, and lags again when it stops).
	Done Category = "done"
)

// Categories lists every category from worst to best: the order of cards
// and filters.
var Categories = []Category{Overdue, Lagging, DueSoon, Unknown, Unassigned, Normal, Done}

// Valid reports whether c is a defined category.
func (c Category) Valid() bool { return c.rank() >= 0 }

func (c Category) rank() int { return slices.Index(Categories, c) }

// Worse reports whether c is strictly worse than d.
func (c Category) Worse(d Category) bool { return c.rank() < d.rank() }

// CategoryOf is the category of an assignment's status.
func CategoryOf(st deadline.Status) Category {
	switch {
	case st.State == deadline.StateOverdue:
		return Overdue
	case st.Light == deadline.LightGrey:
		return Unknown
	case st.Reason == deadline.ReasonPaceLag || st.Reason == deadline.ReasonStale:
		return Lagging
	case st.Reason == deadline.ReasonDueSoon:
		return DueSoon
	case st.Completed:
		return Done
	}
	return Normal
}

// Of evaluates one assignment's facts as of at: its status and category.
// Evaluate uses it for every assignment, and the rankings for every day of
// their period, so that a light is decided the same way everywhere.
func Of(f deadline.Facts, at time.Time, pol deadline.Policy) (deadline.Status, Category) {
	st := deadline.Evaluate(f, at, pol)
	return st, CategoryOf(st)
}

// Assignment is one accountable unit's part in a task, with its status.
type Assignment struct {
	workplan.AssignmentFacts
	Status   deadline.Status
	Category Category
}

// Task is a task with its assignments' statuses and the rollup.
type Task struct {
	Task workplan.Task
	// Rollup is the task's light and state from its scored assignments.
	Rollup deadline.TaskStatus
	// Category is the worst category of its scored assignments; Done only
	// when every one is done; Unassigned when it has no accountable unit.
	Category Category
	// Assignments are in the order the store gave them (by role, then name).
	Assignments []Assignment
	// Designations are the collective designations the task names.
	Designations []workplan.Designation
}

// Counts counts tasks or assignments per category.
type Counts map[Category]int

// Total is the sum of the counts.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// UnitLate is a unit with its assignments in one category (overdue or
// lagging) and the worst of them.
type UnitLate struct {
	UnitID int64
	Name   string
	Short  string
	Kind   workplan.UnitKind
	// Tasks is the number of the unit's scored assignments in the category.
	Tasks int
	// MaxDays is the most days overdue (for Overdue) or since a report (for
	// Lagging by staleness; pace lag counts 0).
	MaxDays int
}

// Picture is how a plan stands at one instant.
type Picture struct {
	Plan workplan.Plan
	At   time.Time
	// Version is the plan version in force at At.
	Version int
	// NotIssued is true before the plan's issue date: there are no tasks to
	// judge yet.
	NotIssued bool
	Tasks     []*Task
	// TaskCounts counts tasks per category; AssignmentCounts the scored
	// assignments (lead and responsible units) per category.
	TaskCounts, AssignmentCounts Counts
	// Overdue and Lagging list every unit with scored assignments in that
	// category, worst first (most days, then most tasks, then unit ID: never
	// by name, so that names do not decide who is listed first).
	Overdue, Lagging []UnitLate
	// Unmapped are the designations of in-force tasks that nobody has mapped:
	// the to-do of whoever may map them.
	Unmapped []workplan.Designation
	byNumber map[int]*Task
}

// Evaluate decides how plan p stands at p.At under policy pol.
func Evaluate(p workplan.PlanAt, pol deadline.Policy) *Picture {
	pic := &Picture{Plan: p.Plan, At: p.At, Version: p.Version, NotIssued: p.NotIssued(),
		TaskCounts: Counts{}, AssignmentCounts: Counts{}, byNumber: map[int]*Task{}}
	if pic.NotIssued {
		return pic
	}
	perTask := make(map[int64]int, len(p.Tasks))
	for _, a := range p.Assignments {
		perTask[a.TaskID]++
	}
	byID := make(map[int64]*Task, len(p.Tasks))
	pic.Tasks = make([]*Task, 0, len(p.Tasks))
	for _, t := range p.Tasks {
		ts := &Task{Task: t, Assignments: make([]Assignment, 0, perTask[t.ID])}
		pic.Tasks = append(pic.Tasks, ts)
		byID[t.ID] = ts
		pic.byNumber[t.Number] = ts
	}
	for _, d := range p.Designations {
		if ts := byID[d.TaskID]; ts != nil {
			ts.Designations = append(ts.Designations, d)
			if !d.Mapped() {
				pic.Unmapped = append(pic.Unmapped, d)
			}
		}
	}
	overdue, lagging := map[int64]*UnitLate{}, map[int64]*UnitLate{}
	for _, f := range p.Assignments {
		ts := byID[f.TaskID]
		if ts == nil {
			continue
		}
		st, cat := Of(f.Facts, p.At, pol)
		ts.Assignments = append(ts.Assignments, Assignment{AssignmentFacts: f, Status: st, Category: cat})
		if !f.Role.Scored() {
			continue
		}
		pic.AssignmentCounts[cat]++
		switch cat {
		case Overdue:
			addLate(overdue, f, st.DaysOverdue)
		case Lagging:
			days := 0
			if st.Reason == deadline.ReasonStale {
				days = st.DaysSinceReport
			}
			addLate(lagging, f, days)
		}
	}
	for _, ts := range pic.Tasks {
		ts.Rollup, ts.Category = rollup(ts.Assignments)
		pic.TaskCounts[ts.Category]++
	}
	pic.Overdue, pic.Lagging = sortedLate(overdue), sortedLate(lagging)
	return pic
}

func addLate(m map[int64]*UnitLate, f workplan.AssignmentFacts, days int) {
	u := m[f.UnitID]
	if u == nil {
		u = &UnitLate{UnitID: f.UnitID, Name: f.UnitName, Short: f.UnitShort, Kind: f.UnitKind}
		m[f.UnitID] = u
	}
	u.Tasks++
	u.MaxDays = max(u.MaxDays, days)
}

func sortedLate(m map[int64]*UnitLate) []UnitLate {
	out := make([]UnitLate, 0, len(m))
	for _, u := range m {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b UnitLate) int {
		return cmp.Or(cmp.Compare(b.MaxDays, a.MaxDays), cmp.Compare(b.Tasks, a.Tasks), cmp.Compare(a.UnitID, b.UnitID))
	})
	return out
}

// rollup is a task's status and category from its assignments: lead and
// responsible units count; cooperating units only when there is nothing
// else (deadline.Rollup's fallback).
func rollup(as []Assignment) (deadline.TaskStatus, Category) {
	items := make([]deadline.Scored, len(as))
	for i, a := range as {
		items[i] = deadline.Scored{Status: a.Status, Scored: a.Role.Scored()}
	}
	r := deadline.Rollup(items)
	if r.Scored == 0 {
		return r, Unassigned
	}
	cat, first := Done, true
	for _, a := range as {
		if !a.Role.Scored() && !r.Fallback {
			continue
		}
		if first || a.Category.Worse(cat) {
			cat, first = a.Category, false
		}
	}
	return r, cat
}

// Task returns the task numbered n, or nil when it was not in force.
func (p *Picture) Task(n int) *Task { return p.byNumber[n] }

// Assignment returns the assignment id and its task, or false when it was
// not in force.
func (p *Picture) Assignment(id int64) (Assignment, *Task, bool) {
	for _, ts := range p.Tasks {
		for _, a := range ts.Assignments {
			if a.ID == id {
				return a, ts, true
			}
		}
	}
	return Assignment{}, nil, false
}

// UnitAssignments returns the assignments of unit id, each with its task.
func (p *Picture) UnitAssignments(id int64) []UnitAssignment {
	var out []UnitAssignment
	for _, ts := range p.Tasks {
		for _, a := range ts.Assignments {
			if a.UnitID == id {
				out = append(out, UnitAssignment{Assignment: a, Task: ts})
			}
		}
	}
	return out
}

// UnitAssignment is an assignment with its task.
type UnitAssignment struct {
	Assignment
	Task *Task
}

// Units returns the units with assignments in force, in matrix order:
// county governments, city departments, central and provincial units,
// enterprises, others; by name within a group.
func (p *Picture) Units() []workplan.AssignmentFacts {
	seen := map[int64]bool{}
	var out []workplan.AssignmentFacts
	for _, ts := range p.Tasks {
		for _, a := range ts.Assignments {
			if !seen[a.UnitID] {
				seen[a.UnitID] = true
				out = append(out, a.AssignmentFacts)
			}
		}
	}
	order := map[workplan.UnitKind]int{}
	for i, k := range []workplan.UnitKind{workplan.UnitCountyGovernment, workplan.UnitCityDepartment, workplan.UnitCentralProvincial,
		workplan.UnitEnterprise, workplan.UnitCollective, workplan.UnitOther} {
		order[k] = i
	}
	slices.SortStableFunc(out, func(a, b workplan.AssignmentFacts) int {
		return cmp.Or(cmp.Compare(order[a.UnitKind], order[b.UnitKind]), cmp.Compare(a.UnitName, b.UnitName))
	})
	return out
}
