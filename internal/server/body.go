package server

import (
	"errors"
	"net/http"
	"time"

	"duban/internal/evidence"
	"duban/internal/workplan"
)

// Limits of uploads, sized for phone photos and scans (README, Evidence).
const (
	// maxEvidenceBytes is the largest evidence file.
	maxEvidenceBytes = 20 << 20
	// maxReportEvidence bounds the evidence files of one report together.
	maxReportEvidence = 40 << 20
	// maxFormBytes bounds the body of a state-changing request: the largest
	// is a report with all its evidence and its text.
	maxFormBytes = maxReportEvidence + 1<<20
	// bodyReadTimeout bounds reading a request's body: a report with 40 MB
	// of photos from a phone on a 2 Mbit/s uplink.
	bodyReadTimeout = 3 * time.Minute
)

// evidenceLimits are the limits evidence files are checked against.
var evidenceLimits = func() evidence.Limits {
	l := evidence.DefaultLimits
	l.MaxFileBytes = maxEvidenceBytes
	return l
}()

// readBody reads the form of a state-changing request (urlencoded or
// multipart, within maxFormBytes) before the request's own deadline starts
// (timeout comes after it): an upload over a slow link must not use up the
// time its database work needs, nor the time to write the answer. Files
// the form parser kept on disk are removed when the request ends. Handlers
// and checkCSRF read the parsed form.
func (s *Server) readBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		// Not every writer can (httptest's cannot): then the server's own
		// timeouts stay.
		_ = rc.SetReadDeadline(time.Now().Add(bodyReadTimeout))
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		err := r.ParseMultipartForm(1 << 20)
		if r.MultipartForm != nil {
			defer func() { _ = r.MultipartForm.RemoveAll() }()
		}
		_ = rc.SetWriteDeadline(time.Now().Add(s.cfg.RequestTimeout + 5*time.Second))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			s.renderError(w, r, workplan.E(workplan.EInvalid, "input.body_too_large", maxFormBytes>>20))
			return
		case err != nil && !errors.Is(err, http.ErrNotMultipart):
			s.renderError(w, r, workplan.E(workplan.EInvalid, "input.form_unreadable"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
