package deadline

import (
	"slices"
	"time"
)

// Facts is everything the status engine needs about one assignment (one unit on
// one task) as of some instant: the fold of the assignment's events up to that
// instant (see Apply, Fold and FoldUntil). Facts is a plain value, safe to copy
// and to store; Evaluate reads it and never changes it. A store may keep the
// current fold, updated with Apply as events arrive; to judge a past instant,
// fold the history up to that instant with FoldUntil instead.
type Facts struct {
	// Deadline is the plan's deadline, with the original words kept.
	Deadline Deadline
	// Start is where expected progress (序时进度) starts: the plan's issue date or
	// the task's own start date. Staleness of an assignment that never reported
	// is also counted from Start.
	Start Date
	// ExtendedDue is the due date after approved extensions; zero if none. It
	// only matters for deadlines with a due date.
	ExtendedDue Date
	// Reports is the number of reports filed.
	Reports int
	// FirstReportAt is when the earliest report was filed; zero if never.
	FirstReportAt time.Time
	// LastReportAt is when the latest report was filed; zero if never.
	LastReportAt time.Time
	// Percent is the percent complete in the latest report (0..100).
	Percent int
	// Claimed reports that the latest report claims completion and that claim has
	// not been returned.
	Claimed bool
	// ClaimedAt is when the pending claim (Claimed) was filed; zero when Claimed is false.
	ClaimedAt time.Time
	// CompletedAt is when the work was completed: the submission time of the
	// report whose completion claim was accepted; zero if no completion is accepted.
	CompletedAt time.Time
	// AcceptedAt is when the acceptance of CompletedAt's claim was given.
	AcceptedAt time.Time
}

// EventKind names what happened to an assignment.
type EventKind string

// The kinds of event in an assignment's history.
const (
	// EventReport is a progress report filed by the unit.
	EventReport EventKind = "report"
	// EventAccept is a reviewer accepting a report.
	EventAccept EventKind = "accept"
	// EventReturn is a reviewer returning (rejecting) a report.
	EventReturn EventKind = "return"
	// EventExtension is an approved extension of the due date.
	EventExtension EventKind = "extension"
)

// Valid reports whether k is one of the defined event kinds.
func (k EventKind) Valid() bool {
	switch k {
	case EventReport, EventAccept, EventReturn, EventExtension:
		return true
	}
	return false
}

// Event is one entry of an assignment's append-only history.
type Event struct {
	// Kind says what happened.
	Kind EventKind
	// At is when it happened: the report submitted, the review given, the
	// extension approved.
	At time.Time
	// Percent is the percent complete an EventReport states (clamped to 0..100).
	Percent int
	// Claims reports that an EventReport claims completion of the work.
	Claims bool
	// ReportAt identifies, for EventAccept and EventReturn, the report being
	// reviewed by its submission time.
	ReportAt time.Time
	// NewDue is the due date an EventExtension grants.
	NewDue Date
}

// Apply returns f with e applied: one pure step of the fold of an assignment's
// history. Events are meant to be applied in At order (Fold sorts them). The
// rules:
//
//   - A report counts towards Reports and FirstReportAt whatever its time, but
//     only a report at or after LastReportAt becomes the latest report and sets
//     Percent and Claimed, so reports applied out of order still leave the
//     latest one in force. A latest report that does not claim completion
//     withdraws any pending claim: what counts is what the unit says last.
//   - A completion claim counts only once accepted: an accept naming the report
//     of the pending claim (ReportAt equal to ClaimedAt) sets CompletedAt to that
//     report's submission time and AcceptedAt to the acceptance time. Accepting
//     any other report (one that claimed nothing, or a claim superseded by a
//     later report or already returned) records nothing about completion.
//   - The first accepted completion stands: a later report that does not claim
//     completion does not undo it (work done stays done; in a due-then-ongoing
//     task such reports are the progress of the ongoing phase), and a later
//     accepted claim does not move it. Only a reviewer can undo it, by returning
//     the accepted report (see next rule).
//   - A return naming the report of the pending claim clears Claimed. A return
//     naming the accepted report revokes the acceptance (CompletedAt and
//     AcceptedAt become zero): the history keeps both reviews, and the
//     correction is itself on record. A return naming any other report changes
//     nothing.
//   - An extension sets ExtendedDue; the latest approved extension wins, even if
//     it moves the date earlier.
//
// An event of an unknown kind is ignored.
func (f Facts) Apply(e Event) Facts {
	switch e.Kind {
	case EventReport:
		f.Reports++
		if f.FirstReportAt.IsZero() || e.At.Before(f.FirstReportAt) {
			f.FirstReportAt = e.At
		}
		if f.LastReportAt.IsZero() || !e.At.Before(f.LastReportAt) {
			f.LastReportAt = e.At
			f.Percent = min(max(e.Percent, 0), 100)
			f.Claimed = e.Claims
			f.ClaimedAt = time.Time{}
			if e.Claims {
				f.ClaimedAt = e.At
			}
		}
	case EventAccept:
		if f.Claimed && f.CompletedAt.IsZero() && e.ReportAt.Equal(f.ClaimedAt) {
			f.CompletedAt = f.ClaimedAt
			f.AcceptedAt = e.At
		}
	case EventReturn:
		if f.Claimed && e.ReportAt.Equal(f.ClaimedAt) {
			f.Claimed = false
			f.ClaimedAt = time.Time{}
		}
		if !f.CompletedAt.IsZero() && e.ReportAt.Equal(f.CompletedAt) {
			f.CompletedAt = time.Time{}
			f.AcceptedAt = time.Time{}
		}
	case EventExtension:
		f.ExtendedDue = e.NewDue
	}
	return f
}

// Fold applies events to base in At order. The sort is stable, so events at the
// same instant apply in the order given (arrival order). events is not modified.
func Fold(base Facts, events []Event) Facts {
	return foldUntil(base, events, time.Time{}, false)
}

// FoldUntil is Fold restricted to the events with At at or before now: the
// facts as they stood at now, from which Evaluate(…, now, …) reproduces the
// status of any past instant.
func FoldUntil(base Facts, events []Event, now time.Time) Facts {
	return foldUntil(base, events, now, true)
}

func foldUntil(base Facts, events []Event, now time.Time, bounded bool) Facts {
	byAt := func(a, b Event) int { return a.At.Compare(b.At) }
	if !slices.IsSortedFunc(events, byAt) {
		events = slices.Clone(events)
		slices.SortStableFunc(events, byAt)
	}
	f := base
	for _, e := range events {
		if bounded && e.At.After(now) {
			break
		}
		f = f.Apply(e)
	}
	return f
}
