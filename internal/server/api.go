package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"duban/internal/deadline"
	"duban/internal/outputs"
	"duban/internal/status"
	"duban/internal/workplan"
	"duban/web"
)

// apiRoutes adds the routes of the read-only JSON API, mounted under
// /api/v1. Every request has passed requireToken (Authorization: Bearer, see
// `duban token create`). Each route has its row in the permission matrix.
func (s *Server) apiRoutes(r chi.Router) {
	r.Get("/tasks", s.h(s.apiTasks))
	r.Get("/tasks/{number}", s.h(s.apiTask))
	r.Get("/ranking", s.h(s.apiRanking))
	r.Get("/indicators", s.h(s.apiIndicators))
}

// apiTaskJSON is one task in the API.
type apiTaskJSON struct {
	Number      int                 `json:"number"`
	Title       string              `json:"title"`
	Section     string              `json:"section"`
	Light       deadline.Light      `json:"light"`
	State       deadline.State      `json:"state"`
	Category    status.Category     `json:"category"`
	Reason      string              `json:"reason"`
	DaysOverdue int                 `json:"days_overdue"`
	Deadline    deadline.Deadline   `json:"deadline"`
	Reported    int                 `json:"units_reported"`
	Completed   int                 `json:"units_completed"`
	Scored      int                 `json:"units_scored"`
	AddedAt     *time.Time          `json:"added_at"`
	Archived    bool                `json:"archived"`
	ArchivedAt  *time.Time          `json:"archived_at,omitempty"`
	ArchivedIn  int                 `json:"archived_in_version,omitempty"`
	Assignments []apiAssignmentJSON `json:"assignments"`
	// Designations are collective designations (市直有关部门 …): the plan's
	// wording with the concrete units they mean on the task, never an
	// assignment's unit.
	Designations []apiDesignationJSON `json:"designations"`
}

// apiAssignmentJSON is one unit's part in a task in the API.
type apiAssignmentJSON struct {
	Unit         string          `json:"unit"`
	Role         workplan.Role   `json:"role"`
	Via          string          `json:"via,omitempty"`
	Light        deadline.Light  `json:"light"`
	State        deadline.State  `json:"state"`
	Category     status.Category `json:"category"`
	Reason       string          `json:"reason"`
	Percent      int             `json:"percent"`
	DaysOverdue  int             `json:"days_overdue"`
	Due          *string         `json:"due"`
	LastReportAt *time.Time      `json:"last_report_at"`
}

// apiDesignationJSON is a collective designation of a task.
type apiDesignationJSON struct {
	Text   string        `json:"text"`
	Role   workplan.Role `json:"role"`
	Mapped bool          `json:"mapped"`
	Units  []string      `json:"units"`
}

// apiReportJSON is one report in the API's task detail.
type apiReportJSON struct {
	Unit      string    `json:"unit"`
	At        time.Time `json:"at"`
	Percent   int       `json:"percent"`
	Progress  string    `json:"progress"`
	Problems  string    `json:"problems"`
	NextSteps string    `json:"next_steps"`
	Claims    bool      `json:"claims_completion"`
}

// apiPlan resolves ?plan= (default: the newest plan) and ?as_of=.
func (s *Server) apiPlan(r *http.Request) (workplan.Plan, time.Time, string, string, error) {
	ctx := r.Context()
	var plan workplan.Plan
	var err error
	if slug := r.URL.Query().Get("plan"); slug != "" {
		plan, err = s.planBySlug(ctx, slug)
	} else {
		plan, err = s.store.LatestPlan(ctx)
	}
	if err != nil {
		return plan, time.Time{}, "", "", err
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return plan, at, "", "", err
	}
	label := asOf
	if label == "" {
		label = at.In(deadline.Shanghai).Format(time.RFC3339)
	}
	return plan, at, asOf, label, nil
}

// apiReason is the reason of a light in the API: in Chinese whatever the
// client's language, like the rest of the API's data (the plan's titles,
// units and deadlines), so that a client reads one language.
func apiReason(e deadline.Explanation) string { return web.Message(web.LangZH, e.Key, e.Args...) }

func apiTask(ts *status.Task, archived bool) apiTaskJSON {
	t := apiTaskJSON{Number: ts.Task.Number, Title: ts.Task.Title, Section: ts.Task.Section.Title, Light: ts.Rollup.Light,
		State: ts.Rollup.State, Category: ts.Category, Reason: apiReason(ts.Rollup.Explain()), DaysOverdue: ts.Rollup.MaxDaysOverdue,
		Deadline: ts.Task.Deadline, Reported: ts.Rollup.Reported, Completed: ts.Rollup.Completed, Scored: ts.Rollup.Scored,
		Archived: archived, Assignments: []apiAssignmentJSON{}, Designations: []apiDesignationJSON{}}
	if !ts.Task.AddedAt.IsZero() {
		a := ts.Task.AddedAt.In(deadline.Shanghai)
		t.AddedAt = &a
	}
	for _, a := range ts.Assignments {
		j := apiAssignmentJSON{Unit: a.UnitName, Role: a.Role, Via: a.Via, Light: a.Status.Light, State: a.Status.State, Category: a.Category,
			Reason: apiReason(a.Status.Explain()), Percent: a.Status.Percent, DaysOverdue: a.Status.DaysOverdue}
		if !a.Status.Due.IsZero() {
			d := a.Status.Due.String()
			j.Due = &d
		}
		if !a.Facts.LastReportAt.IsZero() {
			lr := a.Facts.LastReportAt.In(deadline.Shanghai)
			j.LastReportAt = &lr
		}
		t.Assignments = append(t.Assignments, j)
	}
	for _, d := range ts.Designations {
		j := apiDesignationJSON{Text: d.Text, Role: d.Role, Mapped: d.Mapped(), Units: []string{}}
		for _, u := range d.Members {
			j.Units = append(j.Units, u.Name)
		}
		t.Designations = append(t.Designations, j)
	}
	return t
}

// apiTasks returns every task of a plan in force now or at the end of a
// date, with its status then. Before the plan's issue date it is not issued
// and has no tasks.
func (s *Server) apiTasks(w http.ResponseWriter, r *http.Request) error {
	plan, at, asOf, label, err := s.apiPlan(r)
	if err != nil {
		return err
	}
	ps, err := s.loadPlanState(r.Context(), plan, at, asOf)
	if err != nil {
		return err
	}
	out := struct {
		AsOf    string        `json:"as_of"`
		Plan    string        `json:"plan"`
		Title   string        `json:"plan_title"`
		Version int           `json:"version"`
		Issued  bool          `json:"issued"`
		Tasks   []apiTaskJSON `json:"tasks"`
	}{AsOf: label, Plan: ps.Plan.Slug, Title: ps.Plan.Title, Version: ps.Version, Issued: !ps.NotIssued, Tasks: []apiTaskJSON{}}
	for _, ts := range ps.Tasks {
		out.Tasks = append(out.Tasks, apiTask(ts, false))
	}
	return writeJSON(w, out)
}

// apiTask returns one task by number with its newest reports: as it stood
// at the date asked for, or, for a task archived by then, as it stood when
// it was archived ("archived": true).
func (s *Server) apiTask(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	n, err := intParam(r, "number")
	if err != nil {
		return err
	}
	plan, at, asOf, label, err := s.apiPlan(r)
	if err != nil {
		return err
	}
	task, err := s.store.TaskByNumber(ctx, plan.ID, int(n))
	if err != nil {
		return err
	}
	ts, state, err := s.taskAsOf(ctx, plan, task, at, asOf)
	if err != nil {
		return err
	}
	if state == taskNotYet {
		return workplan.E(workplan.ENotFound, "err.api.task_not_yet", n, label)
	}
	t := apiTask(ts, state == taskArchived)
	if state == taskArchived {
		t.ArchivedAt, t.ArchivedIn = task.ArchivedAt, task.ArchivedVersion
	}
	ids := make([]int64, len(ts.Assignments))
	units := map[int64]string{}
	for i, a := range ts.Assignments {
		ids[i] = a.ID
		units[a.ID] = a.UnitName
	}
	reports := []apiReportJSON{}
	if len(ids) > 0 {
		rs, err := s.store.Reports(ctx, ids, asOfTime(at, asOf), 0, timelineSize)
		if err != nil {
			return err
		}
		for _, rp := range rs {
			reports = append(reports, apiReportJSON{Unit: units[rp.AssignmentID], At: rp.SubmittedAt.In(deadline.Shanghai), Percent: rp.Percent,
				Progress: rp.Progress, Problems: rp.Problems, NextSteps: rp.NextSteps, Claims: rp.ClaimsCompletion})
		}
	}
	return writeJSON(w, struct {
		AsOf string `json:"as_of"`
		Plan string `json:"plan"`
		apiTaskJSON
		Reports []apiReportJSON `json:"reports"`
	}{label, plan.Slug, t, reports})
}

// apiRankJSON is one unit of the ranking in the API.
type apiRankJSON struct {
	Unit      string  `json:"unit"`
	Group     string  `json:"group"`
	Rank      int     `json:"rank"`
	Tied      bool    `json:"tied"`
	Score     float64 `json:"score"`
	Reports   int     `json:"reports"`
	Silent    bool    `json:"silent"`
	OnTime    int     `json:"on_time"`
	Completed int     `json:"completed"`
	Overdue   int     `json:"overdue"`
}

// apiRanking returns the monthly ranking (月排序) of a plan's units:
// ?plan=SLUG&month=YYYY-MM (default: this month). Ranks count within each
// group (county-level governments, city departments), 1 best, equal scores
// sharing a rank; units of other kinds are listed with rank 0.
func (s *Server) apiRanking(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, _, _, _, err := s.apiPlan(r)
	if err != nil {
		return err
	}
	month, p, at, err := s.rankingPeriod(r)
	if err != nil {
		return err
	}
	rk, err := s.rank(ctx, plan.ID, p, at)
	if err != nil {
		return err
	}
	out := struct {
		Plan  string        `json:"plan"`
		Month string        `json:"month"`
		Units []apiRankJSON `json:"units"`
	}{plan.Slug, month, []apiRankJSON{}}
	for _, g := range [][]outputs.UnitScore{rk.County, rk.City, rk.Other} {
		for _, u := range g {
			out.Units = append(out.Units, apiRankJSON{Unit: u.UnitName, Group: string(u.Group), Rank: u.Rank, Tied: u.Tied, Score: u.Score,
				Reports: u.Reports, Silent: u.Silent, OnTime: u.OnTime, Completed: u.Completed, Overdue: u.Overdue})
		}
	}
	return writeJSON(w, out)
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
