package main

import (
	"context"
	"duban/internal/cli"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"duban/internal/loadtest"
)

func cmdBench(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "bench", `bench [--duban PATH] [--scales 1,200] [--data DIR] [--connections 50] [--duration 10s] [--rounds 2] [--scenarios LIST] [--metrics-overhead=false]

The HTTP half of make bench. For each scale: a PostgreSQL cluster of its own
(durable, fsync on), `+"`duban-dev gen --scale N`"+`, an API token, `+"`duban serve`"+` as a
separate process (DUBAN_ENV=development, LOG_LEVEL=warn), then the load
scenarios of `+"`duban-dev loadtest`"+` (floor first: the other routes are given as a ratio
to it), the server's memory, the check that no acknowledged report was lost,
then (unless --metrics-overhead=false) the floor and dashboard on two more
servers loaded side by side, one with METRICS_ADDR set, to compare the
dashboard's ratio to the floor with and without metrics, and at the end the
figures against the targets (--scenarios "" measures the metrics overhead
alone). Needs the PostgreSQL server
binaries, like make test. Scale 200 takes 5 to 8 minutes to generate and 3 GB
of disk: with --data its cluster is kept in DIR/scale-200 and reused.`)
	scales := fs.String("scales", "1,200", "comma-separated scales to measure, in order")
	data := fs.String("data", "", "keep clusters of scales above 10 here and reuse them (default: temporary)")
	password := fs.String("password", "load-test-password-2024", "password of the generated accounts")
	conns := fs.Int("connections", 50, "virtual users, one connection each")
	duration := fs.Duration("duration", 10*time.Second, "measured time per scenario")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured time before each scenario")
	rounds := fs.Int("rounds", 2, "run the scenarios this many times per scale")
	scenarios := fs.String("scenarios", strings.Join(loadtest.BenchScenarios, ","), "comma-separated scenarios (floor first)")
	product := fs.String("duban", "", "the product binary to measure (default: duban beside this program)")
	overhead := fs.Bool("metrics-overhead", true, "then load floor and dashboard on two servers side by side, METRICS_ADDR unset and set, and compare the dashboard's ratios")
	if err := cli.ParseFlags(fs, args); err != nil {
		return cli.HelpOK(err)
	}
	var list []int
	for _, s := range strings.Split(*scales, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("bench: --scales: %q is not a scale", s)
		}
		list = append(list, n)
	}
	// The load generator shares the cores with the server: collect its
	// small heap less often.
	debug.SetGCPercent(400)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bin, err := productBinary(*product)
	if err != nil {
		return err
	}
	_, err = loadtest.Bench(ctx, loadtest.BenchOptions{
		Binary: bin, Dev: self, Scales: list, DataDir: *data, Password: *password, Connections: *conns,
		Duration: *duration, Warmup: *warmup, Rounds: *rounds, Scenarios: without(strings.Split(*scenarios, ","), ""), MetricsOverhead: *overhead,
		Out: e.Stdout, Log: e.Stderr, Getenv: e.Getenv,
	})
	return err
}
