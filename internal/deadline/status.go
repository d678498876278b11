package deadline

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Policy holds the thresholds of the status engine, configurable per deployment.
// Start from DefaultPolicy and check changes with Validate.
type Policy struct {
	// DueSoonDays is how close the due date must be for an assignment to be due
	// soon: DaysToDue <= DueSoonDays. Default 14.
	DueSoonDays int
	// Cadence is how often units report (the plan's 周调度). It is counted in
	// whole calendar days of Location, like deadlines, so it must be a positive
	// whole number of days. Default 7 days.
	Cadence time.Duration
	// PaceYellow is the pace lag, in percentage points, at and above which the
	// light is yellow. Default 10.
	PaceYellow float64
	// PaceRed is the pace lag, in percentage points, strictly above which the
	// light is red. Default 30.
	PaceRed float64
	// Location is the time zone in which days are counted. Nil means Shanghai.
	Location *time.Location
}

// DefaultPolicy returns the policy of the plan: due soon within 14 days, weekly
// reporting, yellow at a pace lag of 10 to 30 points, red above 30.
func DefaultPolicy() Policy {
	return Policy{
		DueSoonDays: 14,
		Cadence:     7 * 24 * time.Hour,
		PaceYellow:  10,
		PaceRed:     30,
		Location:    Shanghai,
	}
}

// Validate reports whether p is usable: DueSoonDays not negative, Cadence a
// positive whole number of days, 0 <= PaceYellow <= PaceRed. A nil Location is
// valid and means Shanghai.
func (p Policy) Validate() error {
	var errs []error
	if p.DueSoonDays < 0 {
		errs = append(errs, fmt.Errorf("due-soon days %d is negative", p.DueSoonDays))
	}
	if p.Cadence < 24*time.Hour || p.Cadence%(24*time.Hour) != 0 {
		errs = append(errs, fmt.Errorf("cadence %v is not a positive whole number of days", p.Cadence))
	}
	if !(p.PaceYellow >= 0) || math.IsInf(p.PaceYellow, 0) {
		errs = append(errs, fmt.Errorf("pace yellow %v is not a finite number >= 0", p.PaceYellow))
	}
	if !(p.PaceRed >= p.PaceYellow) || math.IsInf(p.PaceRed, 0) {
		errs = append(errs, fmt.Errorf("pace red %v is not a finite number >= pace yellow %v", p.PaceRed, p.PaceYellow))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("deadline: policy: %w", err)
	}
	return nil
}

// State is where an assignment stands as of an instant.
type State string

// The states of an assignment.
const (
	// StateNotStarted: no report yet and not overdue (also: before Start).
	StateNotStarted State = "not_started"
	// StateOnTrack: reported, not overdue, due date further than DueSoonDays.
	StateOnTrack State = "on_track"
	// StateDueSoon: reported, not overdue, due within DueSoonDays days.
	StateDueSoon State = "due_soon"
	// StateOverdue: past the end of the due day without an accepted completion.
	StateOverdue State = "overdue"
	// StateCompletedOnTime: completion accepted, submitted by the end of the due day.
	StateCompletedOnTime State = "completed_on_time"
	// StateCompletedLate: completion accepted, submitted after the due day.
	StateCompletedLate State = "completed_late"
	// StateOngoing: ongoing work reported within the last cadence.
	StateOngoing State = "ongoing"
	// StateOngoingStale: ongoing work whose last report is older than one cadence.
	StateOngoingStale State = "ongoing_stale"
	// StateUnknown: the deadline text was not understood.
	StateUnknown State = "unknown"
)

// Valid reports whether s is one of the defined states.
func (s State) Valid() bool { return s.rank() >= 0 }

// IsCompleted reports whether s is one of the completed states.
func (s State) IsCompleted() bool { return s == StateCompletedOnTime || s == StateCompletedLate }

// rank orders states from best to worst; it breaks ties between lights in Rollup.
func (s State) rank() int {
	switch s {
	case StateCompletedOnTime:
		return 0
	case StateCompletedLate:
		return 1
	case StateOngoing:
		return 2
	case StateOnTrack:
		return 3
	case StateDueSoon:
		return 4
	case StateNotStarted:
		return 5
	case StateUnknown:
		return 6
	case StateOngoingStale:
		return 7
	case StateOverdue:
		return 8
	}
	return -1
}

// Phase is the phase of a due-then-ongoing assignment.
type Phase string

// The phases of a KindDueThenOngoing assignment; other kinds have no phase ("").
const (
	// PhaseDue: the due part is not yet accepted as complete; due rules apply.
	PhaseDue Phase = "due"
	// PhaseOngoing: the due part is accepted as complete; ongoing rules apply.
	PhaseOngoing Phase = "ongoing"
)

// Light is the traffic light shown for a status (红黄绿灯).
type Light string

// The lights, from worst to best: red, yellow, grey, green, done.
const (
	// LightRed: overdue, pace lag above PaceRed, or no report for over two cadences.
	LightRed Light = "red"
	// LightYellow: due soon, pace lag from PaceYellow to PaceRed, or no report for
	// over one cadence.
	LightYellow Light = "yellow"
	// LightGrey: unlit, the deadline text was not understood. It needs an
	// administrator, not the unit, so it is not red; it ranks above green so that
	// a task with an unreadable deadline does not look fine.
	LightGrey Light = "grey"
	// LightGreen: on track.
	LightGreen Light = "green"
	// LightDone: completed (on time or late), shown apart from the others.
	LightDone Light = "done"
)

func (l Light) rank() int {
	switch l {
	case LightDone:
		return 0
	case LightGreen:
		return 1
	case LightGrey:
		return 2
	case LightYellow:
		return 3
	case LightRed:
		return 4
	}
	return -1
}

// Valid reports whether l is one of the defined lights.
func (l Light) Valid() bool { return l.rank() >= 0 }

// Worse reports whether l is strictly worse than m in the order
// red > yellow > grey > green > done. Any undefined light (such as "") is better
// than all of them, so a zero Light never wins a comparison.
func (l Light) Worse(m Light) bool { return l.rank() > m.rank() }

// Reason is the code for why a status has its light; Explain turns it into words.
type Reason string

// The reasons.
const (
	// ReasonOverdue: past the end of the due day.
	ReasonOverdue Reason = "overdue"
	// ReasonPaceLag: progress behind 序时进度 by PaceYellow points or more.
	ReasonPaceLag Reason = "pace_lag"
	// ReasonStale: no report for more than one cadence.
	ReasonStale Reason = "stale"
	// ReasonDueSoon: due within DueSoonDays days.
	ReasonDueSoon Reason = "due_soon"
	// ReasonOnTrack: reported, on pace, not due soon.
	ReasonOnTrack Reason = "on_track"
	// ReasonNotStarted: no report yet, but nothing else is wrong.
	ReasonNotStarted Reason = "not_started"
	// ReasonAwaitingReview: completion claimed, not yet accepted; nothing else is wrong.
	ReasonAwaitingReview Reason = "awaiting_review"
	// ReasonBeforeStart: the instant is before Start and nothing is reported.
	ReasonBeforeStart Reason = "before_start"
	// ReasonCompleted: completion accepted, on time.
	ReasonCompleted Reason = "completed"
	// ReasonCompletedLate: completion accepted, late by DaysLate days.
	ReasonCompletedLate Reason = "completed_late"
	// ReasonReporting: ongoing work reported within the cadence.
	ReasonReporting Reason = "reporting"
	// ReasonUnknownDeadline: the deadline text was not understood (完成时限无法识别).
	ReasonUnknownDeadline Reason = "unknown_deadline"
)

// Status is the verdict on one assignment as of an instant, with the numbers
// behind it. Explain puts it in one line.
type Status struct {
	// State is where the assignment stands.
	State State
	// Phase is PhaseDue or PhaseOngoing for KindDueThenOngoing, "" otherwise.
	Phase Phase
	// Light is the traffic light.
	Light Light
	// Reason is why the light is what it is.
	Reason Reason
	// Kind is the kind of the deadline evaluated.
	Kind Kind
	// Due is the effective due date (extended if any); zero when there is none.
	Due Date
	// OriginalDue is the plan's due date; zero when there is none.
	OriginalDue Date
	// DaysToDue is the number of days from today (in the policy's Location) to
	// Due: 0 on the due day, negative once overdue. Only meaningful when Due
	// is set.
	DaysToDue int
	// DaysOverdue is the number of whole days past Due: 1 from 00:00:00 on the day
	// after the due day (or on Start, for a unit that started after Due). It is
	// above zero exactly when State is StateOverdue.
	DaysOverdue int
	// DaysLate is how many days after Due the accepted completion was submitted;
	// above zero for StateCompletedLate and for a due-then-ongoing assignment
	// completed late, zero otherwise.
	DaysLate int
	// DaysSinceReport is the number of calendar days since the last report, or
	// since Start when nothing was reported; -1 when not applicable (completed
	// due work, before Start, or no Start to count from).
	DaysSinceReport int
	// ExpectedPercent is 序时进度 in points (0..100), to 0.1 point; 0 when pace
	// does not apply (no due date, completed, no Start).
	ExpectedPercent float64
	// PaceLag is ExpectedPercent - Percent, at least 0, to 0.1 point.
	PaceLag float64
	// Percent is the percent complete in the latest report.
	Percent int
	// Reports is the number of reports filed.
	Reports int
	// Completed reports that a completion of the due work is accepted (for
	// KindDue, KindDueThenOngoing, and KindUnknown); never for KindOngoing.
	Completed bool
	// AwaitingReview reports a completion claim not yet accepted: the work is not
	// complete, but a reviewer owes an answer.
	AwaitingReview bool
}

// Evaluate decides the status of an assignment from its facts as of now.
// f must be the facts as they stood at now (FoldUntil); Evaluate does not
// filter out later events. p is assumed valid (see Validate). It is pure and
// does not allocate; the words are left to Explain.
//
// Days are calendar days in p.Location (nil: Shanghai). The rules:
//
//   - A due date falls at the end of its day: at 23:59:59 on the due day the
//     work is not overdue (DaysToDue 0); at 00:00:00 the next day it is
//     (DaysOverdue 1). The effective due date is ExtendedDue when set.
//   - Before the day of Start with no report, whatever the kind: StateNotStarted,
//     green, ReasonBeforeStart, no pace lag.
//   - An accepted completion (CompletedAt set) of KindDue work is
//     StateCompletedOnTime when CompletedAt is before the end of the effective due
//     day, else StateCompletedLate with DaysLate; the light is LightDone.
//   - Due work not completed: StateOverdue (red) after the due day, with
//     DaysOverdue counted from the due day, or from the day before Start when
//     the unit started after the due day (a unit added to a task later is not
//     late for the days before it was asked); otherwise
//     StateNotStarted when nothing is reported, else StateDueSoon when
//     DaysToDue <= DueSoonDays, else StateOnTrack. Its light is red when the pace
//     lag is above PaceRed or the last report (or Start, when none) is more than
//     two cadences old; yellow when the lag is at least PaceYellow, the last
//     report is more than one cadence old, or it is due soon; green otherwise.
//     The reason names the first cause in that order.
//   - Pace: ExpectedPercent = 100 × (now − Start) / (end of Due day − Start of
//     Start day), clamped to 0..100 and rounded to 0.1 point; the thresholds
//     compare the lag at that precision, so the number shown is the number judged.
//   - Ongoing work: StateOngoing (green) while the last report (or Start) is at
//     most one cadence old, in days: a report on day D is fresh through the end
//     of day D+cadence. Then StateOngoingStale, yellow, and red when more than
//     two cadences old. Pace does not apply.
//   - KindDueThenOngoing: PhaseDue with the due rules until a completion is
//     accepted, then PhaseOngoing with the ongoing rules, staleness counted from
//     the later of CompletedAt and LastReportAt.
//   - Unknown deadline (or a due kind with no due date): StateUnknown, LightGrey,
//     ReasonUnknownDeadline, whatever the reports.
func Evaluate(f Facts, now time.Time, p Policy) Status {
	loc := p.Location
	if loc == nil {
		loc = Shanghai
	}
	today := dayNumber(DateOf(now, loc))
	kind := f.Deadline.Kind
	s := Status{
		Kind:            kind,
		Percent:         f.Percent,
		Reports:         f.Reports,
		DaysSinceReport: -1,
	}
	due := f.Deadline.Due
	if !f.ExtendedDue.IsZero() {
		due = f.ExtendedDue
	}
	if !kind.Valid() || kind == KindUnknown || (kind.HasDue() && due.IsZero()) {
		s.State, s.Light, s.Reason = StateUnknown, LightGrey, ReasonUnknownDeadline
		s.Completed = !f.CompletedAt.IsZero()
		s.DaysSinceReport = sinceDays(f.LastReportAt, f.Start, today, loc)
		return s
	}
	dueDay := dayNumber(due)
	if kind.HasDue() {
		s.Due, s.OriginalDue = due, f.Deadline.Due
		s.DaysToDue = dueDay - today
	}
	if kind == KindDueThenOngoing {
		s.Phase = PhaseDue
	}
	if !f.Start.IsZero() && today < dayNumber(f.Start) && f.Reports == 0 {
		s.State, s.Light, s.Reason = StateNotStarted, LightGreen, ReasonBeforeStart
		return s
	}
	if kind == KindOngoing {
		s.ongoing(sinceDays(f.LastReportAt, f.Start, today, loc), p)
		return s
	}

	// KindDue or KindDueThenOngoing.
	if !f.CompletedAt.IsZero() {
		s.Completed = true
		s.DaysLate = max(0, dayNumber(DateOf(f.CompletedAt, loc))-dueDay)
		if kind == KindDueThenOngoing {
			s.Phase = PhaseOngoing
			last := f.LastReportAt
			if f.CompletedAt.After(last) {
				last = f.CompletedAt
			}
			s.ongoing(sinceDays(last, f.Start, today, loc), p)
			return s
		}
		s.State, s.Light, s.Reason = StateCompletedOnTime, LightDone, ReasonCompleted
		if s.DaysLate > 0 {
			s.State, s.Reason = StateCompletedLate, ReasonCompletedLate
		}
		return s
	}
	s.AwaitingReview = f.Claimed
	s.DaysSinceReport = sinceDays(f.LastReportAt, f.Start, today, loc)
	var lagTenths int
	if !f.Start.IsZero() {
		exp := expectedTenths(now, f.Start.Time(loc), due.End(loc))
		lagTenths = max(0, exp-10*f.Percent)
		s.ExpectedPercent = float64(exp) / 10
		s.PaceLag = float64(lagTenths) / 10
	}
	if today > dueDay {
		s.State, s.Light, s.Reason = StateOverdue, LightRed, ReasonOverdue
		// A unit that joined after the due day is late from the day it
		// joined, not from before it was asked.
		from := dueDay
		if !f.Start.IsZero() {
			from = min(max(dueDay, dayNumber(f.Start)-1), today-1)
		}
		s.DaysOverdue = today - from
		return s
	}
	dueSoon := s.DaysToDue <= p.DueSoonDays
	switch {
	case f.Reports == 0:
		s.State = StateNotStarted
	case dueSoon:
		s.State = StateDueSoon
	default:
		s.State = StateOnTrack
	}
	stale := staleness(s.DaysSinceReport, p)
	switch {
	case lagTenths > tenths(p.PaceRed):
		s.Light, s.Reason = LightRed, ReasonPaceLag
	case stale == 2:
		s.Light, s.Reason = LightRed, ReasonStale
	case lagTenths >= tenths(p.PaceYellow):
		s.Light, s.Reason = LightYellow, ReasonPaceLag
	case stale == 1:
		s.Light, s.Reason = LightYellow, ReasonStale
	case dueSoon:
		s.Light, s.Reason = LightYellow, ReasonDueSoon
	case f.Claimed:
		s.Light, s.Reason = LightGreen, ReasonAwaitingReview
	case f.Reports == 0:
		s.Light, s.Reason = LightGreen, ReasonNotStarted
	default:
		s.Light, s.Reason = LightGreen, ReasonOnTrack
	}
	return s
}

// ongoing fills in the state, light and reason of ongoing work last reported
// (or started) since days ago.
func (s *Status) ongoing(since int, p Policy) {
	s.DaysSinceReport = since
	switch staleness(since, p) {
	case 0:
		s.State, s.Light, s.Reason = StateOngoing, LightGreen, ReasonReporting
	case 1:
		s.State, s.Light, s.Reason = StateOngoingStale, LightYellow, ReasonStale
	default:
		s.State, s.Light, s.Reason = StateOngoingStale, LightRed, ReasonStale
	}
}

// staleness is 0 when since is within one cadence (or -1, not applicable), 1
// when more than one cadence, 2 when more than two.
func staleness(since int, p Policy) int {
	cadence := int(p.Cadence / (24 * time.Hour))
	switch {
	case since > 2*cadence:
		return 2
	case since > cadence:
		return 1
	}
	return 0
}

// sinceDays is the number of calendar days from the day of last (or, when last
// is zero, from start) to today; -1 when there is nothing to count from or it
// lies in the future.
func sinceDays(last time.Time, start Date, today int, loc *time.Location) int {
	var from int
	switch {
	case !last.IsZero():
		from = dayNumber(DateOf(last, loc))
	case !start.IsZero():
		from = dayNumber(start)
	default:
		return -1
	}
	if from > today {
		return -1
	}
	return today - from
}

// expectedTenths is 序时进度 in tenths of a point: the share of [start, end)
// elapsed at now, clamped to 0..1000. An empty or inverted span counts as all
// elapsed.
func expectedTenths(now, start, end time.Time) int {
	total := end.Sub(start)
	if total <= 0 {
		return 1000
	}
	elapsed := min(max(now.Sub(start), 0), total)
	return int(math.Round(1000 * float64(elapsed) / float64(total)))
}

// tenths converts a threshold in points to tenths of a point, the precision at
// which pace lags are compared.
func tenths(points float64) int { return int(math.Round(points * 10)) }

// dayNumber is the number of days from 1970-01-01 to d in the proleptic
// Gregorian calendar (Howard Hinnant's days_from_civil). It is exact for
// normalised dates and avoids the time package on the hot path.
func dayNumber(d Date) int {
	y, m := d.Year, int(d.Month)
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
