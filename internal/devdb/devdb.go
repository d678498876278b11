// Package devdb runs a project-managed PostgreSQL cluster for development and
// tests, so that `make run` and `make test` need nothing but the PostgreSQL
// server binaries: it finds them, initialises a cluster, starts it on a free
// loopback port and stops it again.
//
// When the process runs as root, the server runs as the "postgres" OS user,
// because initdb and postgres refuse to run as root; if that user cannot
// reach the folder asked for (a clone under a private folder such as
// /root), the cluster lives in a folder of that user's instead.
//
// With Options.Roles the application database gets the two roles of a
// deployment: OwnerRole owns it and runs the migrations, ServeRole serves.
package devdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Options says where and how to run a cluster.
type Options struct {
	// Dir keeps the cluster between runs (e.g. ".devdb"). Empty means a
	// temporary cluster, removed by Stop.
	Dir string
	// Database is created if missing; default "duban".
	Database string
	// Logf receives progress messages; nil discards them.
	Logf func(format string, args ...any)
	// Getenv looks up PATH and PG_BINDIR; nil means os.Getenv.
	Getenv func(string) string
	// Port is the TCP port to listen on; 0 picks a free one. The fault tests
	// stop a kept cluster and start it again on its previous port, where
	// the application's pool reconnects.
	Port int
	// Roles creates OwnerRole and ServeRole and makes OwnerRole the owner of
	// the application database and of everything in its public schema
	// (taking over a database an earlier version created as the superuser).
	Roles bool
	// Config adds server settings (name=value) to the command line, e.g.
	// the replication settings of the failover test.
	Config []string
}

// OwnerRole and ServeRole are the roles Options.Roles creates: the owner
// of the schema, which runs migrations, and the serving role, which owns
// nothing (README: Deploying). Authentication is trust, on loopback only.
const (
	OwnerRole = "duban_owner"
	ServeRole = "duban_app"
)

// Cluster is a running PostgreSQL server started by Start.
type Cluster struct {
	// Port is the TCP port on 127.0.0.1.
	Port int
	// Database is the application database's name.
	Database string
	dir      string
	temp     bool
	bin      string
	runAs    *user.User
	logf     func(string, ...any)
	roles    bool
	settings []string
}

// ErrNoBinaries means no PostgreSQL server binaries were found.
var ErrNoBinaries = errors.New(`devdb: PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in PATH, PG_BINDIR, "pg_config --bindir" or /usr/lib/postgresql/*/bin.
Install them (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@16),
or start PostgreSQL with Docker ("make db-up") and set DATABASE_URL / TEST_DATABASE_URL to postgres://duban:duban@127.0.0.1:5432/duban?sslmode=disable`)

// FindBinaries returns the directory holding initdb, pg_ctl and postgres.
func FindBinaries(getenv func(string) string) (string, error) {
	has := func(dir string) bool {
		for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
			if fi, err := os.Stat(filepath.Join(dir, b)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if d := getenv("PG_BINDIR"); d != "" && has(d) {
		return d, nil
	}
	for _, d := range filepath.SplitList(getenv("PATH")) {
		if d != "" && has(d) {
			return d, nil
		}
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); has(d) {
			return d, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	dirs2, _ := filepath.Glob("/usr/local/pgsql*/bin")
	dirs = append(dirs, dirs2...)
	// Newest major version first.
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	return "", ErrNoBinaries
}

func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Start initialises the cluster if needed and starts it on a free port.
func Start(ctx context.Context, opt Options) (*Cluster, error) {
	getenv := opt.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	c := &Cluster{Database: opt.Database, Port: opt.Port, logf: opt.Logf, roles: opt.Roles, settings: opt.Config}
	if c.Database == "" {
		c.Database = "duban"
	}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	var err error
	if c.bin, err = FindBinaries(getenv); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		if c.runAs, err = user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("devdb: running as root, PostgreSQL must run as the \"postgres\" OS user, which does not exist (create it with: useradd --system --create-home postgres): %w", err)
		}
	}
	if opt.Dir == "" {
		c.temp = true
		if c.dir, err = os.MkdirTemp("", "duban-pg-"); err != nil {
			return nil, fmt.Errorf("devdb: temporary folder: %w", err)
		}
	} else {
		if c.dir, err = filepath.Abs(opt.Dir); err != nil {
			return nil, fmt.Errorf("devdb: %w", err)
		}
		if err := os.MkdirAll(c.dir, 0o700); err != nil {
			return nil, fmt.Errorf("devdb: create %s: %w", c.dir, err)
		}
	}
	if err := c.chown(c.dir); err != nil {
		return nil, c.fail(err)
	}
	if err := c.relocate(ctx); err != nil {
		return nil, c.fail(err)
	}
	if err := c.initdb(ctx); err != nil {
		return nil, c.fail(err)
	}
	if err := c.start(ctx); err != nil {
		return nil, c.fail(err)
	}
	if err := c.createDatabase(ctx); err != nil {
		_ = c.Stop()
		return nil, err
	}
	return c, nil
}

// StartStandby makes a streaming standby of primary in opt.Dir (which must
// not hold a cluster yet) with pg_basebackup -R, and starts it on opt.Port
// (0: a free one). It is read-only until Promote. For the synchronous
// replication of the failover test, set synchronous_standby_names on the
// primary afterwards (SyncStandby), or its commits wait for a standby that
// is not there yet.
func StartStandby(ctx context.Context, primary *Cluster, opt Options) (*Cluster, error) {
	if opt.Dir == "" {
		return nil, errors.New("devdb: a standby needs a folder")
	}
	c := &Cluster{Database: primary.Database, Port: opt.Port, logf: opt.Logf, settings: opt.Config, bin: primary.bin, runAs: primary.runAs}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	var err error
	if c.dir, err = filepath.Abs(opt.Dir); err != nil {
		return nil, fmt.Errorf("devdb: %w", err)
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return nil, fmt.Errorf("devdb: create %s: %w", c.dir, err)
	}
	if err := c.chown(c.dir); err != nil {
		return nil, err
	}
	if err := c.relocate(ctx); err != nil {
		return nil, err
	}
	c.logf("pg_basebackup of 127.0.0.1:%d into %s", primary.Port, c.dataDir())
	out, err := c.run(ctx, c.tool("pg_basebackup"), "-D", c.dataDir(), "-h", "127.0.0.1", "-p", strconv.Itoa(primary.Port),
		"-U", "postgres", "-R", "-X", "stream", "--checkpoint=fast", "--no-sync")
	if err != nil {
		return nil, fmt.Errorf("devdb: pg_basebackup: %w\n%s", err, out)
	}
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// SyncStandby makes every commit on c wait until a standby has it on disk
// (synchronous_standby_names = '*'), and waits until one is attached as
// synchronous.
func (c *Cluster) SyncStandby(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("devdb: connect: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `ALTER SYSTEM SET synchronous_standby_names = '*'`); err != nil {
		return fmt.Errorf("devdb: synchronous_standby_names: %w", err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_reload_conf()`); err != nil {
		return fmt.Errorf("devdb: reload: %w", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var sync bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE sync_state = 'sync' AND state = 'streaming')`).Scan(&sync); err != nil {
			return fmt.Errorf("devdb: replication state: %w", err)
		}
		if sync {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("devdb: no synchronous standby attached within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Promote turns a standby into a primary (pg_ctl promote, waiting until it
// accepts writes).
func (c *Cluster) Promote(ctx context.Context) error {
	if out, err := c.run(ctx, "pg_ctl", "-D", c.dataDir(), "-w", "-t", "60", "promote"); err != nil {
		return fmt.Errorf("devdb: pg_ctl promote: %w\n%s", err, out)
	}
	return nil
}

// Crash stops the server at once, as a power cut would (immediate mode:
// no checkpoint, sessions cut). Stop afterwards reports it not running.
func (c *Cluster) Crash() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pid := c.postmasterPID()
	if out, err := c.run(ctx, "pg_ctl", "-D", c.dataDir(), "-m", "immediate", "-w", "-t", "30", "stop"); err != nil {
		return fmt.Errorf("devdb: pg_ctl stop -m immediate: %w\n%s", err, out)
	}
	for i := 0; pid > 0 && i < 100 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// fail cleans up after a failed start and returns err.
func (c *Cluster) fail(err error) error {
	if c.temp {
		_ = os.RemoveAll(c.dir)
	}
	return err
}

func (c *Cluster) dataDir() string { return filepath.Join(c.dir, "data") }

// URL returns a connection URL for database db (the cluster's superuser, trust auth).
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// AppURL returns the URL of the application database, as the superuser.
func (c *Cluster) AppURL() string { return c.URL(c.Database) }

// OwnerURL returns the URL of the application database as OwnerRole
// (Options.Roles).
func (c *Cluster) OwnerURL() string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", OwnerRole, c.Port, c.Database)
}

// ServeURL returns the URL of the application database as ServeRole
// (Options.Roles).
func (c *Cluster) ServeURL() string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", ServeRole, c.Port, c.Database)
}

// Dir returns the folder holding the cluster.
func (c *Cluster) Dir() string { return c.dir }

func (c *Cluster) initdb(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION")); err == nil {
		return nil
	}
	c.logf("initialising a PostgreSQL cluster in %s", c.dataDir())
	args := []string{"-D", c.dataDir(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"}
	if c.temp {
		args = append(args, "--no-sync")
	}
	if out, err := c.run(ctx, "initdb", args...); err != nil {
		return fmt.Errorf("devdb: initdb: %w\n%s", err, out)
	}
	return nil
}

func (c *Cluster) start(ctx context.Context) error {
	// A server left running by a run that was killed is stopped first, so this
	// process owns the one it starts.
	if _, err := os.Stat(filepath.Join(c.dataDir(), "postmaster.pid")); err == nil {
		c.logf("stopping a PostgreSQL server left running in %s", c.dataDir())
		_, _ = c.run(ctx, "pg_ctl", "-D", c.dataDir(), "-m", "immediate", "-w", "stop")
	}
	port := c.Port
	if port == 0 {
		var err error
		if port, err = FreePort(); err != nil {
			return fmt.Errorf("devdb: find a free port: %w", err)
		}
		c.Port = port
	}
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200", port)
	for _, s := range c.settings {
		opts += " -c " + s
	}
	if c.temp {
		// A throwaway cluster for tests never needs durability.
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	logFile := filepath.Join(c.dir, "postgres.log")
	c.logf("starting PostgreSQL on 127.0.0.1:%d (log: %s)", port, logFile)
	if out, err := c.run(ctx, "pg_ctl", "-D", c.dataDir(), "-l", logFile, "-o", opts, "-w", "-t", "60", "start"); err != nil {
		tail, _ := os.ReadFile(logFile)
		return fmt.Errorf("devdb: pg_ctl start: %w\n%s\n%s", err, out, lastLines(tail, 15))
	}
	return nil
}

func (c *Cluster) createDatabase(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("devdb: connect: %w", err)
	}
	defer conn.Close(ctx)
	if c.roles {
		for _, r := range []string{OwnerRole, ServeRole} {
			_, err := conn.Exec(ctx, fmt.Sprintf(`DO $$ BEGIN
				IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%s') THEN CREATE ROLE %s LOGIN; END IF;
			END $$`, r, r))
			if err != nil {
				return fmt.Errorf("devdb: create role %s: %w", r, err)
			}
		}
	}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", c.Database).Scan(&exists); err != nil {
		return fmt.Errorf("devdb: look up database: %w", err)
	}
	if !exists {
		create := "CREATE DATABASE " + pgx.Identifier{c.Database}.Sanitize()
		if c.roles {
			create += " OWNER " + OwnerRole
		}
		if _, err := conn.Exec(ctx, create); err != nil {
			return fmt.Errorf("devdb: create database %s: %w", c.Database, err)
		}
	}
	if c.roles {
		return c.adopt(ctx)
	}
	return nil
}

// adopt makes OwnerRole the owner of the application database and of every
// object of its public schema: a cluster made before the two roles existed
// has them owned by the superuser, which the owner could not migrate.
func (c *Cluster) adopt(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.AppURL())
	if err != nil {
		return fmt.Errorf("devdb: connect: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `DO $$
DECLARE r record;
BEGIN
	IF (SELECT datdba FROM pg_database WHERE datname = current_database()) <> '`+OwnerRole+`'::regrole THEN
		EXECUTE format('ALTER DATABASE %I OWNER TO `+OwnerRole+`', current_database());
	END IF;
	-- tables, views and free-standing sequences (a table takes its
	-- indexes and identity sequences along)
	FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
	          WHERE c.relnamespace = 'public'::regnamespace AND c.relowner <> '`+OwnerRole+`'::regrole
	            AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
	            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
	                             AND d.objid = c.oid AND d.deptype IN ('a', 'i') AND c.relkind = 'S')
	LOOP
		EXECUTE format('ALTER %s %s OWNER TO `+OwnerRole+`',
			CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
			               WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, r.name);
	END LOOP;
	FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p
	          WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> '`+OwnerRole+`'::regrole
	LOOP
		EXECUTE format('ALTER ROUTINE %s OWNER TO `+OwnerRole+`', r.name);
	END LOOP;
	FOR r IN SELECT t.oid::regtype AS name FROM pg_type t
	          WHERE t.typnamespace = 'public'::regnamespace AND t.typowner <> '`+OwnerRole+`'::regrole
	            AND t.typtype IN ('e', 'd')
	LOOP
		EXECUTE format('ALTER TYPE %s OWNER TO `+OwnerRole+`', r.name);
	END LOOP;
	IF (SELECT nspowner FROM pg_namespace WHERE nspname = 'public') NOT IN ('`+OwnerRole+`'::regrole, 'pg_database_owner'::regrole) THEN
		ALTER SCHEMA public OWNER TO `+OwnerRole+`;
	END IF;
END $$`)
	if err != nil {
		return fmt.Errorf("devdb: give the database to %s: %w", OwnerRole, err)
	}
	return nil
}

// Stop shuts the server down (fast mode: open sessions are ended) and, for a
// temporary cluster, removes its folder.
func (c *Cluster) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pid := c.postmasterPID()
	out, err := c.run(ctx, "pg_ctl", "-D", c.dataDir(), "-m", "fast", "-w", "-t", "30", "stop")
	if err != nil {
		err = fmt.Errorf("devdb: pg_ctl stop: %w\n%s", err, out)
	} else {
		// pg_ctl returns when the pid file is gone, a moment before the
		// postmaster has exited; wait for it so nothing is left running.
		for i := 0; pid > 0 && i < 100 && syscall.Kill(pid, 0) == nil; i++ {
			time.Sleep(50 * time.Millisecond)
		}
		c.logf("PostgreSQL stopped")
	}
	if c.temp {
		if rerr := os.RemoveAll(c.dir); rerr != nil && err == nil {
			err = fmt.Errorf("devdb: remove %s: %w", c.dir, rerr)
		}
	}
	return err
}

// tool returns the path of a PostgreSQL program other than the three
// FindBinaries looks for: beside them, or beside the file postgres links to
// (PATH may hold links to the server programs alone).
func (c *Cluster) tool(name string) string {
	if _, err := os.Stat(filepath.Join(c.bin, name)); err == nil {
		return name
	}
	if real, err := filepath.EvalSymlinks(filepath.Join(c.bin, "postgres")); err == nil {
		if p := filepath.Join(filepath.Dir(real), name); fileExists(p) {
			return p
		}
	}
	return name
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// run runs a PostgreSQL program from the cluster's bin folder (or prog
// itself, if it is an absolute path), as the postgres
// OS user when this process is root, in its own process group so that a Ctrl-C
// in the terminal reaches duban (which stops the server in order) and not the
// server directly.
func (c *Cluster) run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	path := prog
	if !filepath.IsAbs(prog) {
		path = filepath.Join(c.bin, prog)
	}
	var cmd *exec.Cmd
	if c.runAs != nil {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.runAs.Username, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = "/" // readable by the postgres user
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// pg_ctl start leaves the server holding its output pipe open; waiting for
	// it would block until the server stops.
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil
	}
	return out.Bytes(), err
}

// postmasterPID reads the server's process ID from its pid file, or 0.
func (c *Cluster) postmasterPID() int {
	b, err := os.ReadFile(filepath.Join(c.dataDir(), "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(line))
	return pid
}

func (c *Cluster) chown(dir string) error {
	if c.runAs == nil {
		return nil
	}
	uid, _ := strconv.Atoi(c.runAs.Uid)
	gid, _ := strconv.Atoi(c.runAs.Gid)
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		return fmt.Errorf("devdb: give %s to the postgres user: %w", dir, err)
	}
	// The postgres user must be able to reach the folder: a temporary folder
	// is private to root by default.
	return os.Chmod(dir, 0o700)
}

// FreePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
