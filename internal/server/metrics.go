package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"duban/internal/auth"
	"duban/internal/metrics"
	"duban/internal/workplan"
)

// WithMetrics records the server's figures into m: every request (by route
// pattern), its caches, the change feed and the events operators watch
// (reports, reviews, sign-in failures). Without it the server records
// nothing but its caches' own counts, and adds no middleware. m is served
// elsewhere (METRICS_ADDR), never by the server's own handler; one m serves
// one Server.
func WithMetrics(m *metrics.Metrics) Option { return func(s *Server) { s.metrics = m } }

// instrument is the router's first middleware: it records every request in
// the metrics, or is nothing at all when metrics are off.
func (s *Server) instrument(next http.Handler) http.Handler {
	if s.metrics == nil {
		return next
	}
	return s.metrics.HTTP.Middleware(next)
}

// startMetrics registers what the server counts itself and wraps the store
// so that the events it writes are counted. New calls it once the routes
// are defined.
func (s *Server) startMetrics() {
	m := s.metrics
	if m == nil {
		return
	}
	m.HTTP.Routes(s.router)
	m.Cache("page", &s.cache.pageCounts)
	m.Cache("plan_state", &s.cache.stateCounts)
	m.Cache("plan", &s.cache.planCounts)
	m.Cache("session", &s.sessions.counts)
	m.ChangeFeed(s.cache.isListening)
	s.store = countingStore{Store: s.store, m: m}
}

// isListening reports whether change notifications flow.
func (c *pageCache) isListening() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.listening
}

// countingStore counts the writes operators watch as they succeed (or are
// refused, for sign-ins and stale reports).
type countingStore struct {
	Store
	m *metrics.Metrics
}

func (c countingStore) FileReport(ctx context.Context, actor workplan.Actor, in workplan.ReportInput) (workplan.Report, error) {
	r, err := c.Store.FileReport(ctx, actor, in)
	var conflict *workplan.ConflictError
	switch {
	case err == nil:
		c.m.ReportsFiled.WithLabelValues("form").Inc()
	case errors.As(err, &conflict):
		c.m.ReportConflicts.Inc()
	}
	return r, err
}

func (c countingStore) ApplyImport(ctx context.Context, actor workplan.Actor, token string, rows []workplan.ImportRow) (int, error) {
	n, err := c.Store.ApplyImport(ctx, actor, token, rows)
	if err == nil {
		c.m.ReportsFiled.WithLabelValues("import").Add(float64(n))
	}
	return n, err
}

func (c countingStore) ReviewReport(ctx context.Context, actor workplan.Actor, in workplan.ReviewInput) (workplan.Review, error) {
	r, err := c.Store.ReviewReport(ctx, actor, in)
	if err == nil {
		d := "other" // the store accepts only known decisions; the label stays bounded regardless
		switch in.Decision {
		case workplan.DecisionAccept, workplan.DecisionReturn:
			d = string(in.Decision)
		}
		c.m.ReviewsDecided.WithLabelValues(d).Inc()
	}
	return r, err
}

func (c countingStore) BeginLogin(ctx context.Context, actor workplan.Actor, username, addr string, now time.Time, th auth.Throttle) (int64, error) {
	id, err := c.Store.BeginLogin(ctx, actor, username, addr, now, th)
	if workplan.ErrorCode(err) == workplan.ETooMany {
		c.m.SignInThrottled.Inc()
	}
	return id, err
}

func (c countingStore) FailLogin(ctx context.Context, attemptID int64, actor workplan.Actor, username string, userID int64, reason string) error {
	c.m.SignInFailures.WithLabelValues(reason).Inc()
	return c.Store.FailLogin(ctx, attemptID, actor, username, userID, reason)
}
