package server

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"duban/internal/workplan"
)

// sleeper runs a query that takes as long as asked: the runaway query of the
// fault tests, stopped by the server's statement_timeout.
type sleeper interface {
	Sleep(ctx context.Context, d time.Duration) error
}

// debugRoutes are mounted only in development mode (DUBAN_ENV=development):
// a slow request for the graceful-shutdown and fault tests.
//
//	GET /debug/sleep?d=3s         sleeps in Go, then answers 200
//	GET /debug/sleep?d=30s&db=1   sleeps in PostgreSQL (pg_sleep)
func (s *Server) debugRoutes(r chi.Router) {
	r.Get("/debug/sleep", s.h(func(w http.ResponseWriter, r *http.Request) error {
		d, err := time.ParseDuration(r.URL.Query().Get("d"))
		if err != nil || d < 0 || d > 10*time.Minute {
			return workplan.Errorf(workplan.EInvalid, "d must be a duration such as 3s")
		}
		if r.URL.Query().Get("db") != "" {
			sl, ok := s.store.(sleeper)
			if !ok {
				return workplan.Errorf(workplan.EInvalid, "the store cannot sleep")
			}
			if err := sl.Sleep(r.Context(), d); err != nil {
				return err
			}
		} else {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return workplan.Errorf(workplan.EUnavailable, "request cancelled")
			}
		}
		_, _ = w.Write([]byte("slept " + d.String() + "\n"))
		return nil
	}))
}
