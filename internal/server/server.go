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

	"github.com/go-chi/chi/v5"
	"golang.org/x/sync/semaphore"
	"golang.org/x/sync/singleflight"

	"duban/internal/auth"
	"duban/internal/config"
	"duban/internal/metrics"
	"duban/internal/workplan"
)

// Store is what the server needs from the database: the union of the small
// interfaces each group of handlers declares beside itself (signInStore in
// auth.go … outputStore in outputs.go). Handlers are written against those;
// the union exists because the store is wrapped whole on its way in — by
// evictingStore, which keeps this replica's session cache in step with its
// own writes, and by countingStore, which counts events for the metrics — so
// the decorators and New need one type. Tests use the real PostgreSQL store
// (internal/postgres), never a mock.
type Store interface {
	Ping(ctx context.Context) error
	ListPlans(ctx context.Context) ([]workplan.PlanSummary, error)
	signInStore
	sessionStore
	userStore
	registryStore
	auditStore
	tokenStore
	pageStore
	seedStore
	outputStore
	indicatorStore
	noticeStore
}

// signInStore is what signing in needs: credentials and the throttled
// record of attempts.
type signInStore interface {
	UserCredentials(ctx context.Context, username string) (workplan.User, string, error)
	PasswordHash(ctx context.Context, id int64) (string, error)
	RehashPassword(ctx context.Context, id int64, oldHash, newHash string) error
	BeginLogin(ctx context.Context, actor workplan.Actor, username, addr string, now time.Time, th auth.Throttle) (int64, error)
	FinishLogin(ctx context.Context, attemptID int64, u workplan.User, ns workplan.NewSession, actor workplan.Actor) (int64, error)
	FailLogin(ctx context.Context, attemptID int64, actor workplan.Actor, username string, userID int64, reason string) error
	// Changing one's password checks the current one under the same
	// throttle; administrators list and lift throttles.
	BeginPasswordCheck(ctx context.Context, actor workplan.Actor, username, addr string, now time.Time, th auth.Throttle) (int64, error)
	PassPasswordCheck(ctx context.Context, attemptID int64) error
	FailPasswordCheck(ctx context.Context, attemptID int64, actor workplan.Actor, username string, userID int64) error
	Throttles(ctx context.Context, now time.Time, th auth.Throttle) ([]workplan.Throttle, error)
	LiftThrottle(ctx context.Context, actor workplan.Actor, username, addr string, now time.Time) error
}

// sessionStore is what sessions need.
type sessionStore interface {
	SessionByToken(ctx context.Context, hash []byte) (workplan.Session, error)
	TouchSession(ctx context.Context, id int64, now time.Time) error
	EndSession(ctx context.Context, actor workplan.Actor, userID, sessionID int64, reason string) error
	ListSessions(ctx context.Context, userID int64, now time.Time, idle time.Duration) ([]workplan.Session, error)
}

// userStore is what the account pages and the administrators' user pages need.
type userStore interface {
	User(ctx context.Context, id int64) (workplan.User, error)
	ListUsers(ctx context.Context) ([]workplan.User, error)
	CreateUser(ctx context.Context, actor workplan.Actor, nu workplan.NewUser) (workplan.User, error)
	UpdateUser(ctx context.Context, actor workplan.Actor, id int64, version int, e workplan.UserEdit) (workplan.User, error)
	SetUserDisabled(ctx context.Context, actor workplan.Actor, id int64, version int, disabled bool) (workplan.User, error)
	ResetPassword(ctx context.Context, actor workplan.Actor, id int64, hash string) error
	ChangePassword(ctx context.Context, actor workplan.Actor, id int64, hash string, keep int64) error
}

// registryStore is what the unit registry pages need.
type registryStore interface {
	RegistryUnits(ctx context.Context) ([]workplan.Unit, error)
	RegistryUnit(ctx context.Context, id int64) (workplan.Unit, error)
	CreateRegistryUnit(ctx context.Context, actor workplan.Actor, e workplan.UnitEdit) (workplan.Unit, error)
	UpdateRegistryUnit(ctx context.Context, actor workplan.Actor, id int64, version int, e workplan.UnitEdit) (workplan.Unit, error)
	SetUnitMembers(ctx context.Context, actor workplan.Actor, id int64, version int, members []int64, dryRun bool) (workplan.Unit, workplan.MappingChange, error)
}

// auditStore is what the audit trail page needs.
type auditStore interface {
	AuditLog(ctx context.Context, f workplan.AuditFilter) ([]workplan.AuditEntry, bool, error)
	AuditActions(ctx context.Context) ([]string, error)
	AuditNames(ctx context.Context, refs workplan.AuditRefs) (workplan.AuditNames, error)
}

// tokenStore is what the API's bearer tokens need.
type tokenStore interface {
	APITokenByHash(ctx context.Context, hash []byte, now time.Time) (workplan.APIToken, error)
}

// Server serves duban over HTTP.
type Server struct {
	cfg config.Config
	// store is backend with this replica's session cache kept in step with
	// its writes (evictingStore); backend is also asked for what only some
	// stores offer (change notifications, the floor query).
	store    Store
	backend  Store
	log      *slog.Logger
	now      func() time.Time
	ready    atomic.Bool
	hasher   *auth.Hasher
	throttle auth.Throttle
	// extra routes mounted by tests (slow handlers for shutdown tests).
	extra   func(r Router)
	handler http.Handler
	router  *chi.Mux
	// weeklyReports is how many reports the weekly comparison lists
	// (maxWeeklyReports).
	weeklyReports int
	// pages are the GET routes' handlers, to show a refused form's page
	// again (refused.go).
	pages map[string]http.Handler
	// cache holds rendered pages while change notifications flow, and
	// flight makes readers that miss it together wait for one rebuild.
	cache  *pageCache
	flight singleflight.Group
	// refreshing holds a token while a plan state is evaluated in the
	// background (refreshState).
	refreshing chan struct{}
	// sessions holds the sessions looked up while change notifications flow.
	sessions *sessionCache
	// uploads bounds the bytes of evidence held in memory at once, from
	// reading an upload until it is stored.
	uploads *semaphore.Weighted
	// apiLimits is the rate limit of API tokens, per replica.
	apiLimits *apiLimiter
	// metrics, if not nil, records requests and events (WithMetrics).
	metrics *metrics.Metrics
	// counts holds the header's unread and review counts (notifications.go);
	// robots sends a robot's test message at once (WithRobotSender).
	counts *counts
	robots RobotSender
}

// pageCacheBytes bounds the page bodies a replica keeps (HTML and its
// compressed form): the daily pages of a few dozen plans, their task and
// assignment pages and a few thousand readers' own pages. It is a third
// of the server's soft memory limit (cmd/duban: 96 MiB), beside the plan
// states (a quarter of a megabyte each at province scale, 64 at most).
const pageCacheBytes = 32 << 20

// maxUploadsInMemory bounds the evidence bytes one replica holds at once:
// two full reports (a copy goes to the database driver too), well within
// the replica's memory however many units file their photos at the same
// time; the others wait for their turn, up to their request's deadline.
const maxUploadsInMemory = 2 * maxReportEvidence

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

// WithPasswordParams sets the argon2id parameters of new password hashes
// (tests use auth.TestParams to stay fast).
func WithPasswordParams(p auth.Params) Option {
	return func(s *Server) { s.hasher = auth.NewHasher(p) }
}

// WithThrottle sets the sign-in throttling rule.
func WithThrottle(t auth.Throttle) Option { return func(s *Server) { s.throttle = t } }

// New returns a server using store, configured by cfg.
func New(cfg config.Config, store Store, log *slog.Logger, opts ...Option) *Server {
	s := &Server{cfg: cfg, backend: store, log: log, now: time.Now, throttle: auth.DefaultThrottle, cache: newPageCache(pageCacheBytes),
		sessions: newSessionCache(50_000, 2*time.Minute), uploads: semaphore.NewWeighted(maxUploadsInMemory), apiLimits: newAPILimiter(),
		counts: newCounts(), refreshing: make(chan struct{}, 1), weeklyReports: maxWeeklyReports}
	s.store = evictingStore{Store: store, sessions: s.sessions}
	for _, o := range opts {
		o(s)
	}
	if s.hasher == nil {
		s.hasher = auth.NewHasher(auth.DefaultParams)
	}
	s.router = s.routes()
	s.pages = s.pageChains()
	s.handler = s.router
	s.startMetrics()
	s.ready.Store(true)
	return s
}

// Handler returns the root HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Router returns the route tree, for tests that walk every route (the
// permission matrix, the security headers).
func (s *Server) Router() chi.Routes { return s.router }

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
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	if feed, ok := s.backend.(changeFeed); ok {
		go feed.WatchChanges(watchCtx, func(ch workplan.Change) {
			s.cache.changed(ch)
			s.sessions.changed(ch)
			s.counts.changed(ch)
		}, func(on bool) {
			s.cache.setListening(on)
			s.sessions.setListening(on)
			s.counts.setListening(on)
		})
	}
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	s.ready.Store(false)
	if s.cfg.DrainDelay > 0 {
		s.log.Info("draining: /readyz answers 503", "for", s.cfg.DrainDelay)
		time.Sleep(s.cfg.DrainDelay)
	}
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
