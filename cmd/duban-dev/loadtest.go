package main

import (
	"context"
	"duban/internal/cli"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"duban/internal/loadtest"
	"duban/internal/postgres"
)

func cmdLoadtest(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "loadtest", `loadtest --url URL --password P [--token T] [--connections 50] [--duration 10s] [--scenarios LIST]

Loads a running duban server (started with DUBAN_ENV=development, for the
floor page /debug/floor) whose data was made by `+"`duban-dev gen --scale N --password P`"+`.
Each virtual user signs in once as a generated staff account and keeps one
connection; each scenario is measured alone, after a warm-up, and printed
as requests per second, p50/p90/p99 latency, errors, the dashboard cache's
hit rate and the ratio of throughput to the floor's, measured in the same run.
Scenarios: `+strings.Join(loadtest.Scenarios, ", ")+`.

With DATABASE_URL set (the server's database), the reports filed are checked
afterwards: every one answered 303 must be stored, none answered 409 may be.
With --server-pid, the server's resident memory is sampled (Linux).`)
	url := fs.String("url", "http://127.0.0.1:8080", "the server's base URL")
	password := fs.String("password", "", "password of the generated accounts (duban-dev gen --password)")
	token := fs.String("token", "", "API bearer token for the api scenario (duban token create)")
	conns := fs.Int("connections", 50, "virtual users, one connection each")
	duration := fs.Duration("duration", 10*time.Second, "measured time per scenario")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured time before each scenario")
	scenarios := fs.String("scenarios", strings.Join(loadtest.Scenarios, ","), "comma-separated scenarios, in order (put floor first)")
	plans := fs.Int("plans", 1, "number of generated plans (the --scale of duban-dev gen): users spread over them")
	staff := fs.Int("staff", 32, "staff accounts per plan (duban-dev gen makes 32 per plan)")
	perUser := fs.Int("assignments-per-user", 0, "writers use only their unit's first N assignments (0: all)")
	rounds := fs.Int("rounds", 1, "run the scenarios this many times")
	pid := fs.Int("server-pid", 0, "sample this process's resident memory")
	if err := cli.ParseFlags(fs, args); err != nil {
		return cli.HelpOK(err)
	}
	if *password == "" {
		return fmt.Errorf("loadtest: --password is required")
	}
	// The load generator shares the cores with the server: collect its
	// small heap less often.
	debug.SetGCPercent(400)
	list := strings.Split(*scenarios, ",")
	if *token == "" {
		list = without(list, "api")
	}
	cfg := loadtest.Config{URL: *url, Password: *password, Token: *token, Connections: *conns, Duration: *duration,
		Warmup: *warmup, Plans: *plans, StaffPerPlan: *staff, AssignmentsPerUser: *perUser, Log: e.Stderr}
	opt := loadtest.MeasureOptions{Scenarios: list, Rounds: *rounds, ServerPID: *pid, Title: *url, Out: e.Stdout}
	if u := e.Getenv("DATABASE_URL"); u != "" {
		db, err := postgres.Open(ctx, u, postgres.Options{MaxConns: 2})
		if err != nil {
			return err
		}
		defer db.Close()
		opt.Store = db
	}
	res, err := loadtest.Measure(ctx, cfg, opt)
	if err != nil {
		return err
	}
	if res.Verdict != nil && !res.Verdict.OK() {
		return fmt.Errorf("loadtest: updates were lost: %s", res.Verdict)
	}
	return nil
}

func without(list []string, name string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" && s != name {
			out = append(out, s)
		}
	}
	return out
}
