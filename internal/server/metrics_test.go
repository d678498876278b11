package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/metrics"
	"duban/internal/server"
)

// scrape returns what Prometheus would read from m.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}

// value returns the value of the series line (name and labels, labels in
// alphabetical order) in a scrape, or fails.
func value(t *testing.T, scraped, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(scraped, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			require.NoError(t, err, line)
			return f
		}
	}
	require.Failf(t, "series not scraped", "%s\nnot in:\n%s", series, grepLines(scraped, "duban_"))
	return 0
}

func grepLines(s, substr string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, substr) && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func TestMetricsScrapedAfterRequests(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	w := newWorld(t, server.WithMetrics(m))
	m.WatchPool(w.db.Pool.Stat)

	dash := "/plans/" + w.plan.slug + "/dashboard"
	for range 3 {
		require.Equal(t, http.StatusOK, w.do(leader, http.MethodGet, dash, nil).Code)
	}
	require.Equal(t, http.StatusNotFound, w.do(leader, http.MethodGet, "/no/such/page-7f3a", nil).Code)
	require.Equal(t, http.StatusUnauthorized, w.login("leader", "wrong password", "198.51.100.7").Code)
	asg := w.plan.ownAsg
	res := w.do(staffOwn, http.MethodPost, "/assignments/"+id(asg.ID)+"/report",
		url.Values{"version": {strconv.Itoa(w.version(asg.ID))}, "percent": {"40"}, "progress": {"按计划推进"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())

	got := scrape(t, m)
	// Requests by chi's route pattern, method and status class; the
	// newWorld harness itself loaded /login once, anonymously.
	assert.Equal(t, 3.0, value(t, got, `duban_http_requests_total{code="2xx",method="GET",route="/plans/{slug}/dashboard"}`))
	assert.Equal(t, 1.0, value(t, got, `duban_http_requests_total{code="4xx",method="POST",route="/login"}`))
	assert.Equal(t, 1.0, value(t, got, `duban_http_requests_total{code="3xx",method="POST",route="/assignments/{id}/report"}`))
	assert.Equal(t, 1.0, value(t, got, `duban_http_requests_total{code="4xx",method="GET",route="unmatched"}`))
	assert.Equal(t, 3.0, value(t, got, `duban_http_request_duration_seconds_count{route="/plans/{slug}/dashboard"}`))
	assert.Equal(t, 0.0, value(t, got, `duban_http_requests_in_flight`))
	assert.NotContains(t, got, "/plans/"+w.plan.slug+"/", "no raw path is a label")
	assert.NotContains(t, got, "page-7f3a", "no raw path is a label")

	// The pool, read at scrape time.
	assert.Equal(t, 10.0, value(t, got, `duban_db_pool_max_connections`), "pgtest's pool size")
	assert.Positive(t, value(t, got, `duban_db_pool_total_connections`))
	assert.GreaterOrEqual(t, value(t, got, `duban_db_pool_idle_connections`), 1.0)
	assert.Equal(t, 0.0, value(t, got, `duban_db_pool_acquired_connections`))
	assert.Positive(t, value(t, got, `duban_db_pool_acquires_total`))
	value(t, got, `duban_db_pool_acquire_waits_total`)
	value(t, got, `duban_db_pool_acquire_wait_seconds_total`)

	// Events and caches. The harness serves without change notifications,
	// so every cache lookup misses.
	assert.Equal(t, 1.0, value(t, got, `duban_signin_failures_total{reason="bad_password"}`))
	assert.Equal(t, 1.0, value(t, got, `duban_reports_filed_total{source="form"}`))
	assert.Equal(t, 0.0, value(t, got, `duban_change_feed_up`))
	assert.Equal(t, 0.0, value(t, got, `duban_cache_hits_total{cache="session"}`))
	assert.Positive(t, value(t, got, `duban_cache_misses_total{cache="session"}`))
	for _, c := range []string{"page", "plan_state", "plan"} {
		value(t, got, `duban_cache_hits_total{cache="`+c+`"}`)
	}
	// The Go runtime and process collectors.
	assert.Contains(t, got, "go_goroutines ")
	assert.Contains(t, got, "process_resident_memory_bytes ")
}

func TestPublicPortHasNoMetrics(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	w := newWorld(t, server.WithMetrics(m))
	for _, p := range []who{anon, leader, admin} {
		res := w.do(p, http.MethodGet, "/metrics", nil)
		assert.Equal(t, http.StatusNotFound, res.Code, "/metrics as %s", p)
		assert.NotContains(t, res.Body.String(), "duban_http_requests_total")
	}
	// Without metrics too (the default).
	assert.Equal(t, http.StatusNotFound, newEmptyWorld(t).do(anon, http.MethodGet, "/metrics", nil).Code)
}

func TestMetricsCountThrottledSignIns(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	w := newWorld(t, server.WithMetrics(m), server.WithThrottle(auth.Throttle{AccountFree: 2, AccountBase: time.Hour, AccountMax: time.Hour,
		AccountWindow: 24 * time.Hour, AddressFree: 100, AddressBase: time.Second, AddressMax: 30 * time.Second, AddressWindow: time.Hour}))
	for range 3 {
		w.login("leader", "wrong password", "198.51.100.8")
	}
	got := scrape(t, m)
	assert.Equal(t, 2.0, value(t, got, `duban_signin_failures_total{reason="bad_password"}`))
	assert.Equal(t, 1.0, value(t, got, `duban_signin_throttled_total`))
}
