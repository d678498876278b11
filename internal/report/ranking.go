package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// Weights are the weights of the three outcome measures in a unit's score.
// Only their ratios matter. They never include activity: the number of
// reports, sign-ins or uploads is not an input of the ranking at all (减负:
// rank by outcomes, never by activity).
type Weights struct {
	// OnTime weighs the on-time completion rate.
	OnTime float64
	// Overdue weighs the share of assignment-days not overdue.
	Overdue float64
	// Pace weighs keeping pace with expected progress (序时进度).
	Pace float64
}

// DefaultWeights are 50 : 30 : 20.
func DefaultWeights() Weights { return Weights{OnTime: 50, Overdue: 30, Pace: 20} }

// Validate reports whether w is usable: no weight negative or not finite,
// and at least one above zero.
func (w Weights) Validate() error {
	for _, v := range []float64{w.OnTime, w.Overdue, w.Pace} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("report: weights %+v: each must be a finite number >= 0", w)
		}
	}
	if w.OnTime+w.Overdue+w.Pace <= 0 {
		return fmt.Errorf("report: weights %+v: at least one must be above 0", w)
	}
	return nil
}

// History is what the ranking of a period needs: every assignment's facts at
// the end of the day before the period, and the events of each assignment
// (by ID) after that instant up to the end of the period. From these the
// state at the end of every day of the period is folded in memory.
type History struct {
	Base   []workplan.AssignmentFacts
	Events map[int64][]deadline.Event
}

// UnitScore is one unit's outcomes over a period and its score.
type UnitScore struct {
	UnitID   int64
	UnitName string
	Kind     workplan.UnitKind
	Group    Group
	// Assignments is the number of the unit's scored (lead and responsible)
	// assignments.
	Assignments int
	// DueByEnd is how many of them were due by the end of the period
	// (extended due dates count); OnTime how many of those had a completion,
	// submitted by the end of its due day, accepted by the end of the period.
	DueByEnd, OnTime int
	// Rate is OnTime / DueByEnd; HasRate is false when nothing was due.
	Rate    float64
	HasRate bool
	// OverdueDays is the number of assignment-days overdue in the period:
	// for every day of the period, the number of the unit's assignments that
	// were overdue at the end of that day.
	OverdueDays int
	// OpenDue is the number of assignments with a due date, not completed at
	// the end of the period; AvgPaceLag the mean of their pace lags (points).
	OpenDue    int
	AvgPaceLag float64
	// The three measures as points out of 100, and the weighted score, to
	// 0.1 point.
	PointsOnTime, PointsOverdue, PointsPace float64
	Score                                   float64
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
// status policy pol and weights w. The formula:
//
//	rate      = on time / due by the end of the period
//	P_ontime  = 100 × rate
//	P_overdue = 100 × (1 − overdue assignment-days / (assignments × days))
//	P_pace    = max(0, 100 − mean pace lag of open due work)   (100 if none)
//	score     = (w_ontime·P_ontime + w_overdue·P_overdue + w_pace·P_pace) / (w_ontime + w_overdue + w_pace)
//
// When nothing of a unit was due by the end of the period, rate is
// undefined and its weight is left out of both sums. Scores are rounded to
// 0.1 point and units with equal rounded scores share a rank (standard
// competition ranking: 1, 2, 2, 4); tied units are listed by name. Nothing
// measures activity: reports count only through the progress they state.
func Rank(h History, p Period, at time.Time, pol deadline.Policy, w Weights) Ranking {
	r := Ranking{Period: p, At: at, Weights: w}
	last := p.End
	if d := deadline.DateOf(at, deadline.Shanghai); d.Before(last) {
		last = d
	}
	r.Days = max(0, p.Start.DaysUntil(last)+1)
	units := map[int64]*UnitScore{}
	var order []int64
	for _, a := range h.Base {
		if !a.Role.Scored() {
			continue
		}
		u := units[a.UnitID]
		if u == nil {
			u = &UnitScore{UnitID: a.UnitID, UnitName: a.UnitName, Kind: a.UnitKind, Group: GroupOf(a.UnitKind)}
			units[a.UnitID] = u
			order = append(order, a.UnitID)
		}
		u.Assignments++
		events := h.Events[a.ID]
		byAt := func(x, y deadline.Event) int { return x.At.Compare(y.At) }
		if !slices.IsSortedFunc(events, byAt) {
			events = slices.Clone(events)
			slices.SortStableFunc(events, byAt)
		}
		f, next := a.Facts, 0
		for d := p.Start; !d.After(last); d = d.AddDays(1) {
			instant := EndOfDay(d)
			if instant.After(at) {
				instant = at
			}
			for next < len(events) && !events[next].At.After(instant) {
				f = f.Apply(events[next])
				next++
			}
			if deadline.Evaluate(f, instant, pol).State == deadline.StateOverdue {
				u.OverdueDays++
			}
		}
		for next < len(events) && !events[next].At.After(at) {
			f = f.Apply(events[next])
			next++
		}
		st := deadline.Evaluate(f, at, pol)
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
		score(u, r.Days, w)
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
func score(u *UnitScore, days int, w Weights) {
	if u.OpenDue > 0 {
		u.AvgPaceLag = round1(u.AvgPaceLag / float64(u.OpenDue))
	}
	u.HasRate = u.DueByEnd > 0
	if u.HasRate {
		u.Rate = float64(u.OnTime) / float64(u.DueByEnd)
		u.PointsOnTime = round1(100 * u.Rate)
	}
	u.PointsOverdue = 100
	if span := u.Assignments * days; span > 0 {
		u.PointsOverdue = round1(100 * (1 - float64(u.OverdueDays)/float64(span)))
	}
	u.PointsPace = round1(max(0, 100-u.AvgPaceLag))
	sum := w.Overdue*u.PointsOverdue + w.Pace*u.PointsPace
	weights := w.Overdue + w.Pace
	if u.HasRate {
		sum += w.OnTime * u.PointsOnTime
		weights += w.OnTime
	}
	if weights > 0 {
		u.Score = round1(sum / weights)
	}
}

// rankGroup sorts us by score, best first, and gives equal scores the same
// rank; within a tie, units are listed by name.
func rankGroup(us []UnitScore) {
	slices.SortStableFunc(us, func(a, b UnitScore) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.UnitName, b.UnitName))
	})
	for i := range us {
		if i > 0 && us[i].Score == us[i-1].Score {
			us[i].Rank = us[i-1].Rank
			us[i].Tied, us[i-1].Tied = true, true
		} else {
			us[i].Rank = i + 1
		}
	}
}

// round1 rounds to 0.1, so that the score shown is the score compared.
func round1(v float64) float64 { return math.Round(v*10) / 10 }

// Formula is the scoring formula in Chinese, for the ranking page and the
// bulletin.
func (w Weights) Formula() string {
	return fmt.Sprintf("综合得分 = (%s×按时完成率得分 + %s×未超期得分 + %s×序时进度得分) ÷ %s", num(w.OnTime), num(w.Overdue), num(w.Pace), num(w.OnTime+w.Overdue+w.Pace))
}

// FormulaEN is Formula in English.
func (w Weights) FormulaEN() string {
	return fmt.Sprintf("score = (%s × on-time points + %s × not-overdue points + %s × pace points) ÷ %s", num(w.OnTime), num(w.Overdue), num(w.Pace), num(w.OnTime+w.Overdue+w.Pace))
}

func num(v float64) string { return fmt.Sprintf("%g", v) }
