package deadline

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The property tests draw random histories from fixed seeds, so a failure is
// reproducible: the seed and case number are in the message.

var propTexts = []string{sep30, dec31, nov08, aug31DO, ongoing, "2023年底前完成并持续推进", "2023年8月10日前", "尽快"}

// randInstant is a random instant between 2023-07-20 and 2024-02-10 in
// Shanghai, often exactly at a day boundary (23:59:59 or 00:00:00).
func randInstant(r *rand.Rand) time.Time {
	d := at("2023-07-20 00:00:00").AddDate(0, 0, r.IntN(205))
	switch r.IntN(4) {
	case 0:
		return d
	case 1:
		return d.Add(-time.Second)
	}
	return d.Add(time.Duration(r.IntN(86400)) * time.Second)
}

// randHistory is a random assignment history with strictly increasing At, in
// the order a store would have recorded it.
func randHistory(r *rand.Rand) history {
	base := Facts{Deadline: Parse(propTexts[r.IntN(len(propTexts))], 2023), Start: planStart}
	if r.IntN(8) == 0 {
		base.Start = DateOf(randInstant(r), Shanghai)
	}
	if r.IntN(20) == 0 {
		base.Start = Date{}
	}
	n := r.IntN(14)
	times := make([]time.Time, 0, n)
	for len(times) < n {
		t := randInstant(r)
		if !slices.ContainsFunc(times, t.Equal) {
			times = append(times, t)
		}
	}
	slices.SortFunc(times, time.Time.Compare)
	var reports []time.Time
	events := make([]Event, 0, n)
	for _, t := range times {
		e := Event{At: t}
		k := r.IntN(20)
		switch {
		case k < 10 || len(reports) == 0 && k < 16:
			e.Kind = EventReport
			e.Percent = r.IntN(111) - 5 // sometimes out of range
			e.Claims = r.IntN(3) == 0
			if e.Claims && r.IntN(4) > 0 {
				e.Percent = 100
			}
			reports = append(reports, t)
		case k < 14:
			e.Kind = EventAccept
		case k < 17:
			e.Kind = EventReturn
		default:
			e.Kind = EventExtension
			e.NewDue = NewDate(2023, time.Month(8+r.IntN(6)), 1+r.IntN(31))
		}
		if e.Kind == EventAccept || e.Kind == EventReturn {
			switch {
			case len(reports) > 0 && r.IntN(3) > 0:
				e.ReportAt = reports[len(reports)-1] // the latest report, usually
			case len(reports) > 0:
				e.ReportAt = reports[r.IntN(len(reports))]
			default:
				e.ReportAt = t.Add(-time.Hour)
			}
		}
		events = append(events, e)
	}
	return history{base, events}
}

func shuffled(r *rand.Rand, events []Event) []Event {
	out := slices.Clone(events)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// ledgerFacts is an independent model of the fold: it keeps every report with
// its review state, as a ledger would, and derives the facts at the end.
func ledgerFacts(h history, now time.Time) Facts {
	type entry struct {
		at       time.Time
		percent  int
		claims   bool
		returned bool
	}
	var (
		ledger     []entry
		accepted   = -1
		acceptedAt time.Time
		extended   Date
	)
	find := func(t time.Time) int {
		return slices.IndexFunc(ledger, func(e entry) bool { return e.at.Equal(t) })
	}
	for _, e := range h.events { // in At order
		if e.At.After(now) {
			break
		}
		switch e.Kind {
		case EventReport:
			ledger = append(ledger, entry{at: e.At, percent: e.Percent, claims: e.Claims})
		case EventAccept:
			i := find(e.ReportAt)
			latest := len(ledger) - 1
			if i >= 0 && i == latest && ledger[i].claims && !ledger[i].returned && accepted < 0 {
				accepted, acceptedAt = i, e.At
			}
		case EventReturn:
			if i := find(e.ReportAt); i >= 0 {
				ledger[i].returned = true
				if i == accepted {
					accepted, acceptedAt = -1, time.Time{}
				}
			}
		case EventExtension:
			extended = e.NewDue
		}
	}
	f := h.base
	f.ExtendedDue = extended
	if len(ledger) > 0 {
		last := ledger[len(ledger)-1]
		f.Reports = len(ledger)
		f.FirstReportAt, f.LastReportAt = ledger[0].at, last.at
		f.Percent = min(100, max(0, last.percent))
		if last.claims && !last.returned {
			f.Claimed, f.ClaimedAt = true, last.at
		}
	}
	if accepted >= 0 {
		f.CompletedAt, f.AcceptedAt = ledger[accepted].at, acceptedAt
	}
	return f
}

func TestFoldProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(2023, 801))
	for i := range 3000 {
		h := randHistory(r)
		mixed := shuffled(r, h.events)

		// A store applies each event as it arrives; Fold sorts any order into the same.
		db := h.base
		snapshots := []Facts{db}
		for _, e := range h.events {
			db = db.Apply(e)
			snapshots = append(snapshots, db)
		}
		require.Equal(t, db, Fold(h.base, mixed), "case %d: fold of shuffled history", i)
		require.Equal(t, db, ledgerFacts(h, at("2099-01-01 00:00:00")), "case %d: ledger model", i)

		for range 4 {
			now := randInstant(r)
			k := 0
			for k < len(h.events) && !h.events[k].At.After(now) {
				k++
			}
			asOf := FoldUntil(h.base, mixed, now)
			require.Equal(t, snapshots[k], asOf, "case %d at %v: store snapshot vs FoldUntil", i, now)
			require.Equal(t, ledgerFacts(h, now), asOf, "case %d at %v: ledger model", i, now)
			require.Equal(t, Evaluate(snapshots[k], now, DefaultPolicy()), Evaluate(asOf, now, DefaultPolicy()))
		}
	}
}

func TestFoldLeavesInputAlone(t *testing.T) {
	t.Parallel()
	events := []Event{rep("2023-09-02 10:00:00", 20), rep("2023-09-01 10:00:00", 10)}
	before := slices.Clone(events)
	f := Fold(Facts{}, events)
	assert.Equal(t, before, events)
	assert.Equal(t, 20, f.Percent, "the latest report by At wins")
	assert.Equal(t, at("2023-09-01 10:00:00"), f.FirstReportAt)
	assert.Equal(t, 2, f.Reports)
}

var knownReasons = []Reason{
	ReasonOverdue, ReasonPaceLag, ReasonStale, ReasonDueSoon, ReasonOnTrack, ReasonNotStarted,
	ReasonAwaitingReview, ReasonBeforeStart, ReasonCompleted, ReasonCompletedLate, ReasonReporting,
	ReasonUnknownDeadline,
}

func randPolicy(r *rand.Rand) Policy {
	p := DefaultPolicy()
	if r.IntN(2) == 0 {
		return p
	}
	p.DueSoonDays = r.IntN(30)
	p.Cadence = time.Duration(1+r.IntN(30)) * 24 * time.Hour
	p.PaceYellow = float64(r.IntN(400)) / 10
	p.PaceRed = p.PaceYellow + float64(r.IntN(400))/10
	return p
}

func TestEvaluateInvariants(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(31, 27))
	for i := range 3000 {
		h := randHistory(r)
		p := randPolicy(r)
		require.NoError(t, p.Validate())
		now := randInstant(r)
		f := h.asOf(now)
		s := Evaluate(f, now, p)
		msg := []any{"case %d at %v: %+v", i, now, s}

		require.True(t, s.State.Valid(), msg...)
		require.True(t, s.Light.Valid(), msg...)
		require.Contains(t, knownReasons, s.Reason, msg...)
		assert.Equal(t, s.Light == LightDone, s.State.IsCompleted(), msg...)
		assert.Equal(t, s.DaysOverdue > 0, s.State == StateOverdue, msg...)
		if s.State == StateOverdue {
			assert.Equal(t, LightRed, s.Light, msg...)
			// Days overdue count from the due day, or from the day the unit
			// started when that came later.
			if f.Start.IsZero() || !f.Start.After(s.Due) {
				assert.Equal(t, -s.DaysOverdue, s.DaysToDue, msg...)
			} else {
				assert.LessOrEqual(t, s.DaysToDue, -s.DaysOverdue, msg...)
			}
		}
		assert.Equal(t, s.State == StateCompletedLate, s.DaysLate > 0 && s.Phase != PhaseOngoing, msg...)
		if s.State.IsCompleted() || s.Phase == PhaseOngoing {
			assert.True(t, s.Completed, msg...)
		}
		assert.Equal(t, f.Deadline.Kind == KindDueThenOngoing && s.State != StateUnknown, s.Phase != "", msg...)
		assert.Equal(t, s.Phase == PhaseOngoing, f.Deadline.Kind == KindDueThenOngoing && !f.CompletedAt.IsZero(), msg...)
		assert.Equal(t, s.AwaitingReview, f.Claimed && f.CompletedAt.IsZero() && f.Deadline.Kind.HasDue() && s.State != StateUnknown, msg...)
		assert.GreaterOrEqual(t, s.ExpectedPercent, 0.0, msg...)
		assert.LessOrEqual(t, s.ExpectedPercent, 100.0, msg...)
		assert.GreaterOrEqual(t, s.PaceLag, 0.0, msg...)
		if s.PaceLag > 0 {
			assert.InDelta(t, s.ExpectedPercent-float64(s.Percent), s.PaceLag, 1e-9, msg...)
		}
		assert.GreaterOrEqual(t, s.DaysSinceReport, -1, msg...)
		if s.State != StateUnknown && f.Deadline.Kind.HasDue() {
			want := f.Deadline.Due
			if !f.ExtendedDue.IsZero() {
				want = f.ExtendedDue
			}
			assert.Equal(t, want, s.Due, msg...)
			assert.Equal(t, f.Deadline.Due, s.OriginalDue, msg...)
		} else {
			assert.True(t, s.Due.IsZero(), msg...)
		}
		// The explanation names a reason, with no negative figure (the
		// words are web's: web/explain_test.go renders every reason).
		line := s.Explain().String()
		assert.NotEqual(t, "explain.unknown", line, msg...)
		assert.NotRegexp(t, `\(-|, -`, line, msg...)
		if s.Light == LightRed && s.Reason == ReasonPaceLag {
			assert.Contains(t, line, "explain.pace_lag(", msg...)
		}

		// The instant's zone does not matter, only the instant.
		assert.Equal(t, s, Evaluate(f, now.UTC(), p), msg...)

		// With no new events, time only makes things worse.
		later := now.Add(time.Duration(r.IntN(90*24*3600)) * time.Second)
		s2 := Evaluate(f, later, p)
		assert.False(t, s.Light.Worse(s2.Light), "case %d: light improved from %s to %s between %v and %v", i, s.Light, s2.Light, now, later)
		assert.GreaterOrEqual(t, s2.DaysOverdue, s.DaysOverdue, msg...)
		assert.GreaterOrEqual(t, s2.ExpectedPercent, s.ExpectedPercent, msg...)
		if s.State == StateOverdue {
			assert.Equal(t, StateOverdue, s2.State, msg...)
		}
		if s.DaysSinceReport >= 0 {
			assert.GreaterOrEqual(t, s2.DaysSinceReport, s.DaysSinceReport, msg...)
		}
		assert.False(t, math.IsNaN(s.PaceLag))
		assert.False(t, strings.Contains(s.Explain().String(), "NaN"))
	}
}
