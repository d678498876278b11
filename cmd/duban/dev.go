package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"duban/internal/config"
	"duban/internal/devdb"
	"duban/internal/planparse"
	"duban/internal/postgres"
	"duban/internal/workplan"
	"duban/seeds"
)

func cmdDevDB(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "devdb", `devdb exec [--dir DIR] -- COMMAND [ARGS...]

Starts a project-managed PostgreSQL cluster on a free loopback port, runs COMMAND
with DATABASE_URL and TEST_DATABASE_URL pointing at it, then stops the cluster and
exits with COMMAND's status. Without --dir the cluster is temporary and removed
afterwards (what make test uses); with --dir it is kept there and reused.`)
	dir := fs.String("dir", "", "keep the cluster in this folder (default: temporary)")
	if len(args) == 0 || args[0] != "exec" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fs.Usage()
			return nil
		}
		fs.Usage()
		return errUsage
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return helpOK(err)
	}
	cmdArgs := fs.Args()
	if len(cmdArgs) == 0 {
		return fmt.Errorf("devdb exec: give the command to run after --")
	}
	logf := func(format string, a ...any) { fmt.Fprintf(e.stderr, "devdb: "+format+"\n", a...) }
	cluster, err := devdb.Start(ctx, devdb.Options{Dir: *dir, Logf: logf, Getenv: e.getenv})
	if err != nil {
		return err
	}
	stopCluster := sync.OnceFunc(func() {
		if err := cluster.Stop(); err != nil {
			logf("%v", err)
		}
	})
	defer stopCluster()
	cmd := exec.Command(cmdArgs[0], cmdArgs[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.stdin, e.stdout, e.stderr
	cmd.Env = append(os.Environ(), "DATABASE_URL="+cluster.AppURL(), "TEST_DATABASE_URL="+cluster.URL("postgres"))
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("devdb exec: %w", err)
	}
	// The child gets Ctrl-C from the terminal itself; a SIGTERM sent to duban
	// alone is passed on, so the cluster is stopped only after the child ends.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(sigs)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case s := <-sigs:
			_ = cmd.Process.Signal(s)
		case err := <-done:
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				stopCluster()
				return exitError(ee.ExitCode())
			}
			return err
		}
	}
}

func cmdDev(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "dev", `dev [--data DIR]

For development (make run): with DATABASE_URL unset, starts a project-local
PostgreSQL cluster kept in DIR (started and stopped by duban itself), applies the
migrations, loads the bundled plan if the database is empty, and serves on
LISTEN_ADDR (default http://127.0.0.1:8080). Ctrl-C stops the server and the cluster.`)
	data := fs.String("data", ".devdb", "folder of the local PostgreSQL cluster")
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	getenv := func(k string) string {
		if k == "DUBAN_ENV" && e.getenv(k) == "" {
			return "development"
		}
		return e.getenv(k)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		logf := func(format string, a ...any) { fmt.Fprintf(e.stderr, "devdb: "+format+"\n", a...) }
		cluster, err := devdb.Start(ctx, devdb.Options{Dir: *data, Logf: logf, Getenv: e.getenv})
		if err != nil {
			return err
		}
		defer func() {
			if err := cluster.Stop(); err != nil {
				logf("%v", err)
			}
		}()
		cfg.DatabaseURL = cluster.AppURL()
	}
	accountsFile := filepath.Join(*data, "demo-accounts.txt")
	return serve(ctx, e, cfg, true, func(ctx context.Context, db *postgres.DB) error {
		seeded, err := seedIfEmpty(ctx, e, db)
		if err != nil || !seeded {
			return err
		}
		return demoAccounts(ctx, e, db, accountsFile)
	}, func(addr string) {
		fmt.Fprintf(e.stdout, "\nduban is running: http://%s   (Ctrl-C to stop)\n", addr)
		if b, err := os.ReadFile(accountsFile); err == nil {
			fmt.Fprintf(e.stdout, "Sign in with a demo account (development only; kept in %s):\n%s\n", accountsFile, b)
		} else {
			fmt.Fprintln(e.stdout, "Create an account with: bin/duban user create --username admin --name 管理员 --role admin")
		}
	})
}

// seedIfEmpty loads the unit registry and the bundled plan into a database
// that has no plan yet, and reports whether it did.
func seedIfEmpty(ctx context.Context, e env, db *postgres.DB) (bool, error) {
	plans, err := db.ListPlans(ctx)
	if err != nil || len(plans) > 0 {
		return false, err
	}
	actor := workplan.System("duban dev")
	if err := syncRegistry(ctx, db, actor, e.stdout); err != nil {
		return false, err
	}
	src, err := seeds.FS.ReadFile(seeds.DefaultPlan)
	if err != nil {
		return false, err
	}
	doc, err := planparse.Read(bytes.NewReader(src), seeds.DefaultPlan)
	if err != nil {
		return false, err
	}
	diff, err := db.Seed(ctx, workplan.SeedInput{SourceName: seeds.DefaultPlan, Source: src, Document: doc, Actor: actor})
	if err != nil {
		return false, err
	}
	fmt.Fprintf(e.stdout, "seeded the empty database with %s: %d tasks (plan %s)\n", seeds.DefaultPlan, len(diff.Added), diff.PlanSlug)
	return true, nil
}

// demoAccounts creates the development demo accounts on a freshly seeded
// database and keeps their passwords in file (inside the ignored cluster
// folder) so that every later `make run` can say how to sign in.
func demoAccounts(ctx context.Context, e env, db *postgres.DB, file string) error {
	accounts, err := db.CreateDemoAccounts(ctx)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, a := range accounts {
		if a.Skipped != "" {
			fmt.Fprintf(e.stderr, "demo account %s skipped: %s\n", a.Username, a.Skipped)
			continue
		}
		fmt.Fprintf(&b, "  %-11s %-24s password: %s   (%s%s)\n", a.Username, a.DisplayName, a.Password, a.Role.Label(), unitSuffix(a.Unit))
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	return os.WriteFile(file, []byte(b.String()), 0o600)
}

func unitSuffix(unit string) string {
	if unit == "" {
		return ""
	}
	return " · " + unit
}
