//go:build reliability

package reliability_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/loadtest"
)

// requestTimeout is the servers' REQUEST_TIMEOUT in these tests: small, so
// that a request hanging on an unreachable database would show.
const requestTimeout = 2 * time.Second

// TestDatabaseRestartUnderLoad stops PostgreSQL for ten seconds while users
// read the dashboard and file reports, then starts it again. While it is
// down every request must fail fast with 503 (never hang past the request
// timeout); the server must be ready again within five seconds of the
// restart; and no report answered with success may be missing afterwards.
func TestDatabaseRestartUnderLoad(t *testing.T) {
	w := newWorld(t, "REQUEST_TIMEOUT="+requestTimeout.String(), "DB_STATEMENT_TIMEOUT=2s")
	ctx := context.Background()
	r := w.users(ctx, loadtest.Config{Connections: 20, Duration: 25 * time.Second}, true)
	before := w.audit(ctx, r)
	port := w.cluster.Port

	type outage struct {
		downAt, upAt, readyAt time.Time
		readyErr              error
	}
	done := make(chan outage, 1)
	go func() {
		var o outage
		time.Sleep(5 * time.Second)
		w.stopDB()
		o.downAt = time.Now()
		time.Sleep(10 * time.Second)
		w.startDB(port)
		o.upAt = time.Now()
		for !loadtest.Ready(w.srv.URL, time.Second) {
			if time.Since(o.upAt) > 30*time.Second {
				o.readyErr = context.DeadlineExceeded
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		o.readyAt = time.Now()
		done <- o
	}()
	stats, err := r.Run(ctx, "mixed")
	require.NoError(t, err)
	o := <-done
	require.NoError(t, o.readyErr, "the server never became ready again")
	logTable(t, stats)

	st := byStatus(stats)
	t.Logf("statuses during the run: %v; slowest answer %s; database down %s, ready %s after the restart",
		st, maxLatency(stats).Round(time.Millisecond), o.upAt.Sub(o.downAt).Round(time.Millisecond), o.readyAt.Sub(o.upAt).Round(time.Millisecond))
	assert.Greater(t, st[http.StatusServiceUnavailable], 0, "requests while the database was down answer 503")
	for code, n := range st {
		assert.Contains(t, []int{200, 303, 409, 503}, code, "%d responses with status %d (0: no answer)", n, code)
	}
	assert.LessOrEqual(t, maxLatency(stats), requestTimeout+time.Second, "no request hangs past the request timeout")
	assert.Less(t, o.readyAt.Sub(o.upAt), 5*time.Second, "ready again within 5 s of the restart")

	// Everything works again, with no error at all.
	r2 := w.users(ctx, loadtest.Config{Connections: 20, Duration: 3 * time.Second}, false)
	after, err := r2.Run(ctx, "dashboard")
	require.NoError(t, err)
	assert.Equal(t, map[int]int{200: after[0].Requests}, after[0].Statuses, "after the restart")
	w.checkWrites(ctx, r, before)
}

// TestTerminatedConnections ends the server's busy database connections
// with pg_terminate_backend, again and again, under load: requests on them
// fail (503), none hangs, the pool replaces them, and afterwards every
// request succeeds; no acknowledged report is lost.
func TestTerminatedConnections(t *testing.T) {
	w := newWorld(t, "REQUEST_TIMEOUT="+requestTimeout.String())
	ctx := context.Background()
	r := w.users(ctx, loadtest.Config{Connections: 20, Duration: 10 * time.Second}, true)
	before := w.audit(ctx, r)

	terminated := make(chan int, 1)
	go func() {
		n := 0
		for i := 0; i < 8; i++ {
			time.Sleep(time.Second)
			var k int
			err := w.db.Pool.QueryRow(ctx, `
				SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE application_name = 'duban' AND pid <> pg_backend_pid() AND datname = current_database()
				  AND state IN ('active', 'idle in transaction')`).Scan(&k)
			if err == nil {
				n += k
			}
		}
		terminated <- n
	}()
	stats, err := r.Run(ctx, "mixed")
	require.NoError(t, err)
	n := <-terminated
	logTable(t, stats)
	st := byStatus(stats)
	t.Logf("terminated %d backends; statuses %v; slowest answer %s", n, st, maxLatency(stats).Round(time.Millisecond))
	require.Greater(t, n, 0, "connections were terminated")
	for code, k := range st {
		assert.Contains(t, []int{200, 303, 409, 503}, code, "%d responses with status %d (0: no answer)", k, code)
	}
	assert.LessOrEqual(t, maxLatency(stats), requestTimeout+time.Second, "no request hangs")

	time.Sleep(500 * time.Millisecond)
	r2 := w.users(ctx, loadtest.Config{Connections: 20, Duration: 3 * time.Second}, false)
	after, err := r2.Run(ctx, "dashboard")
	require.NoError(t, err)
	assert.Equal(t, map[int]int{200: after[0].Requests}, after[0].Statuses, "after the terminations")
	w.checkWrites(ctx, r, before)
}

// TestRunawayQuery sends a request whose query would run for 30 seconds:
// PostgreSQL's statement_timeout (DB_STATEMENT_TIMEOUT=1s) stops it and the
// request fails with 503 after about a second, while other users are
// served as usual meanwhile.
func TestRunawayQuery(t *testing.T) {
	w := newWorld(t, "DB_STATEMENT_TIMEOUT=1s", "REQUEST_TIMEOUT=10s")
	ctx := context.Background()
	r := w.users(ctx, loadtest.Config{Connections: 10, Duration: 4 * time.Second}, false)

	type result struct {
		status int
		took   time.Duration
		err    error
	}
	runaway := make(chan []result, 1)
	go func() {
		var out []result
		for i := 0; i < 3; i++ {
			t0 := time.Now()
			resp, err := http.Get(w.srv.URL + "/debug/sleep?d=30s&db=1")
			res := result{took: time.Since(t0), err: err}
			if err == nil {
				res.status = resp.StatusCode
				resp.Body.Close()
			}
			out = append(out, res)
		}
		runaway <- out
	}()
	stats, err := r.Run(ctx, "dashboard")
	require.NoError(t, err)
	for _, res := range <-runaway {
		require.NoError(t, res.err)
		t.Logf("runaway query: %d after %s", res.status, res.took.Round(time.Millisecond))
		assert.Equal(t, http.StatusServiceUnavailable, res.status, "stopped by statement_timeout")
		assert.GreaterOrEqual(t, res.took, 900*time.Millisecond)
		assert.Less(t, res.took, 2*time.Second, "stopped after DB_STATEMENT_TIMEOUT, not the request timeout")
	}
	logTable(t, stats)
	assert.Equal(t, map[int]int{200: stats[0].Requests}, stats[0].Statuses, "other users are served meanwhile")
	assert.Less(t, stats[0].P99, 500*time.Millisecond)
}

// logTable writes the figures of a run to the test log.
func logTable(t *testing.T, stats []loadtest.Stats) {
	t.Helper()
	var b strings.Builder
	loadtest.Table(&b, stats)
	t.Log("\n" + b.String())
}
