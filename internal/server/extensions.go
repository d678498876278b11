package server

import (
	"net/http"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// requestExtension files an extension request (延期申请).
func (s *Server) requestExtension(w http.ResponseWriter, r *http.Request) error {
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	due, err := deadline.ParseDate(r.PostFormValue("requested_due"))
	if err != nil {
		return onField("requested_due", workplan.E(workplan.EInvalid, "err.extension.due_format"))
	}
	if _, err := s.store.RequestExtension(r.Context(), s.actor(r), id, due, formText(r, "reason")); err != nil {
		return err
	}
	s.wroteAssignment(r.Context(), id)
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
		return workplan.E(workplan.EInvalid, "err.extension.decision")
	}
	if err := s.store.DecideExtension(r.Context(), s.actor(r), id, d == "approve", formText(r, "reason")); err != nil {
		return err
	}
	asg, err := s.store.ExtensionAssignment(r.Context(), id)
	if err != nil {
		return err
	}
	s.wroteAssignment(r.Context(), asg)
	// Back to the assignment's page, found from the request, never from the
	// Referer: that header is the client's to write; or to the review page
	// when the form says it came from there. Either confirms the decision.
	if r.PostFormValue("back") == "review" {
		http.Redirect(w, r, "/review?decided="+d+"#extensions", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, assignmentHref(asg, "")+"?decided="+d, http.StatusSeeOther)
	return nil
}
