package notify

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"duban/internal/deadline"
	"duban/internal/status"
	"duban/internal/workplan"
)

// Policy holds the thresholds of the reminders and the escalation ladder,
// configurable per deployment (REMIND_*, ESCALATION_*).
type Policy struct {
	// DueSoon are the days before a due date on which to remind (7 and 1):
	// on the last working day on or before that day, so that a deadline on
	// a Monday is announced on the Friday before.
	DueSoon []int
	// OverdueEvery is how often overdue work is urged again, in days (7):
	// first on the first working day after the due day.
	OverdueEvery int
	// RefileWorkingDays is how many working days a returned report may wait
	// to be refiled before the unit is reminded (3).
	RefileWorkingDays int
	// Escalation are the days overdue at which an assignment reaches levels
	// 1, 2 and 3 of the ladder (7, 15, 30); 0 leaves a level out.
	Escalation [3]int
	// ReplyWorkingDays is the reply deadline of an automatic 督办单, in
	// working days after it is issued (5).
	ReplyWorkingDays int
	// CadenceDays is the reporting cadence of ongoing work (the status
	// policy's, 7).
	CadenceDays int
}

// DefaultPolicy returns the defaults above.
func DefaultPolicy() Policy {
	return Policy{DueSoon: []int{7, 1}, OverdueEvery: 7, RefileWorkingDays: 3, Escalation: [3]int{7, 15, 30}, ReplyWorkingDays: 5, CadenceDays: 7}
}

// Validate reports whether p is usable.
func (p Policy) Validate() error {
	for _, d := range p.DueSoon {
		if d < 0 || d > 365 {
			return fmt.Errorf("notify: due-soon day %d is not within 0..365", d)
		}
	}
	if p.OverdueEvery < 1 || p.CadenceDays < 1 || p.RefileWorkingDays < 1 || p.ReplyWorkingDays < 1 {
		return fmt.Errorf("notify: intervals must be at least 1 day")
	}
	last := 0
	for i, d := range p.Escalation {
		if d < 0 || (d > 0 && d <= last) {
			return fmt.Errorf("notify: escalation level %d at %d days: levels must climb (0 leaves a level out)", i+1, d)
		}
		if d > 0 {
			last = d
		}
	}
	return nil
}

// Extra is what the pass knows of an assignment beyond its facts: its
// latest returned report when nothing was filed since.
type Extra struct {
	ReturnID     int64
	ReturnedAt   time.Time
	ReturnReason string
}

// Assess returns the reminders and escalations due on day today for the
// plan pic shows, for its lead and responsible units (cooperating units are
// shown, not scored, and not urged). Nothing is due on a day off: the items
// wait for the next working day. Each item carries its keys; whoever keeps
// them sends an item once.
func Assess(pic *status.Picture, extra map[int64]Extra, today deadline.Date, cal Calendar, p Policy) []Item {
	if pic == nil || pic.NotIssued || !cal.Working(today) {
		return nil
	}
	thresholds := slices.Clone(p.DueSoon)
	slices.Sort(thresholds)
	thresholds = slices.Compact(thresholds)
	next := cal.NextWorking(today)
	var out []Item
	for _, ts := range pic.Tasks {
		var leads []int64
		for _, a := range ts.Assignments {
			if a.Role == workplan.RoleLead {
				leads = append(leads, a.UnitID)
			}
		}
		for _, a := range ts.Assignments {
			if !a.Role.Scored() {
				continue
			}
			base := Item{AssignmentID: a.ID, UnitID: a.UnitID, Unit: a.UnitName, Plan: pic.Plan.Slug, Task: ts.Task.Number, TaskTitle: ts.Task.Title}
			st := a.Status
			if !st.Due.IsZero() {
				base.Due = st.Due.String()
			}
			due := st.Due.String()
			switch {
			case st.State == deadline.StateOverdue && !st.AwaitingReview:
				every := max(p.OverdueEvery, 1)
				n := (st.DaysOverdue - 1) / every
				it := base
				it.Rule, it.Days = RuleOverdue, st.DaysOverdue
				it.Keys = []Key{{RuleOverdue, a.ID, due + ":" + strconv.Itoa(n)}}
				out = append(out, it)
				if level := levelOf(st.DaysOverdue, p.Escalation); level > 0 {
					esc := base
					esc.Rule, esc.Days, esc.Level = RuleEscalate, st.DaysOverdue, level
					for l := level; l >= 1; l-- {
						if p.Escalation[l-1] > 0 {
							esc.Keys = append(esc.Keys, Key{RuleEscalate, a.ID, due + ":" + strconv.Itoa(l)})
						}
					}
					for _, u := range leads {
						if u != a.UnitID {
							esc.Leads = append(esc.Leads, u)
						}
					}
					out = append(out, esc)
				}
			case !st.Due.IsZero() && !st.Completed && !st.AwaitingReview && st.State != deadline.StateOverdue && st.DaysToDue >= 0:
				var keys []Key
				for _, t := range thresholds {
					// The last working day on or before due − t, or any
					// working day after it (a pass that did not run).
					if next.After(st.Due.AddDays(-t)) {
						keys = append(keys, Key{RuleDueSoon, a.ID, due + ":" + strconv.Itoa(t)})
					}
				}
				if len(keys) > 0 {
					it := base
					it.Rule, it.Days, it.Keys = RuleDueSoon, st.DaysToDue, keys
					out = append(out, it)
				}
			case st.State == deadline.StateOngoingStale:
				c := max(p.CadenceDays, 1)
				since := st.DaysSinceReport
				if since > c {
					n := (since - c - 1) / c
					it := base
					it.Rule, it.Days = RuleStale, since
					it.Keys = []Key{{RuleStale, a.ID, today.AddDays(-since).String() + ":" + strconv.Itoa(n)}}
					out = append(out, it)
				}
			}
			if x, ok := extra[a.ID]; ok && x.ReturnID != 0 && !st.Completed {
				wd := cal.WorkingBetween(deadline.DateOf(x.ReturnedAt, deadline.Shanghai), today)
				if wd >= p.RefileWorkingDays {
					it := base
					it.Rule, it.Days, it.Reason = RuleRefile, wd, x.ReturnReason
					it.Keys = []Key{{RuleRefile, a.ID, strconv.FormatInt(x.ReturnID, 10)}}
					out = append(out, it)
				}
			}
		}
	}
	return out
}

// levelOf is the highest level of the ladder days overdue reaches (0: none).
func levelOf(days int, thresholds [3]int) int {
	level := 0
	for i, t := range thresholds {
		if t > 0 && days >= t {
			level = i + 1
		}
	}
	return level
}

// WeeklyDue reports whether today is the day of the week's digests: the
// first working day of its ISO week (or a later one, when the pass did not
// run), and the period that keys it.
func WeeklyDue(today deadline.Date, cal Calendar) (bool, string) {
	t := today.Time(time.UTC)
	y, w := t.ISOWeek()
	monday := today.AddDays(-((int(t.Weekday()) + 6) % 7))
	if !cal.Working(today) || today.Before(cal.FirstWorkingFrom(monday)) {
		return false, ""
	}
	return true, fmt.Sprintf("%d-W%02d", y, w)
}

// LeaderLines are the changes in pic since a moment that a leader's daily
// digest reports: assignments newly overdue (their first overdue day after
// since's day) and completions accepted after since.
func LeaderLines(pic *status.Picture, since time.Time) []DigestLine {
	if pic == nil || pic.NotIssued {
		return nil
	}
	sinceDay := deadline.DateOf(since, deadline.Shanghai)
	today := deadline.DateOf(pic.At, deadline.Shanghai)
	var out []DigestLine
	for _, ts := range pic.Tasks {
		for _, a := range ts.Assignments {
			if !a.Role.Scored() {
				continue
			}
			line := DigestLine{Plan: pic.Plan.Slug, Task: ts.Task.Number, Title: ts.Task.Title, Unit: a.UnitName,
				Link: "/assignments/" + strconv.FormatInt(a.ID, 10)}
			switch {
			case a.Status.State == deadline.StateOverdue && today.AddDays(1-a.Status.DaysOverdue).After(sinceDay):
				line.What, line.Days = "newly_overdue", a.Status.DaysOverdue
				out = append(out, line)
			case !a.Facts.AcceptedAt.IsZero() && a.Facts.AcceptedAt.After(since) && !a.Facts.AcceptedAt.After(pic.At):
				line.What = "newly_completed"
				out = append(out, line)
			}
		}
	}
	return out
}

// HeadLines are a unit's open items in pic for its head's weekly digest:
// overdue, lagging and due soon, worst first.
func HeadLines(pic *status.Picture, unitID int64) []DigestLine {
	if pic == nil || pic.NotIssued {
		return nil
	}
	var out []DigestLine
	for _, ua := range pic.UnitAssignments(unitID) {
		if !ua.Role.Scored() {
			continue
		}
		line := DigestLine{Plan: pic.Plan.Slug, Task: ua.Task.Task.Number, Title: ua.Task.Task.Title, Unit: ua.UnitName,
			Link: "/assignments/" + strconv.FormatInt(ua.ID, 10)}
		switch ua.Category {
		case status.Overdue:
			line.What, line.Days = "overdue", ua.Status.DaysOverdue
		case status.Lagging:
			line.What = "lagging"
		case status.DueSoon:
			line.What, line.Days = "due_soon", ua.Status.DaysToDue
		default:
			continue
		}
		out = append(out, line)
	}
	order := map[string]int{"overdue": 0, "lagging": 1, "due_soon": 2}
	slices.SortStableFunc(out, func(a, b DigestLine) int { return order[a.What] - order[b.What] })
	return out
}

// Cap keeps the first MaxDigestLines lines and counts the rest.
func Cap(lines []DigestLine) ([]DigestLine, int) {
	if len(lines) <= MaxDigestLines {
		return lines, 0
	}
	return lines[:MaxDigestLines], len(lines) - MaxDigestLines
}
