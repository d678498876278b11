package server

import (
	"net/http"
	"slices"
	"strconv"

	"duban/internal/status"
	"duban/internal/workplan"
	"duban/web"
)

// designationOf resolves the task and the designation {unit} of the URL: a
// collective designation the task names now.
func (s *Server) designationOf(r *http.Request) (workplan.Plan, *status.Task, workplan.Designation, error) {
	ctx := r.Context()
	plan, task, err := s.task(r)
	if err != nil {
		return plan, nil, workplan.Designation{}, err
	}
	unit, err := intParam(r, "unit")
	if err != nil {
		return plan, nil, workplan.Designation{}, err
	}
	ps, err := s.loadPlanState(ctx, plan, s.now(), "")
	if err != nil {
		return plan, nil, workplan.Designation{}, err
	}
	ts := ps.Task(task.Number)
	if ts == nil || ts.Task.ID != task.ID {
		return plan, nil, workplan.Designation{}, workplan.E(workplan.ENotFound, "err.designation.archived", task.Number)
	}
	for _, d := range ts.Designations {
		if d.UnitID == unit {
			return plan, ts, d, nil
		}
	}
	return plan, nil, workplan.Designation{}, workplan.E(workplan.ENotFound, "err.designation.unknown", task.Number)
}

// designationPage shows the form that says which concrete units a
// collective designation means on one task.
func (s *Server) designationPage(w http.ResponseWriter, r *http.Request) error {
	plan, ts, d, err := s.designationOf(r)
	if err != nil {
		return err
	}
	var selected []int64
	for _, u := range d.Members {
		selected = append(selected, u.ID)
	}
	return s.renderDesignation(w, r, http.StatusOK, plan, ts, d, selected, nil, "")
}

func (s *Server) renderDesignation(w http.ResponseWriter, r *http.Request, code int, plan workplan.Plan, ts *status.Task, d workplan.Designation,
	selected []int64, preview *web.MappingPreview, msg string) error {
	ctx := r.Context()
	units, err := s.store.RegistryUnits(ctx)
	if err != nil {
		return err
	}
	href := taskHref(plan.Slug, ts.Task.Number)
	m := web.DesignationPage{CSRF: csrfTokenOf(ctx), PlanSlug: plan.Slug, TaskNumber: ts.Task.Number, TaskTitle: ts.Task.Title,
		TaskHref: href + "#designations", Action: href + "/designations/" + strconv.FormatInt(d.UnitID, 10), Text: d.Text,
		Role: assignmentRole(ctx, d.Role), Own: d.Scope == workplan.ScopeTask, Preview: preview, Error: msg}
	m.Scope = web.T(ctx, "scope."+string(d.Scope))
	if d.Scope == workplan.ScopeNone {
		m.Scope = web.T(ctx, "scope.none")
	}
	for _, u := range units {
		if u.Kind == workplan.UnitCollective {
			continue
		}
		m.Candidates = append(m.Candidates, web.FormChoice{Value: strconv.FormatInt(u.ID, 10), Label: u.Name, Selected: slices.Contains(selected, u.ID)})
	}
	s.render(w, r, code, web.T(ctx, "map.title", d.Text), "ledger", web.DesignationForm(m))
	return nil
}

// mapDesignation previews (action=preview), applies (apply) or removes
// (clear) a task's decision of what a designation means. Applying takes
// effect at once: units that join start their clocks today, units that
// leave keep their history.
func (s *Server) mapDesignation(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, ts, d, err := s.designationOf(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return workplan.E(workplan.EInvalid, "err.form.invalid")
	}
	members, err := formMembers(r)
	if err != nil {
		return err
	}
	action := r.PostFormValue("action")
	in := workplan.MappingInput{CollectiveID: d.UnitID, TaskID: ts.Task.ID, Members: members}
	switch action {
	case "preview":
		in.DryRun = true
	case "clear":
		in.Clear = true
	case "apply":
	default:
		return workplan.E(workplan.EInvalid, "err.form.action", action)
	}
	change, err := s.store.MapDesignation(ctx, s.actor(r), in)
	if workplan.ErrorCode(err) == workplan.EInvalid {
		return s.renderDesignation(w, r, http.StatusUnprocessableEntity, plan, ts, d, members, nil, web.ErrorMessage(r.Context(), err))
	}
	if err != nil {
		return err
	}
	if in.DryRun {
		p := mappingPreview(ctx, change)
		return s.renderDesignation(w, r, http.StatusOK, plan, ts, d, members, &p, "")
	}
	// Which units a designation means is structure: every plan's pages
	// may name them.
	s.changedHere(r.Context(), workplan.Change{Structure: true})
	http.Redirect(w, r, taskHref(plan.Slug, ts.Task.Number)+"?mapped=1#designations", http.StatusSeeOther)
	return nil
}
