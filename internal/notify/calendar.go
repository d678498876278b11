package notify

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"duban/internal/deadline"
)

// Calendar tells working days from days off: Monday to Friday work, except
// the official holidays; weekends rest, except the make-up working days
// (调休). Days lists the exceptions; the zero Calendar is the plain week.
type Calendar struct {
	// Days maps a day that differs from the plain week to whether it is a
	// working day, with a note (春节, 国庆节调休 …).
	Days map[deadline.Date]Day
	// Years are the years the official calendar covers, with their source
	// and whether the year is provisional (not yet announced).
	Years []CalendarYear
}

// Day is one exception to the plain week.
type Day struct {
	Working bool
	Note    string
	// Admin is set when an administrator decided it (it overrides the
	// official calendar).
	Admin bool
}

// CalendarYear says where one year of the official calendar comes from.
type CalendarYear struct {
	Year        int
	Source      string
	Provisional bool
}

// ParseCalendar reads the bundled calendar (seeds/holidays.json).
func ParseCalendar(b []byte) (Calendar, error) {
	var f struct {
		Years map[string]struct {
			Source      string      `json:"source"`
			Provisional bool        `json:"provisional"`
			Holidays    [][3]string `json:"holidays"`
			Workdays    [][2]string `json:"workdays"`
		} `json:"years"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return Calendar{}, fmt.Errorf("notify: calendar: %w", err)
	}
	c := Calendar{Days: map[deadline.Date]Day{}}
	for y, v := range f.Years {
		var year int
		if _, err := fmt.Sscan(y, &year); err != nil {
			return c, fmt.Errorf("notify: calendar: year %q", y)
		}
		c.Years = append(c.Years, CalendarYear{Year: year, Source: v.Source, Provisional: v.Provisional})
		for _, h := range v.Holidays {
			from, err1 := deadline.ParseDate(h[0])
			to, err2 := deadline.ParseDate(h[1])
			if err1 != nil || err2 != nil || to.Before(from) {
				return c, fmt.Errorf("notify: calendar: bad holiday %v", h)
			}
			for d := from; !d.After(to); d = d.AddDays(1) {
				c.Days[d] = Day{Working: false, Note: h[2]}
			}
		}
		for _, w := range v.Workdays {
			d, err := deadline.ParseDate(w[0])
			if err != nil {
				return c, fmt.Errorf("notify: calendar: bad working day %v", w)
			}
			c.Days[d] = Day{Working: true, Note: w[1]}
		}
	}
	sort.Slice(c.Years, func(i, j int) bool { return c.Years[i].Year < c.Years[j].Year })
	return c, nil
}

// With returns c with the administrators' decisions laid over it.
func (c Calendar) With(admin map[deadline.Date]Day) Calendar {
	out := Calendar{Days: make(map[deadline.Date]Day, len(c.Days)+len(admin)), Years: c.Years}
	for d, v := range c.Days {
		out.Days[d] = v
	}
	for d, v := range admin {
		v.Admin = true
		out.Days[d] = v
	}
	return out
}

// Working reports whether d is a working day.
func (c Calendar) Working(d deadline.Date) bool {
	if v, ok := c.Days[d]; ok {
		return v.Working
	}
	wd := d.Time(time.UTC).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// NextWorking returns the first working day after d.
func (c Calendar) NextWorking(d deadline.Date) deadline.Date {
	for i := 0; i < 60; i++ {
		d = d.AddDays(1)
		if c.Working(d) {
			return d
		}
	}
	return d
}

// FirstWorkingFrom returns d when it is a working day, else the next one.
func (c Calendar) FirstWorkingFrom(d deadline.Date) deadline.Date {
	if c.Working(d) {
		return d
	}
	return c.NextWorking(d)
}

// AddWorking returns the n-th working day after d (n >= 1).
func (c Calendar) AddWorking(d deadline.Date, n int) deadline.Date {
	for range n {
		d = c.NextWorking(d)
	}
	return d
}

// WorkingBetween counts the working days after from, up to and including to.
func (c Calendar) WorkingBetween(from, to deadline.Date) int {
	n := 0
	for d := from.AddDays(1); !d.After(to) && n < 10_000; d = d.AddDays(1) {
		if c.Working(d) {
			n++
		}
	}
	return n
}

// Month returns the days of a month with whether each is a working day and
// its note, for the administrators' calendar page.
func (c Calendar) Month(year int, month time.Month) []MonthDay {
	var out []MonthDay
	for d := deadline.NewDate(year, month, 1); d.Month == month; d = d.AddDays(1) {
		v, special := c.Days[d]
		out = append(out, MonthDay{Date: d, Working: c.Working(d), Special: special, Note: v.Note, Admin: v.Admin})
	}
	return out
}

// MonthDay is one day of Month.
type MonthDay struct {
	Date    deadline.Date
	Working bool
	// Special is set for a holiday on a weekday or a make-up working day.
	Special bool
	Note    string
	Admin   bool
}
