package server

import (
	"errors"
	"net/http"
	"strconv"

	"duban/internal/workplan"
	"duban/web"
)

// reviewReport records an accept or return decision.
func (s *Server) reviewReport(w http.ResponseWriter, r *http.Request) error {
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		return workplan.E(workplan.EInvalid, "err.form.version")
	}
	in := workplan.ReviewInput{ReportID: id, Decision: workplan.Decision(r.PostFormValue("decision")),
		Reason: formText(r, "reason"), BaseVersion: version}
	if in.Decision == workplan.DecisionReturn && in.Reason == "" {
		// The form again, with the message beside it: not a dead end.
		return onField("reason", workplan.E(workplan.EInvalid, "review.reason.required"))
	}
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
	if err != nil {
		// postgres.ErrNothingClaimed and ErrClaimSuperseded say themselves
		// why the decision would not mean what it says.
		return err
	}
	http.Redirect(w, r, "/review?reviewed="+strconv.FormatInt(id, 10)+"&decision="+string(in.Decision), http.StatusSeeOther)
	return nil
}

// reviewQueue lists the completion claims the viewer may review, and for
// supervisors the pending extension requests.
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
	m := web.ReviewQueuePage{CSRF: csrfTokenOf(ctx)}
	if actor.Role == workplan.UserSupervisor {
		m.CanDecideExtensions = true
		if m.Extensions, err = s.pendingExtensionRows(ctx); err != nil {
			return err
		}
	}
	ids := make([]int64, len(pending))
	for i, p := range pending {
		ids[i] = p.Report.ID
	}
	details, err := s.store.ReportDetails(ctx, ids)
	if err != nil {
		return err
	}
	if q := r.URL.Query(); q.Get("decided") != "" {
		m.Notice = web.T(ctx, "ext.decided."+q.Get("decided"))
	} else if q.Get("reviewed") != "" {
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
		row := &m.Rows[len(m.Rows)-1]
		d := details[p.Report.ID]
		row.Problems, row.NextSteps = d.Problems, d.NextSteps
		for _, e := range d.Evidence {
			row.Evidence = append(row.Evidence, web.EvidenceView{Name: e.Filename, Href: "/evidence/" + strconv.FormatInt(e.ID, 10), Size: humanSize(e.Size)})
		}
	}
	s.render(w, r, http.StatusOK, web.T(ctx, "review.title"), "review", web.ReviewQueue(m))
	return nil
}
