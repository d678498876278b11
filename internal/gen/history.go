package gen

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"duban/internal/deadline"
	"duban/internal/postgres"
	"duban/internal/workplan"
)

// Staff are the accounts that act on one plan's assignments.
type Staff struct {
	// ByUnit is the staff member who reports for each unit, by unit ID.
	ByUnit map[int64]postgres.BulkUser
	// Supervisors review reports and decide extension requests.
	Supervisors []postgres.BulkUser
}

// IDSource hands out the IDs of new rows, per table: local counters in tests
// (LocalIDs), values reserved from the database's sequences when writing.
type IDSource interface {
	Next(t postgres.IDTable) int64
}

// LocalIDs numbers rows 1, 2, … per table.
type LocalIDs map[postgres.IDTable]int64

// Next returns the next local ID of table t.
func (l LocalIDs) Next(t postgres.IDTable) int64 {
	l[t]++
	return l[t]
}

// Assignment is one assignment's history in the making: it is played week
// by week with Step, so that a whole province's rows can be written in time
// order, as they would have arrived.
type Assignment struct{ s *sim }

// NewAssignment prepares the history of assignment a of city c's plan, over
// p.Weeks weeks from the task's start. ok is false when nobody reports for
// it: the unit has no staff member in staff.ByUnit (a collective designation
// no administrator has mapped) or the plan has no supervisor.
func NewAssignment(p Params, c City, a postgres.PlanAssignment, staff Staff) (Assignment, bool) {
	author, ok := staff.ByUnit[a.UnitID]
	if !ok || len(staff.Supervisors) == 0 {
		return Assignment{}, false
	}
	s := &sim{
		p: p, a: a, author: author, staff: staff,
		r:       rngFor(p.Seed, "assignment", c.Index, a.TaskNumber, a.UnitName),
		traits:  unitTraits(p, c.Index, a.UnitName),
		horizon: a.Start.AddDays(7 * p.Weeks).Time(deadline.Shanghai),
	}
	s.measured = measured(p, c.Index, a)
	s.plan()
	return Assignment{s}, true
}

// Step plays week w (from 0; weeks must be played in order) into h, taking
// row IDs from ids: the weekly report if the unit files one, the reviews
// of a completion claim, an extension request and its decision, a
// supervisor revoking an accepted claim. A review or decision may fall early
// in the next week. Rows refer to rows of earlier weeks by the IDs they got.
func (a Assignment) Step(w int, h *postgres.History, ids IDSource) {
	a.s.h, a.s.ids = h, ids
	a.s.step(w)
	a.s.h, a.s.ids = nil, nil
}

// State returns the assignment's state after the weeks played: the fold of
// its events. ok is false when it has no events (its state stays the
// initial one).
func (a Assignment) State() (postgres.BulkState, bool) {
	s := a.s
	if s.version == 0 {
		return postgres.BulkState{}, false
	}
	return postgres.BulkState{
		AssignmentState: workplan.AssignmentState{AssignmentID: s.a.ID, Version: s.version, LastReportID: s.lastReport, Facts: s.facts},
		UpdatedAt:       s.cursor,
	}, true
}

// PlanHistory invents the whole history of every assignment of one plan (as
// listed by postgres.PlanAssignments) over p.Weeks weeks: weekly reports with
// rising percentages, completion claims accepted or returned, occasional
// extension requests, evidence files and indicator values, and the state
// each assignment ends in. IDs come from ids. Rows are in the order the weeks
// are played, week by week.
func PlanHistory(p Params, c City, as []postgres.PlanAssignment, staff Staff, ids IDSource) postgres.History {
	var asgs []Assignment
	for _, a := range as {
		if x, ok := NewAssignment(p, c, a, staff); ok {
			asgs = append(asgs, x)
		}
	}
	// about 37 reports and 38 events per assignment and year
	n := len(asgs) * p.Weeks * 3 / 4
	h := postgres.History{Reports: make([]workplan.Report, 0, n), Events: make([]postgres.BulkEvent, 0, n+n/8)}
	for w := range p.Weeks {
		for _, x := range asgs {
			x.Step(w, &h, ids)
		}
	}
	for _, x := range asgs {
		if st, ok := x.State(); ok {
			h.States = append(h.States, st)
		}
	}
	return h
}

// traits are a unit's habits, shared by all its assignments, so that the
// rankings have steady leaders and laggards.
type traits struct {
	// diligence is the chance of reporting in a given week.
	diligence float64
	// stopWeek is the week from which the unit stops reporting (Weeks: never).
	stopWeek int
	// delay is the number of weeks before its first report.
	delay int
}

func unitTraits(p Params, city int, unit string) traits {
	r := rngFor(p.Seed, "unit", city, unit)
	var t traits
	switch x := r.Float64(); {
	case x < 0.55:
		t.diligence = uniform(r, 0.9, 1)
	case x < 0.82:
		t.diligence = uniform(r, 0.72, 0.9)
	case x < 0.95:
		t.diligence = uniform(r, 0.45, 0.72)
	default:
		t.diligence = uniform(r, 0.15, 0.45)
	}
	t.stopWeek = p.Weeks
	if r.Float64() < 0.05 {
		t.stopWeek = between(r, p.Weeks/3, p.Weeks-1)
	}
	if r.Float64() < 0.3 {
		t.delay = between(r, 1, 3)
	}
	return t
}

// course is how an assignment's work goes: whether and when completion is
// claimed, and the shape of the percentages reported on the way.
type course struct {
	// claims is whether the unit claims completion; if so, first at week finish.
	claims bool
	finish int
	// target is the percent reached by the last week when nothing is claimed.
	target int
	// first is the percent of the first report; curve the exponent of progress
	// over time (below 1: fast start, above 1: slow start).
	first int
	curve float64
}

// percentAt is the percent the unit would report in week w.
func (c course) percentAt(w, weeks int) int {
	end, target := c.finish, 100.0
	if !c.claims {
		end, target = weeks-1, float64(c.target)
	}
	frac := min(float64(w+1)/float64(max(end, 0)+1), 1)
	return int(math.Round(float64(c.first) + (target-float64(c.first))*math.Pow(frac, c.curve)))
}

// action is something that happens at (or, if the assignment is busy then,
// soon after) a time.
type action struct {
	at time.Time
	do func(time.Time)
}

// sim plays one assignment's history forward in time.
type sim struct {
	p       Params
	r       *rand.Rand
	h       *postgres.History // where the week being played goes
	ids     IDSource
	a       postgres.PlanAssignment
	author  postgres.BulkUser
	staff   Staff
	traits  traits
	course  course
	horizon time.Time
	// measured are the indicators of the task the unit fills in, by ID.
	measured map[int64]bool

	facts   deadline.Facts
	version int
	// cursor is the time of the latest event: everything else comes after.
	cursor     time.Time
	lastReport int64
	percent    int
	// done is set while a completion claim stands accepted; accepted names
	// that claim's report.
	done       bool
	accepted   int64
	acceptedAt time.Time
	claimsMade int
	pending    []action
	ignored    bool
}

// step plays week w.
func (s *sim) step(w int) {
	if s.ignored {
		return
	}
	start := s.a.Start
	weekEnd := start.AddDays(7 * (w + 1)).Time(deadline.Shanghai)
	var todo, later []action
	for _, a := range s.pending {
		if a.at.Before(weekEnd) {
			todo = append(todo, a)
		} else {
			later = append(later, a)
		}
	}
	s.pending = later
	if s.reportsIn(w) {
		if day, ok := weekDay(s.r, start, w); ok {
			todo = append(todo, action{officeMoment(s.r, day, 0), func(t time.Time) { s.weekly(w, t) }})
		}
	}
	slices.SortStableFunc(todo, func(a, b action) int { return a.at.Compare(b.at) })
	for _, a := range todo {
		if t := s.after(a.at); t.Before(s.horizon) {
			a.do(t)
		}
	}
}

// plan decides the assignment's course and schedules its extension request.
func (s *sim) plan() {
	r, dl := s.r, s.a.Deadline
	s.ignored = r.Float64() < 0.02
	c := course{first: between(r, 0, 20), curve: uniform(r, 0.6, 1.6)}
	if !dl.Kind.HasDue() {
		c.target = between(r, 45, 95)
		s.course = c
		return
	}
	dueWeek := max(s.a.Start.DaysUntil(dl.Due)/7, 0)
	lag := 1 - s.traits.diligence
	c.claims = true
	switch x := r.Float64(); {
	case x < 0.2-0.15*lag: // early
		c.finish = max(dueWeek-between(r, 1, 4), 1)
	case x < 0.68-0.35*lag: // on time
		c.finish = max(dueWeek-between(r, 0, 1), 1)
	case x < 0.95-0.3*lag: // late
		c.finish = dueWeek + between(r, 1, 16)
	default: // never done
		c.claims = false
		c.target = between(r, 30, 90)
	}
	s.course = c
	if (!c.claims || c.finish > dueWeek) && r.Float64() < 0.45 {
		day := dl.Due.AddDays(-between(r, 3, 20))
		for !workday(day) {
			day = day.AddDays(-1)
		}
		if day.After(s.a.Start.AddDays(4)) {
			newDue := deadline.NewDate(dl.Due.Year, dl.Due.Month+time.Month(between(r, 1, 3))+1, 0)
			s.pending = append(s.pending, action{officeMoment(r, day, 0), func(t time.Time) { s.requestExtension(t, newDue) }})
		}
	}
}

// after returns at, or if the assignment has had an event since shortly
// before at, the next office moment after that event.
func (s *sim) after(at time.Time) time.Time {
	gap := s.cursor.Add(10 * time.Minute)
	if s.cursor.IsZero() || at.After(gap) {
		return at
	}
	return laterMoment(s.r, gap, 0, 1)
}

func (s *sim) week(t time.Time) int {
	return s.a.Start.DaysUntil(deadline.DateOf(t, deadline.Shanghai)) / 7
}

// reportsIn decides whether the unit reports in week w.
func (s *sim) reportsIn(w int) bool {
	if w < s.traits.delay || w >= s.traits.stopWeek {
		return false
	}
	p := s.traits.diligence
	if s.a.Role == workplan.RoleCooperating {
		p *= 0.7
	}
	if s.done && s.a.Deadline.Kind == deadline.KindDue {
		p *= 0.75 // the task is closed (销号); most units keep reporting its upkeep
	}
	return s.r.Float64() < p
}

// weekly files the unit's report of week w at t.
func (s *sim) weekly(w int, t time.Time) {
	r := s.r
	switch {
	case s.done:
		text := pick(r, keepUpPhrases) + "。"
		s.report(t, w, 100, false, text, "无", pick(r, nextPhrases)+"。")
	case s.course.claims && w >= s.course.finish:
		s.claim(w, t)
	default:
		p := s.course.percentAt(w, s.p.Weeks)
		if r.IntN(10) < 7 {
			p = (p + 2) / 5 * 5
		}
		ceiling := 95
		if !s.course.claims {
			ceiling = min(s.course.target, 95)
		}
		p = min(max(p, s.percent), ceiling)
		progress, problems, next := progressText(r, s.a.TaskTitle, p)
		id := s.report(t, w, p, false, progress, problems, next)
		if r.Float64() < 0.015 {
			if rt := laterMoment(r, t, 0, 2); rt.Before(s.horizon) {
				s.review(id, t, rt, s.reviewer(), workplan.DecisionReturn, returnReasons[3])
			}
		}
	}
}

// claim files a completion claim at t and its review.
func (s *sim) claim(w int, t time.Time) {
	r := s.r
	id := s.report(t, w, 100, true, pick(r, claimPhrases)+"。", "无", "巩固任务成果,建立长效机制。")
	s.claimsMade++
	rt := laterMoment(r, t, 1, 3)
	if r.IntN(10) == 0 {
		rt = laterMoment(r, t, 4, 8)
	}
	if !rt.Before(s.horizon) {
		return // still waiting for review when the history ends
	}
	accept := 0.8
	if s.claimsMade > 1 {
		accept = 0.92
	}
	if r.Float64() < accept {
		s.review(id, t, rt, s.reviewer(), workplan.DecisionAccept, "")
		s.done, s.accepted, s.acceptedAt = true, id, t
		if r.Float64() < 0.015 {
			at := laterMoment(r, rt, 3, 20)
			s.pending = append(s.pending, action{at, s.revoke})
		}
		return
	}
	s.review(id, t, rt, s.reviewer(), workplan.DecisionReturn, pick(r, returnReasons))
	s.percent = between(r, 85, 95)
	s.course.finish = w + between(r, 1, 3)
}

// revoke is a supervisor returning an accepted claim at t (only supervisors
// may): the work is not done after all.
func (s *sim) revoke(t time.Time) {
	if !s.done {
		return
	}
	s.review(s.accepted, s.acceptedAt, t, pick(s.r, s.staff.Supervisors), workplan.DecisionReturn, pick(s.r, revokeReasons))
	s.done = false
	s.percent = between(s.r, 80, 95)
	s.course.claims = true
	s.course.finish = s.week(t) + between(s.r, 2, 6)
}

// requestExtension files an extension request at t, before the due date,
// and the supervisors' decision a few days later.
func (s *sim) requestExtension(t time.Time, newDue deadline.Date) {
	if s.done || !t.Before(s.a.Deadline.Due.End(deadline.Shanghai)) {
		return
	}
	r := s.r
	x := postgres.BulkExtension{Request: workplan.ExtensionRequest{
		ID: s.ids.Next(postgres.IDExtensionRequests), AssignmentID: s.a.ID, RequestedBy: s.author.ID, RequesterName: s.author.DisplayName,
		RequestedAt: t, RequestedDue: newDue, Reason: pick(r, extensionReasons),
	}}
	if dt := laterMoment(r, t, 1, 4); dt.Before(s.horizon) {
		sup := pick(r, s.staff.Supervisors)
		approved := r.Float64() < 0.75
		reason := pick(r, approveReasons)
		if !approved {
			reason = pick(r, rejectReasons)
		}
		x.DecisionID = s.ids.Next(postgres.IDExtensionDecisions)
		x.Request.Decision = &workplan.ExtensionDecision{DecidedBy: sup.ID, DeciderName: sup.DisplayName, DecidedAt: dt, Approved: approved, Reason: reason}
		if approved {
			s.event(deadline.Event{Kind: deadline.EventExtension, At: dt, NewDue: newDue}, 0, 0, x.DecisionID)
			if r.Float64() < 0.65 {
				// the extra time is used: the work is claimed by the new date
				finish := s.a.Start.DaysUntil(newDue)/7 - between(r, 0, 2)
				if s.course.claims {
					finish = min(finish, s.course.finish)
				}
				s.course.claims = true
				s.course.finish = max(finish, s.week(dt)+1)
			}
		}
	}
	s.h.Extensions = append(s.h.Extensions, x)
}

// reviewer picks who reviews the unit's reports: staff of one of the task's
// other lead units, or a supervisor.
func (s *sim) reviewer() postgres.BulkUser {
	if s.a.Role != workplan.RoleLead && s.r.IntN(2) == 0 {
		for _, l := range s.a.Leads {
			if u, ok := s.staff.ByUnit[l]; ok && l != s.a.UnitID {
				return u
			}
		}
	}
	return pick(s.r, s.staff.Supervisors)
}

// event appends e to the history and folds it into the state: the one place
// the state changes, as applyEvent is in the application.
func (s *sim) event(e deadline.Event, report, review, decision int64) {
	s.h.Events = append(s.h.Events, postgres.BulkEvent{AssignmentID: s.a.ID, Event: e, ReportID: report, ReviewID: review, DecisionID: decision})
	s.facts = s.facts.Apply(e)
	s.version++
	s.cursor = e.At
}

// report files a report at t and returns its ID.
func (s *sim) report(t time.Time, w, percent int, claims bool, progress, problems, next string) int64 {
	r := s.r
	id := s.ids.Next(postgres.IDReports)
	rep := workplan.Report{ID: id, AssignmentID: s.a.ID, AuthorID: s.author.ID, AuthorName: s.author.DisplayName, SubmittedAt: t,
		Percent: percent, Progress: progress, Problems: problems, NextSteps: next, ClaimsCompletion: claims}
	if s.a.Role.Scored() && len(s.a.Indicators) > 0 && (claims || w%4 == 3) {
		for _, ind := range s.a.Indicators {
			// The value is drawn whether or not the unit fills it in, so
			// that the rest of the history does not depend on the choice.
			v := indicatorValue(r, ind, percent)
			if s.measured[ind.ID] {
				rep.Indicators = append(rep.Indicators, workplan.IndicatorValue{IndicatorID: ind.ID, Value: v})
			}
		}
	}
	s.h.Reports = append(s.h.Reports, rep)
	chance := 0.08
	if claims {
		chance = 0.7
	}
	if r.Float64() < chance {
		n := 1
		if r.IntN(5) == 0 {
			n = 2
		}
		for range n {
			s.h.Evidence = append(s.h.Evidence, postgres.BulkEvidence{ReportID: id,
				File: evidenceFile(r, s.a.UnitName, s.a.TaskNumber, t, percent), UploadedAt: t})
		}
	}
	s.event(deadline.Event{Kind: deadline.EventReport, At: t, Percent: percent, Claims: claims}, id, 0, 0)
	s.lastReport, s.percent = id, percent
	return id
}

// review records a decision at t on the report id filed at reportAt.
func (s *sim) review(id int64, reportAt, t time.Time, by postgres.BulkUser, d workplan.Decision, reason string) {
	rid := s.ids.Next(postgres.IDReviews)
	s.h.Reviews = append(s.h.Reviews, postgres.BulkReview{AssignmentID: s.a.ID, Review: workplan.Review{
		ID: rid, ReportID: id, ReviewerID: by.ID, ReviewerName: by.DisplayName, Decision: d, Reason: reason, ReviewedAt: t,
	}})
	kind := deadline.EventAccept
	if d == workplan.DecisionReturn {
		kind = deadline.EventReturn
	}
	s.event(deadline.Event{Kind: kind, At: t, ReportAt: reportAt}, 0, rid, 0)
}

// measuredShare is the chance that a unit fills in a given indicator of its
// task: indicator fields are optional, and units leave blank what they do
// not measure (a county rarely reports the city hall's figure).
const measuredShare = 0.7

// measured returns the IDs of the indicators of assignment a that its unit
// fills in, decided once per unit and indicator from a stream of their own,
// so that the rest of the history is what it would be without the choice.
func measured(p Params, city int, a postgres.PlanAssignment) map[int64]bool {
	out := map[int64]bool{}
	for _, ind := range a.Indicators {
		if rngFor(p.Seed, "measured", city, a.TaskNumber, ind.Position, a.UnitName).Float64() < measuredShare {
			out[ind.ID] = true
		}
	}
	return out
}

// indicatorValue is the value of ind a unit reports when percent done: it
// approaches the target as the work does.
func indicatorValue(r *rand.Rand, ind workplan.Indicator, percent int) float64 {
	f := float64(percent) / 100
	v := ind.Value * (0.25 + 0.8*f)
	if ind.Comparator == "<=" {
		v = ind.Value * (2.2 - 1.25*f)
	}
	v *= uniform(r, 0.95, 1.05)
	if ind.Unit == "%" {
		v = min(v, 100)
	}
	if ind.Value >= 20 {
		return math.Round(v)
	}
	return math.Round(v*10) / 10
}
