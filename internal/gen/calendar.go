package gen

import (
	"math/rand/v2"
	"time"

	"duban/internal/deadline"
)

// Public holidays (放假) and the weekend days worked instead (调休) of
// 2023–2025, from the State Council's notices: offices file nothing on a
// holiday and work on those weekends.
var (
	holidays = dateSet(
		span(2023, 9, 29, 8),                      // 中秋、国庆
		span(2024, 1, 1, 1), span(2024, 2, 10, 8), // 元旦, 春节
		span(2024, 4, 4, 3), span(2024, 5, 1, 5), // 清明, 劳动节
		span(2024, 6, 10, 1), span(2024, 9, 15, 3), // 端午, 中秋
		span(2024, 10, 1, 7),                      // 国庆
		span(2025, 1, 1, 1), span(2025, 1, 28, 8), // 元旦, 春节
		span(2025, 4, 4, 3), span(2025, 5, 1, 5), // 清明, 劳动节
		span(2025, 5, 31, 3), span(2025, 10, 1, 8), // 端午, 国庆、中秋
	)
	workedWeekends = dateSet(
		span(2023, 10, 7, 2),
		span(2024, 2, 4, 1), span(2024, 2, 18, 1), span(2024, 4, 7, 1), span(2024, 4, 28, 1),
		span(2024, 5, 11, 1), span(2024, 9, 14, 1), span(2024, 9, 29, 1), span(2024, 10, 12, 1),
		span(2025, 1, 26, 1), span(2025, 2, 8, 1), span(2025, 4, 27, 1), span(2025, 9, 28, 1), span(2025, 10, 11, 1),
	)
)

func span(y int, m time.Month, d, n int) []deadline.Date {
	out := make([]deadline.Date, n)
	for i := range out {
		out[i] = deadline.NewDate(y, m, d+i)
	}
	return out
}

func dateSet(spans ...[]deadline.Date) map[deadline.Date]bool {
	out := map[deadline.Date]bool{}
	for _, s := range spans {
		for _, d := range s {
			out[d] = true
		}
	}
	return out
}

// workday reports whether offices work on d.
func workday(d deadline.Date) bool {
	if holidays[d] {
		return false
	}
	if workedWeekends[d] {
		return true
	}
	wd := d.Time(time.UTC).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Office hours in Asia/Shanghai: 8:30–12:00 and 14:30–18:00, in minutes.
const (
	morningFrom, morningTo     = 8*60 + 30, 12 * 60
	afternoonFrom, afternoonTo = 14*60 + 30, 18 * 60
	officeMinutes              = morningTo - morningFrom + afternoonTo - afternoonFrom
)

// officeMoment returns a random instant of office hours on day d, from
// minute from (of the office day) on, to the microsecond (PostgreSQL's
// precision, so that times compare equal after a round trip).
func officeMoment(r *rand.Rand, d deadline.Date, from int) time.Time {
	from = min(max(from, 0), officeMinutes-1)
	m := from + r.IntN(officeMinutes-from)
	clock := morningFrom + m
	if m >= morningTo-morningFrom {
		clock = afternoonFrom + m - (morningTo - morningFrom)
	}
	return d.Time(deadline.Shanghai).Add(time.Duration(clock)*time.Minute +
		time.Duration(r.IntN(60))*time.Second + time.Duration(r.IntN(1_000_000))*time.Microsecond)
}

// officeMinute returns how many office minutes of its day have passed at t
// (0 before 8:30, officeMinutes after 18:00).
func officeMinute(t time.Time) int {
	l := t.In(deadline.Shanghai)
	m := l.Hour()*60 + l.Minute()
	switch {
	case m < morningFrom:
		return 0
	case m < morningTo:
		return m - morningFrom
	case m < afternoonFrom:
		return morningTo - morningFrom
	case m < afternoonTo:
		return morningTo - morningFrom + m - afternoonFrom
	}
	return officeMinutes
}

// laterMoment returns a random office-hours instant after t by at least
// minDays working days (0: later the same day if office hours remain) and at
// most maxDays.
func laterMoment(r *rand.Rand, t time.Time, minDays, maxDays int) time.Time {
	d := deadline.DateOf(t, deadline.Shanghai)
	n := between(r, minDays, maxDays)
	if n == 0 && workday(d) && officeMinute(t) < officeMinutes-10 {
		u := officeMoment(r, d, officeMinute(t)+1)
		if u.After(t) {
			return u
		}
	}
	for i := max(n, 1); i > 0; {
		d = d.AddDays(1)
		if workday(d) {
			i--
		}
	}
	return officeMoment(r, d, 0)
}

// weekDay picks the day of week w (from start) on which a unit files its
// weekly report: a working day, most often Thursday or Friday, when the
// weekly dispatch (周调度) collects them. ok is false for a week without a
// working day.
func weekDay(r *rand.Rand, start deadline.Date, w int) (deadline.Date, bool) {
	days := make([]deadline.Date, 0, 7)
	weights := make([]int, 0, 7)
	for i := range 7 {
		d := start.AddDays(7*w + i)
		if !workday(d) {
			continue
		}
		wt := 12
		switch d.Time(time.UTC).Weekday() {
		case time.Thursday:
			wt = 25
		case time.Friday:
			wt = 35
		}
		days = append(days, d)
		weights = append(weights, wt)
	}
	if len(days) == 0 {
		return deadline.Date{}, false
	}
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return days[i], true
		}
		x -= w
	}
	return days[len(days)-1], true
}
