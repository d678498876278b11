package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"duban/internal/deadline"
	"duban/internal/evidence"
	"duban/internal/workplan"
	"duban/web"
)

// reportForm shows the report form, pre-filled from the last report so that a
// weekly report is an edit, not a rewrite.
//
// Only the assignment's unit's staff may read it, and they all read the
// same form: it is cached per plan generation, assignment and language,
// and by the version of its task's statuses (taskKey) in the plan's state
// when one is cached for the plan's generation. The form is what staff
// open while their plan changes under everyone's reports: it never waits
// for the plan's state to be evaluated again (the morning's reports would
// have every form do so), but shows the assignment's light evaluated
// alone, as of the minute, under a key with the minute.
func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) error {
	meta, seen, err := s.requestedAssignment(r)
	if err != nil {
		return err
	}
	if !s.actor(r).CanFileReport(meta.asg) {
		return workplan.ErrNotOwnUnit
	}
	id := meta.asg.ID
	key, cacheable := s.cache.keySince(seen, meta.plan.ID, "form", strconv.FormatInt(id, 10), langOf(r))
	ps, ok := s.cachedPlanState(meta.plan)
	if ok {
		key += "|" + ps.taskKey(meta.asg.TaskID)
	} else {
		key += "|minute " + minuteOf(s.now())
	}
	return s.cachedPage(w, r, "my", key, cacheable, func(ctx context.Context) (string, []byte, error) {
		t, err := s.store.ReportTarget(ctx, id)
		if err != nil {
			return "", nil, err
		}
		m := s.filledReportForm(ctx, t)
		if ps != nil {
			if a, _, ok := ps.Assignment(id); ok && a.Version == t.Facts.Version {
				// The light as the other pages show it, from the state
				// the key names.
				m.Light = lightView(ctx, a.Status)
			}
		}
		html, err := renderBody(ctx, web.ReportForm(m))
		return web.T(ctx, "report.title"), html, err
	})
}

// filledReportForm is the report form of t pre-filled from its last report.
func (s *Server) filledReportForm(ctx context.Context, t workplan.ReportTarget) web.ReportFormPage {
	m := s.reportFormModel(ctx, t)
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
	return m
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

// fileReport files the posted report. Invalid input shows the form again with
// the values entered and the message beside the field (refused.go); a stale
// version gets the 409 page listing what changed meanwhile; nothing is
// written in either case. FileReport checks, with the assignment locked, that it is the viewer's
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
		if workplan.ErrorCode(formErr) == workplan.EInvalid {
			formErr = onField("evidence", formErr)
		}
	}
	if formErr == nil {
		_, formErr = s.store.FileReport(ctx, s.actor(r), in)
	}
	var conflict *workplan.ConflictError
	switch {
	case errors.As(formErr, &conflict):
		s.renderConflict(w, r, reportConflict(ctx, in, conflict, "/assignments/"+strconv.FormatInt(id, 10)+"/report"))
		return nil
	case formErr != nil:
		return formErr
	}
	s.wroteAssignment(ctx, id)
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
		return in, workplan.E(workplan.EInvalid, "err.form.version")
	}
	if in.Percent, err = strconv.Atoi(strings.TrimSpace(r.PostFormValue("percent"))); err != nil {
		return in, onField("percent", workplan.E(workplan.EInvalid, "err.report.percent_int"))
	}
	for key, vals := range r.PostForm {
		idStr, ok := strings.CutPrefix(key, "ind-")
		if !ok || len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
			continue
		}
		id, err := strconv.ParseInt(idStr, 10, 64)
		if err != nil {
			return in, workplan.E(workplan.EInvalid, "err.report.indicator_field", key)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(vals[0]), 64)
		if err != nil {
			return in, onField(key, workplan.E(workplan.EInvalid, "err.report.indicator_value", vals[0]))
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
