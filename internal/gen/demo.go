package gen

import (
	"bytes"
	"strconv"
	"time"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// DemoYear is the year the demo of make run moves the bundled plan to: the
// latest year whose August 1 (the plan's issue day) is at least three weeks
// before now, so that the demo shows a plan in progress, not one whose
// deadlines all passed years ago.
func DemoYear(now time.Time) int {
	today := deadline.DateOf(now, deadline.Shanghai)
	y := today.Year
	if today.Before(deadline.NewDate(y, time.August, 22)) {
		y--
	}
	return y
}

// Demo returns the options of the demo history of make run (development
// only): the bundled plan doc (written for 2023) with every "2023年" moved
// to DemoYear, and its weekly history from the issue day up to yesterday,
// one plan, seed 1, without the generator's administrator (make run makes
// its own demo accounts).
func Demo(doc []byte, reg workplan.Registry, now time.Time) Options {
	y := DemoYear(now)
	moved := bytes.ReplaceAll(doc, []byte("2023年"), []byte(strconv.Itoa(y)+"年"))
	issued := deadline.NewDate(y, time.August, 1)
	weeks := issued.DaysUntil(deadline.DateOf(now, deadline.Shanghai)) / 7
	return Options{Params: Params{Seed: 1, Weeks: min(max(weeks, 1), MaxWeeks)}, Scale: 1, Document: moved, Registry: reg, NoAdmin: true, Workers: 2}
}
