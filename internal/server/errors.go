package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"duban/internal/workplan"
	"duban/web"
)

// handlerFunc is a handler that returns an error instead of writing one.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

var (
	errNotFoundPage = workplan.E(workplan.ENotFound, "error.not_found")
	errMethod       = workplan.E(workplan.EInvalid, "err.method")
)

// h adapts a handlerFunc: a returned error becomes an error page. The
// request's path parameters, query and form are checked first (input.go), so
// no handler sees input it could not store or look up.
func (s *Server) h(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := checkParams(r)
		if err == nil {
			err = checkFields(r)
		}
		if err == nil {
			err = fn(w, r)
		}
		if err != nil && !s.formAgain(w, r, err) {
			s.renderError(w, r, err)
		}
	}
}

// statusOf maps an error code to its HTTP status.
func statusOf(err error) int {
	if errors.Is(err, errMethod) {
		return http.StatusMethodNotAllowed
	}
	switch workplan.ErrorCode(err) {
	case workplan.ENotFound:
		return http.StatusNotFound
	case workplan.EConflict:
		return http.StatusConflict
	case workplan.EInvalid:
		return http.StatusUnprocessableEntity
	case workplan.EForbidden:
		return http.StatusForbidden
	case workplan.EUnauthorized:
		return http.StatusUnauthorized
	case workplan.ETooMany:
		return http.StatusTooManyRequests
	case workplan.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// renderError writes err as a page (or JSON under /api/) with its status. Only
// 5xx errors are logged; internal error text is never shown to the user.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	ctx := r.Context()
	if errors.Is(err, context.Canceled) && ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		// The client went away: nobody reads the answer, and it is not a
		// server error worth an alert.
		s.log.Info("request abandoned by the client", "request_id", requestIDOf(ctx), "path", r.URL.Path)
		w.WriteHeader(499)
		return
	}
	msg := s.errorMessage(ctx, err)
	if status >= 500 {
		// During an outage every request fails alike: the cause goes to
		// the log at warn level, once per request (the request line says
		// the rest); true server errors are errors.
		level := slog.LevelError
		if status == http.StatusServiceUnavailable {
			level = slog.LevelWarn
		}
		s.log.Log(ctx, level, "request failed", "request_id", requestIDOf(ctx), "path", r.URL.Path, "status", status, "err", err)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": msg, "request_id": requestIDOf(ctx)})
		return
	}
	s.render(w, r, status, web.T(ctx, "error.title"), "", web.Error(web.ErrorPage{Status: status, Message: msg, RequestID: requestIDOf(ctx), Back: s.backPath(r)}))
}
