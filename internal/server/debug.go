package server

import (
	"context"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/go-chi/chi/v5"

	"duban/internal/workplan"
	"duban/web"
)

// sleeper runs a query that takes as long as asked: the runaway query of the
// fault tests, stopped by the server's statement_timeout.
type sleeper interface {
	Sleep(ctx context.Context, d time.Duration) error
}

// floorStore runs the floor page's one trivial query (SELECT 1).
type floorStore interface {
	SelectOne(ctx context.Context) (int, error)
}

// debugRoutes are mounted only in development mode (DUBAN_ENV=development):
// a slow request for the graceful-shutdown and fault tests, the load tests'
// floor page, and the Go profiler.
//
//	GET /debug/sleep?d=3s         sleeps in Go, then answers 200
//	GET /debug/sleep?d=30s&db=1   sleeps in PostgreSQL (pg_sleep)
//	GET /debug/floor              SELECT 1 rendered in the layout, signed in
//	GET /debug/pprof/…            net/http/pprof (profile?seconds=N, N below REQUEST_TIMEOUT)
func (s *Server) debugRoutes(r chi.Router) {
	// The floor goes through the same middleware as the signed-in pages it
	// is compared with (session lookup included) and renders a small fixed
	// page inside the same layout: the ratio of a page's throughput to the
	// floor's is then what the page's own work costs.
	r.With(s.session, s.checkCSRF, s.requireUser).Get("/debug/floor", s.h(func(w http.ResponseWriter, r *http.Request) error {
		fl, ok := s.backend.(floorStore)
		if !ok {
			return workplan.E(workplan.EInvalid, "err.debug.no_floor")
		}
		n, err := fl.SelectOne(r.Context())
		if err != nil {
			return err
		}
		s.render(w, r, http.StatusOK, "floor", "", web.Floor(web.FloorPage{Value: n}))
		return nil
	}))
	r.HandleFunc("/debug/pprof/*", pprof.Index)
	r.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	r.HandleFunc("/debug/pprof/profile", pprof.Profile)
	r.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	r.HandleFunc("/debug/pprof/trace", pprof.Trace)
	r.Get("/debug/sleep", s.h(func(w http.ResponseWriter, r *http.Request) error {
		d, err := time.ParseDuration(r.URL.Query().Get("d"))
		if err != nil || d < 0 || d > 10*time.Minute {
			return workplan.E(workplan.EInvalid, "err.debug.duration")
		}
		if r.URL.Query().Get("db") != "" {
			sl, ok := s.backend.(sleeper)
			if !ok {
				return workplan.E(workplan.EInvalid, "err.debug.no_sleep")
			}
			if err := sl.Sleep(r.Context(), d); err != nil {
				return err
			}
		} else {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return workplan.E(workplan.EUnavailable, "err.debug.cancelled")
			}
		}
		_, _ = w.Write([]byte("slept " + d.String() + "\n"))
		return nil
	}))
}
