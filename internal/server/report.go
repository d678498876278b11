package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"duban/internal/deadline"
	"duban/internal/evidence"
	"duban/internal/postgres"
	"duban/internal/workplan"
	"duban/web"
)

// myTasks lists the signed-in staff member's assignments, most urgent first.
func (s *Server) myTasks(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u, _ := userOf(ctx)
	if u.UnitID == 0 {
		return workplan.Errorf(workplan.EForbidden, "您的账号未关联单位")
	}
	ids, err := s.store.UnitPlans(ctx, u.UnitID)
	if err != nil {
		return err
	}
	plans, err := s.store.ListPlans(ctx)
	if err != nil {
		return err
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return err
	}
	type row struct {
		st deadline.Status
		r  web.MyTaskRow
	}
	var rows []row
	for _, p := range plans {
		if !slices.Contains(ids, p.ID) {
			continue
		}
		// The unit's part as every other page shows it: read from the
		// plan's state.
		ps, err := s.loadPlanState(ctx, p.Plan, at, asOf)
		if err != nil {
			return err
		}
		for _, ua := range ps.UnitAssignments(u.UnitID) {
			t, st := ua.Task.Task, ua.Status
			last := fmtTime(ua.Facts.LastReportAt)
			if last == "" {
				last = web.T(ctx, "my.never")
			}
			id := strconv.FormatInt(ua.ID, 10)
			rows = append(rows, row{st, web.MyTaskRow{
				Number: t.Number, Title: t.Title, TaskHref: taskHref(p.Slug, t.Number) + asOfQuery(asOf), Role: assignmentRole(ctx, ua.Role),
				Deadline: t.Deadline.Text, Light: lightView(ctx, st), Percent: st.Percent, LastReport: last,
				ReportHref: "/assignments/" + id + "/report", ViewHref: assignmentHref(ua.ID, asOf),
			}})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return urgency(rows[i].st, rows[j].st) })
	m := web.MyTasksPage{Unit: u.UnitName, Empty: len(rows) == 0, AsOf: asOf}
	for _, r := range rows {
		m.Rows = append(m.Rows, r.r)
	}
	s.render(w, r, http.StatusOK, web.T(ctx, "my.title"), "my", web.MyTasks(m))
	return nil
}

// reportTarget reads what the report form of the URL's assignment shows, in
// one round trip, and checks the viewer may report on it: staff of its own
// unit only. The form and its submission are the requests of the busiest
// morning, every unit filing at once.
func (s *Server) reportTarget(r *http.Request) (workplan.ReportTarget, error) {
	id, err := intParam(r, "id")
	if err != nil {
		return workplan.ReportTarget{}, err
	}
	t, err := s.store.ReportTarget(r.Context(), id)
	if err != nil {
		return t, err
	}
	if !s.actor(r).CanFileReport(t.Facts.Assignment) {
		return t, workplan.ErrNotOwnUnit
	}
	return t, nil
}

// reportForm shows the report form, pre-filled from the last report so that a
// weekly report is an edit, not a rewrite.
func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) error {
	t, err := s.reportTarget(r)
	if err != nil {
		return err
	}
	m := s.reportFormModel(r.Context(), t)
	if last := t.Last; last != nil {
		m.Percent, m.Progress, m.Problems, m.NextSteps = last.Percent, last.Progress, last.Problems, last.NextSteps
		vals := map[int64]float64{}
		for _, iv := range last.Indicators {
			vals[iv.IndicatorID] = iv.Value
		}
		for i := range m.Indicators {
			if v, ok := vals[m.Indicators[i].ID]; ok {
				m.Indicators[i].Value = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
	}
	s.render(w, r, http.StatusOK, web.T(r.Context(), "report.title"), "my", web.ReportForm(m))
	return nil
}

func (s *Server) reportFormModel(ctx context.Context, t workplan.ReportTarget) web.ReportFormPage {
	asg, task := t.Facts, t.Task
	st := deadline.Evaluate(asg.Facts, s.now(), s.policy())
	m := web.ReportFormPage{
		Action: "/assignments/" + strconv.FormatInt(asg.ID, 10) + "/report", TaskNumber: task.Number, TaskTitle: task.Title,
		TaskHref: taskHref(t.Plan.Slug, task.Number), Unit: asg.UnitName, Deadline: task.Deadline.Text + " · " + deadlineMeaning(ctx, task.Deadline),
		Light: lightView(ctx, st), Version: asg.Version, CSRF: csrfTokenOf(ctx),
		MaxFiles: workplan.MaxEvidenceFiles, MaxFileMB: maxEvidenceBytes >> 20, MaxTotalMB: maxReportEvidence >> 20,
		Accept: evidenceAccept,
	}
	for _, i := range t.Indicators {
		m.Indicators = append(m.Indicators, web.IndicatorInput{ID: i.ID, Name: "ind-" + strconv.FormatInt(i.ID, 10), Label: i.Text,
			Target: comparatorSign(i.Comparator) + " " + strconv.FormatFloat(i.Value, 'f', -1, 64) + i.Unit})
	}
	return m
}

// fileReport files the posted report. Invalid input re-renders the form with
// the values entered and a message naming the field; a stale version gets the
// 409 page listing what changed meanwhile; nothing is written in either case.
// FileReport checks, with the assignment locked, that it is the viewer's
// unit's (403) and exists (404); the form's data is read only to show it
// again.
func (s *Server) fileReport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	cleanup, err := parseUpload(r)
	if err != nil {
		return err
	}
	defer cleanup()
	in, formErr := reportInput(r, id)
	if formErr == nil {
		var release func()
		in.Evidence, release, formErr = s.evidenceFiles(r)
		defer release()
	}
	if formErr == nil {
		_, formErr = s.store.FileReport(ctx, s.actor(r), in)
	}
	var conflict *workplan.ConflictError
	switch {
	case errors.As(formErr, &conflict):
		s.renderConflict(w, r, reportConflict(ctx, in, conflict, "/assignments/"+strconv.FormatInt(id, 10)+"/report"))
		return nil
	case formErr != nil && workplan.ErrorCode(formErr) == workplan.EInvalid:
		t, err := s.reportTarget(r)
		if err != nil {
			return err
		}
		m := s.reportFormModel(ctx, t)
		m.Error = workplan.ErrorMessage(formErr)
		m.Percent, m.Progress, m.Problems, m.NextSteps, m.Claims = in.Percent, in.Progress, in.Problems, in.NextSteps, in.ClaimsCompletion
		for i := range m.Indicators {
			m.Indicators[i].Value = r.PostFormValue(m.Indicators[i].Name)
		}
		s.render(w, r, http.StatusUnprocessableEntity, web.T(ctx, "report.title"), "my", web.ReportForm(m))
		return nil
	case formErr != nil:
		return formErr
	}
	http.Redirect(w, r, "/assignments/"+strconv.FormatInt(id, 10)+"?filed=1", http.StatusSeeOther)
	return nil
}

// reportInput reads the report fields of the form.
func reportInput(r *http.Request, asgID int64) (workplan.ReportInput, error) {
	in := workplan.ReportInput{AssignmentID: asgID, Progress: formText(r, "progress"),
		Problems: formText(r, "problems"), NextSteps: formText(r, "next_steps"),
		ClaimsCompletion: r.PostFormValue("claims") == "1"}
	var err error
	if in.BaseVersion, err = strconv.Atoi(r.PostFormValue("version")); err != nil {
		return in, workplan.Errorf(workplan.EInvalid, "表单缺少版本号(version),请刷新页面后重试")
	}
	if in.Percent, err = strconv.Atoi(strings.TrimSpace(r.PostFormValue("percent"))); err != nil {
		return in, workplan.Errorf(workplan.EInvalid, "完成百分比(percent)应为 0 到 100 的整数")
	}
	for key, vals := range r.PostForm {
		idStr, ok := strings.CutPrefix(key, "ind-")
		if !ok || len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
			continue
		}
		id, err := strconv.ParseInt(idStr, 10, 64)
		if err != nil {
			return in, workplan.Errorf(workplan.EInvalid, "指标字段 %q 无效", key)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(vals[0]), 64)
		if err != nil {
			return in, workplan.Errorf(workplan.EInvalid, "指标值 %q 不是数字", vals[0])
		}
		in.Indicators = append(in.Indicators, workplan.IndicatorValue{IndicatorID: id, Value: v})
	}
	sort.Slice(in.Indicators, func(i, j int) bool { return in.Indicators[i].IndicatorID < in.Indicators[j].IndicatorID })
	return in, nil
}

// evidenceAccept is the report form's accept attribute: the extensions
// evidence.Check takes, and the types that make phones offer their camera
// and documents.
var evidenceAccept = strings.Join(evidence.Extensions(), ",") + ",application/pdf,image/jpeg,image/png,image/webp,image/heic"

// evidenceFiles reads the uploaded evidence and checks each file by name
// and content (evidence.Check): what is not on the list, scripts and
// programs, empty files and decompression bombs are refused with a message
// naming the file. The files are held in memory until they are stored, so
// the uploads being read at once are bounded (uploads): a morning when every
// unit files its photos waits rather than exhausts the replica's memory.
func (s *Server) evidenceFiles(r *http.Request) ([]workplan.EvidenceFile, func(), error) {
	ctx := r.Context()
	done := func() {}
	if r.MultipartForm == nil {
		return nil, done, nil
	}
	var total int64
	var heads []*multipart.FileHeader
	for _, fh := range r.MultipartForm.File["evidence"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue // the empty part a browser sends when no file is chosen
		}
		if len(heads) == workplan.MaxEvidenceFiles {
			return nil, done, workplan.Errorf(workplan.EInvalid, "%s", web.T(ctx, "evidence.too_many", workplan.MaxEvidenceFiles))
		}
		total += fh.Size
		heads = append(heads, fh)
	}
	if total > maxReportEvidence {
		return nil, done, workplan.Errorf(workplan.EInvalid, "%s", web.T(ctx, "evidence.total", maxReportEvidence>>20))
	}
	if len(heads) == 0 {
		return nil, done, nil
	}
	if err := s.uploads.Acquire(ctx, max(total, 1)); err != nil {
		return nil, done, workplan.Errorf(workplan.EUnavailable, "%s", web.T(ctx, "evidence.busy"))
	}
	done = func() { s.uploads.Release(max(total, 1)) }
	var out []workplan.EvidenceFile
	for _, fh := range heads {
		name := evidence.CleanName(fh.Filename)
		if fh.Size > maxEvidenceBytes {
			return nil, done, evidenceError(ctx, &evidence.Error{Reason: evidence.ReasonTooLarge, Name: name})
		}
		f, err := fh.Open()
		if err != nil {
			return nil, done, fmt.Errorf("server: open upload: %w", err)
		}
		b, err := io.ReadAll(io.LimitReader(f, maxEvidenceBytes+1))
		f.Close()
		if err != nil {
			return nil, done, fmt.Errorf("server: read upload: %w", err)
		}
		ct, err := evidence.Check(name, b, evidenceLimits)
		if err != nil {
			return nil, done, evidenceError(ctx, err)
		}
		out = append(out, workplan.EvidenceFile{Filename: name, ContentType: ct, Content: b})
	}
	return out, done, nil
}

// evidenceError explains why evidence.Check refused a file, in the
// interface's language.
func evidenceError(ctx context.Context, err error) error {
	var e *evidence.Error
	if !errors.As(err, &e) {
		return err
	}
	subject := web.T(ctx, "evidence.file", e.Name)
	if e.Member != "" {
		subject = web.T(ctx, "evidence.in_archive", e.Name, e.Member)
	}
	var msg string
	switch e.Reason {
	case evidence.ReasonTooLarge:
		msg = web.T(ctx, "evidence.too_large", subject, maxEvidenceBytes>>20)
	case evidence.ReasonBomb:
		msg = web.T(ctx, "evidence.bomb", subject, evidenceLimits.MaxUnpackedBytes>>20)
	case evidence.ReasonNested:
		msg = web.T(ctx, "evidence.nested", subject, evidenceLimits.MaxDepth)
	default:
		msg = web.T(ctx, "evidence."+string(e.Reason), subject)
	}
	return workplan.Errorf(workplan.EInvalid, "%s", msg)
}

// reportConflict describes a report refused for a stale version.
func reportConflict(ctx context.Context, in workplan.ReportInput, c *workplan.ConflictError, reload string) web.Conflict {
	m := web.Conflict{What: web.T(ctx, "report.title"), ReloadHref: reload}
	cur, _ := c.Current.(workplan.AssignmentConflict)
	m.Fields = append(m.Fields, web.ConflictField{Label: web.T(ctx, "report.percent"), Yours: strconv.Itoa(in.Percent) + "%",
		Theirs: strconv.Itoa(cur.State.Facts.Percent) + "%"})
	for _, ch := range cur.Changes {
		desc := ch.Kind
		switch ch.Kind {
		case "report":
			desc = fmt.Sprintf("%s %d%%", web.T(ctx, "report.title"), ch.Percent)
		case "accept":
			desc = web.T(ctx, "review.accepted")
		case "return":
			desc = web.T(ctx, "review.returned") + ": " + ch.Reason
		case "extension":
			desc = web.T(ctx, "ext.approved") + " " + ch.NewDue
		}
		m.Fields = append(m.Fields, web.ConflictField{Label: ch.By + " · " + fmtTime(ch.At), Yours: "", Theirs: desc})
	}
	return m
}

// reviewReport records an accept or return decision.
func (s *Server) reviewReport(w http.ResponseWriter, r *http.Request) error {
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		return workplan.Errorf(workplan.EInvalid, "表单缺少版本号(version),请刷新页面后重试")
	}
	in := workplan.ReviewInput{ReportID: id, Decision: workplan.Decision(r.PostFormValue("decision")),
		Reason: formText(r, "reason"), BaseVersion: version}
	_, err = s.store.ReviewReport(r.Context(), s.actor(r), in)
	var conflict *workplan.ConflictError
	if errors.As(err, &conflict) {
		// The reload link is the assignment's page, never the Referer:
		// that header is the client's to write.
		reload := ""
		if cur, ok := conflict.Current.(workplan.AssignmentConflict); ok && cur.State.AssignmentID != 0 {
			reload = assignmentHref(cur.State.AssignmentID, "") + "#r" + strconv.FormatInt(id, 10)
		}
		s.renderConflict(w, r, reportConflict(r.Context(), workplan.ReportInput{}, conflict, reload))
		return nil
	}
	switch {
	case errors.Is(err, postgres.ErrNothingClaimed):
		return workplan.Errorf(workplan.EInvalid, "%s", web.T(r.Context(), "review.err.nothing_claimed"))
	case errors.Is(err, postgres.ErrClaimSuperseded):
		return workplan.Errorf(workplan.EInvalid, "%s", web.T(r.Context(), "review.err.superseded"))
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/review?reviewed="+strconv.FormatInt(id, 10)+"&decision="+string(in.Decision), http.StatusSeeOther)
	return nil
}

// reviewQueue lists the completion claims the viewer may review.
func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := s.actor(r)
	unit := actor.UnitID
	if actor.Role == workplan.UserSupervisor {
		unit = 0
	}
	pending, err := s.store.PendingReviews(ctx, unit)
	if err != nil {
		return err
	}
	m := web.ReviewQueuePage{}
	if q := r.URL.Query(); q.Get("reviewed") != "" {
		key := "review.done.accept"
		if q.Get("decision") == string(workplan.DecisionReturn) {
			key = "review.done.return"
		}
		m.Notice = web.T(ctx, key)
	}
	boards := reviewBoards{}
	for _, p := range pending {
		warnings, err := s.reviewWarnings(ctx, boards, p.PlanSlug, p.TaskNumber, p.Assignment.ID)
		if err != nil {
			return err
		}
		m.Rows = append(m.Rows, web.ReviewQueueRow{
			TaskNumber: p.TaskNumber, TaskTitle: p.TaskTitle, Href: assignmentHref(p.Assignment.ID, ""),
			Unit: p.Assignment.UnitName, Author: p.Report.AuthorName, At: fmtTime(p.Report.SubmittedAt), Percent: p.Report.Percent,
			Progress: p.Report.Progress,
			Review: web.ReviewForm{Action: "/reports/" + strconv.FormatInt(p.Report.ID, 10) + "/review", Version: p.Version, CSRF: csrfTokenOf(ctx),
				Warnings: warnings},
		})
	}
	s.render(w, r, http.StatusOK, web.T(ctx, "review.title"), "review", web.ReviewQueue(m))
	return nil
}

// requestExtension files an extension request (延期申请).
func (s *Server) requestExtension(w http.ResponseWriter, r *http.Request) error {
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	due, err := deadline.ParseDate(r.PostFormValue("requested_due"))
	if err != nil {
		return workplan.Errorf(workplan.EInvalid, "申请的新截止日期(requested_due)应为 YYYY-MM-DD")
	}
	if _, err := s.store.RequestExtension(r.Context(), s.actor(r), id, due, formText(r, "reason")); err != nil {
		return err
	}
	http.Redirect(w, r, assignmentHref(id, ""), http.StatusSeeOther)
	return nil
}

// decideExtension approves or rejects an extension request.
func (s *Server) decideExtension(w http.ResponseWriter, r *http.Request) error {
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	d := r.PostFormValue("decision")
	if d != "approve" && d != "reject" {
		return workplan.Errorf(workplan.EInvalid, "审批结果(decision)应为 approve 或 reject")
	}
	if err := s.store.DecideExtension(r.Context(), s.actor(r), id, d == "approve", formText(r, "reason")); err != nil {
		return err
	}
	// Back to the assignment's page, found from the request, never from the
	// Referer: that header is the client's to write.
	asg, err := s.store.ExtensionAssignment(r.Context(), id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, assignmentHref(asg, ""), http.StatusSeeOther)
	return nil
}

// evidence serves an evidence file as an attachment, never inline: its type
// was checked from its content at upload, and the response forbids sniffing
// and scripts.
func (s *Server) evidence(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	meta, content, asgID, err := s.store.Evidence(ctx, id)
	if err != nil {
		return err
	}
	asg, err := s.store.AssignmentByID(ctx, asgID)
	if err != nil {
		return err
	}
	leads, err := s.store.TaskLeads(ctx, asg.TaskID)
	if err != nil {
		return err
	}
	if !s.actor(r).CanReadReports(asg, leads) {
		return workplan.Errorf(workplan.EForbidden, "只能查看本单位或本单位牵头任务的佐证材料")
	}
	h := w.Header()
	h.Set("Content-Type", meta.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": meta.Filename}))
	// A second policy: browsers enforce both, so the file runs nothing.
	h.Add("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Length", strconv.Itoa(len(content)))
	_, _ = w.Write(content)
	return nil
}

// parseUpload makes the posted form available, multipart or not (readBody
// has read it already, within maxFormBytes); call the returned function to
// remove the uploaded files' temporary copies when done.
func parseUpload(r *http.Request) (func(), error) {
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return nil, workplan.Errorf(workplan.EInvalid, "表单无法解析,请重新提交")
	}
	return func() {
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
	}, nil
}
