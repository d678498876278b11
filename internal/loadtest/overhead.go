package loadtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"duban/internal/devdb"
)

// OverheadOptions say how MeasureOverhead runs.
type OverheadOptions struct {
	// Binary is the duban executable, DatabaseURL the generated database.
	Binary, DatabaseURL string
	// Config is the load: its URL is replaced by each server's.
	Config Config
	// Rounds is how many times each server is measured (at least 1).
	Rounds int
	// Title heads the tables (e.g. "scale 1").
	Title string
	// Out receives the tables, Log the servers' output.
	Out, Log io.Writer
}

// Overhead is the cost of the metrics on the dashboard, as a change of its
// ratio to the floor (which goes through the same middleware).
type Overhead struct {
	// Off and On are the floor and dashboard figures of the server without
	// and with METRICS_ADDR, over all rounds (measured side by side).
	Off, On []Stats
	// Counted is how many dashboard requests the metrics server's
	// duban_http_requests_total counted (warm-ups included).
	Counted float64
	// CPU is the CPU time each server used (user and system) while each
	// operation ran, warm-ups included: [0] without metrics, [1] with.
	// Divided by the requests measured it overstates the cost per request
	// alike for both, so compare the two (CPUShare), not the figures.
	CPU map[string][2]time.Duration
}

// CPUShare returns the CPU time per request of op with metrics as a share
// of without: unlike throughput it hardly depends on how the cores were
// shared between the two servers (0 if not measured).
func (o Overhead) CPUShare(op string) float64 {
	off, on := o.cpuPerRequest(op)
	if off == 0 {
		return 0
	}
	return float64(on) / float64(off)
}

// cpuPerRequest returns the CPU time per measured request of op without
// and with metrics.
func (o Overhead) cpuPerRequest(op string) (off, on time.Duration) {
	cpu := o.CPU[op]
	if n := opStats(o.Off, op).Requests; n > 0 {
		off = cpu[0] / time.Duration(n)
	}
	if n := opStats(o.On, op).Requests; n > 0 {
		on = cpu[1] / time.Duration(n)
	}
	return off, on
}

// Ratio returns the dashboard's throughput as a ratio to the floor's in
// stats (0 when either is missing).
func Ratio(stats []Stats) float64 {
	floor := opStats(stats, OpFloor).RPS()
	if floor == 0 {
		return 0
	}
	return opStats(stats, OpDashboard).RPS() / floor
}

// Relative returns the dashboard ratio with metrics on as a share of the
// ratio with metrics off (1: no cost; the target is at least 0.95).
func (o Overhead) Relative() float64 {
	off := Ratio(o.Off)
	if off == 0 {
		return 0
	}
	return Ratio(o.On) / off
}

// MeasureOverhead measures what the metrics cost: two `duban serve` on the
// same database, one without METRICS_ADDR and one with it, loaded side by
// side (each with its own Config.Connections users, at the same moments)
// with the floor scenario, then the dashboard scenario. Measured side by
// side, both servers meet the same other load on a shared machine, which
// sequential runs do not: there, a neighbour's build swings a 10-second
// figure by more than the 5% looked for. Competing for the same cores, the
// server that spends more per request answers fewer. It prints both
// servers' dashboard ratio to the floor and how the one with metrics
// compares, and checks that the metrics server counted the dashboard
// requests.
func MeasureOverhead(ctx context.Context, opt OverheadOptions) (Overhead, error) {
	var o Overhead
	out := opt.Out
	if out == nil {
		out = io.Discard
	}
	port, err := devdb.FreePort()
	if err != nil {
		return o, err
	}
	metricsAddr := "127.0.0.1:" + strconv.Itoa(port)
	names := [2]string{"off", "on"}
	var runners [2]*Runner
	var pids [2]int
	o.CPU = map[string][2]time.Duration{}
	for i, env := range [][]string{nil, {"METRICS_ADDR=" + metricsAddr}} {
		srv, err := StartServer(ctx, opt.Binary, opt.DatabaseURL, env, opt.Log)
		if err != nil {
			return o, err
		}
		defer func() { _ = srv.Stop() }()
		pids[i] = srv.PID()
		cfg := opt.Config
		cfg.URL, cfg.Token = srv.URL, ""
		if runners[i], err = New(ctx, cfg, false); err != nil {
			return o, err
		}
		defer runners[i].Close()
	}
	var rounds [2][][]Stats
	for round := 1; round <= max(opt.Rounds, 1); round++ {
		loadBefore := LoadAverage()
		var stats [2][]Stats
		var roundCPU [2][]string
		for _, sc := range []string{"floor", "dashboard"} {
			var got [2][]Stats
			var errs [2]error
			var before [2]time.Duration
			for i, pid := range pids {
				before[i], errs[i] = cpuTime(pid)
			}
			var wg sync.WaitGroup
			for i, r := range runners {
				wg.Go(func() { got[i], errs[i] = r.Run(ctx, sc) })
			}
			wg.Wait()
			cpu := o.CPU[sc]
			for i, pid := range pids {
				after, err := cpuTime(pid)
				errs[i] = errors.Join(errs[i], err)
				cpu[i] += after - before[i]
				if n := opStats(got[i], sc).Requests; n > 0 {
					roundCPU[i] = append(roundCPU[i], fmt.Sprintf("%s %.0fµs", sc, float64(after-before[i])/float64(n)/1e3))
				}
			}
			o.CPU[sc] = cpu
			if err := errors.Join(errs[:]...); err != nil {
				return o, err
			}
			for i := range got {
				stats[i] = append(stats[i], got[i]...)
			}
		}
		fmt.Fprintf(out, "\n%s · metrics overhead · two servers side by side, %d connections each · round %d of %d · load average %s → %s\n",
			opt.Title, opt.Config.Connections, round, max(opt.Rounds, 1), loadBefore, LoadAverage())
		for i := range stats {
			rounds[i] = append(rounds[i], stats[i])
			fmt.Fprintf(out, "metrics %s: dashboard/floor %.3f; server CPU per request (warm-up included) %s\n",
				names[i], Ratio(stats[i]), strings.Join(roundCPU[i], ", "))
			Table(out, stats[i])
		}
	}
	o.Off, o.On = Combine(rounds[0]), Combine(rounds[1])
	if o.Counted, err = scrapeDashboardRequests("http://" + metricsAddr + "/metrics"); err != nil {
		return o, err
	}
	measured := opStats(o.On, OpDashboard).Requests
	if o.Counted < float64(measured) {
		return o, fmt.Errorf("loadtest: the server with METRICS_ADDR counted %.0f dashboard requests, fewer than the %d measured: is it instrumented?", o.Counted, measured)
	}
	fmt.Fprintf(out, "\n%s · metrics overhead, all rounds: dashboard/floor %.3f with metrics off, %.3f with metrics on: %.1f%% of off (target ≥ 95%%); "+
		"side by side, the server with metrics answered %.1f%% of the other's dashboard requests and %.1f%% of its floor requests, "+
		"and spent %.1f%% of its CPU time per dashboard request and %.1f%% per floor request; "+
		"its metrics counted %.0f dashboard requests (%d measured, the rest in warm-ups)\n",
		opt.Title, Ratio(o.Off), Ratio(o.On), 100*o.Relative(), 100*share(o, OpDashboard), 100*share(o, OpFloor),
		100*o.CPUShare(OpDashboard), 100*o.CPUShare(OpFloor), o.Counted, measured)
	return o, nil
}

// opStats returns the figures of operation op in stats (zero if absent).
func opStats(stats []Stats, op string) Stats {
	for _, s := range stats {
		if s.Op == op {
			return s
		}
	}
	return Stats{}
}

// share returns the throughput of op with metrics as a share of without.
func share(o Overhead, op string) float64 {
	off := opStats(o.Off, op).RPS()
	if off == 0 {
		return 0
	}
	return opStats(o.On, op).RPS() / off
}

// cpuTime returns the CPU time process pid has used, user and system, from
// /proc/PID/stat (Linux; in ticks of 10 ms).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("loadtest: CPU time of process %d: %w", pid, err)
	}
	return parseCPUTime(string(b))
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/PID/stat's times: 100
// on every Linux architecture Go supports.
const clockTicks = 100

func parseCPUTime(stat string) (time.Duration, error) {
	// The command (field 2) is in parentheses and may hold spaces: count
	// from the last one. utime and stime are fields 14 and 15.
	i := strings.LastIndexByte(stat, ')')
	f := strings.Fields(stat[i+1:])
	if i < 0 || len(f) < 13 {
		return 0, fmt.Errorf("loadtest: unexpected /proc/PID/stat %q", stat)
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("loadtest: unexpected /proc/PID/stat %q", stat)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// scrapeDashboardRequests sums duban_http_requests_total of the dashboard
// route in a scrape of url.
func scrapeDashboardRequests(url string) (float64, error) {
	c := &http.Client{Timeout: 10 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		return 0, fmt.Errorf("loadtest: scrape metrics: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("loadtest: scrape metrics: %s", res.Status)
	}
	return sumSeries(res.Body, "duban_http_requests_total{", `route="/plans/{slug}/dashboard"`)
}

// sumSeries adds up the values of the series of a Prometheus text
// exposition whose line starts with prefix and contains label.
func sumSeries(r io.Reader, prefix, label string) (float64, error) {
	var sum float64
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, prefix) || !strings.Contains(line, label) {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, fmt.Errorf("loadtest: scrape metrics: %q: %w", line, err)
		}
		sum += v
	}
	return sum, sc.Err()
}
