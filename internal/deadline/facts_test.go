package deadline

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestApply(t *testing.T) {
	t.Parallel()
	t1, t2, t3, t4 := "2023-09-01 10:00:00", "2023-09-02 10:00:00", "2023-09-03 10:00:00", "2023-09-04 10:00:00"
	// fold is the fields of Facts that Apply changes, with times as text ("" for zero).
	type fold struct {
		Reports                     int
		First, Last                 string
		Percent                     int
		Claimed                     bool
		ClaimedAt, Completed, AccAt string
		Extended                    string
	}
	str := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(Shanghai).Format(time.DateTime)
	}
	tests := []struct {
		name   string
		events []Event // applied in this order, as they arrive
		want   fold
	}{
		{"a report", []Event{rep(t1, 40)},
			fold{Reports: 1, First: t1, Last: t1, Percent: 40}},
		{"percent clamped", []Event{rep(t1, 140), rep(t2, -3)},
			fold{Reports: 2, First: t1, Last: t2, Percent: 0}},
		{"a report arriving late does not replace the latest", []Event{rep(t2, 60), rep(t1, 40)},
			fold{Reports: 2, First: t1, Last: t2, Percent: 60}},
		{"a claim is pending until accepted", []Event{claim(t1)},
			fold{Reports: 1, First: t1, Last: t1, Percent: 100, Claimed: true, ClaimedAt: t1}},
		{"accepting the claim completes", []Event{claim(t1), acc(t2, t1)},
			fold{Reports: 1, First: t1, Last: t1, Percent: 100, Claimed: true, ClaimedAt: t1, Completed: t1, AccAt: t2}},
		{"accepting a report without a claim records nothing", []Event{rep(t1, 100), acc(t2, t1)},
			fold{Reports: 1, First: t1, Last: t1, Percent: 100}},
		{"accepting an unknown report records nothing", []Event{claim(t1), acc(t2, t3)},
			fold{Reports: 1, First: t1, Last: t1, Percent: 100, Claimed: true, ClaimedAt: t1}},
		{"returning the claim clears it", []Event{claim(t1), ret(t2, t1)},
			fold{Reports: 1, First: t1, Last: t1, Percent: 100}},
		{"returning another report changes nothing", []Event{rep(t1, 50), claim(t2), ret(t3, t1)},
			fold{Reports: 2, First: t1, Last: t2, Percent: 100, Claimed: true, ClaimedAt: t2}},
		{"a returned claim cannot be accepted", []Event{claim(t1), ret(t2, t1), acc(t3, t1)},
			fold{Reports: 1, First: t1, Last: t1, Percent: 100}},
		{"a later report withdraws a pending claim", []Event{claim(t1), rep(t2, 90), acc(t3, t1)},
			fold{Reports: 2, First: t1, Last: t2, Percent: 90}},
		{"a later report does not undo an accepted completion", []Event{claim(t1), acc(t2, t1), rep(t3, 80)},
			fold{Reports: 2, First: t1, Last: t3, Percent: 80, Completed: t1, AccAt: t2}},
		{"the first accepted completion stands", []Event{claim(t1), acc(t2, t1), claim(t3), acc(t4, t3)},
			fold{Reports: 2, First: t1, Last: t3, Percent: 100, Claimed: true, ClaimedAt: t3, Completed: t1, AccAt: t2}},
		{"returning the accepted report revokes the completion", []Event{claim(t1), acc(t2, t1), ret(t3, t1)},
			fold{Reports: 1, First: t1, Last: t1, Percent: 100}},
		{"revoked after a later report: the later report stands", []Event{claim(t1), acc(t2, t1), rep(t3, 70), ret(t4, t1)},
			fold{Reports: 2, First: t1, Last: t3, Percent: 70}},
		{"latest extension wins", []Event{ext(t1, "2023-10-31"), ext(t2, "2023-10-15")},
			fold{Extended: "2023-10-15"}},
		{"an unknown event is ignored", []Event{{Kind: "note", At: at(t1), Percent: 50, NewDue: day("2023-12-01")}},
			fold{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f Facts
			for _, e := range tt.events {
				f = f.Apply(e)
			}
			got := fold{
				Reports: f.Reports, First: str(f.FirstReportAt), Last: str(f.LastReportAt), Percent: f.Percent,
				Claimed: f.Claimed, ClaimedAt: str(f.ClaimedAt), Completed: str(f.CompletedAt), AccAt: str(f.AcceptedAt),
				Extended: f.ExtendedDue.String(),
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestApplyReportsInAnyOrder: reports (the unit's own statements) fold to the
// same facts whatever order they arrive in, so a report entered late cannot
// displace the latest one.
func TestApplyReportsInAnyOrder(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 9))
	for i := range 2000 {
		h := randHistory(r)
		var reports []Event
		for _, e := range h.events {
			if e.Kind == EventReport {
				reports = append(reports, e)
			}
		}
		f := h.base
		for _, e := range shuffled(r, reports) {
			f = f.Apply(e)
		}
		assert.Equal(t, Fold(h.base, reports), f, "case %d", i)
	}
}

func TestEventKindValid(t *testing.T) {
	t.Parallel()
	for _, k := range []EventKind{EventReport, EventAccept, EventReturn, EventExtension} {
		assert.True(t, k.Valid(), k)
	}
	assert.False(t, EventKind("note").Valid())
}
