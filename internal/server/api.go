package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// apiRoutes adds the routes of the read-only JSON API, mounted under
// /api/v1. Every request has passed requireToken (Authorization: Bearer, see
// `duban token create`). Each route has its row in the permission matrix.
func (s *Server) apiRoutes(r chi.Router) {
	r.Get("/tasks", s.h(s.apiTasks))
	r.Get("/tasks/{number}", s.h(s.apiTask))
}

// apiTaskJSON is one task in the API.
type apiTaskJSON struct {
	Number      int                 `json:"number"`
	Title       string              `json:"title"`
	Section     string              `json:"section"`
	Light       deadline.Light      `json:"light"`
	State       deadline.State      `json:"state"`
	Reason      string              `json:"reason"`
	DaysOverdue int                 `json:"days_overdue"`
	Deadline    deadline.Deadline   `json:"deadline"`
	Reported    int                 `json:"units_reported"`
	Completed   int                 `json:"units_completed"`
	Scored      int                 `json:"units_scored"`
	Assignments []apiAssignmentJSON `json:"assignments"`
}

// apiAssignmentJSON is one unit's part in a task in the API.
type apiAssignmentJSON struct {
	Unit         string         `json:"unit"`
	Role         workplan.Role  `json:"role"`
	Light        deadline.Light `json:"light"`
	State        deadline.State `json:"state"`
	Reason       string         `json:"reason"`
	Percent      int            `json:"percent"`
	DaysOverdue  int            `json:"days_overdue"`
	Due          *string        `json:"due"`
	LastReportAt *time.Time     `json:"last_report_at"`
}

// apiPlanState resolves ?plan= (default: the newest plan) and ?as_of=.
func (s *Server) apiPlanState(r *http.Request) (*planState, string, error) {
	ctx := r.Context()
	var plan workplan.Plan
	var err error
	if slug := r.URL.Query().Get("plan"); slug != "" {
		plan, err = s.planBySlug(ctx, slug)
	} else {
		plan, err = s.store.LatestPlan(ctx)
	}
	if err != nil {
		return nil, "", err
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return nil, "", err
	}
	ps, err := s.loadPlanState(ctx, plan, at, asOf)
	if err != nil {
		return nil, "", err
	}
	label := asOf
	if label == "" {
		label = at.In(deadline.Shanghai).Format(time.RFC3339)
	}
	return ps, label, nil
}

func apiTask(ts *taskStatus) apiTaskJSON {
	t := apiTaskJSON{Number: ts.Task.Number, Title: ts.Task.Title, Section: ts.Task.Section.Title, Light: ts.Rollup.Light,
		State: ts.Rollup.State, Reason: ts.Rollup.Explain(), DaysOverdue: ts.Rollup.MaxDaysOverdue, Deadline: ts.Task.Deadline,
		Reported: ts.Rollup.Reported, Completed: ts.Rollup.Completed, Scored: ts.Rollup.Scored, Assignments: []apiAssignmentJSON{}}
	for _, a := range ts.Asg {
		j := apiAssignmentJSON{Unit: a.UnitName, Role: a.Role, Light: a.Status.Light, State: a.Status.State, Reason: a.Status.Explain(),
			Percent: a.Status.Percent, DaysOverdue: a.Status.DaysOverdue}
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
	return t
}

// apiTasks returns every task of a plan with its status as of now or a date.
func (s *Server) apiTasks(w http.ResponseWriter, r *http.Request) error {
	ps, asOf, err := s.apiPlanState(r)
	if err != nil {
		return err
	}
	out := struct {
		AsOf  string        `json:"as_of"`
		Plan  string        `json:"plan"`
		Title string        `json:"plan_title"`
		Tasks []apiTaskJSON `json:"tasks"`
	}{AsOf: asOf, Plan: ps.Plan.Slug, Title: ps.Plan.Title, Tasks: []apiTaskJSON{}}
	for _, ts := range ps.Tasks {
		out.Tasks = append(out.Tasks, apiTask(ts))
	}
	return writeJSON(w, out)
}

// apiTask returns one task by number.
func (s *Server) apiTask(w http.ResponseWriter, r *http.Request) error {
	n, err := intParam(r, "number")
	if err != nil {
		return err
	}
	ps, asOf, err := s.apiPlanState(r)
	if err != nil {
		return err
	}
	for _, ts := range ps.Tasks {
		if ts.Task.Number == int(n) {
			return writeJSON(w, struct {
				AsOf string `json:"as_of"`
				Plan string `json:"plan"`
				apiTaskJSON
			}{asOf, ps.Plan.Slug, apiTask(ts)})
		}
	}
	return workplan.Errorf(workplan.ENotFound, "任务 %d 不存在", n)
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
