package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"duban/internal/deadline"
	"duban/internal/outputs"
	"duban/internal/workplan"
	"duban/web"
)

// outputStore is what the supervision outputs (weekly comparison, ranking,
// bulletins, spreadsheet export and import) read and write.
type outputStore interface {
	ReportsBetween(ctx context.Context, planID int64, from, to time.Time) ([]workplan.ReportRef, error)
	PlanIndicators(ctx context.Context, planID int64, at time.Time) ([]workplan.TaskIndicator, error)
	LatestReports(ctx context.Context, assignmentIDs []int64) (map[int64]workplan.Report, error)
	NextBulletinNumber(ctx context.Context, planID int64) (int, error)
	PublishBulletin(ctx context.Context, actor workplan.Actor, planID int64,
		render func(id int64, number int, at time.Time) (workplan.BulletinFiles, error)) (workplan.Bulletin, error)
	Bulletins(ctx context.Context, planID int64) ([]workplan.Bulletin, error)
	BulletinFile(ctx context.Context, id int64, kind string) (workplan.Bulletin, []byte, error)
	SaveImportPreview(ctx context.Context, actor workplan.Actor, rec workplan.ImportRecord) error
	ImportPreview(ctx context.Context, userID int64, token string) (workplan.ImportRecord, error)
	ApplyImport(ctx context.Context, actor workplan.Actor, token string, rows []workplan.ImportRow) (int, error)
}

// weights are the ranking weights of this deployment.
func (s *Server) weights() outputs.Weights {
	return outputs.Weights{OnTime: s.cfg.RankWeightOnTime, Overdue: s.cfg.RankWeightOverdue, Pace: s.cfg.RankWeightPace, Report: s.cfg.RankWeightReport}
}

// dayInstant is the instant "as of the end of day d", or now when d is
// today; a day after today is an error.
func (s *Server) dayInstant(d deadline.Date, param string) (time.Time, error) {
	now := s.now()
	if d.After(deadline.DateOf(now, deadline.Shanghai)) {
		return now, workplan.E(workplan.EInvalid, "err.date.future", param, d.String())
	}
	at := outputs.EndOfDay(d)
	if at.After(now) {
		at = now
	}
	return at, nil
}

// stateAt is how plan stood at instant at: the cached present when at is
// now, else rebuilt from history (pastState).
func (s *Server) stateAt(ctx context.Context, plan workplan.Plan, at time.Time) (*planState, error) {
	if !at.Before(s.now()) {
		return s.loadPlanState(ctx, plan, at, "")
	}
	return s.pastState(ctx, plan, at, deadline.DateOf(at, deadline.Shanghai).String())
}

// rank computes the ranking of period p as of at (its end, or now), each
// day judged by the plan as it stood that day.
func (s *Server) rank(ctx context.Context, planID int64, p outputs.Period, at time.Time) (outputs.Ranking, error) {
	before := outputs.EndOfDay(p.Start.AddDays(-1))
	h, err := s.store.PlanHistory(ctx, planID, before, at)
	if err != nil {
		return outputs.Ranking{}, err
	}
	return outputs.Rank(h, p, at, s.policy(), s.weights()), nil
}

// taskLabels maps task numbers to "(N) title" for the tasks of the given
// states (later ones win).
func taskLabels(states ...*planState) map[int]string {
	out := map[int]string{}
	for _, ps := range states {
		for _, ts := range ps.Tasks {
			out[ts.Task.Number] = "(" + strconv.Itoa(ts.Task.Number) + ") " + ts.Task.Title
		}
	}
	return out
}

// weekly is the weekly comparison (周调度) between the ends of two days,
// by default the last seven days.
//
// The same for every reader: cached per plan generation, language, dates
// and, to today, the version of the plan's statuses (statusKey). The state
// at the first date, in the past, is kept apart (pastState): reports
// arriving now do not change it.
func (s *Server) weekly(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	now := s.now()
	today := deadline.DateOf(now, deadline.Shanghai)
	to, err := dateParam(r, "to", today)
	if err != nil {
		return err
	}
	from, err := dateParam(r, "from", to.AddDays(-7))
	if err != nil {
		return err
	}
	if !from.Before(to) {
		return workplan.E(workplan.EInvalid, "weekly.bad_range")
	}
	fromAt, err := s.dayInstant(from, "from")
	if err != nil {
		return err
	}
	toAt, err := s.dayInstant(to, "to")
	if err != nil {
		return err
	}
	key, cacheable := s.cache.key(plan.ID, "weekly", langOf(r), from.String(), to.String(), today.String())
	var after *planState
	if !toAt.Before(now) {
		// To today: the present state, whose statuses the page shows.
		if after, err = s.loadPlanState(ctx, plan, now, ""); err != nil {
			return err
		}
		key += "|" + after.statusKey()
	}
	return s.cachedPage(w, r, "weekly", key, cacheable, func(ctx context.Context) (string, []byte, error) {
		m, err := s.weeklyModel(ctx, plan, from, to, fromAt, toAt, today, after)
		if err != nil {
			return "", nil, err
		}
		html, err := renderBody(ctx, web.Weekly(m))
		return web.T(ctx, "weekly.title"), html, err
	})
}

// maxWeeklyReports is how many of the period's reports the weekly
// comparison lists (Server.weeklyReports): more than a plan's units file
// in a week at their cadence.
const maxWeeklyReports = 500

// weeklyModel compares plan between the ends of days from and to (at
// fromAt and toAt); after, if not nil, is the state at toAt.
func (s *Server) weeklyModel(ctx context.Context, plan workplan.Plan, from, to deadline.Date, fromAt, toAt time.Time, today deadline.Date, after *planState) (web.WeeklyPage, error) {
	before, err := s.stateAt(ctx, plan, fromAt)
	if err != nil {
		return web.WeeklyPage{}, err
	}
	if after == nil {
		if after, err = s.stateAt(ctx, plan, toAt); err != nil {
			return web.WeeklyPage{}, err
		}
	}
	reports, err := s.store.ReportsBetween(ctx, plan.ID, fromAt, toAt)
	if err != nil {
		return web.WeeklyPage{}, err
	}
	labels := taskLabels(before, after)
	wk := outputs.Compare(from, to, outputs.Items(before.Picture), outputs.Items(after.Picture), reports)
	m := web.WeeklyPage{PlanTitle: plan.Title, PlanSlug: plan.Slug, From: from.String(), To: to.String(), Today: today.String(), Cadence: s.cfg.CadenceDays}
	for _, l := range []deadline.Light{deadline.LightRed, deadline.LightYellow, deadline.LightGreen, deadline.LightDone, deadline.LightGrey} {
		b, a := wk.LightsBefore[l], wk.LightsAfter[l]
		if l == deadline.LightGrey && a == 0 && b == 0 {
			continue
		}
		m.Lights = append(m.Lights, web.LightDelta{Light: web.LightView{Class: string(l), Label: web.T(ctx, "light."+string(l))},
			Before: b, After: a, Delta: fmt.Sprintf("%+d", a-b)})
	}
	asOf := to.String()
	if to == today {
		asOf = ""
	}
	changes := func(cs []outputs.Change) []web.WeeklyChange {
		var out []web.WeeklyChange
		for _, c := range cs {
			out = append(out, web.WeeklyChange{Task: labels[c.TaskNumber], Href: assignmentHref(c.AssignmentID, asOf), Unit: c.UnitName,
				Role: assignmentRole(ctx, c.Role), Before: lightView(ctx, c.Before), After: lightView(ctx, c.After)})
		}
		return out
	}
	m.Completed, m.NewlyOverdue, m.BackOnTrack, m.StillOverdue = changes(wk.Completed), changes(wk.NewlyOverdue), changes(wk.BackOnTrack), changes(wk.StillOverdue)
	for _, um := range wk.MissedCadence {
		wm := web.WeeklyMiss{Unit: um.UnitName}
		for _, x := range um.Misses {
			wm.Tasks = append(wm.Tasks, web.UnitDays{Name: labels[x.TaskNumber], Days: x.DaysSinceReport, Href: assignmentHref(x.AssignmentID, asOf)})
		}
		m.Missed = append(m.Missed, wm)
	}
	// The newest reports only: a week's list is a few hundred lines, and
	// a page that grew with every report would grow without bound.
	m.ReportsTotal = len(wk.Reports)
	for _, rr := range wk.Reports[max(0, len(wk.Reports)-s.weeklyReports):] {
		m.Reports = append(m.Reports, web.WeeklyReport{At: fmtTime(rr.At), Task: labels[rr.TaskNumber], Href: assignmentHref(rr.AssignmentID, ""),
			Unit: rr.UnitName, Author: rr.Author, Percent: rr.Percent, Claims: rr.Claims})
	}
	return m, nil
}

// ranking is the monthly ranking (月排序) of the plan's units by outcomes.
//
// The same for every reader: cached per plan generation, language, month,
// day and, for this month, the version of the plan's statuses (statusKey):
// today counts as the present state judges it.
func (s *Server) ranking(w http.ResponseWriter, r *http.Request) error {
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	month, p, at, err := s.rankingPeriod(r)
	if err != nil {
		return err
	}
	now := s.now()
	key, cacheable := s.cache.key(plan.ID, "ranking", langOf(r), month, s.today())
	if !at.Before(now) {
		// This month: judged now, as the present state (whose statuses
		// decide today's part) was evaluated.
		ps, err := s.loadPlanState(r.Context(), plan, now, "")
		if err != nil {
			return err
		}
		key += "|" + ps.statusKey()
		at = ps.At
	}
	return s.cachedPage(w, r, "ranking", key, cacheable, func(ctx context.Context) (string, []byte, error) {
		m, err := s.rankingModel(ctx, plan, month, p, at, now)
		if err != nil {
			return "", nil, err
		}
		html, err := renderBody(ctx, web.Ranking(m))
		return web.T(ctx, "ranking.title"), html, err
	})
}

// rankingModel ranks plan's units over period p of month, as of at.
func (s *Server) rankingModel(ctx context.Context, plan workplan.Plan, month string, p outputs.Period, at, now time.Time) (web.RankingPage, error) {
	today := deadline.DateOf(now, deadline.Shanghai)
	rk, err := s.rank(ctx, plan.ID, p, at)
	if err != nil {
		return web.RankingPage{}, err
	}
	wts := s.weights()
	m := web.RankingPage{PlanTitle: plan.Title, PlanSlug: plan.Slug, Month: month, MaxMonth: now.In(deadline.Shanghai).Format("2006-01"),
		Period: web.T(ctx, "ranking.span", p.Start.String(), p.End.String()), Partial: p.End.After(today), Days: rk.Days,
		Formula: web.T(ctx, "ranking.formula.text", wts.FormulaArgs()...),
		Weights: []string{
			web.T(ctx, "ranking.w.ontime", fmt.Sprintf("%g", wts.OnTime)),
			web.T(ctx, "ranking.w.overdue", fmt.Sprintf("%g", wts.Overdue)),
			web.T(ctx, "ranking.w.pace", fmt.Sprintf("%g", wts.Pace)),
			web.T(ctx, "ranking.w.report", fmt.Sprintf("%g", wts.Report)),
			web.T(ctx, "ranking.w.silent"),
			web.T(ctx, "ranking.w.ties"),
		}}
	m.Groups = []web.RankGroup{
		rankGroup(ctx, web.T(ctx, "ranking.group.county"), "rank-county", true, rk.County),
		rankGroup(ctx, web.T(ctx, "ranking.group.city"), "rank-city", true, rk.City),
	}
	if len(rk.Other) > 0 {
		m.Groups = append(m.Groups, rankGroup(ctx, web.T(ctx, "ranking.group.other"), "rank-other", false, rk.Other))
	}
	return m, nil
}

// rankingPeriod reads ?month=YYYY-MM (default: this month): the month, its
// period and the instant it is judged at (its end, or now while it runs).
func (s *Server) rankingPeriod(r *http.Request) (string, outputs.Period, time.Time, error) {
	now := s.now()
	month := r.URL.Query().Get("month")
	if month == "" {
		month = now.In(deadline.Shanghai).Format("2006-01")
	}
	p, err := outputs.Month(month)
	if err != nil {
		return month, p, now, err
	}
	today := deadline.DateOf(now, deadline.Shanghai)
	if p.Start.After(today) {
		return month, p, now, workplan.E(workplan.EInvalid, "err.ranking.future", month)
	}
	at, err := s.dayInstant(minDate(p.End, today), "month")
	return month, p, at, err
}

func rankGroup(ctx context.Context, title, id string, ranked bool, us []outputs.UnitScore) web.RankGroup {
	g := web.RankGroup{Title: title, TestID: id, Ranked: ranked}
	for _, u := range us {
		row := web.RankRow{Unit: u.UnitName, Assignments: u.Assignments, OverdueDays: u.OverdueDays,
			PaceLag: fmt.Sprintf("%.1f", u.AvgPaceLag), Score: fmt.Sprintf("%.1f", u.Score), Rank: strconv.Itoa(u.Rank),
			Reporting: fmt.Sprintf("%.1f", u.PointsReport), Silent: u.Silent}
		if u.Tied {
			row.Rank = web.T(ctx, "ranking.tied", u.Rank)
		}
		row.Rate = web.T(ctx, "ranking.norate")
		ontime := "—"
		if u.HasRate {
			row.Rate = fmt.Sprintf("%d/%d (%.0f%%)", u.OnTime, u.DueByEnd, 100*u.Rate)
			ontime = fmt.Sprintf("%.1f", u.PointsOnTime)
		}
		row.Points = fmt.Sprintf("%s / %.1f / %.1f / %.1f", ontime, u.PointsOverdue, u.PointsPace, u.PointsReport)
		g.Rows = append(g.Rows, row)
	}
	return g
}

func minDate(a, b deadline.Date) deadline.Date {
	if a.Before(b) {
		return a
	}
	return b
}
