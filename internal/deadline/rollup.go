package deadline

// Scored is one assignment's status within its task, with whether it counts
// towards the task's verdict: lead (牵头) and responsible (责任) units are
// scored; cooperating units (配合) are shown, not scored.
type Scored struct {
	Status Status
	Scored bool
}

// TaskStatus is the verdict on a task, rolled up from its assignments.
type TaskStatus struct {
	// Light is the worst light of the scored assignments.
	Light Light
	// State is the state of the worst scored assignment (worst light, then worst
	// state, then most days overdue); when every scored assignment is in a
	// completed state it is StateCompletedLate if any was late, else
	// StateCompletedOnTime.
	State State
	// Worst is the status of the worst scored assignment; its Explain says why
	// the task has its light.
	Worst Status
	// Complete reports that every scored assignment has an accepted completion
	// (Status.Completed). A due-then-ongoing task can be complete and still red
	// for stale reporting in its ongoing phase.
	Complete bool
	// Scored is the number of assignments counted; Cooperating the number shown
	// only.
	Scored, Cooperating int
	// Reported is the number of scored assignments with at least one report.
	Reported int
	// Completed is the number of scored assignments with an accepted completion.
	Completed int
	// MaxDaysOverdue is the largest DaysOverdue among scored assignments.
	MaxDaysOverdue int
	// Fallback reports that the task had no scored assignment, so the rollup was
	// taken over the cooperating ones rather than showing nothing.
	Fallback bool
}

// Rollup rolls the statuses of a task's assignments up into the task's status.
// A task is complete when every scored assignment is complete; its light is the
// worst of the scored lights. When no assignment is scored (a task that names
// only cooperating units), the rollup is taken over all of them and Fallback is
// set. With no assignment at all the task is StateUnknown and LightGrey: it
// needs an administrator.
func Rollup(items []Scored) TaskStatus {
	var t TaskStatus
	for _, it := range items {
		if !it.Scored {
			t.Cooperating++
		}
	}
	counted := func(it Scored) bool { return it.Scored }
	if t.Cooperating == len(items) && len(items) > 0 {
		t.Fallback = true
		counted = func(Scored) bool { return true }
	}
	first := true
	for _, it := range items {
		if !counted(it) {
			continue
		}
		s := it.Status
		t.Scored++
		if s.Reports > 0 {
			t.Reported++
		}
		if s.Completed {
			t.Completed++
		}
		t.MaxDaysOverdue = max(t.MaxDaysOverdue, s.DaysOverdue)
		if first || worse(s, t.Worst) {
			t.Worst = s
			first = false
		}
	}
	if t.Scored == 0 {
		t.Light, t.State = LightGrey, StateUnknown
		return t
	}
	t.Light, t.State = t.Worst.Light, t.Worst.State
	t.Complete = t.Completed == t.Scored
	return t
}

// worse reports whether a is a worse status than b: worse light, then worse
// state, then more days overdue, a larger pace lag, a longer silence.
func worse(a, b Status) bool {
	switch {
	case a.Light != b.Light:
		return a.Light.Worse(b.Light)
	case a.State != b.State:
		return a.State.rank() > b.State.rank()
	case a.DaysOverdue != b.DaysOverdue:
		return a.DaysOverdue > b.DaysOverdue
	case a.PaceLag != b.PaceLag:
		return a.PaceLag > b.PaceLag
	}
	return a.DaysSinceReport > b.DaysSinceReport
}

// Explain says in one line why the task has its light: that no unit is
// assigned, that every scored unit completed (on time, or some late), else
// the worst assignment's Explain.
func (t TaskStatus) Explain() Explanation {
	switch {
	case t.Scored == 0:
		return phrase("explain.task.none")
	case t.State == StateCompletedOnTime:
		return phrase("explain.task.all_on_time")
	case t.State == StateCompletedLate:
		return phrase("explain.task.all_late")
	}
	return t.Worst.Explain()
}
