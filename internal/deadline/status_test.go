package deadline

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// at parses a wall-clock time in Shanghai, "2023-09-30 23:59:59".
func at(s string) time.Time {
	t, err := time.ParseInLocation(time.DateTime, s, Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// day parses an ISO date.
func day(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func rep(when string, pct int) Event { return Event{Kind: EventReport, At: at(when), Percent: pct} }
func claim(when string) Event {
	return Event{Kind: EventReport, At: at(when), Percent: 100, Claims: true}
}
func acc(when, report string) Event {
	return Event{Kind: EventAccept, At: at(when), ReportAt: at(report)}
}
func ret(when, report string) Event {
	return Event{Kind: EventReturn, At: at(when), ReportAt: at(report)}
}
func ext(when, due string) Event { return Event{Kind: EventExtension, At: at(when), NewDue: day(due)} }

// planStart is the issue date of the seed plan, the Start of its assignments.
var planStart = day("2023-08-01")

// history is an assignment's base facts and its events, as a store keeps them.
type history struct {
	base   Facts
	events []Event
}

// asOf is the facts as they stood at now.
func (h history) asOf(now time.Time) Facts { return FoldUntil(h.base, h.events, now) }

// hist is the history of an assignment of the seed plan with deadline text.
func hist(text string, events ...Event) history {
	return history{Facts{Deadline: Parse(text, 2023), Start: planStart}, events}
}

// view is the part of a Status the state table pins down.
type view struct {
	State                                       State
	Phase                                       Phase
	Light                                       Light
	Reason                                      Reason
	DaysToDue, DaysOverdue, DaysLate, SinceRept int
	Due, OriginalDue                            string
	Completed, Awaiting                         bool
}

func viewOf(s Status) view {
	return view{
		State: s.State, Phase: s.Phase, Light: s.Light, Reason: s.Reason,
		DaysToDue: s.DaysToDue, DaysOverdue: s.DaysOverdue, DaysLate: s.DaysLate, SinceRept: s.DaysSinceReport,
		Due: s.Due.String(), OriginalDue: s.OriginalDue.String(),
		Completed: s.Completed, Awaiting: s.AwaitingReview,
	}
}

const (
	sep30   = "2023年9月底前"        // due 2023-09-30; 61 days from Start to the end of the due day
	dec31   = "2023年12月底前"       // due 2023-12-31; 153 days
	nov08   = "2023年11月8日前"      // due 2023-11-08; 100 days, so one day is one point of pace
	aug31DO = "2023年8月底前完成并长期坚持" // due 2023-08-31, then ongoing
	ongoing = "持续推进"
)

func TestEvaluateStates(t *testing.T) {
	t.Parallel()
	inSep := func(v view) view { v.Due, v.OriginalDue = "2023-09-30", "2023-09-30"; return v }
	inDec := func(v view) view { v.Due, v.OriginalDue = "2023-12-31", "2023-12-31"; return v }
	inNov := func(v view) view { v.Due, v.OriginalDue = "2023-11-08", "2023-11-08"; return v }
	inAug := func(v view) view { v.Due, v.OriginalDue = "2023-08-31", "2023-08-31"; return v }
	// Due-boundary history: reports on 09-10 and 09-28, both at 95%.
	dueRun := []Event{rep("2023-09-10 10:00:00", 95), rep("2023-09-28 10:00:00", 95)}
	tests := []struct {
		name string
		h    history
		now  string
		want view
	}{
		// Before Start and not started.
		{"before start: last second before the plan", hist(sep30), "2023-07-31 23:59:59",
			inSep(view{State: StateNotStarted, Light: LightGreen, Reason: ReasonBeforeStart, DaysToDue: 61, SinceRept: -1})},
		{"start day 00:00: not started, green", hist(sep30), "2023-08-01 00:00:00",
			inSep(view{State: StateNotStarted, Light: LightGreen, Reason: ReasonNotStarted, DaysToDue: 60})},
		{"never reported: fresh through the end of Start+7", hist(dec31), "2023-08-08 23:59:59",
			inDec(view{State: StateNotStarted, Light: LightGreen, Reason: ReasonNotStarted, DaysToDue: 145, SinceRept: 7})},
		{"never reported: yellow from 00:00 on Start+8", hist(dec31), "2023-08-09 00:00:00",
			inDec(view{State: StateNotStarted, Light: LightYellow, Reason: ReasonStale, DaysToDue: 144, SinceRept: 8})},
		{"never reported: still yellow at two cadences", hist(dec31), "2023-08-15 23:59:59",
			inDec(view{State: StateNotStarted, Light: LightYellow, Reason: ReasonStale, DaysToDue: 138, SinceRept: 14})},
		{"never reported: red beyond two cadences", hist(dec31), "2023-08-16 00:00:00",
			inDec(view{State: StateNotStarted, Light: LightRed, Reason: ReasonStale, DaysToDue: 137, SinceRept: 15})},
		{"never reported, near due: pace red comes first", hist(sep30), "2023-09-20 00:00:00",
			inSep(view{State: StateNotStarted, Light: LightRed, Reason: ReasonPaceLag, DaysToDue: 10, SinceRept: 50})},

		// Staleness of a due task with reports (pace kept out of the way: 50% on a 100-day span).
		{"report 08-10: fresh at 08-17 23:59:59", hist(nov08, rep("2023-08-10 10:00:00", 50)), "2023-08-17 23:59:59",
			inNov(view{State: StateOnTrack, Light: LightGreen, Reason: ReasonOnTrack, DaysToDue: 83, SinceRept: 7})},
		{"report 08-10: yellow at 08-18 00:00", hist(nov08, rep("2023-08-10 10:00:00", 50)), "2023-08-18 00:00:00",
			inNov(view{State: StateOnTrack, Light: LightYellow, Reason: ReasonStale, DaysToDue: 82, SinceRept: 8})},
		{"report 08-10: yellow at 08-24 23:59:59", hist(nov08, rep("2023-08-10 10:00:00", 50)), "2023-08-24 23:59:59",
			inNov(view{State: StateOnTrack, Light: LightYellow, Reason: ReasonStale, DaysToDue: 76, SinceRept: 14})},
		{"report 08-10: red at 08-25 00:00", hist(nov08, rep("2023-08-10 10:00:00", 50)), "2023-08-25 00:00:00",
			inNov(view{State: StateOnTrack, Light: LightRed, Reason: ReasonStale, DaysToDue: 75, SinceRept: 15})},

		// Around the due date 2023-09-30.
		{"15 days to due: on track", hist(sep30, dueRun...), "2023-09-15 23:59:59",
			inSep(view{State: StateOnTrack, Light: LightGreen, Reason: ReasonOnTrack, DaysToDue: 15, SinceRept: 5})},
		{"14 days to due: due soon", hist(sep30, dueRun...), "2023-09-16 00:00:00",
			inSep(view{State: StateDueSoon, Light: LightYellow, Reason: ReasonDueSoon, DaysToDue: 14, SinceRept: 6})},
		{"due day 23:59:59: due soon, not overdue", hist(sep30, dueRun...), "2023-09-30 23:59:59",
			inSep(view{State: StateDueSoon, Light: LightYellow, Reason: ReasonDueSoon, DaysToDue: 0, SinceRept: 2})},
		{"day after due 00:00:00: overdue 1 day", hist(sep30, dueRun...), "2023-10-01 00:00:00",
			inSep(view{State: StateOverdue, Light: LightRed, Reason: ReasonOverdue, DaysToDue: -1, DaysOverdue: 1, SinceRept: 3})},
		{"overdue 12 days", hist(sep30, dueRun...), "2023-10-12 00:00:00",
			inSep(view{State: StateOverdue, Light: LightRed, Reason: ReasonOverdue, DaysToDue: -12, DaysOverdue: 12, SinceRept: 14})},

		// Extensions.
		{"extended: not overdue at 10-01 00:00", hist(sep30, ext("2023-09-25 10:00:00", "2023-10-31"), rep("2023-09-28 10:00:00", 95)), "2023-10-01 00:00:00",
			view{State: StateOnTrack, Light: LightGreen, Reason: ReasonOnTrack, DaysToDue: 30, SinceRept: 3, Due: "2023-10-31", OriginalDue: "2023-09-30"}},
		{"extended: due soon at 10-31 23:59:59", hist(sep30, ext("2023-09-25 10:00:00", "2023-10-31"), rep("2023-10-30 10:00:00", 95)), "2023-10-31 23:59:59",
			view{State: StateDueSoon, Light: LightYellow, Reason: ReasonDueSoon, DaysToDue: 0, SinceRept: 1, Due: "2023-10-31", OriginalDue: "2023-09-30"}},
		{"extended: overdue at 11-01 00:00", hist(sep30, ext("2023-09-25 10:00:00", "2023-10-31"), rep("2023-09-28 10:00:00", 95)), "2023-11-01 00:00:00",
			view{State: StateOverdue, Light: LightRed, Reason: ReasonOverdue, DaysToDue: -1, DaysOverdue: 1, SinceRept: 34, Due: "2023-10-31", OriginalDue: "2023-09-30"}},
		{"latest extension wins, even earlier", hist(sep30, ext("2023-09-25 10:00:00", "2023-10-31"), ext("2023-10-20 10:00:00", "2023-10-15"), rep("2023-09-28 10:00:00", 95)), "2023-10-21 00:00:00",
			view{State: StateOverdue, Light: LightRed, Reason: ReasonOverdue, DaysToDue: -6, DaysOverdue: 6, SinceRept: 23, Due: "2023-10-15", OriginalDue: "2023-09-30"}},
		{"extension makes a late completion on time", hist(sep30, ext("2023-09-25 10:00:00", "2023-10-31"), claim("2023-10-15 10:00:00"), acc("2023-10-16 10:00:00", "2023-10-15 10:00:00")), "2023-10-16 12:00:00",
			view{State: StateCompletedOnTime, Light: LightDone, Reason: ReasonCompleted, DaysToDue: 15, SinceRept: -1, Due: "2023-10-31", OriginalDue: "2023-09-30", Completed: true}},

		// Completion claims and reviews.
		{"claim pending, nothing else wrong: green awaiting review", hist(sep30, claim("2023-08-20 10:00:00")), "2023-08-21 10:00:00",
			inSep(view{State: StateOnTrack, Light: LightGreen, Reason: ReasonAwaitingReview, DaysToDue: 40, SinceRept: 1, Awaiting: true})},
		{"claim pending near due: due soon, awaiting", hist(sep30, claim("2023-09-20 10:00:00"), acc("2023-09-22 10:00:00", "2023-09-20 10:00:00")), "2023-09-21 00:00:00",
			inSep(view{State: StateDueSoon, Light: LightYellow, Reason: ReasonDueSoon, DaysToDue: 9, SinceRept: 1, Awaiting: true})},
		{"accepted before due: completed on time", hist(sep30, claim("2023-09-20 10:00:00"), acc("2023-09-22 10:00:00", "2023-09-20 10:00:00")), "2023-09-22 10:00:00",
			inSep(view{State: StateCompletedOnTime, Light: LightDone, Reason: ReasonCompleted, DaysToDue: 8, SinceRept: -1, Completed: true})},
		{"claimed 23:59:59 on due day, review pending: overdue", hist(sep30, claim("2023-09-30 23:59:59"), acc("2023-10-02 10:00:00", "2023-09-30 23:59:59")), "2023-10-01 00:00:00",
			inSep(view{State: StateOverdue, Light: LightRed, Reason: ReasonOverdue, DaysToDue: -1, DaysOverdue: 1, SinceRept: 1, Awaiting: true})},
		{"claimed 23:59:59 on due day, accepted after due: on time", hist(sep30, claim("2023-09-30 23:59:59"), acc("2023-10-02 10:00:00", "2023-09-30 23:59:59")), "2023-10-02 10:00:00",
			inSep(view{State: StateCompletedOnTime, Light: LightDone, Reason: ReasonCompleted, DaysToDue: -2, SinceRept: -1, Completed: true})},
		{"claimed 00:00:00 day after due: completed late 1 day", hist(sep30, claim("2023-10-01 00:00:00"), acc("2023-10-02 10:00:00", "2023-10-01 00:00:00")), "2023-10-02 10:00:00",
			inSep(view{State: StateCompletedLate, Light: LightDone, Reason: ReasonCompletedLate, DaysToDue: -2, DaysLate: 1, SinceRept: -1, Completed: true})},
		{"returned claim is not awaiting; a later accept of it is void", hist(sep30, claim("2023-09-20 10:00:00"), ret("2023-09-21 10:00:00", "2023-09-20 10:00:00"), acc("2023-09-22 10:00:00", "2023-09-20 10:00:00")), "2023-09-23 00:00:00",
			inSep(view{State: StateDueSoon, Light: LightYellow, Reason: ReasonDueSoon, DaysToDue: 7, SinceRept: 3})},
		{"returned claim: overdue after due", hist(sep30, claim("2023-09-20 10:00:00"), ret("2023-09-21 10:00:00", "2023-09-20 10:00:00")), "2023-10-01 00:00:00",
			inSep(view{State: StateOverdue, Light: LightRed, Reason: ReasonOverdue, DaysToDue: -1, DaysOverdue: 1, SinceRept: 11})},
		{"return of the accepted report revokes completion", hist(sep30, claim("2023-09-20 10:00:00"), acc("2023-09-21 10:00:00", "2023-09-20 10:00:00"), ret("2023-09-22 10:00:00", "2023-09-20 10:00:00")), "2023-09-22 12:00:00",
			inSep(view{State: StateDueSoon, Light: LightYellow, Reason: ReasonDueSoon, DaysToDue: 8, SinceRept: 2})},
		{"later report without claim does not undo acceptance", hist(sep30, claim("2023-09-20 10:00:00"), acc("2023-09-21 10:00:00", "2023-09-20 10:00:00"), rep("2023-09-25 10:00:00", 80)), "2023-10-05 00:00:00",
			inSep(view{State: StateCompletedOnTime, Light: LightDone, Reason: ReasonCompleted, DaysToDue: -5, SinceRept: -1, Completed: true})},
		{"accepting a report that claims nothing records nothing", hist(sep30, rep("2023-09-20 10:00:00", 100), acc("2023-09-21 10:00:00", "2023-09-20 10:00:00")), "2023-10-01 00:00:00",
			inSep(view{State: StateOverdue, Light: LightRed, Reason: ReasonOverdue, DaysToDue: -1, DaysOverdue: 1, SinceRept: 11})},
		{"accepting a claim superseded by a later report records nothing", hist(sep30, claim("2023-09-20 10:00:00"), rep("2023-09-21 10:00:00", 90), acc("2023-09-22 10:00:00", "2023-09-20 10:00:00")), "2023-10-01 00:00:00",
			inSep(view{State: StateOverdue, Light: LightRed, Reason: ReasonOverdue, DaysToDue: -1, DaysOverdue: 1, SinceRept: 10})},

		// Due, then ongoing (due 2023-08-31).
		{"due-then-ongoing: due day 23:59:59, phase due, pace red", hist(aug31DO, rep("2023-08-30 10:00:00", 50)), "2023-08-31 23:59:59",
			inAug(view{State: StateDueSoon, Phase: PhaseDue, Light: LightRed, Reason: ReasonPaceLag, DaysToDue: 0, SinceRept: 1})},
		{"due-then-ongoing: 00:00:00 after due, overdue", hist(aug31DO, rep("2023-08-30 10:00:00", 50)), "2023-09-01 00:00:00",
			inAug(view{State: StateOverdue, Phase: PhaseDue, Light: LightRed, Reason: ReasonOverdue, DaysToDue: -1, DaysOverdue: 1, SinceRept: 2})},
		{"due-then-ongoing: claim awaiting review stays in phase due", hist(aug31DO, claim("2023-08-30 10:00:00"), acc("2023-09-05 10:00:00", "2023-08-30 10:00:00")), "2023-09-05 09:59:59",
			inAug(view{State: StateOverdue, Phase: PhaseDue, Light: LightRed, Reason: ReasonOverdue, DaysToDue: -5, DaysOverdue: 5, SinceRept: 6, Awaiting: true})},
		{"due-then-ongoing: accepted, phase ongoing, fresh", hist(aug31DO, claim("2023-08-30 10:00:00"), acc("2023-09-05 10:00:00", "2023-08-30 10:00:00")), "2023-09-05 10:00:00",
			inAug(view{State: StateOngoing, Phase: PhaseOngoing, Light: LightGreen, Reason: ReasonReporting, DaysToDue: -5, SinceRept: 6, Completed: true})},
		{"due-then-ongoing: phase ongoing, one cadence 23:59:59", hist(aug31DO, claim("2023-08-30 10:00:00"), acc("2023-09-05 10:00:00", "2023-08-30 10:00:00")), "2023-09-06 23:59:59",
			inAug(view{State: StateOngoing, Phase: PhaseOngoing, Light: LightGreen, Reason: ReasonReporting, DaysToDue: -6, SinceRept: 7, Completed: true})},
		{"due-then-ongoing: phase ongoing, stale 00:00:00", hist(aug31DO, claim("2023-08-30 10:00:00"), acc("2023-09-05 10:00:00", "2023-08-30 10:00:00")), "2023-09-07 00:00:00",
			inAug(view{State: StateOngoingStale, Phase: PhaseOngoing, Light: LightYellow, Reason: ReasonStale, DaysToDue: -7, SinceRept: 8, Completed: true})},
		{"due-then-ongoing: phase ongoing, red after two cadences", hist(aug31DO, claim("2023-08-30 10:00:00"), acc("2023-09-05 10:00:00", "2023-08-30 10:00:00")), "2023-09-14 00:00:00",
			inAug(view{State: StateOngoingStale, Phase: PhaseOngoing, Light: LightRed, Reason: ReasonStale, DaysToDue: -14, SinceRept: 15, Completed: true})},
		{"due-then-ongoing: completed late, then ongoing", hist(aug31DO, claim("2023-09-03 10:00:00"), acc("2023-09-04 10:00:00", "2023-09-03 10:00:00")), "2023-09-04 12:00:00",
			inAug(view{State: StateOngoing, Phase: PhaseOngoing, Light: LightGreen, Reason: ReasonReporting, DaysToDue: -4, DaysLate: 3, SinceRept: 1, Completed: true})},
		{"due-then-ongoing: before start is phase due", hist(aug31DO), "2023-07-31 12:00:00",
			inAug(view{State: StateNotStarted, Phase: PhaseDue, Light: LightGreen, Reason: ReasonBeforeStart, DaysToDue: 31, SinceRept: -1})},

		// Ongoing.
		{"ongoing, never reported: fresh at Start+7 23:59:59", hist(ongoing), "2023-08-08 23:59:59",
			view{State: StateOngoing, Light: LightGreen, Reason: ReasonReporting, SinceRept: 7}},
		{"ongoing, never reported: stale at Start+8 00:00", hist(ongoing), "2023-08-09 00:00:00",
			view{State: StateOngoingStale, Light: LightYellow, Reason: ReasonStale, SinceRept: 8}},
		{"ongoing: exactly one cadence after report day", hist(ongoing, rep("2023-09-04 10:00:00", 10)), "2023-09-11 23:59:59",
			view{State: StateOngoing, Light: LightGreen, Reason: ReasonReporting, SinceRept: 7}},
		{"ongoing: beyond one cadence", hist(ongoing, rep("2023-09-04 10:00:00", 10)), "2023-09-12 00:00:00",
			view{State: StateOngoingStale, Light: LightYellow, Reason: ReasonStale, SinceRept: 8}},
		{"ongoing: exactly two cadences", hist(ongoing, rep("2023-09-04 10:00:00", 10)), "2023-09-18 23:59:59",
			view{State: StateOngoingStale, Light: LightYellow, Reason: ReasonStale, SinceRept: 14}},
		{"ongoing: beyond two cadences", hist(ongoing, rep("2023-09-04 10:00:00", 10)), "2023-09-19 00:00:00",
			view{State: StateOngoingStale, Light: LightRed, Reason: ReasonStale, SinceRept: 15}},
		{"ongoing: accepted claim is ignored", hist(ongoing, claim("2023-09-04 10:00:00"), acc("2023-09-05 10:00:00", "2023-09-04 10:00:00")), "2023-09-06 00:00:00",
			view{State: StateOngoing, Light: LightGreen, Reason: ReasonReporting, SinceRept: 2}},
		{"ongoing: before start", hist(ongoing), "2023-07-31 23:59:59",
			view{State: StateNotStarted, Light: LightGreen, Reason: ReasonBeforeStart, SinceRept: -1}},

		{"completion known without a report on record (imported facts)", history{base: Facts{Deadline: Parse(aug31DO, 2023), Start: planStart, CompletedAt: at("2023-08-30 10:00:00"), AcceptedAt: at("2023-08-31 10:00:00")}}, "2023-09-06 23:59:59",
			inAug(view{State: StateOngoing, Phase: PhaseOngoing, Light: LightGreen, Reason: ReasonReporting, DaysToDue: -6, SinceRept: 7, Completed: true})},

		// Unknown deadlines.
		{"unknown deadline: grey", hist("尽快", rep("2023-08-20 10:00:00", 10)), "2023-09-01 00:00:00",
			view{State: StateUnknown, Light: LightGrey, Reason: ReasonUnknownDeadline, SinceRept: 12}},
		{"unknown deadline: completion still recorded", hist("尽快", claim("2023-08-20 10:00:00"), acc("2023-08-21 10:00:00", "2023-08-20 10:00:00")), "2023-09-01 00:00:00",
			view{State: StateUnknown, Light: LightGrey, Reason: ReasonUnknownDeadline, SinceRept: 12, Completed: true}},
		{"due kind without a due date is unknown", history{base: Facts{Deadline: Deadline{Text: "?", Kind: KindDue}, Start: planStart}}, "2023-09-01 00:00:00",
			view{State: StateUnknown, Light: LightGrey, Reason: ReasonUnknownDeadline, SinceRept: 31}},
		{"empty kind is unknown", history{base: Facts{Start: planStart}}, "2023-09-01 00:00:00",
			view{State: StateUnknown, Light: LightGrey, Reason: ReasonUnknownDeadline, SinceRept: 31}},

		// No Start: no pace and no staleness to count before the first report.
		{"no start, never reported: not started, green", history{base: Facts{Deadline: Parse(sep30, 2023)}}, "2023-09-01 00:00:00",
			inSep(view{State: StateNotStarted, Light: LightGreen, Reason: ReasonNotStarted, DaysToDue: 29, SinceRept: -1})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Evaluate(tt.h.asOf(at(tt.now)), at(tt.now), DefaultPolicy())
			assert.Equal(t, tt.want, viewOf(got))
			assert.NotEmpty(t, got.Explain().Key)
		})
	}
}

func TestEvaluatePace(t *testing.T) {
	t.Parallel()
	// nov08 spans exactly 100 days from Start, so expected progress is one point a day.
	tests := []struct {
		name     string
		h        history
		now      string
		expected float64
		lag      float64
		light    Light
		reason   Reason
	}{
		{"9.9 points behind: green", hist(nov08, rep("2023-08-10 10:00:00", 0)), "2023-08-10 21:36:00", 9.9, 9.9, LightGreen, ReasonOnTrack},
		{"9.99 rounds to 10.0: yellow", hist(nov08, rep("2023-08-10 10:00:00", 0)), "2023-08-10 23:45:36", 10, 10, LightYellow, ReasonPaceLag},
		{"exactly 10 behind: yellow", hist(nov08, rep("2023-08-10 10:00:00", 0)), "2023-08-11 00:00:00", 10, 10, LightYellow, ReasonPaceLag},
		{"9 behind: green", hist(nov08, rep("2023-08-10 10:00:00", 1)), "2023-08-11 00:00:00", 10, 9, LightGreen, ReasonOnTrack},
		{"ahead of pace: lag 0", hist(nov08, rep("2023-08-10 10:00:00", 50)), "2023-08-11 00:00:00", 10, 0, LightGreen, ReasonOnTrack},
		{"exactly 30 behind: yellow", hist(nov08, rep("2023-08-30 10:00:00", 0)), "2023-08-31 00:00:00", 30, 30, LightYellow, ReasonPaceLag},
		{"30.04 rounds to 30.0: yellow", hist(nov08, rep("2023-08-30 10:00:00", 0)), "2023-08-31 01:00:00", 30, 30, LightYellow, ReasonPaceLag},
		{"30.1 behind: red", hist(nov08, rep("2023-08-30 10:00:00", 0)), "2023-08-31 02:24:00", 30.1, 30.1, LightRed, ReasonPaceLag},
		{"40 expected, 10 done: 30 behind, yellow", hist(nov08, rep("2023-09-09 10:00:00", 10)), "2023-09-10 00:00:00", 40, 30, LightYellow, ReasonPaceLag},
		{"before start: no lag", hist(nov08), "2023-07-15 00:00:00", 0, 0, LightGreen, ReasonBeforeStart},
		{"overdue: expected 100", hist(nov08, rep("2023-11-08 10:00:00", 60)), "2023-11-09 00:00:00", 100, 40, LightRed, ReasonOverdue},
		{"extension stretches pace", hist(nov08, ext("2023-08-05 10:00:00", "2024-02-16"), rep("2023-08-30 10:00:00", 0)), "2023-08-31 00:00:00", 15, 15, LightYellow, ReasonPaceLag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Evaluate(tt.h.asOf(at(tt.now)), at(tt.now), DefaultPolicy())
			assert.Equal(t, tt.expected, got.ExpectedPercent, "expected percent")
			assert.Equal(t, tt.lag, got.PaceLag, "pace lag")
			assert.Equal(t, tt.light, got.Light)
			assert.Equal(t, tt.reason, got.Reason)
		})
	}
}

func TestEvaluatePolicy(t *testing.T) {
	t.Parallel()
	fortnightly := DefaultPolicy()
	fortnightly.Cadence = 14 * 24 * time.Hour
	fortnightly.DueSoonDays = 0
	fortnightly.PaceYellow, fortnightly.PaceRed = 20, 50
	noLoc := DefaultPolicy()
	noLoc.Location = nil
	utc := DefaultPolicy()
	utc.Location = time.UTC
	tests := []struct {
		name   string
		h      history
		now    string // Shanghai
		p      Policy
		state  State
		light  Light
		reason Reason
	}{
		{"default: 8 days is stale", hist(ongoing, rep("2023-09-04 10:00:00", 10)), "2023-09-12 00:00:00", DefaultPolicy(), StateOngoingStale, LightYellow, ReasonStale},
		{"fortnightly: 8 days is fresh", hist(ongoing, rep("2023-09-04 10:00:00", 10)), "2023-09-12 00:00:00", fortnightly, StateOngoing, LightGreen, ReasonReporting},
		{"fortnightly: 15 days is stale", hist(ongoing, rep("2023-09-04 10:00:00", 10)), "2023-09-19 00:00:00", fortnightly, StateOngoingStale, LightYellow, ReasonStale},
		{"due soon 0: the due day itself is due soon", hist(sep30, rep("2023-09-29 10:00:00", 95)), "2023-09-30 12:00:00", fortnightly, StateDueSoon, LightYellow, ReasonDueSoon},
		{"due soon 0: the day before is on track", hist(sep30, rep("2023-09-28 10:00:00", 95)), "2023-09-29 12:00:00", fortnightly, StateOnTrack, LightGreen, ReasonOnTrack},
		{"pace yellow 20: 15 behind is green", hist(nov08, rep("2023-08-15 10:00:00", 0)), "2023-08-16 00:00:00", fortnightly, StateOnTrack, LightGreen, ReasonOnTrack},
		{"nil location means Shanghai", hist(sep30, rep("2023-09-28 10:00:00", 95)), "2023-10-01 00:00:00", noLoc, StateOverdue, LightRed, ReasonOverdue},
		// 2023-10-01 00:00 in Shanghai is still 09-30 16:00 in UTC: the due day is not over there.
		{"days counted in the policy's location", hist(sep30, rep("2023-09-28 10:00:00", 95)), "2023-10-01 00:00:00", utc, StateDueSoon, LightYellow, ReasonDueSoon},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tt.p.Validate())
			got := Evaluate(tt.h.asOf(at(tt.now)), at(tt.now), tt.p)
			assert.Equal(t, tt.state, got.State)
			assert.Equal(t, tt.light, got.Light)
			assert.Equal(t, tt.reason, got.Reason)
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Policy)
		errMsg string // "" when valid
	}{
		{"default", func(*Policy) {}, ""},
		{"nil location", func(p *Policy) { p.Location = nil }, ""},
		{"due soon 0", func(p *Policy) { p.DueSoonDays = 0 }, ""},
		{"yellow equals red", func(p *Policy) { p.PaceYellow, p.PaceRed = 20, 20 }, ""},
		{"negative due soon", func(p *Policy) { p.DueSoonDays = -1 }, "due-soon days -1"},
		{"zero cadence", func(p *Policy) { p.Cadence = 0 }, "cadence 0s"},
		{"cadence not whole days", func(p *Policy) { p.Cadence = 36 * time.Hour }, "cadence 36h0m0s"},
		{"negative yellow", func(p *Policy) { p.PaceYellow = -1 }, "pace yellow -1"},
		{"red below yellow", func(p *Policy) { p.PaceRed = 5 }, "pace red 5"},
		{"NaN red", func(p *Policy) { p.PaceRed = mathNaN() }, "pace red NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := DefaultPolicy()
			tt.change(&p)
			err := p.Validate()
			if tt.errMsg == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "deadline: policy: ")
			assert.Contains(t, err.Error(), tt.errMsg)
		})
	}
}

func mathNaN() float64 { zero := 0.0; return zero / zero }

func TestLightWorse(t *testing.T) {
	t.Parallel()
	order := []Light{LightDone, LightGreen, LightGrey, LightYellow, LightRed}
	for i, a := range order {
		for j, b := range order {
			t.Run(string(a)+"_vs_"+string(b), func(t *testing.T) {
				assert.Equal(t, i > j, a.Worse(b))
			})
		}
		assert.True(t, a.Worse(""), "any light is worse than the zero light")
		assert.False(t, Light("").Worse(a))
	}
}

func TestDayNumber(t *testing.T) {
	t.Parallel()
	epoch := NewDate(1970, 1, 1)
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		d := NewDate(1900+r.IntN(300), time.Month(1+r.IntN(12)), 1+r.IntN(31))
		require.Equal(t, epoch.DaysUntil(d), dayNumber(d), "%s", d)
	}
	assert.Equal(t, 0, dayNumber(epoch))
	assert.Equal(t, 19600, dayNumber(NewDate(2023, 8, 31)))
}

// TestNoClock guards purity: nothing in the package reads the wall clock, so a
// status can be reproduced for any past instant.
func TestNoClock(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		for _, banned := range []string{"time.Now(", "time.Since(", "time.Until("} {
			assert.NotContains(t, string(b), banned, "%s must take now, not read the clock", name)
		}
	}
}

// benchFacts builds n varied assignments: every kind, reported or not, some
// completed, some extended.
func benchFacts(n int) []Facts {
	r := rand.New(rand.NewPCG(7, 7))
	texts := []string{sep30, dec31, nov08, aug31DO, ongoing, "2023年底前完成并持续推进", "尽快"}
	deadlines := make([]Deadline, len(texts))
	for i, s := range texts {
		deadlines[i] = Parse(s, 2023)
	}
	base := at("2023-08-01 09:00:00")
	out := make([]Facts, n)
	for i := range out {
		f := Facts{Deadline: deadlines[r.IntN(len(deadlines))], Start: planStart}
		if k := r.IntN(10); k > 0 {
			f.Reports = k
			f.FirstReportAt = base.Add(time.Duration(r.IntN(20*24)) * time.Hour)
			f.LastReportAt = f.FirstReportAt.Add(time.Duration(r.IntN(100*24)) * time.Hour)
			f.Percent = r.IntN(101)
			if r.IntN(4) == 0 {
				f.Claimed, f.ClaimedAt = true, f.LastReportAt
				if r.IntN(2) == 0 {
					f.CompletedAt, f.AcceptedAt = f.LastReportAt, f.LastReportAt.Add(26*time.Hour)
				}
			}
		}
		if r.IntN(10) == 0 {
			f.ExtendedDue = NewDate(2023, 10, 31)
		}
		out[i] = f
	}
	return out
}

// BenchmarkEvaluate100k evaluates 100,000 varied assignments per op; the
// target is under 50 ms per op with no allocation.
func BenchmarkEvaluate100k(b *testing.B) {
	fs := benchFacts(100_000)
	now := at("2023-10-15 10:00:00")
	p := DefaultPolicy()
	var red int
	b.ReportAllocs()
	for b.Loop() {
		red = 0
		for i := range fs {
			if Evaluate(fs[i], now, p).Light == LightRed {
				red++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
	if red == 0 {
		b.Fatal("no red light among 100,000 varied assignments")
	}
}

func TestEvaluateDoesNotAllocate(t *testing.T) {
	fs := benchFacts(64)
	now := at("2023-10-15 10:00:00")
	p := DefaultPolicy()
	allocs := testing.AllocsPerRun(100, func() {
		for i := range fs {
			_ = Evaluate(fs[i], now, p)
		}
	})
	assert.Zero(t, allocs)
}
