package loadtest

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"duban/internal/postgres"
)

// Auditor reads the reports of some assignments (postgres.DB).
type Auditor interface {
	AuditReports(ctx context.Context, assignmentIDs []int64, marker string) (postgres.ReportAudit, error)
}

// MeasureOptions say what Measure runs and reports.
type MeasureOptions struct {
	// Scenarios are run in this order in every round (floor first).
	Scenarios []string
	// Rounds is how many times the scenarios are run (at least 1).
	Rounds int
	// ServerPID, if not 0, is the server process whose memory is sampled.
	ServerPID int
	// Store, if not nil, is the server's database: the reports filed are
	// checked against it (Check).
	Store Auditor
	// Title heads each table (e.g. "scale 200").
	Title string
	// Out receives the tables.
	Out io.Writer
}

// Result is what Measure measured.
type Result struct {
	// Rounds holds each round's figures; Combined all rounds together, each
	// latency percentile the worst of the rounds.
	Rounds   [][]Stats
	Combined []Stats
	// MaxRSS is the largest resident set sampled, HWM the kernel's peak
	// (VmHWM) at the end; 0 without ServerPID.
	MaxRSS, HWM int64
	// Verdict is the check of the reports filed, nil without Store or writers.
	Verdict *Verdict
	// Overhead is the cost of the metrics (Bench with MetricsOverhead),
	// nil otherwise.
	Overhead *Overhead
}

// Measure signs in the virtual users, runs the scenarios for the rounds
// asked, prints a table per round and one for all rounds, and checks the
// reports filed against the database when it can.
func Measure(ctx context.Context, cfg Config, opt MeasureOptions) (Result, error) {
	var res Result
	out := opt.Out
	if out == nil {
		out = io.Discard
	}
	writes := slices.ContainsFunc(opt.Scenarios, IsWriting)
	// Memory is sampled from before the sign-ins: each costs an argon2id
	// hash of 19 MiB, and a burst of them is part of the worst morning.
	var mem *MemorySampler
	if opt.ServerPID != 0 {
		mem = SampleMemory(opt.ServerPID, 200*time.Millisecond)
		defer func() {
			if mem != nil {
				mem.Stop()
			}
		}()
	}
	r, err := New(ctx, cfg, slices.ContainsFunc(opt.Scenarios, NeedsAssignments))
	if err != nil {
		return res, err
	}
	defer r.Close()
	if mem != nil {
		fmt.Fprintf(out, "\n%s · %d users signed in · server VmRSS up to %s meanwhile\n", opt.Title, cfg.Connections, MB(mem.Window()))
	}
	var before postgres.ReportAudit
	if writes && opt.Store != nil {
		if before, err = opt.Store.AuditReports(ctx, r.Assignments(), ""); err != nil {
			return res, err
		}
	}
	rounds := max(opt.Rounds, 1)
	for round := 1; round <= rounds; round++ {
		loadBefore := LoadAverage()
		var stats []Stats
		for _, sc := range opt.Scenarios {
			if mem != nil {
				mem.Window()
			}
			s, err := r.Run(ctx, sc)
			if err != nil {
				return res, err
			}
			if mem != nil {
				rss := mem.Window()
				for i := range s {
					s[i].ServerRSS = rss
				}
			}
			stats = append(stats, s...)
		}
		res.Rounds = append(res.Rounds, stats)
		fmt.Fprintf(out, "\n%s · %d connections · %s per scenario after %s warm-up · round %d of %d · load average %s → %s\n",
			opt.Title, cfg.Connections, cfg.Duration, cfg.Warmup, round, rounds, loadBefore, LoadAverage())
		Table(out, stats)
	}
	res.Combined = Combine(res.Rounds)
	if rounds > 1 {
		fmt.Fprintf(out, "\n%s · all %d rounds: req/s over all rounds, each percentile the worst round's\n", opt.Title, rounds)
		Table(out, res.Combined)
	}
	if mem != nil {
		res.MaxRSS, _ = mem.Stop()
		mem = nil
		last, err := ReadMemory(opt.ServerPID)
		if err == nil {
			res.HWM = last.HWM
		}
		fmt.Fprintf(out, "server memory: largest VmRSS sampled %s, VmHWM %s\n", MB(res.MaxRSS), MB(res.HWM))
	}
	if writes && opt.Store != nil {
		after, err := opt.Store.AuditReports(ctx, r.Assignments(), r.Marker())
		if err != nil {
			return res, err
		}
		v := Check(before, after, r.Writes())
		res.Verdict = &v
		fmt.Fprintln(out, v)
	}
	return res, nil
}

// Combine merges the rounds' figures of each operation: requests and
// elapsed time add up (so req/s is over all rounds), each latency
// percentile is the worst round's.
func Combine(rounds [][]Stats) []Stats {
	var out []Stats
	idx := map[string]int{}
	for _, stats := range rounds {
		for _, s := range stats {
			i, ok := idx[s.Op]
			if !ok {
				idx[s.Op] = len(out)
				c := s
				c.Statuses, c.Cache = map[int]int{}, map[string]int{}
				for k, v := range s.Statuses {
					c.Statuses[k] = v
				}
				for k, v := range s.Cache {
					c.Cache[k] = v
				}
				out = append(out, c)
				continue
			}
			c := &out[i]
			c.Requests += s.Requests
			c.Elapsed += s.Elapsed
			c.OK += s.OK
			c.Conflicts += s.Conflicts
			c.Errors += s.Errors
			c.P50, c.P90, c.P99, c.Max = max(c.P50, s.P50), max(c.P90, s.P90), max(c.P99, s.P99), max(c.Max, s.Max)
			c.ServerRSS = max(c.ServerRSS, s.ServerRSS)
			for k, v := range s.Statuses {
				c.Statuses[k] += v
			}
			for k, v := range s.Cache {
				c.Cache[k] += v
			}
			if c.FirstError == "" {
				c.FirstError = s.FirstError
			}
		}
	}
	return out
}
