package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Two database roles keep the audit trail out of the serving process's
// reach. The owner role runs the migrations and owns every table, function
// and sequence; the serving role, which `duban serve` connects as, owns
// nothing and holds only the privileges below. A role that owns a table can
// ALTER it, disable its triggers or drop it; one that does not cannot, so
// the append-only triggers of audit_log and bulletins hold against the
// application itself.

// servingDefault is what the serving role may do to a table not listed in
// servingExceptions.
var servingDefault = []string{"SELECT", "INSERT", "UPDATE", "DELETE"}

// servingExceptions are the tables whose serving privileges differ from
// servingDefault. A new table that must be append-only belongs here (the
// tests fail for a table with an append-only TRUNCATE trigger that is not).
var servingExceptions = map[string][]string{
	// the audit trail: appended to and read, never changed (000002).
	"audit_log": {"SELECT", "INSERT"},
	// published bulletins are kept as published (000006).
	"bulletins": {"SELECT", "INSERT"},
	// golang-migrate's version table: written by migrations only, as the
	// owner; serve reads it at start (CheckSchema).
	"schema_migrations": {"SELECT"},
}

// ServingPrivileges returns the privileges the serving role needs on table.
func ServingPrivileges(table string) []string {
	if p, ok := servingExceptions[table]; ok {
		return p
	}
	return servingDefault
}

// ServingPolicy describes the whole policy in one line, which changes
// whenever the policy does: test templates built under another are stale.
func ServingPolicy() string {
	var b strings.Builder
	fmt.Fprintf(&b, "v2 default=%s", strings.Join(servingDefault, ","))
	names := make([]string, 0, len(servingExceptions))
	for t := range servingExceptions {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		fmt.Fprintf(&b, " %s=%s", t, strings.Join(servingExceptions[t], ","))
	}
	return b.String()
}

// AppendOnlyTables returns the tables the serving role may only read and
// append to, sorted.
func AppendOnlyTables() []string {
	var out []string
	for t, p := range servingExceptions {
		if slices.Equal(p, []string{"SELECT", "INSERT"}) {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// GrantServing gives role the serving privileges on every table and
// sequence of the public schema, connecting as the owner through ownerURL,
// in one transaction: first everything is revoked, so the result is exactly
// the policy whatever was granted before. It also sets the owner's default
// privileges, so a table a later migration creates is usable by role even if
// nobody runs this again (with servingDefault; exceptions need this step).
//
// It refuses a role that is a superuser, that owns anything in the schema,
// or that is the owner itself: such a role could undo the policy.
func GrantServing(ctx context.Context, ownerURL, role string) error {
	conn, err := connect(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("postgres: grant to %s: %w", role, err)
	}
	defer conn.Close(context.Background())
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// Replicas started together with --migrate would otherwise update
		// the same catalog rows at once ("tuple concurrently updated").
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(grantLockKey)); err != nil {
			return fmt.Errorf("postgres: grant to %s: lock: %w", role, err)
		}
		return grantServing(ctx, tx, role)
	})
}

// grantLockKey serialises GrantServing across processes.
const grantLockKey = 0x6475_6261_6e10

func grantServing(ctx context.Context, tx pgx.Tx, role string) error {
	var owner string
	var super, exists, member bool
	var owned int
	err := tx.QueryRow(ctx, `
		SELECT current_user, r.oid IS NOT NULL, COALESCE(r.rolsuper, false),
		       r.oid IS NOT NULL AND pg_has_role(r.oid, current_user, 'MEMBER'),
		       (SELECT count(*) FROM pg_class c
		         WHERE c.relnamespace = 'public'::regnamespace AND c.relowner = r.oid)
		  FROM (SELECT $1::text AS name) AS q LEFT JOIN pg_roles r ON r.rolname = q.name`, role).Scan(&owner, &exists, &super, &member, &owned)
	if err != nil {
		return fmt.Errorf("postgres: grant to %s: look up the role: %w", role, err)
	}
	switch {
	case !exists:
		return fmt.Errorf("postgres: grant to %s: no such role (create it as the README's Deploying section shows)", role)
	case role == owner:
		return fmt.Errorf("postgres: grant to %s: the serving role must not be the owner role the migrations run as", role)
	case super:
		return fmt.Errorf("postgres: grant to %s: the serving role is a superuser, which no grant can restrict: ALTER ROLE %s NOSUPERUSER", role, role)
	case member:
		return fmt.Errorf("postgres: grant to %s: the serving role is a member of the owner role %s, so it has the owner's rights: REVOKE %s FROM %s", role, owner, owner, role)
	case owned > 0:
		return fmt.Errorf("postgres: grant to %s: the serving role owns %d objects of the public schema; it must own nothing (as a superuser: REASSIGN OWNED BY %s TO %s)", role, owned, role, owner)
	}
	r := pgx.Identifier{role}.Sanitize()
	tables, err := publicTables(ctx, tx)
	if err != nil {
		return fmt.Errorf("postgres: grant to %s: %w", role, err)
	}
	stmts := []string{
		`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ` + r,
		`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ` + r,
		// nextval: some writes take their id first (bulletins, reports).
		`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ` + r,
		`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ` + strings.Join(servingDefault, ", ") + ` ON TABLES TO ` + r,
		`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO ` + r,
	}
	for _, t := range tables {
		if p := ServingPrivileges(t); len(p) > 0 {
			stmts = append(stmts, `GRANT `+strings.Join(p, ", ")+` ON `+pgx.Identifier{t}.Sanitize()+` TO `+r)
		}
	}
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			return fmt.Errorf("postgres: grant to %s: %s: %w", role, s, err)
		}
	}
	// PUBLIC holds USAGE on the schema by default; where it does not (a
	// hardened server), the role needs it explicitly.
	var usage bool
	if err := tx.QueryRow(ctx, `SELECT has_schema_privilege($1, 'public', 'USAGE')`, role).Scan(&usage); err != nil {
		return fmt.Errorf("postgres: grant to %s: schema usage: %w", role, err)
	}
	if !usage {
		if _, err := tx.Exec(ctx, `GRANT USAGE ON SCHEMA public TO `+r); err != nil {
			return fmt.Errorf("postgres: grant to %s: USAGE on schema public: %w", role, err)
		}
	}
	return nil
}

// publicTables lists the tables (and views) of the public schema.
func publicTables(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) ([]string, error) {
	rows, err := q.Query(ctx, `
		SELECT c.relname FROM pg_class c
		 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		 ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// PrivilegeProblem is one way the connected role's privileges differ from
// what serving needs.
type PrivilegeProblem struct {
	Table string
	// Missing are privileges serving needs and the role lacks.
	Missing []string
}

// CheckServingPrivileges compares the connected role's privileges on every
// table with what serving needs, so that `duban serve` stops at start with
// a message rather than failing requests one by one when a migration added a
// table nobody granted. It also says whether the role is a superuser or owns
// tables, that is, whether it could alter the audit trail.
func (db *DB) CheckServingPrivileges(ctx context.Context) (problems []PrivilegeProblem, role string, powerful bool, err error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT c.relname, p.priv
		  FROM pg_class c CROSS JOIN unnest($1::text[]) AS p(priv)
		 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		   AND NOT has_table_privilege(c.oid, p.priv)
		 ORDER BY 1, array_position($1::text[], p.priv)`, servingDefault)
	if err != nil {
		return nil, "", false, mapErr(err, "check privileges")
	}
	type missing struct{ table, priv string }
	lacks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (missing, error) {
		var m missing
		return m, r.Scan(&m.table, &m.priv)
	})
	if err != nil {
		return nil, "", false, mapErr(err, "check privileges")
	}
	for _, m := range lacks {
		if !slices.Contains(ServingPrivileges(m.table), m.priv) {
			continue
		}
		if n := len(problems); n > 0 && problems[n-1].Table == m.table {
			problems[n-1].Missing = append(problems[n-1].Missing, m.priv)
		} else {
			problems = append(problems, PrivilegeProblem{Table: m.table, Missing: []string{m.priv}})
		}
	}
	err = db.Pool.QueryRow(ctx, `
		SELECT current_user,
		       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
		       OR EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
		                   AND pg_has_role(c.relowner, 'USAGE'))`).Scan(&role, &powerful)
	if err != nil {
		return nil, "", false, mapErr(err, "check privileges")
	}
	return problems, role, powerful, nil
}

// RoleOf returns the role a connection to url signs in as (the URL's user,
// or PGUSER, or the OS user, as libpq would choose).
func RoleOf(url string) (string, error) {
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		return "", fmt.Errorf("postgres: %s", redact(err.Error(), url))
	}
	if cfg.User == "" {
		return "", errors.New("postgres: the URL names no user")
	}
	return cfg.User, nil
}

// connect opens one connection to url, with the one-line error of Open.
func connect(ctx context.Context, url string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("URL: %s", redact(err.Error(), url))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	cfg.RuntimeParams["timezone"] = "Asia/Shanghai"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to %s: %s", hostPort(cfg.Config), oneLine(cause(err)))
	}
	return conn, nil
}
