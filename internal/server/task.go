package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"duban/internal/workplan"
	"duban/web"
)

// taskPage shows one task: its text, deadline, every unit's status, the
// indicators, the reports the viewer may read and the comments.
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
	ps, err := s.loadPlanState(ctx, plan, at, asOf)
	if err != nil {
		return err
	}
	ts := &taskStatus{Task: task}
	for _, t := range ps.Tasks {
		if t.Task.ID == task.ID {
			ts = t
		}
	}
	actor := s.actor(r)
	leads := leadIDs(ts)
	rep, done := reportedLabel(ctx, ts.Rollup)
	m := web.TaskPage{
		PlanTitle: plan.Title, PlanSlug: plan.Slug, Number: task.Number,
		Section: "(" + task.Section.Numeral + ")" + task.Section.Title, Group: task.Group.Title,
		Title: task.Title, Body: task.Body, Deadline: task.Deadline.Text, Meaning: deadlineMeaning(ctx, task.Deadline),
		Archived: task.ArchivedAt != nil, Light: taskLightView(ctx, ts.Rollup), Reported: rep, Completed: done, AsOf: asOf,
		CanComment: actor.CanComment() && asOf == "", CSRF: csrfTokenOf(ctx),
		CommentPost: taskHref(plan.Slug, task.Number) + "/comments",
	}
	var readable []int64
	units := map[int64]string{}
	for _, a := range ts.Asg {
		m.Assignments = append(m.Assignments, assignmentRow(ctx, a, asOf))
		units[a.ID] = a.UnitName
		if actor.CanReadReports(a.Assignment, leads) {
			readable = append(readable, a.ID)
		}
	}
	inds, err := s.store.TaskIndicators(ctx, task.ID)
	if err != nil {
		return err
	}
	for _, i := range inds {
		m.Indicators = append(m.Indicators, indicatorRow(i))
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
	s.render(w, r, http.StatusOK, fmt.Sprintf("(%d) %s", task.Number, task.Title), "ledger", web.TaskView(m))
	return nil
}

// asOfTime is the bound for history reads: zero (no bound) for now.
func asOfTime(at time.Time, asOf string) time.Time {
	if asOf == "" {
		return time.Time{}
	}
	return at
}

func leadIDs(ts *taskStatus) []int64 {
	var ids []int64
	for _, a := range ts.Asg {
		if a.Role == workplan.RoleLead {
			ids = append(ids, a.UnitID)
		}
	}
	return ids
}

func assignmentRow(ctx context.Context, a asgStatus, asOf string) web.AssignmentRow {
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
			return reportPage{}, workplan.Errorf(workplan.EInvalid, "参数 before=%q 应为报送编号", b)
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
	asg, err := s.store.AssignmentByID(ctx, id)
	if err != nil {
		return err
	}
	leads, err := s.store.TaskLeads(ctx, asg.TaskID)
	if err != nil {
		return err
	}
	actor := s.actor(r)
	if !actor.CanReadReports(asg, leads) {
		return workplan.Errorf(workplan.EForbidden, "只能查看本单位或本单位牵头任务的报送")
	}
	a, ts, plan, err := s.findAssignment(ctx, asg, at, asOf)
	if err != nil {
		return err
	}
	csrf := csrfTokenOf(ctx)
	m := web.AssignmentPage{
		TaskHref: taskHref(plan.Slug, ts.Task.Number) + asOfQuery(asOf), TaskNumber: ts.Task.Number, TaskTitle: ts.Task.Title,
		Unit: asg.UnitName, Role: assignmentRole(ctx, asg.Role), Deadline: ts.Task.Deadline.Text, Meaning: deadlineMeaning(ctx, ts.Task.Deadline),
		Light: lightView(ctx, a.Status), Percent: a.Status.Percent, Version: a.Version, AsOf: asOf, CSRF: csrf,
		CanReport:  actor.CanFileReport(asg) && asOf == "",
		ReportHref: "/assignments/" + strconv.FormatInt(id, 10) + "/report",
		ExtendPost: "/assignments/" + strconv.FormatInt(id, 10) + "/extension",
	}
	if r.URL.Query().Get("filed") != "" {
		m.Notice = web.T(ctx, "report.saved")
	}
	if m.CanReport && ts.Task.Deadline.Kind.HasDue() && !a.Status.Completed && a.Status.DaysOverdue == 0 {
		m.CanExtend = true
		m.MinDue = a.Status.Due.AddDays(1).String()
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
	if asOf == "" && page.first && actor.CanReview(leads) && !(actor.Role == workplan.UserStaff && actor.UnitID == asg.UnitID) {
		latest := int64(0)
		if len(reports) > 0 {
			latest = reports[0].ID
		}
		canReview = func(rp workplan.Report) *web.ReviewForm {
			if rp.ID != latest || !rp.ClaimsCompletion || len(rp.Reviews) > 0 {
				return nil
			}
			return &web.ReviewForm{Action: "/reports/" + strconv.FormatInt(rp.ID, 10) + "/review", Version: a.Version, CSRF: csrf}
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
		} else if actor.CanDecideExtension() && asOf == "" {
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

// findAssignment evaluates one assignment (and its task) as of at.
func (s *Server) findAssignment(ctx context.Context, asg workplan.Assignment, at time.Time, asOf string) (asgStatus, *taskStatus, workplan.Plan, error) {
	_, plan, err := s.store.TaskByID(ctx, asg.TaskID)
	if err != nil {
		return asgStatus{}, nil, plan, err
	}
	ps, err := s.loadPlanState(ctx, plan, at, asOf)
	if err != nil {
		return asgStatus{}, nil, plan, err
	}
	for _, ts := range ps.Tasks {
		if ts.Task.ID != asg.TaskID {
			continue
		}
		for _, a := range ts.Asg {
			if a.ID == asg.ID {
				return a, ts, plan, nil
			}
		}
	}
	return asgStatus{}, nil, plan, fmt.Errorf("server: assignment %d is archived: %w", asg.ID, workplan.ErrNotFound)
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
