package outputs

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"duban/internal/deadline"
	"duban/internal/status"
	"duban/internal/workplan"
)

// Weights are the weights of the four outcome measures in a unit's score.
// Only their ratios matter. They never include activity: the number of
// reports, sign-ins or uploads is not an input of the ranking (减负: rank by
// outcomes, never by activity). Reporting counts only as timeliness: whether
// the unit's open work had a report within the cadence, which one report a
// cadence satisfies and more reports do not improve.
type Weights struct {
	// OnTime weighs the on-time completion rate.
	OnTime float64
	// Overdue weighs the share of assignment-days not overdue.
	Overdue float64
	// Pace weighs keeping pace with expected progress (序时进度).
	Pace float64
	// Report weighs the share of open assignment-days whose last report was
	// within the reporting cadence.
	Report float64
}

// DefaultWeights are 40 : 30 : 15 : 15.
func DefaultWeights() Weights { return Weights{OnTime: 40, Overdue: 30, Pace: 15, Report: 15} }

// Validate reports whether w is usable: no weight negative or not finite,
// and at least one above zero.
func (w Weights) Validate() error {
	for _, v := range []float64{w.OnTime, w.Overdue, w.Pace, w.Report} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("report: weights %+v: each must be a finite number >= 0", w)
		}
	}
	if w.OnTime+w.Overdue+w.Pace+w.Report <= 0 {
		return fmt.Errorf("report: weights %+v: at least one must be above 0", w)
	}
	return nil
}

// UnitScore is one unit's outcomes over a period and its score.
type UnitScore struct {
	UnitID   int64
	UnitName string
	Kind     workplan.UnitKind
	Group    Group
	// Assignments is the number of the unit's scored (lead and responsible)
	// assignments in force at some moment of the period.
	Assignments int
	// DueByEnd is how many of those in force at the end were due by the end
	// of the period (extended due dates count); OnTime how many of those had
	// a completion, submitted by the end of its due day, accepted by the end
	// of the period.
	DueByEnd, OnTime int
	// Rate is OnTime / DueByEnd; HasRate is false when nothing was due.
	Rate    float64
	HasRate bool
	// Days is the number of assignment-days in force in the period: for
	// every day, the unit's scored assignments in force at its end.
	Days int
	// OverdueDays is how many of those were overdue.
	OverdueDays int
	// OpenDays is how many were not completed; LateReportDays how many of
	// those had no report within the reporting cadence.
	OpenDays, LateReportDays int
	// OpenDue is the number of assignments with a due date, not completed at
	// the end of the period; AvgPaceLag the mean of their pace lags (points).
	OpenDue    int
	AvgPaceLag float64
	// Completed is the number of assignments completed at the end of the
	// period; Overdue the number overdue then.
	Completed, Overdue int
	// Reports is the number of reports the unit filed in the period: shown
	// as information, never scored.
	Reports int
	// Silent is true for a unit that had open work in the period and filed
	// no report at all: it earns no reporting credit and ranks below every
	// unit that reported.
	Silent bool
	// The measures as points out of 100, and the weighted score, to 0.1
	// point.
	PointsOnTime, PointsOverdue, PointsPace, PointsReport float64
	Score                                                 float64
	// Rank is the rank within the group (1 is best; equal scores share a
	// rank: 1, 2, 2, 4); 0 for units that are not ranked (GroupOther).
	Rank int
	// Tied reports that another unit of the group has the same rank.
	Tied bool
}

// Ranking is the monthly ranking (月排序) of the units of a plan.
type Ranking struct {
	Period  Period
	At      time.Time
	Weights Weights
	// Days is the number of days of the period evaluated (up to At).
	Days int
	// County and City are ranked, best first; Other is listed by name.
	County, City, Other []UnitScore
}

// Rank scores every unit with scored assignments over period p, as of the
// instant at (the end of p, or earlier for a period still running), under
// status policy pol and weights w. Each day is judged by the plan as it
// stood at the end of that day (h's spans): an assignment counts only on
// the days it was in force, with the deadline and role of that day, its
// clock starting when its unit joined. The formula:
//
//	rate      = on time / due by the end of the period
//	P_ontime  = 100 × rate
//	P_overdue = 100 × (1 − overdue assignment-days / assignment-days)
//	P_pace    = max(0, 100 − mean pace lag of open due work)   (100 if none)
//	P_report  = 100 × open assignment-days reported within the cadence / open assignment-days
//	            (100 if nothing was open; 0 for a silent unit)
//	score     = Σ w·P / Σ w
//
// When nothing of a unit was due by the end of the period, rate is
// undefined and its weight is left out of both sums. A unit that had open
// work and filed no report in the period is silent: it earns no reporting
// credit and ranks below every unit that reported. Scores are rounded to
// 0.1 point; units with equal rounded scores (and the same silence) share a
// rank (1, 2, 2, 4), listed by name. Nothing measures activity beyond that.
func Rank(h workplan.PlanHistory, p Period, at time.Time, pol deadline.Policy, w Weights) Ranking {
	r := Ranking{Period: p, At: at, Weights: w}
	last := p.End
	if d := deadline.DateOf(at, deadline.Shanghai); d.Before(last) {
		last = d
	}
	r.Days = max(0, p.Start.DaysUntil(last)+1)
	cadence := int(pol.Cadence / (24 * time.Hour))
	units := map[int64]*UnitScore{}
	var order []int64
	for _, a := range h.Assignments {
		if !slices.ContainsFunc(a.Spans, func(s workplan.Span) bool { return s.Role.Scored() }) {
			continue
		}
		u := units[a.UnitID]
		if u == nil {
			u = &UnitScore{UnitID: a.UnitID, UnitName: a.UnitName, Kind: a.UnitKind, Group: GroupOf(a.UnitKind)}
			units[a.UnitID] = u
			order = append(order, a.UnitID)
		}
		events := a.Events
		byAt := func(x, y deadline.Event) int { return x.At.Compare(y.At) }
		if !slices.IsSortedFunc(events, byAt) {
			events = slices.Clone(events)
			slices.SortStableFunc(events, byAt)
		}
		counted := false
		f, next := a.Facts, 0
		judge := func(instant time.Time) (deadline.Status, status.Category, bool) {
			sp, ok := a.SpanAt(instant)
			if !ok || !sp.Role.Scored() {
				return deadline.Status{}, "", false
			}
			f.Deadline, f.Start = sp.Deadline, sp.Start
			st, cat := status.Of(f, instant, pol)
			return st, cat, true
		}
		for d := p.Start; !d.After(last); d = d.AddDays(1) {
			instant := EndOfDay(d)
			if instant.After(at) {
				instant = at
			}
			for next < len(events) && !events[next].At.After(instant) {
				if events[next].Kind == deadline.EventReport && (p.Start.Time(deadline.Shanghai).Compare(events[next].At) <= 0) {
					u.Reports++
				}
				f = f.Apply(events[next])
				next++
			}
			st, cat, ok := judge(instant)
			if !ok {
				continue
			}
			counted = true
			u.Days++
			if cat == status.Overdue {
				u.OverdueDays++
			}
			if !st.Completed {
				u.OpenDays++
				if st.DaysSinceReport > cadence {
					u.LateReportDays++
				}
			}
		}
		for next < len(events) && !events[next].At.After(at) {
			f = f.Apply(events[next])
			next++
		}
		if counted {
			u.Assignments++
		}
		st, cat, ok := judge(at)
		if !ok {
			continue
		}
		if st.Completed {
			u.Completed++
		}
		if cat == status.Overdue {
			u.Overdue++
		}
		if !st.Due.IsZero() && !st.Due.After(p.End) {
			u.DueByEnd++
			if st.Completed && st.DaysLate == 0 {
				u.OnTime++
			}
		}
		if !st.Due.IsZero() && !st.Completed {
			u.OpenDue++
			u.AvgPaceLag += st.PaceLag
		}
	}
	for _, id := range order {
		u := units[id]
		if u.Assignments == 0 {
			continue
		}
		score(u, w)
		switch u.Group {
		case GroupCounty:
			r.County = append(r.County, *u)
		case GroupCity:
			r.City = append(r.City, *u)
		default:
			r.Other = append(r.Other, *u)
		}
	}
	rankGroup(r.County)
	rankGroup(r.City)
	slices.SortStableFunc(r.Other, func(a, b UnitScore) int { return cmp.Compare(a.UnitName, b.UnitName) })
	return r
}

// score fills in the points and the score of u.
func score(u *UnitScore, w Weights) {
	if u.OpenDue > 0 {
		u.AvgPaceLag = round1(u.AvgPaceLag / float64(u.OpenDue))
	}
	u.HasRate = u.DueByEnd > 0
	if u.HasRate {
		u.Rate = float64(u.OnTime) / float64(u.DueByEnd)
		u.PointsOnTime = round1(100 * u.Rate)
	}
	u.PointsOverdue = 100
	if u.Days > 0 {
		u.PointsOverdue = round1(100 * (1 - float64(u.OverdueDays)/float64(u.Days)))
	}
	u.PointsPace = round1(max(0, 100-u.AvgPaceLag))
	u.Silent = u.OpenDays > 0 && u.Reports == 0
	u.PointsReport = 100
	switch {
	case u.Silent:
		u.PointsReport = 0
	case u.OpenDays > 0:
		u.PointsReport = round1(100 * (1 - float64(u.LateReportDays)/float64(u.OpenDays)))
	}
	sum := w.Overdue*u.PointsOverdue + w.Pace*u.PointsPace + w.Report*u.PointsReport
	weights := w.Overdue + w.Pace + w.Report
	if u.HasRate {
		sum += w.OnTime * u.PointsOnTime
		weights += w.OnTime
	}
	if weights > 0 {
		u.Score = round1(sum / weights)
	}
}

// rankGroup sorts us best first: units that reported before silent ones,
// then by score. Units level on both share a rank; within a tie they are
// listed by name, which decides nothing.
func rankGroup(us []UnitScore) {
	key := func(u UnitScore) int {
		if u.Silent {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(us, func(a, b UnitScore) int {
		return cmp.Or(cmp.Compare(key(a), key(b)), cmp.Compare(b.Score, a.Score), cmp.Compare(a.UnitName, b.UnitName))
	})
	for i := range us {
		if i > 0 && us[i].Score == us[i-1].Score && us[i].Silent == us[i-1].Silent {
			us[i].Rank = us[i-1].Rank
			us[i].Tied, us[i-1].Tied = true, true
		} else {
			us[i].Rank = i + 1
		}
	}
}

// round1 rounds to 0.1, so that the score shown is the score compared.
func round1(v float64) float64 { return math.Round(v*10) / 10 }

// Formula says how the score is computed, in Chinese, for the bulletin (a
// Chinese document): "综合得分 = (3×按时完成率得分 + …) ÷ 10". The ranking page
// says it in the reader's language from the message table
// ("ranking.formula"), with FormulaArgs.
func (w Weights) Formula() string {
	return fmt.Sprintf("综合得分 = (%s×按时完成率得分 + %s×未超期得分 + %s×序时进度得分 + %s×按时报送得分) ÷ %s", w.FormulaArgs()...)
}

// FormulaArgs are the numbers of the formula: the four weights and their sum.
func (w Weights) FormulaArgs() []any {
	return []any{num(w.OnTime), num(w.Overdue), num(w.Pace), num(w.Report), num(w.OnTime + w.Overdue + w.Pace + w.Report)}
}

func num(v float64) string { return fmt.Sprintf("%g", v) }
