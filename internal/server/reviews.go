package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
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
	s.wroteReport(r.Context(), id)
	http.Redirect(w, r, "/review?reviewed="+strconv.FormatInt(id, 10)+"&decision="+string(in.Decision), http.StatusSeeOther)
	return nil
}

// reviewQueue lists the completion claims the viewer may review, and for
// supervisors the pending extension requests.
//
// What it lists depends on the reviewer's unit (for staff, the claims of
// the tasks it leads in its plans) or on being a supervisor (every claim
// and request): it is cached per unit and its plans' generations, or for
// supervisors per generation of every plan, with language and query
// (nothing on it depends on the clock: the warnings beside a claim come
// from indicator values).
func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request) error {
	actor := s.actor(r)
	super := actor.Role == workplan.UserSupervisor
	unit := actor.UnitID
	if super {
		unit = 0
	}
	var key string
	var cacheable bool
	if super {
		key, cacheable = s.cache.keyAll("review", "super", langOf(r), r.URL.RawQuery)
	} else {
		seen := s.cache.mark()
		plans, err := s.unitPlans(r.Context(), unit)
		if err != nil {
			return err
		}
		key, cacheable = s.cache.keyPlans(planIDs(plans), "review", strconv.FormatInt(unit, 10), langOf(r), r.URL.RawQuery)
		cacheable = cacheable && s.cache.stillFresh(seen)
	}
	q := r.URL.Query()
	return s.cachedPage(w, r, "review", key, cacheable, func(ctx context.Context) (string, []byte, error) {
		m, err := s.reviewQueueModel(ctx, unit, super, q)
		if err != nil {
			return "", nil, err
		}
		html, err := renderBody(ctx, web.ReviewQueue(m))
		return web.T(ctx, "review.title"), html, err
	})
}

// reviewQueueModel lists what awaits review by unit (0: every unit) and,
// for supervisors, the extension requests; q holds the notices of the last
// decision.
func (s *Server) reviewQueueModel(ctx context.Context, unit int64, super bool, q url.Values) (web.ReviewQueuePage, error) {
	pending, err := s.store.PendingReviews(ctx, unit)
	if err != nil {
		return web.ReviewQueuePage{}, err
	}
	m := web.ReviewQueuePage{CSRF: csrfTokenOf(ctx)}
	if super {
		m.CanDecideExtensions = true
		if m.Extensions, err = s.pendingExtensionRows(ctx); err != nil {
			return m, err
		}
	}
	ids := make([]int64, len(pending))
	for i, p := range pending {
		ids[i] = p.Report.ID
	}
	details, err := s.store.ReportDetails(ctx, ids)
	if err != nil {
		return m, err
	}
	if q.Get("decided") != "" {
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
			return m, err
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
	return m, nil
}
