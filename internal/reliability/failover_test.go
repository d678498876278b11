//go:build reliability

package reliability_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/devdb"
	"duban/internal/loadtest"
	"duban/internal/postgres"
)

// TestFailover runs `duban serve` on a multi-host DATABASE_URL
// (target_session_attrs=read-write) against a primary with a synchronous
// streaming standby made by pg_basebackup, files reports at a steady rate,
// then crashes the primary (immediate stop) and promotes the standby, as a
// failover manager would. The pool must find the new primary by itself:
// writes resume within 10 s of the crash, no request hangs past the request
// timeout, and every report acknowledged before or after is on the new
// primary (synchronous replication: an acknowledged commit is on both).
func TestFailover(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	standby, err := devdb.StartStandby(ctx, w.cluster, devdb.Options{Dir: filepath.Join(w.dir, "standby"), Logf: t.Logf})
	require.NoError(t, err)
	t.Cleanup(func() { _ = standby.Stop() })
	require.NoError(t, w.cluster.SyncStandby(ctx))

	multi := fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/%s?sslmode=disable&target_session_attrs=read-write",
		w.cluster.Port, standby.Port, w.cluster.Database)
	w.url = multi
	w.srvEnv = []string{"REQUEST_TIMEOUT=" + requestTimeout.String(), "DB_STATEMENT_TIMEOUT=2s"}
	w.startServer()
	db, err := postgres.Open(ctx, multi, postgres.Options{MaxConns: 2})
	require.NoError(t, err)
	defer db.Close()

	const users, rate = 20, 2 // 40 reports a second
	r := w.users(ctx, loadtest.Config{Connections: users, Duration: 25 * time.Second}, true)
	before, err := db.AuditReports(ctx, r.Assignments(), "")
	require.NoError(t, err)

	type failover struct {
		crashAt, downAt, promotedAt time.Time
		err                         error
	}
	done := make(chan failover, 1)
	go func() {
		var f failover
		time.Sleep(8 * time.Second)
		f.crashAt = time.Now()
		if f.err = w.cluster.Crash(); f.err == nil {
			f.downAt = time.Now()
			f.err = standby.Promote(ctx)
		}
		f.promotedAt = time.Now()
		done <- f
	}()
	stats, err := r.Run(ctx, fmt.Sprintf("paced@%d", rate))
	require.NoError(t, err)
	f := <-done
	require.NoError(t, f.err)
	w.cluster = nil // crashed: nothing for the cleanup to stop
	logTable(t, stats)

	// The outage, as the stored reports tell it (their own times, read on
	// the new primary): the longest pause between two reports stored around
	// the crash. Writes resumed with the report that ends it.
	var times []time.Time
	require.NoError(t, db.Pool.QueryRow(ctx, `
		SELECT coalesce(array_agg(submitted_at ORDER BY submitted_at), '{}') FROM reports
		 WHERE assignment_id = ANY($1) AND starts_with(progress, $2)`, r.Assignments(), r.Marker()).Scan(&times))
	var gapFrom, gapTo time.Time
	for i := 1; i < len(times); i++ {
		if times[i].After(f.crashAt.Add(-time.Second)) && times[i].Sub(times[i-1]) > gapTo.Sub(gapFrom) {
			gapFrom, gapTo = times[i-1], times[i]
		}
	}
	require.False(t, gapTo.IsZero(), "reports were stored after the crash")
	resumed := gapTo.Sub(f.crashAt)
	st := byStatus(stats)
	rel := func(at time.Time) string { return fmt.Sprintf("%+.3fs", at.Sub(f.crashAt).Seconds()) }
	t.Logf("FAILOVER (times from the crash): primary stopped (immediate) by %s, standby promoted by %s; "+
		"no report stored from %s to %s: writes resumed %s after the crash; statuses %v; slowest answer %s",
		rel(f.downAt), rel(f.promotedAt), rel(gapFrom), rel(gapTo), resumed.Round(time.Millisecond),
		st, maxLatency(stats).Round(time.Millisecond))
	assert.Less(t, resumed, 10*time.Second, "writes resume within 10 s of the crash")
	assert.True(t, gapTo.After(f.downAt), "the pause spans the crash")
	for code, n := range st {
		assert.Contains(t, []int{200, 303, 409, 503}, code, "%d responses with status %d (0: no answer)", n, code)
	}
	assert.LessOrEqual(t, maxLatency(stats), requestTimeout+time.Second, "no request hangs past the request timeout")

	// The server is ready on the new primary, and nothing acknowledged was lost.
	assert.True(t, loadtest.Ready(w.srv.URL, time.Second), "ready after the failover")
	var standbyNow bool
	require.NoError(t, db.Pool.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&standbyNow))
	assert.False(t, standbyNow, "the pool is on the promoted standby")
	after, err := db.AuditReports(ctx, r.Assignments(), r.Marker())
	require.NoError(t, err)
	v := loadtest.Check(before, after, r.Writes())
	t.Log(v)
	assert.True(t, v.OK(), "%s", v)
	assert.Positive(t, v.Acknowledged)
	r2 := w.users(ctx, loadtest.Config{Connections: 10, Duration: 3 * time.Second}, false)
	again, err := r2.Run(ctx, "dashboard")
	require.NoError(t, err)
	assert.Equal(t, map[int]int{http.StatusOK: again[0].Requests}, again[0].Statuses, "after the failover")
}
