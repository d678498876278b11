package deadline

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestExplain checks how the explanation is composed, as message keys (the
// words, in Chinese and English, are tested with the message table in
// web/explain_test.go): a span of days inside the reason, the ongoing
// phase before it, notes after it.
func TestExplain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		h    history
		now  string
		want string
	}{
		{"overdue 12 days", hist(sep30, rep("2023-09-28 10:00:00", 95)), "2023-10-12 00:00:00",
			"explain.overdue(explain.days(12))"},
		{"overdue 1 day", hist(sep30, rep("2023-09-28 10:00:00", 95)), "2023-10-01 00:00:00",
			"explain.overdue(explain.day)"},
		{"stale 20 days says whole weeks", hist(ongoing, rep("2023-09-04 10:00:00", 10)), "2023-09-24 00:00:00",
			"explain.stale(explain.weeks(2))"},
		{"pace lag with a decimal", hist(nov08, rep("2023-08-30 10:00:00", 0)), "2023-08-31 02:24:00",
			"explain.pace_lag(30.1)"},
		{"not started, behind pace", hist(sep30), "2023-08-08 23:59:59",
			"explain.not_started(explain.pace_lag(13.1))"},
		{"overdue, awaiting review", hist(sep30, claim("2023-09-30 23:59:59")), "2023-10-01 00:00:00",
			"explain.note.awaiting_review(explain.overdue(explain.day))"},
		{"overdue after extension", hist(sep30, ext("2023-09-25 10:00:00", "2023-10-31"), rep("2023-09-28 10:00:00", 95)), "2023-11-01 00:00:00",
			"explain.note.extended(explain.overdue(explain.day), 2023-10-31)"},
		{"due then ongoing, completed late, stale", hist(aug31DO, claim("2023-09-03 10:00:00"), acc("2023-09-04 10:00:00", "2023-09-03 10:00:00")), "2023-09-20 00:00:00",
			"explain.then.late(explain.days(3), explain.stale(explain.weeks(2)))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := at(tt.now)
			s := Evaluate(tt.h.asOf(now), now, DefaultPolicy())
			assert.Equal(t, tt.want, s.Explain().String(), "state %s reason %s", s.State, s.Reason)
		})
	}
	assert.Equal(t, "explain.unknown", Status{}.Explain().String())
}

func TestValid(t *testing.T) {
	t.Parallel()
	for _, s := range []State{StateNotStarted, StateOnTrack, StateDueSoon, StateOverdue, StateCompletedOnTime, StateCompletedLate,
		StateOngoing, StateOngoingStale, StateUnknown} {
		assert.True(t, s.Valid(), s)
	}
	assert.False(t, State("odd").Valid())
	for _, l := range []Light{LightRed, LightYellow, LightGrey, LightGreen, LightDone} {
		assert.True(t, l.Valid(), l)
	}
	assert.False(t, Light("odd").Valid())
}
