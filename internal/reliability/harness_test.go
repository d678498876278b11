//go:build reliability

// Package reliability holds the fault tests of `make reliability`: a real
// `duban serve` process (built here) against a PostgreSQL cluster of each
// test's own, which the tests stop, restart and disturb while virtual users
// of internal/loadtest sign in, read pages and file reports. They take
// minutes and need the PostgreSQL server binaries (as make test does), so
// they are behind the build tag "reliability":
//
//	go test -tags reliability -count=1 -timeout 20m ./internal/reliability
//
// RELIABILITY_SOAK sets the soak test's duration (default 2m).
package reliability_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"duban/internal/devdb"
	"duban/internal/loadtest"
	"duban/internal/postgres"
)

// password is the password of the generated accounts.
const password = "reliability-test-password-2024"

// dubanBin is the duban binary built by TestMain; devBin the duban-dev
// binary, which generates the data.
var dubanBin, devBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "duban-reliability-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dubanBin = filepath.Join(dir, "duban")
	devBin = filepath.Join(dir, "duban-dev")
	if out, err := exec.Command("go", "build", "-o", devBin, "duban/cmd/duban-dev").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build duban-dev: %v\n%s", err, out)
		os.Exit(1)
	}
	build := exec.Command("go", "build", "-o", dubanBin, "duban/cmd/duban")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "reliability: go build duban:", err)
		os.Exit(1)
	}
	if _, err := devdb.FindBinaries(os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// world is one test's PostgreSQL cluster, generated data and server.
type world struct {
	t       *testing.T
	dir     string
	cluster *devdb.Cluster
	url     string
	db      *postgres.DB
	srv     *loadtest.Server
	srvEnv  []string
}

// newWorld starts a durable cluster (fsync on: the tests count on what was
// committed surviving a restart) in a folder of its own, fills it with
// `duban-dev gen --scale 1 --password` and starts `duban serve` with env added
// to its environment.
func newWorld(t *testing.T, env ...string) *world {
	t.Helper()
	dir, err := os.MkdirTemp("", "duban-reliability-")
	require.NoError(t, err)
	w := &world{t: t, dir: dir, srvEnv: env}
	t.Cleanup(func() { os.RemoveAll(dir) })
	w.startDB(0)
	t.Cleanup(func() {
		if w.cluster != nil {
			_ = w.cluster.Stop()
		}
	})
	w.duban("gen", "--scale", "1", "--weeks", "20", "--password", password)
	w.db, err = postgres.Open(context.Background(), w.url, postgres.Options{MaxConns: 4})
	require.NoError(t, err)
	t.Cleanup(w.db.Close)
	if env != nil {
		w.startServer()
	}
	return w
}

// startDB starts the cluster, on port (0: a free one).
func (w *world) startDB(port int) {
	w.t.Helper()
	c, err := devdb.Start(context.Background(), devdb.Options{Dir: w.dir, Port: port, Logf: w.t.Logf})
	require.NoError(w.t, err)
	w.cluster = c
	w.url = c.AppURL()
}

// stopDB stops the cluster (fast shutdown: sessions are ended).
func (w *world) stopDB() {
	w.t.Helper()
	require.NoError(w.t, w.cluster.Stop())
}

// startServer starts `duban serve` and stops it when the test ends.
func (w *world) startServer() {
	w.t.Helper()
	srv, err := loadtest.StartServer(context.Background(), dubanBin, w.url, w.srvEnv, nil)
	require.NoError(w.t, err)
	w.srv = srv
	w.t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			w.t.Logf("stop server: %v", err)
		}
		if w.t.Failed() {
			w.t.Logf("server log, errors other than 503:\n%s", grepLines(srv.Log(), func(l string) bool {
				return strings.Contains(l, "level=ERROR") && !strings.Contains(l, "status=503")
			}, 30))
			w.t.Logf("server log, end:\n%s", lastLines(srv.Log(), 10))
		}
	})
}

// duban runs a duban command (a duban-dev one for gen) against the
// world's database.
func (w *world) duban(args ...string) string {
	w.t.Helper()
	bin := dubanBin
	if args[0] == "gen" {
		bin = devBin
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+w.url)
	out, err := cmd.CombinedOutput()
	require.NoError(w.t, err, "duban %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}

// users signs in n virtual users (with their assignments found when
// writers) against the world's server.
func (w *world) users(ctx context.Context, cfg loadtest.Config, writers bool) *loadtest.Runner {
	w.t.Helper()
	cfg.URL, cfg.Password = w.srv.URL, password
	if cfg.Connections == 0 {
		cfg.Connections = 20
	}
	if cfg.Plans == 0 {
		cfg.Plans = 1
	}
	r, err := loadtest.New(ctx, cfg, writers)
	require.NoError(w.t, err)
	w.t.Cleanup(r.Close)
	return r
}

// checkWrites asserts that the reports the runner filed are exactly those
// stored: every acknowledged one, no refused one.
func (w *world) checkWrites(ctx context.Context, r *loadtest.Runner, before postgres.ReportAudit) loadtest.Verdict {
	w.t.Helper()
	after, err := w.db.AuditReports(ctx, r.Assignments(), r.Marker())
	require.NoError(w.t, err)
	v := loadtest.Check(before, after, r.Writes())
	w.t.Log(v)
	require.True(w.t, v.OK(), "%s", v)
	return v
}

func (w *world) audit(ctx context.Context, r *loadtest.Runner) postgres.ReportAudit {
	w.t.Helper()
	a, err := w.db.AuditReports(ctx, r.Assignments(), "")
	require.NoError(w.t, err)
	return a
}

// byStatus is a shorthand for the statuses of several operations' stats.
func byStatus(stats []loadtest.Stats) map[int]int {
	m := map[int]int{}
	for _, s := range stats {
		for k, v := range s.Statuses {
			m[k] += v
		}
	}
	return m
}

func maxLatency(stats []loadtest.Stats) time.Duration {
	var d time.Duration
	for _, s := range stats {
		d = max(d, s.Max)
	}
	return d
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// grepLines returns the first n lines of s that keep accepts.
func grepLines(s string, keep func(string) bool, n int) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if keep(l) && len(out) < n {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
