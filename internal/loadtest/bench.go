package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"duban/internal/devdb"
	"duban/internal/postgres"
)

// BenchOptions configure Bench.
type BenchOptions struct {
	// Binary is the product's duban executable, the one measured: it
	// creates the API token and serves.
	Binary string
	// Dev is the duban-dev executable, which generates the data.
	Dev string
	// Scales are the data sizes to measure, in order (duban-dev gen --scale).
	Scales []int
	// DataDir, if set, keeps the cluster of each scale above 10 in
	// DataDir/scale-N and reuses it on later runs (scale 200 takes minutes
	// to generate). Smaller scales are generated afresh every time, in a
	// temporary cluster, so that the writes of earlier runs do not pile up.
	DataDir string
	// Password is given to the generated accounts.
	Password string
	// Connections, Duration, Warmup, Rounds and Scenarios are those of Measure.
	Connections      int
	Duration, Warmup time.Duration
	Rounds           int
	Scenarios        []string
	// MetricsOverhead adds MeasureOverhead at each scale, after the
	// scenarios: the dashboard's ratio to the floor with METRICS_ADDR unset
	// and set.
	MetricsOverhead bool
	// Out receives the tables, Log the progress.
	Out, Log io.Writer
	// Getenv looks up PG_BINDIR and PATH for the PostgreSQL binaries.
	Getenv func(string) string
}

// ScaleResult is what Bench measured at one scale.
type ScaleResult struct {
	Scale int
	Result
}

// benchMarker is the file that says a kept cluster was generated completely.
const benchMarker = "bench-generated"

// Bench measures a real server at each scale: a PostgreSQL cluster of its
// own (devdb, durable: fsync on), `duban-dev gen --scale N`, an API token,
// `duban serve` as a separate process (DUBAN_ENV=development for the floor
// page, LOG_LEVEL=warn), then Measure with its memory sampled; then the
// server and the cluster are stopped. It ends with the figures against the
// targets of the performance issue.
func Bench(ctx context.Context, opt BenchOptions) ([]ScaleResult, error) {
	if opt.Getenv == nil {
		opt.Getenv = os.Getenv
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	fmt.Fprintln(opt.Out, Machine())
	var out []ScaleResult
	for _, scale := range opt.Scales {
		res, err := benchScale(ctx, opt, scale)
		if err != nil {
			return out, fmt.Errorf("loadtest: scale %d: %w", scale, err)
		}
		out = append(out, ScaleResult{Scale: scale, Result: res})
	}
	Targets(opt.Out, out)
	return out, nil
}

func benchScale(ctx context.Context, opt BenchOptions, scale int) (Result, error) {
	logf := func(format string, a ...any) { fmt.Fprintf(opt.Log, "bench: "+format+"\n", a...) }
	dir, kept := "", opt.DataDir != "" && scale > 10
	if kept {
		// The folder holding the clusters must be open to the postgres OS
		// user (as root, the server runs as postgres): devdb would create it
		// private to us.
		if err := os.MkdirAll(opt.DataDir, 0o755); err != nil {
			return Result{}, err
		}
		dir = filepath.Join(opt.DataDir, fmt.Sprintf("scale-%d", scale))
	} else {
		d, err := os.MkdirTemp("", "duban-bench-")
		if err != nil {
			return Result{}, err
		}
		// Removed after the cluster has stopped (deferred first, runs last).
		defer os.RemoveAll(d)
		dir = d
	}
	cluster, err := devdb.Start(ctx, devdb.Options{Dir: dir, Logf: logf, Getenv: opt.Getenv})
	if err != nil {
		return Result{}, err
	}
	defer func() {
		if err := cluster.Stop(); err != nil {
			logf("%v", err)
		}
	}()
	url := cluster.AppURL()
	marker := filepath.Join(dir, benchMarker)
	// A kept cluster may predate the latest migrations.
	if err := postgres.MigrateUp(url); err != nil {
		return Result{}, err
	}
	if _, err := os.Stat(marker); err != nil {
		db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 2})
		if err != nil {
			return Result{}, err
		}
		plans, err := postgresPlans(ctx, db)
		db.Close()
		if err != nil {
			return Result{}, err
		}
		if plans > 0 {
			return Result{}, fmt.Errorf("the cluster in %s has data but no %s file: an interrupted generation? Remove the folder to start again", dir, benchMarker)
		}
		logf("generating scale %d into %s (scale 200 takes 5 to 8 minutes)", scale, dir)
		began := time.Now()
		if err := runDuban(ctx, opt.Dev, url, opt.Log, nil, "gen", "--scale", strconv.Itoa(scale), "--password", opt.Password); err != nil {
			return Result{}, err
		}
		logf("generated scale %d in %s", scale, time.Since(began).Round(time.Second))
		if kept {
			if err := os.WriteFile(marker, []byte(fmt.Sprintf("scale %d generated %s\n", scale, time.Now().Format(time.RFC3339))), 0o644); err != nil {
				return Result{}, err
			}
		}
	} else {
		logf("reusing the scale %d cluster in %s (its reports include earlier runs' writes)", scale, dir)
	}
	var tok bytes.Buffer
	if err := runDuban(ctx, opt.Binary, url, opt.Log, &tok, "token", "create", "--rate", "0", "--name", "bench "+time.Now().Format("2006-01-02 15:04:05.000")); err != nil {
		return Result{}, err
	}
	srv, err := StartServer(ctx, opt.Binary, url, nil, opt.Log)
	if err != nil {
		return Result{}, err
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			logf("%v", err)
		}
	}()
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 2})
	if err != nil {
		return Result{}, err
	}
	defer db.Close()
	cfg := Config{URL: srv.URL, Password: opt.Password, Token: strings.TrimSpace(tok.String()), Connections: opt.Connections,
		Duration: opt.Duration, Warmup: opt.Warmup, Plans: scale, Log: opt.Log}
	var res Result
	if len(opt.Scenarios) > 0 { // none: only the metrics overhead
		res, err = Measure(ctx, cfg, MeasureOptions{Scenarios: opt.Scenarios, Rounds: opt.Rounds, ServerPID: srv.PID(), Store: db,
			Title: fmt.Sprintf("scale %d", scale), Out: opt.Out})
	}
	if err != nil || !opt.MetricsOverhead {
		return res, err
	}
	o, err := MeasureOverhead(ctx, OverheadOptions{Binary: opt.Binary, DatabaseURL: url, Config: cfg, Rounds: opt.Rounds,
		Title: fmt.Sprintf("scale %d", scale), Out: opt.Out, Log: opt.Log})
	res.Overhead = &o
	return res, err
}

func postgresPlans(ctx context.Context, db *postgres.DB) (int, error) {
	plans, err := db.ListPlans(ctx)
	return len(plans), err
}

// runDuban runs the duban binary with DATABASE_URL set; its standard error
// goes to log, its standard output to stdout (or log when nil).
func runDuban(ctx context.Context, bin, url string, log io.Writer, stdout io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url)
	if stdout == nil {
		stdout = log
	}
	cmd.Stdout, cmd.Stderr = stdout, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("duban %s: %w", args[0], err)
	}
	return nil
}

// Server is a `duban serve` process.
type Server struct {
	// URL is its base URL.
	URL  string
	cmd  *exec.Cmd
	done chan error
	log  *lockedBuffer
}

// StartServer starts `duban serve` on a free loopback port against the
// database at url, in development mode (for /debug/floor and
// /debug/sleep) with LOG_LEVEL=warn, plus env (KEY=VALUE), and waits until
// /readyz answers 200. Its log goes to log and is kept for Log.
func StartServer(ctx context.Context, bin, url string, env []string, log io.Writer) (*Server, error) {
	port, err := devdb.FreePort()
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), done: make(chan error, 1), log: &lockedBuffer{}}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "DUBAN_ENV=development", "LOG_LEVEL=warn", "REMIND_AT=off",
		"LISTEN_ADDR=127.0.0.1:"+strconv.Itoa(port))
	s.cmd.Env = append(s.cmd.Env, env...)
	var w io.Writer = s.log
	if log != nil {
		w = io.MultiWriter(s.log, log)
	}
	s.cmd.Stdout, s.cmd.Stderr = w, w
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start duban serve: %w", err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if ctx.Err() != nil || time.Now().After(deadline) {
			_ = s.Kill()
			return nil, fmt.Errorf("duban serve did not become ready within 60 s:\n%s", s.Log())
		}
		select {
		case err := <-s.done:
			s.done <- err
			return nil, fmt.Errorf("duban serve exited (%v):\n%s", err, s.Log())
		case <-time.After(100 * time.Millisecond):
		}
		if Ready(s.URL, time.Second) {
			return s, nil
		}
	}
}

// Ready reports whether base/readyz answers 200 within timeout.
func Ready(base string, timeout time.Duration) bool {
	c := &http.Client{Timeout: timeout}
	resp, err := c.Get(base + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// PID returns the server's process ID.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Signal sends sig to the server.
func (s *Server) Signal(sig os.Signal) error { return s.cmd.Process.Signal(sig) }

// Wait waits up to timeout for the server to exit and returns its exit
// error (nil for status 0).
func (s *Server) Wait(timeout time.Duration) error {
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(timeout):
		return fmt.Errorf("duban serve did not exit within %v", timeout)
	}
}

// Stop ends the server with SIGTERM (a clean shutdown) and waits for it,
// killing it after 30 seconds.
func (s *Server) Stop() error {
	if err := s.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	if err := s.Wait(30 * time.Second); err != nil {
		_ = s.Kill()
		return fmt.Errorf("stop duban serve: %w", err)
	}
	return nil
}

// Kill ends the server at once.
func (s *Server) Kill() error {
	err := s.cmd.Process.Kill()
	_ = s.Wait(10 * time.Second)
	return err
}

// Log returns what the server has written so far.
func (s *Server) Log() string { return s.log.String() }

// Machine describes the machine the figures were taken on: cores, CPU
// model, memory, Go version, the PostgreSQL binaries found, date and load.
func Machine() string {
	cpu, mem := "?", "?"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && k == "MemTotal" {
				f := strings.Fields(v)
				if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					mem = fmt.Sprintf("%.1f GB", float64(n)/(1<<20))
				}
			}
		}
	}
	pg := "?"
	if dir, err := devdb.FindBinaries(os.Getenv); err == nil {
		if b, err := exec.Command(filepath.Join(dir, "postgres"), "--version").Output(); err == nil {
			pg = strings.TrimSpace(string(b))
		}
	}
	return fmt.Sprintf("machine: %d cores (%s), %s RAM, %s, %s, %s, load average %s",
		runtime.NumCPU(), cpu, mem, runtime.Version(), pg, time.Now().Format("2006-01-02 15:04 MST"), LoadAverage())
}

// Targets prints the figures against the targets of the performance issue
// (2 cores, 50 connections).
func Targets(w io.Writer, results []ScaleResult) {
	fmt.Fprintln(w, "\ntargets (2 cores, 50 connections; latencies are the worst round's):")
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT MET"
	}
	var maxRSS, hwm int64
	for _, r := range results {
		byOp := map[string]Stats{}
		for _, s := range r.Combined {
			if _, seen := byOp[s.Op]; !seen {
				byOp[s.Op] = s
			}
		}
		floor, dash, rep := byOp[OpFloor], byOp[OpDashboard], byOp[OpReport]
		if dash.Requests > 0 && floor.Requests > 0 {
			ratio := dash.RPS() / floor.RPS()
			switch {
			case r.Scale == 1:
				fmt.Fprintf(w, "  scale 1: dashboard at %.0f%% of the floor's throughput (target ≥ 50%%): %s; p99 %s (target < 25 ms): %s; cache hits %.0f%%\n",
					100*ratio, mark(ratio >= 0.5), ms(dash.P99), mark(dash.P99 < 25*time.Millisecond), 100*dash.HitRate())
			default:
				fmt.Fprintf(w, "  scale %d: dashboard p99 %s (target < 100 ms): %s; at %.0f%% of the floor; cache hits %.0f%%\n",
					r.Scale, ms(dash.P99), mark(dash.P99 < 100*time.Millisecond), 100*ratio, 100*dash.HitRate())
			}
		}
		dailyTargets(w, r.Scale, byOp)
		if rep.Requests > 0 {
			fmt.Fprintf(w, "  scale %d: report submission, %d writers as fast as answered (%.0f reports/s): p99 %s (target < 50 ms): %s; %d filed, %d conflicts (409), %d errors\n",
				r.Scale, rep.Connections, rep.RPS(), ms(rep.P99), mark(rep.P99 < 50*time.Millisecond), rep.OK, rep.Conflicts, rep.Errors)
		}
		if p := byOp[OpPacedReport]; p.Requests > 0 {
			fmt.Fprintf(w, "  scale %d: report submission, %d writers filing once a second each (%.0f reports/s): p99 %s (target < 50 ms): %s; %d filed, %d conflicts (409), %d errors\n",
				r.Scale, p.Connections, p.RPS(), ms(p.P99), mark(p.P99 < 50*time.Millisecond), p.OK, p.Conflicts, p.Errors)
		}
		if line := sweep(r.Combined); line != "" {
			fmt.Fprintf(w, "  scale %d: %s\n", r.Scale, line)
		}
		if r.Verdict != nil {
			fmt.Fprintf(w, "  scale %d: %s\n", r.Scale, r.Verdict)
		}
		if o := r.Overhead; o != nil {
			fmt.Fprintf(w, "  scale %d: dashboard/floor with metrics on (METRICS_ADDR) %.3f, off %.3f: %.1f%% of off (target ≥ 95%%): %s; side by side, dashboard req/s with metrics %.1f%% of without, CPU per dashboard request %.1f%%\n",
				r.Scale, Ratio(o.On), Ratio(o.Off), 100*o.Relative(), mark(o.Relative() >= 0.95), 100*share(*o, OpDashboard), 100*o.CPUShare(OpDashboard))
		}
		maxRSS, hwm = max(maxRSS, r.MaxRSS), max(hwm, r.HWM)
	}
	if maxRSS > 0 {
		fmt.Fprintf(w, "  server memory, sign-ins and load: largest VmRSS sampled %s (target < 150 MB): %s; VmHWM %s\n",
			MB(maxRSS), mark(maxRSS < 150<<20), MB(hwm))
	}
}

// DailyTarget is what every daily page must reach at a scale, against the
// floor measured in the same run, plain and gzipped: a share of the
// floor's throughput and a 99th percentile.
func DailyTarget(scale int) (ratio float64, p99 time.Duration) {
	if scale <= 1 {
		return 0.5, 50 * time.Millisecond
	}
	return 0.3, 100 * time.Millisecond
}

// dailyTargets prints each daily page's figures against DailyTarget: its
// throughput as a share of the (plain) floor's, plain and gzipped, and the
// worse of the two p99s.
func dailyTargets(w io.Writer, scale int, byOp map[string]Stats) {
	floor := byOp[OpFloor]
	if floor.Requests == 0 {
		return
	}
	ratio, p99 := DailyTarget(scale)
	var missed []string
	measured := 0
	for _, page := range DailyPages {
		plain, gz := byOp[page], byOp[page+GzipSuffix]
		if plain.Requests == 0 && gz.Requests == 0 {
			continue
		}
		measured++
		var parts []string
		ok := true
		for _, st := range []Stats{plain, gz} {
			if st.Requests == 0 {
				continue
			}
			r := st.RPS() / floor.RPS()
			met := r >= ratio && st.P99 < p99 && st.Errors == 0
			ok = ok && met
			parts = append(parts, fmt.Sprintf("%s %.2f, p99 %s", st.Op, r, ms(st.P99)))
		}
		verdict := "met"
		if !ok {
			verdict = "NOT MET"
			missed = append(missed, page)
		}
		fmt.Fprintf(w, "  scale %d: %-13s %s: %s\n", scale, page, strings.Join(parts, "; "), verdict)
	}
	if measured > 0 {
		summary := "all met"
		if len(missed) > 0 {
			summary = "NOT MET by " + strings.Join(missed, ", ")
		}
		fmt.Fprintf(w, "  scale %d: daily pages at ≥ %.1f of the floor's throughput (%.0f req/s) with p99 < %s, plain and gzipped: %s\n",
			scale, ratio, floor.RPS(), ms(p99), summary)
	}
}

// sweep sums up the paced report scenarios: the highest steady rate at
// which report submission kept p99 under 50 ms while the server kept up (at
// least 95% of the offered rate answered), and each rate's p99.
func sweep(stats []Stats) string {
	type level struct {
		offered, achieved float64
		p99               time.Duration
	}
	var levels []level
	for _, s := range stats {
		scenario, ok := strings.CutSuffix(s.Op, "/report")
		if !ok || s.Requests == 0 {
			continue
		}
		rate, err := PacedRate(scenario)
		if err != nil {
			continue
		}
		levels = append(levels, level{offered: rate * float64(s.Connections), achieved: s.RPS(), p99: s.P99})
	}
	if len(levels) < 2 {
		return ""
	}
	sort.Slice(levels, func(i, j int) bool { return levels[i].offered < levels[j].offered })
	best := -1.0
	var parts []string
	for _, l := range levels {
		held := l.p99 < 50*time.Millisecond && l.achieved >= 0.95*l.offered
		if held {
			best = max(best, l.offered)
		}
		parts = append(parts, fmt.Sprintf("%.0f/s offered, %.0f/s answered, p99 %s", l.offered, l.achieved, ms(l.p99)))
	}
	verdict := "p99 under 50 ms at none of them"
	if best > 0 {
		verdict = fmt.Sprintf("p99 under 50 ms up to %.0f reports/s", best)
	}
	return "report submission at steady rates: " + verdict + " (" + strings.Join(parts, "; ") + ")"
}

// lockedBuffer is a bytes.Buffer safe for a process's output and readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
