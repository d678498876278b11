package workplan

import (
	"time"

	"duban/internal/deadline"
)

// PlanAt is a plan as it stood at one instant: the version in force then,
// the tasks that existed with the revision in force, each accountable
// unit's part with its facts as they stood, and the collective designations
// the tasks named. It is the input of the status computation
// (internal/status), which every view reads, now or as of a past date.
type PlanAt struct {
	Plan Plan
	// At is the instant.
	At time.Time
	// Version is the plan version in force at At.
	Version int
	// Tasks are the tasks in force at At, by number.
	Tasks []Task
	// Assignments are the accountable units' parts in force at At, with
	// their facts as of At, by task number.
	Assignments []AssignmentFacts
	// Designations are the collective designations named by the tasks.
	Designations []Designation
}

// NotIssued reports whether At is before the day the plan was issued: the
// plan did not exist yet, so nothing in it can be late or on track.
func (p PlanAt) NotIssued() bool {
	return !p.Plan.IssuedOn.IsZero() && p.At.Before(p.Plan.IssuedOn.Time(deadline.Shanghai))
}

// MappingScope says where the meaning of a designation on a task comes from.
type MappingScope string

// The scopes of a designation's mapping.
const (
	// ScopeNone: nobody has said which units the designation means; it is
	// the plan's wording and nobody is accountable through it.
	ScopeNone MappingScope = ""
	// ScopeRegistry: the registry's members of the designation (各县(市、区)
	// 人民政府 → the seven county governments).
	ScopeRegistry MappingScope = "registry"
	// ScopeTask: a decision for this task alone, which overrides the
	// registry (an empty list of members means "no further unit").
	ScopeTask MappingScope = "task"
)

// Designation is a collective designation (集合称谓) named by a task, such as
// 市直有关部门: the plan's wording, not an accountable unit. Only the
// concrete units it is mapped to are assigned the task.
type Designation struct {
	TaskID int64
	// UnitID is the designation's registry entry; Text the name the plan gives.
	UnitID int64
	Text   string
	Role   Role
	// Scope is where Members come from; ScopeNone means unmapped.
	Scope MappingScope
	// Members are the concrete units the designation means on this task.
	Members []UnitRef
}

// Mapped reports whether someone has said what the designation means on its
// task (possibly "no further unit").
func (d Designation) Mapped() bool { return d.Scope != ScopeNone }

// UnitRef names a unit.
type UnitRef struct {
	ID    int64
	Name  string
	Short string
}

// Label is the name for a narrow column: the registry's short name, else
// the full name. Names are never cut.
func (u UnitRef) Label() string {
	if u.Short != "" {
		return u.Short
	}
	return u.Name
}

// MappingInput asks to say which concrete units a collective designation
// means: on one task (TaskID set) or everywhere the registry applies
// (TaskID 0). DryRun computes the change and writes nothing (the preview).
type MappingInput struct {
	CollectiveID int64
	TaskID       int64
	Members      []int64
	// Clear removes a task's own decision, so that the registry applies again.
	Clear  bool
	DryRun bool
}

// MappingChange is what a mapping does to the tasks that name the
// designation: the units that join (their clocks start now) and those that
// leave (their history is kept) on each task.
type MappingChange struct {
	Designation string
	Tasks       []MappingTaskChange
}

// MappingTaskChange is a mapping's effect on one task.
type MappingTaskChange struct {
	TaskID         int64
	PlanSlug       string
	Number         int
	Title          string
	Added, Removed []string
}

// Empty reports whether the mapping changes no assignment.
func (c MappingChange) Empty() bool {
	for _, t := range c.Tasks {
		if len(t.Added)+len(t.Removed) > 0 {
			return false
		}
	}
	return true
}

// Span is a stretch of time [From, To) during which an assignment was in
// force in one role and its task had one revision: what its status is
// judged by during that time. Zero From or To is unbounded.
type Span struct {
	From, To time.Time
	Role     Role
	Deadline deadline.Deadline
	// Start is where the assignment's clock starts (task's start or the day
	// its unit joined).
	Start deadline.Date
}

// Covers reports whether instant t lies within s.
func (s Span) Covers(t time.Time) bool {
	return (s.From.IsZero() || !t.Before(s.From)) && (s.To.IsZero() || t.Before(s.To))
}

// AssignmentHistory is one assignment over a period: its facts at the
// period's start, the events after that up to the period's end, and the
// spans of the period in which it was in force.
type AssignmentHistory struct {
	AssignmentFacts
	Spans  []Span
	Events []deadline.Event
}

// SpanAt returns the span covering t, or false when the assignment was not
// in force then.
func (h AssignmentHistory) SpanAt(t time.Time) (Span, bool) {
	for _, s := range h.Spans {
		if s.Covers(t) {
			return s, true
		}
	}
	return Span{}, false
}

// PlanHistory is a plan over a period (From, To]: every assignment in force
// at some moment of it, with its history. Rankings are folded from it day
// by day, each day judged by the plan as it stood that day.
type PlanHistory struct {
	Plan        Plan
	From, To    time.Time
	Assignments []AssignmentHistory
}
