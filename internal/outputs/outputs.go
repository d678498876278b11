// Package outputs computes the supervision outputs of a plan from statuses
// and histories that the caller has loaded: the weekly comparison (周调度),
// the monthly ranking of units (月排序), the bulletin (专报) with its Word
// document, and the ledger exported to and imported from spreadsheets.
//
// The package is pure: it does no I/O of its own and never reads the clock;
// every instant is an argument, so an output can be reproduced for any past
// period. Statuses come from the status package, as everywhere else.
package outputs

import (
	"fmt"
	"time"

	"duban/internal/deadline"
	"duban/internal/status"
	"duban/internal/workplan"
)

// Item is one assignment with its status as of an instant, as the status
// package decided it.
type Item = status.Assignment

// Items lists every assignment of a picture, by task.
func Items(p *status.Picture) []Item {
	var out []Item
	for _, t := range p.Tasks {
		out = append(out, t.Assignments...)
	}
	return out
}

// Period is a span of whole days, both ends included, in Asia/Shanghai.
type Period struct {
	Start, End deadline.Date
}

// Month returns the period of the calendar month "YYYY-MM".
func Month(s string) (Period, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return Period{}, workplan.E(workplan.EInvalid, "err.period.month", s)
	}
	start := deadline.NewDate(t.Year(), t.Month(), 1)
	return Period{Start: start, End: deadline.NewDate(t.Year(), t.Month()+1, 0)}, nil
}

// Days is the number of days of p.
func (p Period) Days() int { return p.Start.DaysUntil(p.End) + 1 }

// Validate reports whether p is a usable period: both dates set, End not
// before Start, at most about a year long.
func (p Period) Validate() error {
	switch {
	case p.Start.IsZero() || p.End.IsZero():
		return workplan.E(workplan.EInvalid, "err.period.dates")
	case p.End.Before(p.Start):
		return workplan.E(workplan.EInvalid, "err.period.order", p.End.String(), p.Start.String())
	case p.Days() > 400:
		return workplan.E(workplan.EInvalid, "err.period.long")
	}
	return nil
}

// String formats p as "2024-03-01 至 2024-03-31".
func (p Period) String() string { return fmt.Sprintf("%s 至 %s", p.Start, p.End) }

// EndOfDay is the last instant of day d in Shanghai: the state "as of d".
func EndOfDay(d deadline.Date) time.Time {
	return d.End(deadline.Shanghai).Add(-time.Microsecond)
}

// Group is the ranking group of a unit.
type Group string

// The groups. County-level governments (the industrial park committee is
// registered as county-level) and city departments are ranked separately;
// every other kind of unit (enterprises, central and provincial units,
// collectives, others) is listed apart, unranked, because the city does not
// assess them.
const (
	GroupCounty Group = "county"
	GroupCity   Group = "city"
	GroupOther  Group = "other"
)

// GroupOf returns the ranking group of a unit kind.
func GroupOf(k workplan.UnitKind) Group {
	switch k {
	case workplan.UnitCountyGovernment:
		return GroupCounty
	case workplan.UnitCityDepartment:
		return GroupCity
	}
	return GroupOther
}
