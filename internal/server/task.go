package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"duban/internal/deadline"
	"duban/internal/status"
	"duban/internal/workplan"
	"duban/web"
)

// taskPage shows one task: its text, deadline, every unit's status, the
// designations it names, the indicators, the reports the viewer may read and
// the comments. The task is shown as it stood at the date asked for (or
// now); an archived task stays readable, as it stood when it was archived.
func (s *Server) taskPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, task, err := s.task(r)
	if err != nil {
		return err
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return err
	}
	ts, state, ps, err := s.taskStateAsOf(ctx, plan, task, at, asOf)
	if err != nil {
		return err
	}
	archived := state == taskArchived
	actor := s.actor(r)
	leads := leadIDs(ts)
	rep, done := reportedLabel(ctx, ts.Rollup)
	t := ts.Task
	m := web.TaskPage{
		PlanTitle: plan.Title, PlanSlug: plan.Slug, Number: t.Number,
		Section: "(" + t.Section.Numeral + ")" + t.Section.Title, Group: t.Group.Title,
		Title: t.Title, Body: t.Body, Deadline: t.Deadline.Text, Meaning: deadlineMeaning(ctx, t.Deadline),
		Archived: archived, Light: taskLightView(ctx, ts), Reported: rep, Completed: done, AsOf: asOf,
		CanComment: actor.CanComment() && asOf == "" && !archived, CSRF: csrfTokenOf(ctx),
		CommentPost: taskHref(plan.Slug, t.Number) + "/comments",
	}
	switch state {
	case taskArchived:
		m.State = web.T(ctx, "task.archived.at", fmtTime(*task.ArchivedAt), task.ArchivedVersion)
		m.Light = web.LightView{Class: "grey", Label: web.T(ctx, "light.archived"), Reason: m.State}
	case taskNotYet:
		m.State = web.T(ctx, "task.notyet", fmtTime(task.AddedAt))
		m.Light = web.LightView{Class: "grey", Label: web.T(ctx, "light.notyet"), Reason: m.State}
	default:
		if !t.AddedAt.IsZero() {
			m.State = web.T(ctx, "task.added", fmtTime(t.AddedAt), t.Start.String())
		}
	}
	var readable []int64
	units := map[int64]string{}
	for _, a := range ts.Assignments {
		row := assignmentRow(ctx, a, asOf)
		if archived {
			row.Light = web.LightView{Class: "grey", Label: web.T(ctx, "light.archived"), Reason: web.T(ctx, "task.archived.light", row.Light.Label, row.Light.Reason)}
		}
		m.Assignments = append(m.Assignments, row)
		units[a.ID] = a.UnitName
		if actor.CanReadReports(a.Assignment, leads) {
			readable = append(readable, a.ID)
		}
	}
	canMap := actor.CanMapDesignations() && asOf == "" && state == taskInForce
	for _, d := range ts.Designations {
		row := web.DesignationRow{Text: d.Text, Role: assignmentRole(ctx, d.Role), Unmapped: !d.Mapped(), Mapping: web.T(ctx, "scope."+string(d.Scope))}
		if d.Scope == workplan.ScopeNone {
			row.Mapping = web.T(ctx, "scope.none")
		}
		var names []string
		for _, u := range d.Members {
			names = append(names, u.Name)
		}
		row.Members = strings.Join(names, "、")
		if d.Mapped() && len(d.Members) == 0 {
			row.Members = web.T(ctx, "scope.nobody")
		}
		if canMap {
			row.MapHref = taskHref(plan.Slug, t.Number) + "/designations/" + strconv.FormatInt(d.UnitID, 10)
		}
		m.Designations = append(m.Designations, row)
	}
	inds, err := s.store.TaskIndicators(ctx, task.ID)
	if err != nil {
		return err
	}
	if m.Indicators, err = s.taskIndicatorRows(ctx, ps, ts, state, inds); err != nil {
		return err
	}
	if len(readable) > 0 {
		page, err := s.timelinePage(r, readable, at, asOf)
		if err != nil {
			return err
		}
		m.Timeline, m.Pager = s.timeline(ctx, page.reports, units, inds, nil), page.pager
	}
	comments, err := s.store.TaskComments(ctx, task.ID)
	if err != nil {
		return err
	}
	for _, c := range comments {
		if asOf != "" && c.CreatedAt.After(at) {
			continue
		}
		m.Comments = append(m.Comments, web.CommentView{By: c.AuthorName, At: fmtTime(c.CreatedAt), Text: c.Text})
	}
	s.render(w, r, http.StatusOK, fmt.Sprintf("(%d) %s", t.Number, t.Title), "ledger", web.TaskView(m))
	return nil
}

// taskState is where a task stands in its plan's history at an instant.
type taskState int

const (
	// taskInForce: the task was part of the plan.
	taskInForce taskState = iota
	// taskArchived: a later version had dropped it; it is shown as it stood
	// when it was archived.
	taskArchived
	// taskNotYet: it had not been added yet.
	taskNotYet
)

// taskAsOf returns task as it stood at at: from the plan's state when it
// was in force, else as it stood when it was archived, else (not added yet)
// the bare task.
func (s *Server) taskAsOf(ctx context.Context, plan workplan.Plan, task workplan.Task, at time.Time, asOf string) (*status.Task, taskState, error) {
	ts, state, _, err := s.taskStateAsOf(ctx, plan, task, at, asOf)
	return ts, state, err
}

// taskStateAsOf is taskAsOf with the plan's state at at.
func (s *Server) taskStateAsOf(ctx context.Context, plan workplan.Plan, task workplan.Task, at time.Time, asOf string) (*status.Task, taskState, *planState, error) {
	ps, err := s.loadPlanState(ctx, plan, at, asOf)
	if err != nil {
		return nil, 0, nil, err
	}
	if ts := ps.Task(task.Number); ts != nil && ts.Task.ID == task.ID {
		return ts, taskInForce, ps, nil
	}
	if task.ArchivedAt != nil && !at.Before(*task.ArchivedAt) {
		pa, err := s.store.TaskAt(ctx, plan.ID, task.ID, task.ArchivedAt.Add(-time.Microsecond), true)
		if err != nil {
			return nil, 0, nil, err
		}
		if ts := status.Evaluate(pa, s.policy()).Task(task.Number); ts != nil {
			return ts, taskArchived, ps, nil
		}
		return &status.Task{Task: task}, taskArchived, ps, nil
	}
	return &status.Task{Task: task, Category: status.Unassigned}, taskNotYet, ps, nil
}

// asOfTime is the bound for history reads: zero (no bound) for now.
func asOfTime(at time.Time, asOf string) time.Time {
	if asOf == "" {
		return time.Time{}
	}
	return at
}

func leadIDs(ts *status.Task) []int64 {
	var ids []int64
	for _, a := range ts.Assignments {
		if a.Role == workplan.RoleLead {
			ids = append(ids, a.UnitID)
		}
	}
	return ids
}

func assignmentRow(ctx context.Context, a status.Assignment, asOf string) web.AssignmentRow {
	row := web.AssignmentRow{ID: a.ID, Href: assignmentHref(a.ID, asOf), Unit: a.UnitName, Role: assignmentRole(ctx, a.Role), Via: a.Via,
		Light: lightView(ctx, a.Status), Percent: a.Status.Percent, LastReport: fmtTime(a.Facts.LastReportAt)}
	if row.LastReport == "" {
		row.LastReport = web.T(ctx, "my.never")
	}
	if !a.Status.Due.IsZero() && a.Status.Due != a.Status.OriginalDue && !a.Status.OriginalDue.IsZero() {
		row.Extended = web.T(ctx, "ext.extended", a.Status.Due.String(), a.Status.OriginalDue.String())
	}
	return row
}

func indicatorRow(i workplan.TaskIndicator) web.IndicatorRow {
	target := comparatorSign(i.Comparator) + " " + strconv.FormatFloat(i.Value, 'f', -1, 64) + i.Unit
	row := web.IndicatorRow{Text: i.Text, Target: target, Has: i.HasLatest, Met: i.Met()}
	if i.HasLatest {
		row.Latest = strconv.FormatFloat(i.Latest, 'f', -1, 64) + i.Unit
		row.By = i.LatestUnit + " · " + fmtTime(i.LatestAt)
	}
	return row
}

// timelineSize is how many reports a timeline shows at a time: an
// assignment reported on weekly for years has hundreds.
const timelineSize = 30

// reportPage is one page of a timeline.
type reportPage struct {
	reports []workplan.Report
	pager   web.Pager
	// first is true on the page of the newest reports.
	first bool
}

// timelinePage reads the page of the reports of assignments ids that r's
// URL asks for: the newest, or with ?before=ID those after report ID, newest
// first; and the links to the older page and back to the newest.
func (s *Server) timelinePage(r *http.Request, ids []int64, at time.Time, asOf string) (reportPage, error) {
	var before int64
	if b := r.URL.Query().Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return reportPage{}, workplan.E(workplan.EInvalid, "err.param.before", b)
		}
		before = n
	}
	reports, err := s.store.Reports(r.Context(), ids, asOfTime(at, asOf), before, timelineSize+1)
	if err != nil {
		return reportPage{}, err
	}
	p := reportPage{reports: reports, first: before == 0}
	link := func(before int64) string {
		q := r.URL.Query()
		q.Del("filed")
		q.Del("before")
		if before != 0 {
			q.Set("before", strconv.FormatInt(before, 10))
		}
		u := r.URL.Path
		if enc := q.Encode(); enc != "" {
			u += "?" + enc
		}
		return u + "#timeline"
	}
	if len(reports) > timelineSize {
		p.reports = reports[:timelineSize]
		p.pager.Older = link(p.reports[timelineSize-1].ID)
	}
	if before != 0 {
		p.pager.Newest = link(0)
	}
	return p, nil
}

// reviewable decides, for each report, whether the viewer may review it now
// and with which version; nil means no one may.
type reviewable func(r workplan.Report) *web.ReviewForm

// timeline turns reports into their views.
func (s *Server) timeline(ctx context.Context, reports []workplan.Report, units map[int64]string, inds []workplan.TaskIndicator, canReview reviewable) []web.ReportView {
	indName := map[int64]workplan.TaskIndicator{}
	for _, i := range inds {
		indName[i.ID] = i
	}
	var out []web.ReportView
	for _, rp := range reports {
		v := web.ReportView{ID: rp.ID, Anchor: "r" + strconv.FormatInt(rp.ID, 10), Unit: units[rp.AssignmentID], Author: rp.AuthorName,
			At: fmtTime(rp.SubmittedAt), Percent: rp.Percent, Progress: rp.Progress, Problems: rp.Problems, NextSteps: rp.NextSteps,
			Claims: rp.ClaimsCompletion}
		for _, e := range rp.Evidence {
			v.Evidence = append(v.Evidence, web.EvidenceView{Name: e.Filename, Href: "/evidence/" + strconv.FormatInt(e.ID, 10), Size: humanSize(e.Size)})
		}
		for _, iv := range rp.Indicators {
			i := indName[iv.IndicatorID]
			v.Indicators = append(v.Indicators, i.Text+": "+strconv.FormatFloat(iv.Value, 'f', -1, 64)+i.Unit)
		}
		for _, rv := range rp.Reviews {
			d, c := web.T(ctx, "review.accepted"), "done"
			if rv.Decision == workplan.DecisionReturn {
				d, c = web.T(ctx, "review.returned"), "red"
			}
			if !rp.ClaimsCompletion {
				// Recorded before such reviews were refused: a review of a
				// report that claims nothing completes nothing.
				d, c = web.T(ctx, "review.noted"), "grey"
			}
			v.Reviews = append(v.Reviews, web.ReviewView{Decision: d, Class: c, By: rv.ReviewerName, At: fmtTime(rv.ReviewedAt), Reason: rv.Reason})
		}
		if rp.ClaimsCompletion {
			v.Status, v.StatusClass = web.T(ctx, "report.status.pending"), "yellow"
			if n := len(rp.Reviews); n > 0 {
				if rp.Reviews[n-1].Decision == workplan.DecisionAccept {
					v.Status, v.StatusClass = web.T(ctx, "report.status.accepted"), "done"
				} else {
					v.Status, v.StatusClass = web.T(ctx, "report.status.returned"), "red"
				}
			}
		}
		if canReview != nil {
			v.Review = canReview(rp)
		}
		out = append(out, v)
	}
	return out
}

func humanSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// readableAssignment loads assignment id and says whether the viewer may
// read its reports (and so its evidence and 督办单): its own unit, its
// task's lead units, and everyone who is not staff.
// The task's lead units come with it.
func (s *Server) readableAssignment(r *http.Request, id int64) (asg workplan.Assignment, leads []int64, readable bool, err error) {
	if asg, err = s.store.AssignmentByID(r.Context(), id); err != nil {
		return asg, nil, false, err
	}
	if leads, err = s.store.TaskLeads(r.Context(), asg.TaskID); err != nil {
		return asg, nil, false, err
	}
	return asg, leads, s.actor(r).CanReadReports(asg, leads), nil
}

// assignmentPage shows one unit's part in one task with its reports, the
// review and extension actions the viewer may take.
func (s *Server) assignmentPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return err
	}
	asg, leads, readable, err := s.readableAssignment(r, id)
	if err != nil {
		return err
	}
	if !readable {
		return workplan.E(workplan.EForbidden, "err.reports.forbidden")
	}
	actor := s.actor(r)
	a, ts, plan, state, err := s.findAssignment(ctx, asg, at, asOf)
	if err != nil {
		return err
	}
	csrf := csrfTokenOf(ctx)
	m := web.AssignmentPage{
		TaskHref: taskHref(plan.Slug, ts.Task.Number) + asOfQuery(asOf), TaskNumber: ts.Task.Number, TaskTitle: ts.Task.Title,
		Unit: asg.UnitName, Role: assignmentRole(ctx, asg.Role), Deadline: ts.Task.Deadline.Text, Meaning: deadlineMeaning(ctx, ts.Task.Deadline),
		Light: lightView(ctx, a.Status), Percent: a.Status.Percent, Version: a.Version, AsOf: asOf, CSRF: csrf,
		CanReport:  actor.CanFileReport(asg) && asOf == "" && state == taskInForce,
		ReportHref: "/assignments/" + strconv.FormatInt(id, 10) + "/report",
		ExtendPost: "/assignments/" + strconv.FormatInt(id, 10) + "/extension",
	}
	if r.URL.Query().Get("filed") != "" {
		m.Notice = web.T(ctx, "report.saved")
	}
	if d := r.URL.Query().Get("decided"); d == "approve" || d == "reject" {
		m.Notice = web.T(ctx, "ext.decided."+d)
	}
	switch state {
	case taskArchived:
		m.State = web.T(ctx, "asg.archived.at", fmtTime(*asg.ArchivedAt))
		m.Light = web.LightView{Class: "grey", Label: web.T(ctx, "light.archived"), Reason: web.T(ctx, "task.archived.light", m.Light.Label, m.Light.Reason)}
	case taskNotYet:
		m.State = web.T(ctx, "asg.notyet")
		m.Light = web.LightView{Class: "grey", Label: web.T(ctx, "light.notyet"), Reason: m.State}
	}
	if m.CanReport && ts.Task.Deadline.Kind.HasDue() && !a.Status.Completed {
		// Overdue units may still ask, marked 逾期申请, for a date after today.
		m.CanExtend, m.LateRequest = true, a.Status.DaysOverdue > 0
		m.MinDue = a.Status.Due.AddDays(1).String()
		if m.LateRequest {
			m.MinDue = deadline.DateOf(s.now(), deadline.Shanghai).AddDays(1).String()
		}
	}
	if asOf == "" {
		if m.Orders, err = s.ordersBlock(ctx, actor, asg, state == taskInForce); err != nil {
			return err
		}
	}
	inds, err := s.store.TaskIndicators(ctx, asg.TaskID)
	if err != nil {
		return err
	}
	page, err := s.timelinePage(r, []int64{id}, at, asOf)
	if err != nil {
		return err
	}
	reports := page.reports
	var canReview reviewable
	// Only the newest report can be reviewed: it is on the first page.
	if asOf == "" && state == taskInForce && page.first && actor.CanReview(leads) && !(actor.Role == workplan.UserStaff && actor.UnitID == asg.UnitID) {
		latest := int64(0)
		if len(reports) > 0 {
			latest = reports[0].ID
		}
		var warnings []string
		if len(reports) > 0 && reports[0].ClaimsCompletion && len(reports[0].Reviews) == 0 {
			if warnings, err = s.reviewWarnings(ctx, reviewBoards{}, plan.Slug, ts.Task.Number, asg.ID); err != nil {
				return err
			}
		}
		canReview = func(rp workplan.Report) *web.ReviewForm {
			if rp.ID != latest || !rp.ClaimsCompletion || len(rp.Reviews) > 0 {
				return nil
			}
			return &web.ReviewForm{Action: "/reports/" + strconv.FormatInt(rp.ID, 10) + "/review", Version: a.Version, CSRF: csrf, Warnings: warnings}
		}
	}
	m.Timeline, m.Pager = s.timeline(ctx, reports, map[int64]string{id: asg.UnitName}, inds, canReview), page.pager
	exts, err := s.store.ExtensionRequests(ctx, []int64{id})
	if err != nil {
		return err
	}
	for _, e := range exts {
		if asOf != "" && e.RequestedAt.After(at) {
			continue
		}
		v := web.ExtensionView{ID: e.ID, By: e.RequesterName, At: fmtTime(e.RequestedAt), NewDue: e.RequestedDue.String(), Reason: e.Reason,
			Decision: web.T(ctx, "ext.pending"), Class: "yellow"}
		if e.Decision != nil && (asOf == "" || !e.Decision.DecidedAt.After(at)) {
			v.Decision, v.Class = web.T(ctx, "ext.rejected"), "red"
			if e.Decision.Approved {
				v.Decision, v.Class = web.T(ctx, "ext.approved"), "done"
			}
			v.DecidedBy, v.Note = e.Decision.DeciderName+" · "+fmtTime(e.Decision.DecidedAt), e.Decision.Reason
		} else if actor.CanDecideExtension() && asOf == "" && state == taskInForce {
			v.Decide = "/extensions/" + strconv.FormatInt(e.ID, 10) + "/decide"
		}
		if e.Decision == nil {
			m.CanExtend = false // one pending request at a time
		}
		m.Extensions = append(m.Extensions, v)
	}
	s.render(w, r, http.StatusOK, asg.UnitName+" · "+ts.Task.Title, "ledger", web.AssignmentView(m))
	return nil
}

// findAssignment evaluates one assignment (and its task) as of at. An
// assignment no longer in force (its unit left the task, or the task was
// archived) is evaluated as it stood just before: archived is then true. One
// not yet in force at at has a bare status and notYet set.
func (s *Server) findAssignment(ctx context.Context, asg workplan.Assignment, at time.Time, asOf string) (a status.Assignment, ts *status.Task, plan workplan.Plan, st taskState, err error) {
	task, plan, err := s.store.TaskByID(ctx, asg.TaskID)
	if err != nil {
		return a, nil, plan, 0, err
	}
	ps, err := s.loadPlanState(ctx, plan, at, asOf)
	if err != nil {
		return a, nil, plan, 0, err
	}
	if a, ts, ok := ps.Assignment(asg.ID); ok {
		return a, ts, plan, taskInForce, nil
	}
	if asg.ArchivedAt != nil && !at.Before(*asg.ArchivedAt) {
		pa, err := s.store.TaskAt(ctx, plan.ID, asg.TaskID, asg.ArchivedAt.Add(-time.Microsecond), true)
		if err != nil {
			return a, nil, plan, 0, err
		}
		if a, ts, ok := status.Evaluate(pa, s.policy()).Assignment(asg.ID); ok {
			return a, ts, plan, taskArchived, nil
		}
	}
	return status.Assignment{AssignmentFacts: workplan.AssignmentFacts{Assignment: asg}}, &status.Task{Task: task}, plan, taskNotYet, nil
}

// addComment records a leader's comment on a task.
func (s *Server) addComment(w http.ResponseWriter, r *http.Request) error {
	plan, task, err := s.task(r)
	if err != nil {
		return err
	}
	if err := s.store.AddComment(r.Context(), s.actor(r), task.ID, formText(r, "text")); err != nil {
		return err
	}
	http.Redirect(w, r, taskHref(plan.Slug, task.Number)+"#cm-h", http.StatusSeeOther)
	return nil
}

// comparatorSign shows a comparator as people write it: ≥, ≤, =.
func comparatorSign(c string) string {
	switch c {
	case ">=":
		return "≥"
	case "<=":
		return "≤"
	}
	return c
}

// task resolves the {slug} and {number} of the URL.
func (s *Server) task(r *http.Request) (workplan.Plan, workplan.Task, error) {
	plan, err := s.plan(r)
	if err != nil {
		return plan, workplan.Task{}, err
	}
	n, err := intParam(r, "number")
	if err != nil {
		return plan, workplan.Task{}, err
	}
	t, err := s.store.TaskByNumber(r.Context(), plan.ID, int(n))
	return plan, t, err
}
