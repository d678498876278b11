package outputs

import (
	"cmp"
	"slices"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// Change is an assignment whose status changed between two instants.
type Change struct {
	AssignmentID int64
	TaskNumber   int
	UnitID       int64
	UnitName     string
	Role         workplan.Role
	Before       deadline.Status
	After        deadline.Status
}

// Miss is an ongoing assignment whose reports are late at the end of the
// period.
type Miss struct {
	AssignmentID    int64
	TaskNumber      int
	DaysSinceReport int
}

// UnitMisses is a unit with its ongoing assignments whose reports are late.
type UnitMisses struct {
	UnitID   int64
	UnitName string
	Misses   []Miss
}

// Weekly is what changed between the end of day From and the end of day To
// (周调度). Only scored assignments (lead and responsible units) count in
// the lists of changes; every report filed in the period is listed.
type Weekly struct {
	From, To deadline.Date
	// Reports are the reports filed after the end of From up to the end of
	// To, oldest first.
	Reports []workplan.ReportRef
	// Completed are the assignments whose completion was accepted in the
	// period (not complete at From, complete at To).
	Completed []Change
	// NewlyOverdue are overdue at To and were not at From.
	NewlyOverdue []Change
	// BackOnTrack were red or yellow at From and are green or done at To.
	BackOnTrack []Change
	// StillOverdue are overdue at both ends, most days first.
	StillOverdue []Change
	// MissedCadence are the units whose ongoing work (ongoing tasks, and
	// due-then-ongoing tasks after completion) has no report within the
	// reporting cadence at the end of To, most late first.
	MissedCadence []UnitMisses
	// LightsBefore and LightsAfter count the scored assignments per light.
	LightsBefore, LightsAfter map[deadline.Light]int
}

// Compare computes the weekly comparison from the statuses at the end of
// from (before) and at the end of to (after), matched by assignment ID, and
// the reports filed between them. An assignment missing from before counts
// as not started.
func Compare(from, to deadline.Date, before, after []Item, reports []workplan.ReportRef) Weekly {
	w := Weekly{From: from, To: to, LightsBefore: map[deadline.Light]int{}, LightsAfter: map[deadline.Light]int{}}
	w.Reports = slices.Clone(reports)
	slices.SortStableFunc(w.Reports, func(a, b workplan.ReportRef) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ReportID, b.ReportID))
	})
	prev := make(map[int64]deadline.Status, len(before))
	for _, it := range before {
		if it.Role.Scored() {
			prev[it.ID] = it.Status
			w.LightsBefore[it.Status.Light]++
		}
	}
	misses := map[int64]*UnitMisses{}
	for _, it := range after {
		if !it.Role.Scored() {
			continue
		}
		a := it.Status
		w.LightsAfter[a.Light]++
		b, ok := prev[it.ID]
		if !ok {
			b = deadline.Status{State: deadline.StateNotStarted, Light: deadline.LightGreen}
		}
		ch := Change{AssignmentID: it.ID, TaskNumber: it.TaskNumber, UnitID: it.UnitID, UnitName: it.UnitName, Role: it.Role, Before: b, After: a}
		switch {
		case a.State == deadline.StateOverdue && b.State != deadline.StateOverdue:
			w.NewlyOverdue = append(w.NewlyOverdue, ch)
		case a.State == deadline.StateOverdue:
			w.StillOverdue = append(w.StillOverdue, ch)
		}
		if a.Completed && !b.Completed {
			w.Completed = append(w.Completed, ch)
		}
		if (b.Light == deadline.LightRed || b.Light == deadline.LightYellow) && (a.Light == deadline.LightGreen || a.Light == deadline.LightDone) {
			w.BackOnTrack = append(w.BackOnTrack, ch)
		}
		ongoing := a.Kind == deadline.KindOngoing || a.Phase == deadline.PhaseOngoing
		if ongoing && a.State == deadline.StateOngoingStale {
			um := misses[it.UnitID]
			if um == nil {
				um = &UnitMisses{UnitID: it.UnitID, UnitName: it.UnitName}
				misses[it.UnitID] = um
			}
			um.Misses = append(um.Misses, Miss{AssignmentID: it.ID, TaskNumber: it.TaskNumber, DaysSinceReport: a.DaysSinceReport})
		}
	}
	byTask := func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.TaskNumber, b.TaskNumber), cmp.Compare(a.UnitName, b.UnitName))
	}
	for _, l := range [][]Change{w.Completed, w.NewlyOverdue, w.BackOnTrack} {
		slices.SortStableFunc(l, byTask)
	}
	slices.SortStableFunc(w.StillOverdue, func(a, b Change) int {
		return cmp.Or(cmp.Compare(b.After.DaysOverdue, a.After.DaysOverdue), byTask(a, b))
	})
	for _, um := range misses {
		slices.SortStableFunc(um.Misses, func(a, b Miss) int { return cmp.Compare(a.TaskNumber, b.TaskNumber) })
		w.MissedCadence = append(w.MissedCadence, *um)
	}
	worst := func(u UnitMisses) int {
		m := 0
		for _, x := range u.Misses {
			m = max(m, x.DaysSinceReport)
		}
		return m
	}
	slices.SortStableFunc(w.MissedCadence, func(a, b UnitMisses) int {
		return cmp.Or(cmp.Compare(len(b.Misses), len(a.Misses)), cmp.Compare(worst(b), worst(a)), cmp.Compare(a.UnitName, b.UnitName))
	})
	return w
}
