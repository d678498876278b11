package loadtest

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// recorder collects the outcome of every request of one operation. Latencies
// are kept as sorted samples rather than in a histogram: a ten-second run at
// a few thousand requests a second is a few hundred kilobytes, and the
// percentiles are then exact.
type recorder struct {
	mu        sync.Mutex
	latencies []time.Duration
	ok        int
	conflicts int
	errors    int
	statuses  map[int]int
	cache     map[string]int
	firstErr  string
}

func newRecorder() *recorder {
	return &recorder{statuses: map[int]int{}, cache: map[string]int{}}
}

// outcome is how one request ended.
type outcome int

const (
	outcomeOK outcome = iota
	outcomeConflict
	outcomeError
)

// add records one request: its latency, its status (0 for a transport
// error), its X-Duban-Cache header and how it counts.
func (r *recorder) add(d time.Duration, status int, cache string, o outcome, errText string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.latencies = append(r.latencies, d)
	r.statuses[status]++
	if cache != "" {
		r.cache[cache]++
	}
	switch o {
	case outcomeOK:
		r.ok++
	case outcomeConflict:
		r.conflicts++
	default:
		r.errors++
		if r.firstErr == "" {
			r.firstErr = errText
		}
	}
}

// Stats summarises the requests of one operation in one run.
type Stats struct {
	// Op names the operation: floor, dashboard, ledger, task, report-form,
	// report, api.
	Op string
	// Connections is how many virtual users ran the operation.
	Connections int
	// Requests counts every completed request, Elapsed the measured window.
	Requests int
	Elapsed  time.Duration
	// OK, Conflicts (409 on a stale version, expected when writers overlap)
	// and Errors (anything else, transport errors included).
	OK, Conflicts, Errors int
	// P50, P90, P99 and Max are latencies of all completed requests.
	P50, P90, P99, Max time.Duration
	// Statuses counts responses by status (0: transport error).
	Statuses map[int]int
	// Cache counts the X-Duban-Cache header values (hit, miss, off).
	Cache map[string]int
	// FirstError describes the first error, for the log.
	FirstError string
	// ServerRSS is the server's largest VmRSS sampled during the scenario
	// (0: not sampled).
	ServerRSS int64
}

// RPS is the throughput: completed requests per second.
func (s Stats) RPS() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Requests) / s.Elapsed.Seconds()
}

// HitRate is the share of cache hits among responses that said hit or miss,
// or -1 when none did.
func (s Stats) HitRate() float64 {
	n := s.Cache["hit"] + s.Cache["miss"]
	if n == 0 {
		return -1
	}
	return float64(s.Cache["hit"]) / float64(n)
}

func (r *recorder) stats(op string, conns int, elapsed time.Duration) Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	lat := slices.Clone(r.latencies)
	slices.Sort(lat)
	s := Stats{Op: op, Connections: conns, Requests: len(lat), Elapsed: elapsed, OK: r.ok, Conflicts: r.conflicts,
		Errors: r.errors, Statuses: map[int]int{}, Cache: map[string]int{}, FirstError: r.firstErr}
	for k, v := range r.statuses {
		s.Statuses[k] = v
	}
	for k, v := range r.cache {
		s.Cache[k] = v
	}
	s.P50, s.P90, s.P99 = Percentile(lat, 50), Percentile(lat, 90), Percentile(lat, 99)
	if len(lat) > 0 {
		s.Max = lat[len(lat)-1]
	}
	return s
}

// Percentile returns the p-th percentile of sorted latencies by the
// nearest-rank method (the smallest sample at or above p% of them), or 0
// for no samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted)) + 0.999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Table writes results as an aligned table, with each operation's
// throughput as a ratio to the floor's (the first Stats whose Op is
// "floor"), and its cache hit rate when it has one.
func Table(w io.Writer, results []Stats) {
	floor := 0.0
	for _, s := range results {
		if s.Op == OpFloor {
			floor = s.RPS()
			break
		}
	}
	fmt.Fprintf(w, "%-18s %5s %9s %9s %9s %9s %7s %6s %6s %6s %9s %7s\n",
		"route", "conns", "req/s", "p50", "p90", "p99", "ok", "409", "errors", "cache", "vs floor", "rss MB")
	for _, s := range results {
		ratio := "-"
		if floor > 0 {
			ratio = fmt.Sprintf("%.2f", s.RPS()/floor)
		}
		cache := "-"
		if h := s.HitRate(); h >= 0 {
			cache = fmt.Sprintf("%.0f%%", 100*h)
		}
		rss := "-"
		if s.ServerRSS > 0 {
			rss = fmt.Sprintf("%.0f", float64(s.ServerRSS)/(1<<20))
		}
		fmt.Fprintf(w, "%-18s %5d %9.0f %9s %9s %9s %7d %6d %6d %6s %9s %7s\n",
			s.Op, s.Connections, s.RPS(), ms(s.P50), ms(s.P90), ms(s.P99), s.OK, s.Conflicts, s.Errors, cache, ratio, rss)
	}
	for _, s := range results {
		if s.Errors > 0 {
			fmt.Fprintf(w, "  %s: %d errors, statuses %s; first: %s\n", s.Op, s.Errors, statusList(s.Statuses), s.FirstError)
		}
	}
}

func statusList(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d×%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// ms formats a latency in milliseconds with two significant decimals
// below 10 ms.
func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	if f < 10 {
		return fmt.Sprintf("%.2fms", f)
	}
	return fmt.Sprintf("%.1fms", f)
}
