package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
)

// scrape returns the text Prometheus would read.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	res := httptest.NewRecorder()
	m.Handler().ServeHTTP(res, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, res.Code)
	return res.Body.String()
}

// value returns the value of a series (name and labels in alphabetical
// order), or -1 when it was not scraped.
func value(scraped, series string) float64 {
	for _, line := range strings.Split(scraped, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return -2
			}
			return f
		}
	}
	return -1
}

// router is a small application shaped like the server's: the metrics
// middleware first, a route with a parameter, a mounted router whose own
// middleware answers before routing, a Route group and a 404 handler.
func router(m *Metrics) *chi.Mux {
	r := chi.NewRouter()
	r.Use(m.HTTP.Middleware)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "not found", http.StatusNotFound) })
	r.Get("/plans/{slug}/dashboard", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "dashboard") })
	r.Get("/livez", func(w http.ResponseWriter, r *http.Request) {})
	r.Post("/reports/{id}/review", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/review", http.StatusSeeOther)
	})
	r.Get("/boom", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) })
	api := chi.NewRouter()
	api.Get("/tasks/{number}", func(w http.ResponseWriter, r *http.Request) {})
	r.With(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") == "" {
				http.Error(w, "token", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}).Mount("/api/v1", api)
	r.Route("/plans/{slug}/import", func(r chi.Router) {
		r.Get("/", func(w http.ResponseWriter, r *http.Request) {})
		r.Get("/{token}", func(w http.ResponseWriter, r *http.Request) {})
	})
	m.HTTP.Routes(r)
	return r
}

func serve(h http.Handler, method, path string, header ...string) int {
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res := httptest.NewRecorder()
	h.ServeHTTP(res, req)
	return res.Code
}

func TestRequestsByRoutePattern(t *testing.T) {
	t.Parallel()
	m := New()
	h := router(m)
	for _, slug := range []string{"plan-2023", "plan-2024", "plan-2023"} {
		require.Equal(t, http.StatusOK, serve(h, http.MethodGet, "/plans/"+slug+"/dashboard"))
	}
	require.Equal(t, http.StatusOK, serve(h, http.MethodGet, "/livez"))
	require.Equal(t, http.StatusSeeOther, serve(h, http.MethodPost, "/reports/12/review"))
	require.Equal(t, http.StatusInternalServerError, serve(h, http.MethodGet, "/boom"))
	require.Equal(t, http.StatusOK, serve(h, http.MethodGet, "/api/v1/tasks/11", "Authorization", "Bearer x"))
	require.Equal(t, http.StatusUnauthorized, serve(h, http.MethodGet, "/api/v1/tasks/11"))
	require.Equal(t, http.StatusOK, serve(h, http.MethodGet, "/plans/p/import/"))
	require.Equal(t, http.StatusOK, serve(h, http.MethodGet, "/plans/p/import/abc"))
	require.Equal(t, http.StatusNotFound, serve(h, http.MethodGet, "/wp-login.php"))
	require.Equal(t, http.StatusMethodNotAllowed, serve(h, "BREW", "/coffee"))

	got := scrape(t, m)
	tests := []struct {
		series string
		want   float64
	}{
		{`duban_http_requests_total{code="2xx",method="GET",route="/plans/{slug}/dashboard"}`, 3},
		{`duban_http_requests_total{code="2xx",method="GET",route="/livez"}`, 1},
		{`duban_http_requests_total{code="3xx",method="POST",route="/reports/{id}/review"}`, 1},
		{`duban_http_requests_total{code="5xx",method="GET",route="/boom"}`, 1},
		{`duban_http_requests_total{code="2xx",method="GET",route="/api/v1/tasks/{number}"}`, 1},
		{`duban_http_requests_total{code="4xx",method="GET",route="/api/v1/*"}`, 1},
		{`duban_http_requests_total{code="2xx",method="GET",route="/plans/{slug}/import"}`, 1},
		{`duban_http_requests_total{code="2xx",method="GET",route="/plans/{slug}/import/{token}"}`, 1},
		{`duban_http_requests_total{code="4xx",method="GET",route="unmatched"}`, 1},
		{`duban_http_requests_total{code="4xx",method="other",route="unmatched"}`, 1},
		{`duban_http_request_duration_seconds_count{route="/plans/{slug}/dashboard"}`, 3},
		{`duban_http_request_duration_seconds_bucket{route="/plans/{slug}/dashboard",le="+Inf"}`, 3},
		{`duban_http_requests_in_flight`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.series, func(t *testing.T) {
			assert.Equal(t, tt.want, value(got, tt.series), "%s in\n%s", tt.series, got)
		})
	}
	for _, raw := range []string{"plan-2023", "wp-login", "BREW", "/tasks/11"} {
		assert.NotContains(t, got, raw, "a raw path or method is never a label")
	}
	// Routes never requested have no series.
	assert.NotContains(t, got, `route="/plans/{slug}/import/*"`)
}

func TestScannerCannotGrowSeries(t *testing.T) {
	t.Parallel()
	m := New()
	h := router(m)
	for i := range 500 {
		serve(h, http.MethodGet, fmt.Sprintf("/probe/%d/%x", i, i*7919))
		serve(h, fmt.Sprintf("M%d", i), "/livez")
	}
	got := scrape(t, m)
	assert.Equal(t, 500.0, value(got, `duban_http_requests_total{code="4xx",method="GET",route="unmatched"}`))
	series := 0
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "duban_http_requests_total{") {
			series++
		}
	}
	assert.LessOrEqual(t, series, 3, got)
}

func TestInFlight(t *testing.T) {
	t.Parallel()
	m := New()
	inside := make(chan float64, 1)
	r := chi.NewRouter()
	r.Use(m.HTTP.Middleware)
	r.Get("/slow", func(w http.ResponseWriter, r *http.Request) {
		inside <- value(scrape(t, m), "duban_http_requests_in_flight")
	})
	m.HTTP.Routes(r)
	serve(r, http.MethodGet, "/slow")
	assert.Equal(t, 1.0, <-inside)
	assert.Equal(t, 0.0, value(scrape(t, m), "duban_http_requests_in_flight"))
}

// TestMiddlewareAllocatesNothing keeps the hot path cheap: once a route has
// been requested, recording a request allocates nothing beyond what the
// router and handler do without metrics.
func TestMiddlewareAllocatesNothing(t *testing.T) {
	m := New()
	with := router(m)
	without := chi.NewRouter()
	without.Get("/plans/{slug}/dashboard", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "dashboard") })
	req := httptest.NewRequest(http.MethodGet, "/plans/plan-2023/dashboard", nil)
	rw := &discardWriter{h: http.Header{}}
	with.ServeHTTP(rw, req) // the route's series are made on its first request
	base := testing.AllocsPerRun(1000, func() { without.ServeHTTP(rw, req) })
	got := testing.AllocsPerRun(1000, func() { with.ServeHTTP(rw, req) })
	assert.Equal(t, base, got, "allocations per request with the metrics middleware")
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

func BenchmarkMiddleware(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("metrics=%v", on), func(b *testing.B) {
			m := New()
			r := chi.NewRouter()
			if on {
				r.Use(m.HTTP.Middleware)
			}
			r.Get("/plans/{slug}/dashboard", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "dashboard") })
			m.HTTP.Routes(r)
			req := httptest.NewRequest(http.MethodGet, "/plans/plan-2023/dashboard", nil)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				rw := &discardWriter{h: http.Header{}}
				for pb.Next() {
					r.ServeHTTP(rw, req)
				}
			})
		})
	}
}

func TestPoolCollector(t *testing.T) {
	t.Parallel()
	// A pool opens connections only when asked: its statistics need no server.
	pool, err := pgxpool.New(context.Background(), "postgres://duban@127.0.0.1:1/duban?pool_max_conns=7")
	require.NoError(t, err)
	defer pool.Close()
	m := New()
	m.WatchPool(pool.Stat)
	got := scrape(t, m)
	assert.Equal(t, 7.0, value(got, "duban_db_pool_max_connections"))
	for _, s := range []string{"acquired_connections", "idle_connections", "constructing_connections", "total_connections",
		"acquires_total", "acquire_waits_total", "acquire_wait_seconds_total", "canceled_acquires_total", "new_connections_total"} {
		assert.Equal(t, 0.0, value(got, "duban_db_pool_"+s), s)
	}
	assert.Contains(t, got, "# TYPE duban_db_pool_acquire_waits_total counter")
	assert.Contains(t, got, "# TYPE duban_db_pool_idle_connections gauge")
}

func TestCacheCounts(t *testing.T) {
	t.Parallel()
	m := New()
	var a, b CacheCounts
	m.Cache("dashboard", &a)
	m.Cache("session", &b)
	a.Hits.Add(5)
	a.Misses.Add(2)
	a.Rebuilds.Add(1)
	b.Misses.Add(3)
	got := scrape(t, m)
	assert.Equal(t, 5.0, value(got, `duban_cache_hits_total{cache="dashboard"}`))
	assert.Equal(t, 2.0, value(got, `duban_cache_misses_total{cache="dashboard"}`))
	assert.Equal(t, 1.0, value(got, `duban_cache_rebuilds_total{cache="dashboard"}`))
	assert.Equal(t, 0.0, value(got, `duban_cache_hits_total{cache="session"}`))
	assert.Equal(t, 3.0, value(got, `duban_cache_misses_total{cache="session"}`))
}

type fakeTaker struct {
	days int
	err  error
}

func (f fakeTaker) TakeSnapshots(ctx context.Context, through deadline.Date) (int, error) {
	return f.days, f.err
}

func TestSnapshotRuns(t *testing.T) {
	t.Parallel()
	m := New()
	ctx := context.Background()
	day := deadline.Date{Year: 2024, Month: 3, Day: 1}
	_, err := m.Snapshots(fakeTaker{days: 2}).TakeSnapshots(ctx, day)
	require.NoError(t, err)
	_, err = m.Snapshots(fakeTaker{}).TakeSnapshots(ctx, day)
	require.NoError(t, err)
	_, err = m.Snapshots(fakeTaker{err: errors.New("database down")}).TakeSnapshots(ctx, day)
	require.Error(t, err)
	got := scrape(t, m)
	assert.Equal(t, 2.0, value(got, `duban_snapshot_runs_total{result="ok"}`))
	assert.Equal(t, 1.0, value(got, `duban_snapshot_runs_total{result="error"}`))
	assert.Equal(t, 2.0, value(got, `duban_snapshot_days_taken_total`))
	assert.Positive(t, value(got, `duban_snapshot_last_success_timestamp_seconds`))
}

func TestHandlerServesOnlyMetrics(t *testing.T) {
	t.Parallel()
	h := New().Handler()
	assert.Equal(t, http.StatusNotFound, serve(h, http.MethodGet, "/"))
	assert.Equal(t, http.StatusNotFound, serve(h, http.MethodGet, "/debug/pprof/"))
	assert.Equal(t, http.StatusOK, serve(h, http.MethodGet, "/metrics"))
}
