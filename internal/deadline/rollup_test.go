package deadline

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// st is a status with the fields Rollup reads.
func st(light Light, state State, reports int, completed bool, overdue int) Status {
	return Status{Light: light, State: state, Reports: reports, Completed: completed, DaysOverdue: overdue}
}

func scored(s ...Status) []Scored {
	out := make([]Scored, len(s))
	for i := range s {
		out[i] = Scored{Status: s[i], Scored: true}
	}
	return out
}

func TestRollup(t *testing.T) {
	t.Parallel()
	done := st(LightDone, StateCompletedOnTime, 2, true, 0)
	late := st(LightDone, StateCompletedLate, 2, true, 0)
	green := st(LightGreen, StateOnTrack, 1, false, 0)
	silent := st(LightGreen, StateNotStarted, 0, false, 0)
	yellow := st(LightYellow, StateDueSoon, 0, false, 0)
	red3 := st(LightRed, StateOverdue, 1, false, 3)
	red12 := st(LightRed, StateOverdue, 1, false, 12)
	redPace := st(LightRed, StateOnTrack, 1, false, 0)
	grey := st(LightGrey, StateUnknown, 1, false, 0)
	grey.Reason = ReasonUnknownDeadline
	staleDone := st(LightRed, StateOngoingStale, 3, true, 0)
	staleDone.Phase = PhaseOngoing
	coop := func(s Status) Scored { return Scored{Status: s} }

	tests := []struct {
		name         string
		items        []Scored
		light        Light
		state        State
		complete     bool
		scoredN      int
		reported     int
		completed    int
		maxOverdue   int
		fallback     bool
		explain      string
		worstOverdue int
	}{
		{"all complete on time", scored(done, done), LightDone, StateCompletedOnTime, true, 2, 2, 2, 0, false, "explain.task.all_on_time", 0},
		{"all complete, one late", scored(done, late, done), LightDone, StateCompletedLate, true, 3, 3, 3, 0, false, "explain.task.all_late", 0},
		{"worst light wins", scored(green, red12, yellow), LightRed, StateOverdue, false, 3, 2, 0, 12, false, "", 12},
		{"most days overdue is the worst", scored(red3, red12, red3), LightRed, StateOverdue, false, 3, 3, 0, 12, false, "", 12},
		{"overdue is worse than a red pace", scored(redPace, red3), LightRed, StateOverdue, false, 2, 2, 0, 3, false, "", 3},
		{"one incomplete keeps the task open", scored(done, green), LightGreen, StateOnTrack, false, 2, 2, 1, 0, false, "", 0},
		{"grey is worse than green", scored(green, grey), LightGrey, StateUnknown, false, 2, 2, 0, 0, false, "explain.unknown_deadline", 0},
		{"cooperating units are shown, not scored", append(scored(done), coop(red12), coop(silent)), LightDone, StateCompletedOnTime, true, 1, 1, 1, 0, false, "explain.task.all_on_time", 0},
		{"four of six reported", append(scored(green, green, red3, green, silent, silent), coop(green)), LightRed, StateOverdue, false, 6, 4, 0, 3, false, "", 3},
		{"only cooperating: fall back to them", []Scored{coop(green), coop(red3)}, LightRed, StateOverdue, false, 2, 2, 0, 3, true, "", 3},
		{"due-then-ongoing complete but stale", scored(staleDone, done), LightRed, StateOngoingStale, true, 2, 2, 2, 0, false, "", 0},
		{"no assignments", nil, LightGrey, StateUnknown, false, 0, 0, 0, 0, false, "explain.task.none", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Rollup(tt.items)
			assert.Equal(t, tt.light, got.Light, "light")
			assert.Equal(t, tt.state, got.State, "state")
			assert.Equal(t, tt.complete, got.Complete, "complete")
			assert.Equal(t, tt.scoredN, got.Scored, "scored")
			assert.Equal(t, tt.reported, got.Reported, "reported")
			assert.Equal(t, tt.completed, got.Completed, "completed")
			assert.Equal(t, tt.maxOverdue, got.MaxDaysOverdue, "max days overdue")
			assert.Equal(t, tt.fallback, got.Fallback, "fallback")
			assert.Equal(t, tt.worstOverdue, got.Worst.DaysOverdue, "worst")
			if tt.explain != "" {
				assert.Equal(t, tt.explain, got.Explain().String())
			} else {
				assert.Equal(t, got.Worst.Explain(), got.Explain())
			}
		})
	}
}

func TestRollupCounts(t *testing.T) {
	t.Parallel()
	items := append(scored(
		st(LightDone, StateCompletedOnTime, 1, true, 0),
		st(LightDone, StateCompletedLate, 1, true, 0),
		st(LightGreen, StateNotStarted, 0, false, 0),
	), Scored{Status: st(LightDone, StateCompletedOnTime, 1, true, 0)})
	got := Rollup(items)
	assert.Equal(t, 1, got.Cooperating)
	assert.Equal(t, [3]int{2, 2, 3}, [3]int{got.Completed, got.Reported, got.Scored})
	assert.False(t, got.Complete)
	assert.Equal(t, StateNotStarted, got.State)
}

// TestRollupFromEvaluate rolls up real evaluations of one task: the lead done,
// one responsible unit overdue, a cooperating unit silent.
func TestRollupFromEvaluate(t *testing.T) {
	t.Parallel()
	now := at("2023-10-12 00:00:00")
	eval := func(h history) Status { return Evaluate(h.asOf(now), now, DefaultPolicy()) }
	got := Rollup([]Scored{
		{Status: eval(hist(sep30, claim("2023-09-20 10:00:00"), acc("2023-09-21 10:00:00", "2023-09-20 10:00:00"))), Scored: true},
		{Status: eval(hist(sep30, rep("2023-09-28 10:00:00", 95))), Scored: true},
		{Status: eval(hist(sep30)), Scored: false},
	})
	assert.Equal(t, LightRed, got.Light)
	assert.Equal(t, StateOverdue, got.State)
	assert.Equal(t, 12, got.MaxDaysOverdue)
	assert.Equal(t, "explain.overdue(explain.days(12))", got.Explain().String())
	assert.Equal(t, [3]int{1, 2, 2}, [3]int{got.Completed, got.Reported, got.Scored})
}
