package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"

	"duban/internal/config"
	"duban/internal/metrics"
	"duban/internal/postgres"
	"duban/internal/server"
	"duban/internal/snapshot"
)

func newFlags(e env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: duban %s\n\n", usage)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
	}
	return fs
}

// parseFlags parses args; --help prints usage and returns errHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return errHelp
		}
		return errUsage
	}
	return nil
}

// errHelp means help was printed: the command ends successfully.
var errHelp = fmt.Errorf("help")

func helpOK(err error) error {
	if err == errHelp {
		return nil
	}
	return err
}

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

func cmdServe(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "serve", "serve [--migrate]\n\nServes the web application on LISTEN_ADDR until SIGINT or SIGTERM, then shuts down\ngracefully: /readyz turns 503, in-flight requests get SHUTDOWN_GRACE to finish.")
	migrate := fs.Bool("migrate", false, "apply pending migrations before serving")
	fs.Usage = func() {
		fmt.Fprintln(e.stdout, "Usage: duban serve [--migrate]")
		fmt.Fprintln(e.stdout, "\nServes the web application on LISTEN_ADDR until SIGINT or SIGTERM, then shuts down")
		fmt.Fprintln(e.stdout, "gracefully: /readyz turns 503 and in-flight requests get SHUTDOWN_GRACE to finish.")
		fmt.Fprintln(e.stdout, "\nFlags:")
		fmt.Fprintln(e.stdout, "  --migrate   apply pending migrations before serving")
		printEnvHelp(e.stdout)
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	cfg, err := databaseConfig(e)
	if err != nil {
		return err
	}
	return serve(ctx, e, cfg, *migrate, nil, nil)
}

// serve migrates if asked, opens the pool, runs prepare (if not nil) and
// serves until ctx ends. ready, if not nil, is called once the listener is open.
func serve(ctx context.Context, e env, cfg config.Config, migrate bool, prepare func(context.Context, *postgres.DB) error, ready func(addr string)) error {
	log := newLogger(cfg, e.stderr)
	// A soft limit on the Go runtime's memory keeps the server's resident
	// memory under the 150 MB of the performance target with every plan's
	// state cached: near it the collector runs more often. The Go runtime's
	// own GOMEMLIMIT (e.g. 512MiB, or off) replaces it.
	if e.getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	if migrate {
		if err := postgres.MigrateUp(cfg.DatabaseURL); err != nil {
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
	if prepare != nil {
		if err := prepare(ctx, db); err != nil {
			return err
		}
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

// databaseConfig loads the configuration, which must name a database.
func databaseConfig(e env) (config.Config, error) {
	cfg, err := config.Load(e.getenv)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.RequireDatabase()
}

// openDB opens the configured database with the small pool a command needs.
func openDB(ctx context.Context, e env) (*postgres.DB, error) {
	cfg, err := databaseConfig(e)
	if err != nil {
		return nil, err
	}
	return postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{MaxConns: 2})
}
