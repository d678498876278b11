//go:build reliability

package reliability_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/loadtest"
	"duban/seeds"
)

// TestSIGTERMDuringRequests stops the server with SIGTERM while slow
// requests (a Go sleep and a PostgreSQL sleep) and a page load are in
// flight: /readyz turns 503 during the drain delay, every request that was
// being served completes with 200, and the process exits with status 0.
func TestSIGTERMDuringRequests(t *testing.T) {
	w := newWorld(t, "SHUTDOWN_GRACE=10s", "DRAIN_DELAY=1s", "REQUEST_TIMEOUT=10s")
	ctx := context.Background()
	r := w.users(ctx, loadtest.Config{Connections: 10, Duration: 5 * time.Second}, false)

	type slow struct {
		path   string
		status int
		err    error
	}
	paths := []string{"/debug/sleep?d=3s", "/debug/sleep?d=3s", "/debug/sleep?d=2500ms&db=1", "/debug/sleep?d=2500ms&db=1"}
	results := make([]slow, len(paths))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Go(func() {
			resp, err := http.Get(w.srv.URL + p)
			results[i] = slow{path: p, err: err}
			if err == nil {
				results[i].status = resp.StatusCode
				resp.Body.Close()
			}
		})
	}
	var stats []loadtest.Stats
	var runErr error
	wg.Go(func() { stats, runErr = r.Run(ctx, "dashboard") })

	time.Sleep(time.Second)
	require.NoError(t, w.srv.Signal(syscall.SIGTERM))
	termAt := time.Now()
	// During the drain delay the server still serves, but says it is not ready.
	time.Sleep(200 * time.Millisecond)
	resp, err := http.Get(w.srv.URL + "/readyz")
	require.NoError(t, err, "still serving during the drain delay")
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "/readyz during the drain")

	exit := w.srv.Wait(20 * time.Second)
	stopped := time.Since(termAt)
	wg.Wait()
	require.NoError(t, runErr)
	assert.NoError(t, exit, "exit status 0 after a clean shutdown")
	t.Logf("stopped %s after SIGTERM", stopped.Round(time.Millisecond))
	assert.Less(t, stopped, 10*time.Second, "within SHUTDOWN_GRACE")
	for _, res := range results {
		require.NoError(t, res.err, "%s was cut off", res.path)
		assert.Equal(t, http.StatusOK, res.status, "%s completed", res.path)
	}
	logTable(t, stats)
	st := stats[0].Statuses
	assert.Greater(t, st[200], 0)
	for code, n := range st {
		// 0: connections refused once the listener closed.
		assert.Contains(t, []int{0, 200}, code, "%d responses with status %d", n, code)
	}
}

// TestSIGTERMDuringReseed reloads a plan from a large document (3,000 more
// tasks) and sends `duban seed` SIGTERM at several moments: each time the
// plan is afterwards either exactly as before or exactly the new document
// (tasks, assignments and version together), never a mixture.
func TestSIGTERMDuringReseed(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	dir := t.TempDir()
	small, err := seeds.FS.ReadFile(seeds.DefaultPlan)
	require.NoError(t, err)
	big := bigPlan(t, small, 3000)
	docs := map[string]string{"small": filepath.Join(dir, "small.txt"), "big": filepath.Join(dir, "big.txt")}
	require.NoError(t, os.WriteFile(docs["small"], small, 0o644))
	require.NoError(t, os.WriteFile(docs["big"], big, 0o644))
	const slug = "plan-2023-001"

	type state struct{ version, versions, tasks, assignments int }
	read := func() state {
		var s state
		require.NoError(t, w.db.Pool.QueryRow(ctx, `
			SELECT p.version, (SELECT count(*) FROM plan_versions v WHERE v.plan_id = p.id),
			       (SELECT count(*) FROM tasks t WHERE t.plan_id = p.id AND t.archived_at IS NULL),
			       (SELECT count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id
			        WHERE t.plan_id = p.id AND t.archived_at IS NULL AND a.archived_at IS NULL)
			FROM plans p WHERE p.slug = $1`, slug).Scan(&s.version, &s.versions, &s.tasks, &s.assignments))
		return s
	}
	// What each document's tasks and assignments come to, and how long
	// applying it takes once its units exist, measured by applying each
	// without interruption.
	want := map[string]state{"small": read()}
	took := map[string]time.Duration{}
	apply := func(doc string) {
		t0 := time.Now()
		w.duban("seed", "--no-registry", "--plan", slug, docs[doc])
		took[doc] = time.Since(t0)
		want[doc] = read()
	}
	apply("big")
	apply("small")
	apply("big")
	apply("small")
	t.Logf("small document: %+v, applied in %v; big document: %+v, applied in %v", want["small"], took["small"], want["big"], took["big"])
	require.Greater(t, want["big"].tasks, want["small"].tasks+2000)

	// SIGTERM at fractions of the time a reseed takes, so that most land
	// inside its transaction.
	next, other := "big", "small"
	interrupted := 0
	// The last, past the end, lets one commit.
	for _, frac := range []float64{0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 2} {
		delay := time.Duration(frac * float64(took[next]))
		before := read()
		cmd := exec.Command(dubanBin, "seed", "--no-registry", "--plan", slug, docs[next])
		cmd.Env = append(os.Environ(), "DATABASE_URL="+w.url)
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		require.NoError(t, cmd.Start())
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(delay):
			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			err = <-done
		}
		after := read()
		switch {
		case after == before:
			var ee *exec.ExitError
			require.True(t, errors.As(err, &ee), "unchanged plan, so the seed must have failed: %v\n%s", err, out)
			interrupted++
			t.Logf("%s document, SIGTERM after %v: rolled back whole (%v: %s)", next, delay.Round(time.Millisecond), err, lastLines(out.String(), 1))
		default:
			exp := want[next]
			assert.Equal(t, before.version+1, after.version, "one new version")
			assert.Equal(t, before.versions+1, after.versions, "one new plan_versions row")
			assert.Equal(t, exp.tasks, after.tasks, "all of the new document's tasks")
			assert.Equal(t, exp.assignments, after.assignments, "all of the new document's assignments")
			t.Logf("%s document, SIGTERM after %v: committed whole (%v)", next, delay.Round(time.Millisecond), err)
			next, other = other, next
		}
	}
	assert.Greater(t, interrupted, 0, "at least one reseed was interrupted (else the test proves nothing: make the document larger)")
}

// bigPlan returns the plan document src with n more tasks inserted before
// its closing section (三、保障措施).
func bigPlan(t *testing.T, src []byte, n int) []byte {
	t.Helper()
	s := string(src)
	i := strings.Index(s, "  三、保障措施")
	require.Positive(t, i, "the bundled plan's closing section")
	units := []string{"市工信局", "市大数据中心", "市政务服务中心", "市公安局", "市人社局", "市医保局", "市住建局"}
	var b strings.Builder
	b.WriteString(s[:i])
	for k := 28; k < 28+n; k++ {
		fmt.Fprintf(&b, "  (%d)推进第%d项数字政府建设任务。按照省上统一部署,完成第%d项工作的各项要求,形成可复制可推广的经验。\n\n", k, k, k)
		fmt.Fprintf(&b, "  牵头单位:%s\n\n  责任单位:各县(市、区)人民政府,%s\n\n  完成时限:2024年%d月底前\n\n", units[k%len(units)], units[(k+3)%len(units)], k%12+1)
	}
	b.WriteString(s[i:])
	return []byte(b.String())
}

// TestSlowHeaderClients opens connections that send their request headers
// a byte at a time, slower than the server's ReadHeaderTimeout (5 s): the
// server cuts each off at the timeout, and serves other users meanwhile.
func TestSlowHeaderClients(t *testing.T) {
	w := newWorld(t, "REQUEST_TIMEOUT=10s")
	ctx := context.Background()
	r := w.users(ctx, loadtest.Config{Connections: 10, Duration: 9 * time.Second}, false)

	const n = 30
	cut := make([]time.Duration, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	addr := strings.TrimPrefix(w.srv.URL, "http://")
	for i := range n {
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errs[i] = err
				return
			}
			defer c.Close()
			start := time.Now()
			closed := make(chan struct{})
			go func() {
				// The server's answer, if any, then EOF when it hangs up.
				_, _ = io.Copy(io.Discard, bufio.NewReader(c))
				close(closed)
			}()
			header := "GET /livez HTTP/1.1\r\nHost: " + addr + "\r\nX-Slow: " + strings.Repeat("a", 100)
			for _, ch := range []byte(header) {
				select {
				case <-closed:
					cut[i] = time.Since(start)
					return
				case <-time.After(300 * time.Millisecond):
				}
				if _, err := c.Write([]byte{ch}); err != nil {
					cut[i] = time.Since(start)
					return
				}
			}
			errs[i] = fmt.Errorf("the server read %d bytes of header over %v without cutting off", len(header), time.Since(start))
		})
	}
	stats, err := r.Run(ctx, "dashboard")
	require.NoError(t, err)
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		assert.GreaterOrEqual(t, cut[i], 4500*time.Millisecond, "cut off at the header timeout, not before")
		assert.Less(t, cut[i], 7*time.Second, "cut off at the header timeout (5 s)")
	}
	t.Logf("%d slow clients cut off after %v to %v", n, minOf(cut), maxOf(cut))
	logTable(t, stats)
	assert.Equal(t, map[int]int{200: stats[0].Requests}, stats[0].Statuses, "other users are served meanwhile")
	assert.Less(t, stats[0].P99, 500*time.Millisecond)
}

func minOf(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = min(m, d)
	}
	return m.Round(time.Millisecond)
}

func maxOf(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = max(m, d)
	}
	return m.Round(time.Millisecond)
}
