// Package server is duban's HTTP interface: the chi router (routes.go lists
// every route), middleware, handlers and the error adapter that turns a
// handler's error into a status and a friendly page.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"duban/internal/config"
	"duban/internal/workplan"
)

// Store is what the server needs from the database.
type Store interface {
	Ping(ctx context.Context) error
	ListPlans(ctx context.Context) ([]workplan.PlanSummary, error)
}

// Server serves duban over HTTP.
type Server struct {
	cfg   config.Config
	store Store
	log   *slog.Logger
	now   func() time.Time
	ready atomic.Bool
	// extra routes mounted by tests (slow handlers for shutdown tests).
	extra func(r Router)
	// onShutdown is called after the HTTP server stopped (closes the pool).
	handler http.Handler
}

// Router is the subset of chi.Router that test hooks use.
type Router interface {
	Get(pattern string, h http.HandlerFunc)
}

// Option customises a Server.
type Option func(*Server)

// WithClock sets the clock (tests use a fixed one).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithRoutes mounts extra routes, for tests.
func WithRoutes(f func(r Router)) Option { return func(s *Server) { s.extra = f } }

// New returns a server using store, configured by cfg.
func New(cfg config.Config, store Store, log *slog.Logger, opts ...Option) *Server {
	s := &Server{cfg: cfg, store: store, log: log, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	s.handler = s.routes()
	s.ready.Store(true)
	return s
}

// Handler returns the root HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve serves on ln until ctx is cancelled, then shuts down gracefully:
// /readyz turns 503 first, new connections are refused, and in-flight requests
// get cfg.ShutdownGrace to finish. It returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		// Uploads of up to 10 MB on slow links need more than the header timeout.
		ReadTimeout:    60 * time.Second,
		WriteTimeout:   s.cfg.RequestTimeout + 5*time.Second,
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:    func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	s.ready.Store(false)
	s.log.Info("shutting down", "grace", s.cfg.ShutdownGrace)
	shutCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("server: shutdown: in-flight requests did not finish within %v: %w", s.cfg.ShutdownGrace, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	s.log.Info("stopped")
	return nil
}
