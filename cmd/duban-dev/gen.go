package main

import (
	"context"
	"duban/internal/cli"
	"fmt"
	"runtime"
	"time"

	"duban/internal/auth"
	"duban/internal/gen"
	"duban/internal/postgres"
	"duban/seeds"
)

func cmdGen(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "gen", `gen --scale N [--seed S] [--weeks W] [--password P] [--force]

Fills the database (DATABASE_URL) with realistic synthetic data for benchmarks
and load tests, after applying pending migrations. Scale 1 is the bundled plan
(seeds/`+seeds.DefaultPlan+`) with its units; scale N adds N-1 invented cities that
issued the same plan for their own units (27 tasks and about 400 assignments
each: scale 200 is a province of 5,400 tasks and 3 million reports). Plans are
named plan-2023-001 … plan-2023-NNN; plan-2023-001 is Pingliang.

Each plan gets accounts and W weeks of history from the plan's issue date
(2023-08-01): weekly reports in office hours (some units skip weeks or stop),
rising percentages, completion claims accepted or returned with a reason,
extension requests and decisions, evidence files on about one report in ten,
and indicator values. Rows are written week by week across all plans, in the
order they would have arrived. Then the daily snapshots of those days are
taken and the tables analysed. Progress goes to standard error. Scale 200
takes about five minutes on two cores and 3 GB of disk.

Pingliang's collective designations that the registry leaves open (市直有关部门
…) stand for no one until an administrator maps them, so nobody reports for
them; the invented cities have mapped theirs.

Accounts (users table):
  admin                 the administrator
  cNNN-staff-KKK        staff of the KKK-th unit (by name) with assignments in plan NNN
  cNNN-supervisor-1|2   supervisors (督查室) of plan NNN's city
  cNNN-leader-1|2       leaders of plan NNN's city
Without --password nobody can sign in to them until an administrator sets a
password. With --password every account gets that password (one argon2id hash,
shared, not to be changed at first sign-in): load tests sign in with it, once
per virtual user (each sign-in costs an argon2id verification, about 30 ms of
CPU), and keep the session cookie.

A database that already has plans is refused: generated history cannot be told
from real history afterwards, and nothing people write is ever deleted, so it
could not be removed again. --force adds the generated plans beside existing
ones, as long as no generated plan slug or username exists and no daily
snapshot has been taken yet (history generated into the past would be missing
from them). The same --seed gives the same data (row IDs aside). --check
verifies afterwards that every row of the history agrees with the others and
that sampled states are the fold of their events.`)
	scale := fs.Int("scale", 1, "number of plans: 1 is the bundled plan, 200 a province")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same data")
	weeks := fs.Int("weeks", 52, fmt.Sprintf("weeks of history from the plan's issue date (1 to %d)", gen.MaxWeeks))
	password := fs.String("password", "", "give every generated account this password (for load tests)")
	force := fs.Bool("force", false, "add generated plans to a database that has plans already")
	workers := fs.Int("workers", max(runtime.NumCPU(), 2), "goroutines and database connections preparing and writing plans at once")
	check := fs.Bool("check", false, "afterwards, check that the history is consistent (reads every row)")
	if err := cli.ParseFlags(fs, args); err != nil {
		return cli.HelpOK(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("gen: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := cli.DatabaseConfig(e)
	if err != nil {
		return err
	}
	var hash string
	if *password != "" {
		if err := auth.CheckPassword(*password, ""); err != nil {
			return fmt.Errorf("gen: --password: %w", err)
		}
		if hash, err = auth.NewHasher(auth.DefaultParams).Hash(*password); err != nil {
			return err
		}
	}
	src, err := seeds.FS.ReadFile(seeds.DefaultPlan)
	if err != nil {
		return err
	}
	reg, err := cli.Registry()
	if err != nil {
		return err
	}
	if err := postgres.MigrateUp(cfg.DatabaseURL); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{MaxConns: int32(*workers + 2)})
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = gen.Run(ctx, db, gen.Options{
		Params: gen.Params{Seed: *seed, Weeks: *weeks}, Scale: *scale,
		Document: src, Registry: reg,
		PasswordHash: hash, MustChangePassword: hash == "",
		Force: *force, Workers: *workers, Progress: e.Stderr,
	})
	if err != nil || !*check {
		return err
	}
	t := time.Now()
	problems, err := gen.Verify(ctx, db, 5)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(e.Stderr, "gen: check:", p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("gen: the generated history is inconsistent (%d problems)", len(problems))
	}
	fmt.Fprintf(e.Stderr, "gen: check: consistent (%s)\n", time.Since(t).Round(100*time.Millisecond))
	return nil
}
