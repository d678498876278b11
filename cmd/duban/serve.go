package main

import (
	"context"
	"duban/internal/cli"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"

	"duban/internal/config"
	"duban/internal/metrics"
	"duban/internal/postgres"
	"duban/internal/server"
	"duban/internal/snapshot"
)

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func printEnvHelp(w io.Writer) {
	fmt.Fprintln(w, "\nEnvironment:")
	for _, v := range config.Vars {
		def := v.Default
		if def == "" {
			def = "(none)"
		}
		fmt.Fprintf(w, "  %-26s %s [default: %s]\n", v.Name, v.Help, def)
	}
}

func cmdServe(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "serve", "serve [--migrate]\n\nServes the web application on LISTEN_ADDR until SIGINT or SIGTERM, then shuts down\ngracefully: /readyz turns 503, in-flight requests get SHUTDOWN_GRACE to finish.")
	migrate := fs.Bool("migrate", false, "apply pending migrations before serving")
	fs.Usage = func() {
		fmt.Fprintln(e.Stdout, "Usage: duban serve [--migrate]")
		fmt.Fprintln(e.Stdout, "\nServes the web application on LISTEN_ADDR until SIGINT or SIGTERM, then shuts down")
		fmt.Fprintln(e.Stdout, "gracefully: /readyz turns 503 and in-flight requests get SHUTDOWN_GRACE to finish.")
		fmt.Fprintln(e.Stdout, "\nFlags:")
		fmt.Fprintln(e.Stdout, "  --migrate   apply pending migrations before serving (as OWNER_DATABASE_URL's role if set)")
		printEnvHelp(e.Stdout)
	}
	if err := cli.ParseFlags(fs, args); err != nil {
		return cli.HelpOK(err)
	}
	cfg, err := cli.DatabaseConfig(e)
	if err != nil {
		return err
	}
	return serve(ctx, e, cfg, *migrate, nil)
}

// serve migrates if asked, opens the pool, checks the schema and the role, and
// serves until ctx ends. ready, if not nil, is called once the listener is open.
func serve(ctx context.Context, e cli.Env, cfg config.Config, migrate bool, ready func(addr string)) error {
	log := newLogger(cfg, e.Stderr)
	// A soft limit on the Go runtime's memory keeps the server's resident
	// memory under the 150 MB of the performance target with every plan's
	// state cached: near it the collector runs more often. The Go runtime's
	// own GOMEMLIMIT (e.g. 512MiB, or off) replaces it.
	if e.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	if migrate {
		if err := cli.MigrateUp(ctx, e, cfg); err != nil {
			return err
		}
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{MaxConns: cfg.DBMaxConns, StatementTimeout: cfg.StatementTimeout})
	if err != nil {
		return err
	}
	defer db.Close()
	ahead, err := db.CheckSchema(ctx)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if ahead {
		log.Warn("the database schema is newer than this duban's migrations: a newer version migrated it; upgrade this replica")
	}
	if err := checkPrivileges(ctx, cfg, db, log); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on LISTEN_ADDR=%s: %w", cfg.ListenAddr, err)
	}
	var opts []server.Option
	var snapshots snapshot.Taker = db
	var m *metrics.Metrics
	if cfg.MetricsAddr != "" {
		var stop func()
		m, stop, err = serveMetrics(cfg, db, log)
		if err != nil {
			ln.Close()
			return err
		}
		// Deferred after the pool's Close, so run before it: the
		// metrics stay up while the server drains.
		defer stop()
		opts = append(opts, server.WithMetrics(m))
		snapshots = m.Snapshots(db)
	}
	sender, err := newSender(cfg, db, log)
	if err != nil {
		ln.Close()
		return err
	}
	opts = append(opts, server.WithRobotSender(sender))
	srv := server.New(cfg, db, log, opts...)
	startSnapshots(ctx, snapshots, log)
	if err := startNotify(ctx, cfg, db, sender, log, m); err != nil {
		ln.Close()
		return err
	}
	log.Info("serving", "addr", "http://"+ln.Addr().String(), "env", cfg.Env)
	if ready != nil {
		ready(ln.Addr().String())
	}
	return srv.Serve(ctx, ln)
}

// checkPrivileges stops serve at start when its role lacks a privilege
// serving needs (a migration added a table nobody granted), rather than
// failing those requests one by one; and warns in production when the role
// could alter the audit trail (it owns the tables or is a superuser).
func checkPrivileges(ctx context.Context, cfg config.Config, db *postgres.DB, log *slog.Logger) error {
	problems, role, powerful, err := db.CheckServingPrivileges(ctx)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		var b strings.Builder
		for _, p := range problems {
			fmt.Fprintf(&b, "\n  %s: %s", p.Table, strings.Join(p.Missing, ", "))
		}
		return fmt.Errorf("the database role %s lacks privileges serving needs:%s\nRun `duban migrate up` with OWNER_DATABASE_URL (the owner) and DATABASE_URL (this role) set: it grants them (README: Deploying)", role, b.String())
	}
	if powerful && !cfg.Development() {
		log.Warn("the database role owns the schema or is a superuser, so it could alter or disable the audit trail: serve as a role that owns nothing (README: Deploying)", "role", role)
	}
	return nil
}

// serveMetrics opens METRICS_ADDR and serves a new registry there, with
// the pool of db watched. stop closes the listener.
func serveMetrics(cfg config.Config, db *postgres.DB, log *slog.Logger) (m *metrics.Metrics, stop func(), err error) {
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen on METRICS_ADDR=%s: %w", cfg.MetricsAddr, err)
	}
	m = metrics.New()
	m.WatchPool(db.Pool.Stat)
	log.Info("serving metrics", "addr", "http://"+ln.Addr().String()+"/metrics")
	return m, m.Serve(ln, log), nil
}

// defaultMemoryLimit is serve's soft memory limit without GOMEMLIMIT.
const defaultMemoryLimit = 96 << 20
