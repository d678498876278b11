package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
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
//
// The page is cached per plan generation, task, language, query, version
// of the task's statuses (taskKey) and taskViewer: readers who may
// comment, map and read the same reports are served the same body.
func (s *Server) taskPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	n, err := intParam(r, "number")
	if err != nil {
		return err
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return err
	}
	base, cacheable := s.cache.key(plan.ID, "task", strconv.FormatInt(n, 10), langOf(r), r.URL.RawQuery)
	ps, err := s.loadPlanState(ctx, plan, at, asOf)
	if err != nil {
		return err
	}
	var task workplan.Task
	var state taskState
	ts := ps.Task(int(n))
	if ts != nil {
		task, state = ts.Task, taskInForce
	} else {
		// Archived by then, or not added yet.
		if task, err = s.store.TaskByNumber(ctx, plan.ID, int(n)); err != nil {
			return err
		}
		if ts, state, ps, err = s.taskStateAsOf(ctx, plan, task, at, asOf); err != nil {
			return err
		}
	}
	v := taskViewerOf(s.actor(r), ts)
	u := *r.URL
	key := base + "|" + ps.taskKey(task.ID) + "|" + v.key()
	return s.cachedPage(w, r, "ledger", key, cacheable, func(ctx context.Context) (string, []byte, error) {
		return s.taskBody(ctx, &u, plan, task, ts, state, ps, at, asOf, v)
	})
}

// taskViewer is what the task page differs by between readers.
type taskViewer struct {
	// comment: leaders and supervisors comment on tasks.
	comment bool
	// mapDesignations: supervisors and administrators map designations.
	mapDesignations bool
	// readable are the task's assignments whose reports the reader may
	// read (CanReadReports).
	readable []int64
}

// taskViewerOf is what actor may do and read on the page of task ts.
func taskViewerOf(actor workplan.Actor, ts *status.Task) taskViewer {
	leads := leadIDs(ts)
	v := taskViewer{comment: actor.CanComment(), mapDesignations: actor.CanMapDesignations()}
	for _, a := range ts.Assignments {
		if actor.CanReadReports(a.Assignment, leads) {
			v.readable = append(v.readable, a.ID)
		}
	}
	return v
}

// key is the viewer's part of the page's cache key.
func (v taskViewer) key() string {
	return flags(v.comment, v.mapDesignations) + ":" + ids(v.readable)
}

// taskBody renders the task page's body for readers of class v; u is the
// page's URL (the timeline's paging).
func (s *Server) taskBody(ctx context.Context, u *url.URL, plan workplan.Plan, task workplan.Task, ts *status.Task, state taskState,
	ps *planState, at time.Time, asOf string, v taskViewer) (string, []byte, error) {
	archived := state == taskArchived
	rep, done := reportedLabel(ctx, ts.Rollup)
	t := ts.Task
	m := web.TaskPage{
		PlanTitle: plan.Title, PlanSlug: plan.Slug, Number: t.Number,
		Section: "(" + t.Section.Numeral + ")" + t.Section.Title, Group: t.Group.Title,
		Title: t.Title, Body: t.Body, Deadline: t.Deadline.Text, Meaning: deadlineMeaning(ctx, t.Deadline),
		Archived: archived, Light: taskLightView(ctx, ts), Reported: rep, Completed: done, AsOf: asOf,
		CanComment: v.comment && asOf == "" && !archived, CSRF: csrfTokenOf(ctx),
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
	units := map[int64]string{}
	for _, a := range ts.Assignments {
		row := assignmentRow(ctx, a, asOf)
		if archived {
			row.Light = web.LightView{Class: "grey", Label: web.T(ctx, "light.archived"), Reason: web.T(ctx, "task.archived.light", row.Light.Label, row.Light.Reason)}
		}
		m.Assignments = append(m.Assignments, row)
		units[a.ID] = a.UnitName
	}
	canMap := v.mapDesignations && asOf == "" && state == taskInForce
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
		return "", nil, err
	}
	if m.Indicators, err = s.taskIndicatorRows(ctx, ps, ts, state, inds); err != nil {
		return "", nil, err
	}
	if len(v.readable) > 0 {
		page, err := s.timelinePage(ctx, u, v.readable, at, asOf)
		if err != nil {
			return "", nil, err
		}
		m.Timeline, m.Pager = s.timeline(ctx, page.reports, units, inds, nil), page.pager
	}
	comments, err := s.store.TaskComments(ctx, task.ID)
	if err != nil {
		return "", nil, err
	}
	for _, c := range comments {
		if asOf != "" && c.CreatedAt.After(at) {
			continue
		}
		m.Comments = append(m.Comments, web.CommentView{By: c.AuthorName, At: fmtTime(c.CreatedAt), Text: c.Text})
	}
	html, err := renderBody(ctx, web.TaskView(m))
	return fmt.Sprintf("(%d) %s", t.Number, t.Title), html, err
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
func (s *Server) timelinePage(ctx context.Context, u *url.URL, ids []int64, at time.Time, asOf string) (reportPage, error) {
	var before int64
	if b := u.Query().Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return reportPage{}, workplan.E(workplan.EInvalid, "err.param.before", b)
		}
		before = n
	}
	reports, err := s.store.Reports(ctx, ids, asOfTime(at, asOf), before, timelineSize+1)
	if err != nil {
		return reportPage{}, err
	}
	p := reportPage{reports: reports, first: before == 0}
	link := func(before int64) string {
		q := u.Query()
		q.Del("filed")
		q.Del("before")
		if before != 0 {
			q.Set("before", strconv.FormatInt(before, 10))
		}
		href := u.Path
		if enc := q.Encode(); enc != "" {
			href += "?" + enc
		}
		return href + "#timeline"
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
// The task's lead units come with it, from the memo (assignmentMeta).
func (s *Server) readableAssignment(r *http.Request, id int64) (asg workplan.Assignment, leads []int64, readable bool, err error) {
	m, err := s.assignmentMeta(r.Context(), id)
	if err != nil {
		return asg, nil, false, err
	}
	return m.asg, m.leads, s.actor(r).CanReadReports(m.asg, m.leads), nil
}

// assignmentPage shows one unit's part in one task with its reports, the
// review and extension actions the viewer may take.
//
// The page is cached per plan generation, assignment, language, query,
// version of its task's statuses (taskKey), day and assignmentViewer:
// readers who may do the same things on it are served the same body.
func (s *Server) assignmentPage(w http.ResponseWriter, r *http.Request) error {
	meta, seen, err := s.requestedAssignment(r)
	if err != nil {
		return err
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return err
	}
	actor := s.actor(r)
	if !actor.CanReadReports(meta.asg, meta.leads) {
		return workplan.E(workplan.EForbidden, "err.reports.forbidden")
	}
	v := assignmentViewerOf(actor, meta)
	key, cacheable, ps, err := s.assignmentPageKey(r, meta, seen, at, asOf, "assignment", langOf(r), r.URL.RawQuery, v.key(), s.today())
	if err != nil {
		return err
	}
	u := *r.URL
	return s.cachedPage(w, r, "ledger", key, cacheable, func(ctx context.Context) (string, []byte, error) {
		return s.assignmentBody(ctx, &u, meta, ps, at, v)
	})
}

// assignmentViewer is what the assignment page differs by between readers
// who may read it.
type assignmentViewer struct {
	// report: staff of the assignment's unit file reports, ask for
	// extensions and answer its 督办单.
	report bool
	// review: supervisors, and staff of the task's lead units other than
	// the assignment's own, review its completion claims.
	review bool
	// decide and issue: supervisors decide extension requests and issue
	// 督办单.
	decide, issue bool
}

// assignmentViewerOf is what actor may do on the page of assignment m.
func assignmentViewerOf(actor workplan.Actor, m assignmentMeta) assignmentViewer {
	own := actor.Role == workplan.UserStaff && actor.UnitID == m.asg.UnitID
	return assignmentViewer{report: actor.CanFileReport(m.asg), review: actor.CanReview(m.leads) && !own,
		decide: actor.CanDecideExtension(), issue: actor.Role == workplan.UserSupervisor}
}

// key is the viewer's part of the page's cache key.
func (v assignmentViewer) key() string { return flags(v.report, v.review, v.decide, v.issue) }

// assignmentBody renders the assignment page's body for readers of class
// v; u is the page's URL (notices, the timeline's paging).
func (s *Server) assignmentBody(ctx context.Context, u *url.URL, meta assignmentMeta, ps *planState, at time.Time, v assignmentViewer) (string, []byte, error) {
	asg, id, q, asOf, plan := meta.asg, meta.asg.ID, u.Query(), ps.AsOf, meta.plan
	a, ts, state, err := s.findAssignment(ctx, asg, ps, at)
	if err != nil {
		return "", nil, err
	}
	csrf := csrfTokenOf(ctx)
	m := web.AssignmentPage{
		TaskHref: taskHref(plan.Slug, ts.Task.Number) + asOfQuery(asOf), TaskNumber: ts.Task.Number, TaskTitle: ts.Task.Title,
		Unit: asg.UnitName, Role: assignmentRole(ctx, asg.Role), Deadline: ts.Task.Deadline.Text, Meaning: deadlineMeaning(ctx, ts.Task.Deadline),
		Light: lightView(ctx, a.Status), Percent: a.Status.Percent, Version: a.Version, AsOf: asOf, CSRF: csrf,
		CanReport:  v.report && asOf == "" && state == taskInForce,
		ReportHref: "/assignments/" + strconv.FormatInt(id, 10) + "/report",
		ExtendPost: "/assignments/" + strconv.FormatInt(id, 10) + "/extension",
	}
	if q.Get("filed") != "" {
		m.Notice = web.T(ctx, "report.saved")
	}
	if d := q.Get("decided"); d == "approve" || d == "reject" {
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
		if m.Orders, err = s.ordersBlock(ctx, v, asg, state == taskInForce); err != nil {
			return "", nil, err
		}
	}
	inds, err := s.store.TaskIndicators(ctx, asg.TaskID)
	if err != nil {
		return "", nil, err
	}
	page, err := s.timelinePage(ctx, u, []int64{id}, at, asOf)
	if err != nil {
		return "", nil, err
	}
	reports := page.reports
	var canReview reviewable
	// Only the newest report can be reviewed: it is on the first page.
	if asOf == "" && state == taskInForce && page.first && v.review {
		latest := int64(0)
		if len(reports) > 0 {
			latest = reports[0].ID
		}
		var warnings []string
		if len(reports) > 0 && reports[0].ClaimsCompletion && len(reports[0].Reviews) == 0 {
			if warnings, err = s.reviewWarnings(ctx, reviewBoards{}, plan.Slug, ts.Task.Number, asg.ID); err != nil {
				return "", nil, err
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
		return "", nil, err
	}
	for _, e := range exts {
		if asOf != "" && e.RequestedAt.After(at) {
			continue
		}
		ev := web.ExtensionView{ID: e.ID, By: e.RequesterName, At: fmtTime(e.RequestedAt), NewDue: e.RequestedDue.String(), Reason: e.Reason,
			Decision: web.T(ctx, "ext.pending"), Class: "yellow"}
		if e.Decision != nil && (asOf == "" || !e.Decision.DecidedAt.After(at)) {
			ev.Decision, ev.Class = web.T(ctx, "ext.rejected"), "red"
			if e.Decision.Approved {
				ev.Decision, ev.Class = web.T(ctx, "ext.approved"), "done"
			}
			ev.DecidedBy, ev.Note = e.Decision.DeciderName+" · "+fmtTime(e.Decision.DecidedAt), e.Decision.Reason
		} else if v.decide && asOf == "" && state == taskInForce {
			ev.Decide = "/extensions/" + strconv.FormatInt(e.ID, 10) + "/decide"
		}
		if e.Decision == nil {
			m.CanExtend = false // one pending request at a time
		}
		m.Extensions = append(m.Extensions, ev)
	}
	html, err := renderBody(ctx, web.AssignmentView(m))
	return asg.UnitName + " · " + ts.Task.Title, html, err
}

// findAssignment evaluates one assignment (and its task) as of at, where
// its plan stood as ps says. An assignment no longer in force (its unit
// left the task, or the task was archived) is evaluated as it stood just
// before: archived is then true. One not yet in force at at has a bare
// status and notYet set.
func (s *Server) findAssignment(ctx context.Context, asg workplan.Assignment, ps *planState, at time.Time) (a status.Assignment, ts *status.Task, st taskState, err error) {
	if a, ts, ok := ps.Assignment(asg.ID); ok {
		return a, ts, taskInForce, nil
	}
	if asg.ArchivedAt != nil && !at.Before(*asg.ArchivedAt) {
		pa, err := s.store.TaskAt(ctx, ps.Plan.ID, asg.TaskID, asg.ArchivedAt.Add(-time.Microsecond), true)
		if err != nil {
			return a, nil, 0, err
		}
		if a, ts, ok := status.Evaluate(pa, s.policy()).Assignment(asg.ID); ok {
			return a, ts, taskArchived, nil
		}
	}
	task, _, err := s.store.TaskByID(ctx, asg.TaskID)
	if err != nil {
		return a, nil, 0, err
	}
	return status.Assignment{AssignmentFacts: workplan.AssignmentFacts{Assignment: asg}}, &status.Task{Task: task}, taskNotYet, nil
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
	s.changedHere(r.Context(), workplan.Change{Plan: plan.ID})
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
