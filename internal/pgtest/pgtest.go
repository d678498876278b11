// Package pgtest gives each test its own fresh, migrated PostgreSQL database.
//
// The server comes from TEST_DATABASE_URL, a URL whose user may create
// databases (`make test` starts a throwaway cluster and sets it). The embedded
// migrations are applied once to a template database named after a hash of
// the migration files, shared by every test package of the run; each test then
// gets CREATE DATABASE … TEMPLATE, which takes milliseconds, and the database is
// dropped in t.Cleanup. Tests using it can run in parallel.
//
// Tests run with the two roles of a deployment (README, Deploying): the
// databases belong to OwnerRole, which runs the migrations, and URL and Open
// connect as ServingRole, which owns nothing and holds only the privileges
// `duban migrate up` grants the serving role. A code path that needs a
// privilege the serving role lacks therefore fails in the tests as it would
// in production. Both roles are created on first use (the TEST_DATABASE_URL
// user must be a superuser, as in `make test` and the docker-compose db).
//
// Without TEST_DATABASE_URL a test is skipped with a loud message, except under
// CI=true, where it fails: tests never skip silently in CI.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"duban/internal/postgres"
	"duban/migrations"
)

// AdminURL returns TEST_DATABASE_URL, or skips (fails under CI=true) when unset.
func AdminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		msg := "pgtest: TEST_DATABASE_URL is not set: this test needs PostgreSQL. Run `make test`, which starts a throwaway server, or set TEST_DATABASE_URL."
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED (no database) " + msg)
	}
	return u
}

// OwnerRole owns the test databases and runs their migrations; ServingRole
// is what the tests connect as. Both sign in with rolePassword.
const (
	OwnerRole    = "duban_test_owner"
	ServingRole  = "duban_test_app"
	rolePassword = "duban-test"
)

// URL creates a fresh, migrated database for this test and returns its URL,
// signing in as ServingRole. The database is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	admin := AdminURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tmpl, err := template(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: template database: %v", err)
	}
	name := "duban_test_" + randHex(6)
	if err := exec(ctx, admin, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s OWNER %s", ident(name), ident(tmpl), ident(OwnerRole))); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := exec(ctx, admin, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", ident(name))); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return withDatabase(t, admin, name, ServingRole)
}

// OwnerURL returns url (from URL) signing in as OwnerRole instead: for
// fixtures that need what the application may not do, such as disabling a
// trigger.
func OwnerURL(t testing.TB, url string) string {
	t.Helper()
	u, err := withRole(url, OwnerRole)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

// ServingURL returns url (from EmptyURL) signing in as ServingRole instead.
func ServingURL(t testing.TB, url string) string {
	t.Helper()
	u, err := withRole(url, ServingRole)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

// AsOwner returns a connection to db's database signing in as OwnerRole,
// closed when the test ends: for fixtures that need what the application
// may not do, such as creating or disabling a trigger.
func AsOwner(t testing.TB, db *postgres.DB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, OwnerURL(t, db.Pool.Config().ConnString()))
	if err != nil {
		t.Fatalf("pgtest: connect as the owner: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Open returns a store on a fresh, migrated database, closed when the test ends.
func Open(t testing.TB) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), URL(t), postgres.Options{MaxConns: 10})
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// EmptyURL creates a fresh database with no migrations applied, for tests of
// the migrations themselves (and of restoring a backup), and returns its URL
// signing in as OwnerRole, which owns it; dropped when the test ends.
func EmptyURL(t testing.TB) string {
	t.Helper()
	admin := AdminURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ensureRoles(ctx, admin); err != nil {
		t.Fatalf("pgtest: roles: %v", err)
	}
	name := "duban_empty_" + randHex(6)
	if err := exec(ctx, admin, "CREATE DATABASE "+ident(name)+" OWNER "+ident(OwnerRole)); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := exec(ctx, admin, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", ident(name))); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return withDatabase(t, admin, name, OwnerRole)
}

// ensureRoles creates OwnerRole and ServingRole if the server lacks them.
// Roles belong to the whole server, so concurrent test packages race to
// create them: the loser's duplicate is ignored.
func ensureRoles(ctx context.Context, admin string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for _, r := range []string{OwnerRole, ServingRole} {
		var exists bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, r).Scan(&exists); err != nil {
			return err
		}
		if exists {
			continue
		}
		_, err := conn.Exec(ctx, fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", ident(r), rolePassword))
		var pgErr *pgconn.PgError
		if err != nil && !(errors.As(err, &pgErr) && (pgErr.Code == "42710" || pgErr.Code == "23505")) {
			return fmt.Errorf("create role %s (the TEST_DATABASE_URL user must be a superuser): %w", r, err)
		}
	}
	return nil
}

// template returns the name of the migrated template database, building it
// if this run is the first to need it. An advisory lock on the admin database
// serialises test packages that start at the same time; the template is built
// under a temporary name and renamed when complete, so a crash never leaves a
// half-migrated template behind.
func template(ctx context.Context, admin string) (string, error) {
	name := "duban_tmpl_" + migrationsHash()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7239001)"); err != nil {
		return "", err
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock(7239001)") //nolint:errcheck
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	if err := ensureRoles(ctx, admin); err != nil {
		return "", err
	}
	building := name + "_building"
	if _, err := conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", ident(building))); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident(building)+" OWNER "+ident(OwnerRole)); err != nil {
		return "", err
	}
	u, err := replaceDatabase(admin, building)
	if err != nil {
		return "", err
	}
	if u, err = withRole(u, OwnerRole); err != nil {
		return "", err
	}
	if err := postgres.MigrateUp(u); err != nil {
		return "", err
	}
	if err := postgres.GrantServing(ctx, u, ServingRole); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", ident(building), ident(name))); err != nil {
		return "", err
	}
	return name, nil
}

// migrationsHash identifies the set of migration files and the serving
// role's privileges, which the template holds too.
var migrationsHash = sync.OnceValue(func() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", postgres.ServingPolicy())
	names, _ := fs.Glob(migrations.FS, "*.sql")
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(migrations.FS, n)
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
})

func exec(ctx context.Context, url, sql string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

func withDatabase(t testing.TB, admin, name, role string) string {
	t.Helper()
	u, err := replaceDatabase(admin, name)
	if err == nil {
		u, err = withRole(u, role)
	}
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

// withRole returns u signing in as role, with the test roles' password.
func withRole(u, role string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("TEST_DATABASE_URL must be a postgres:// URL")
	}
	p.User = url.UserPassword(role, rolePassword)
	return p.String(), nil
}

// replaceDatabase returns admin with its database name replaced by name.
func replaceDatabase(admin, name string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("TEST_DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
