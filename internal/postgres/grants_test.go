package postgres_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/pgtest"
	"duban/internal/postgres"
	"duban/internal/workplan"
)

// TestServingRoleCannotTouchAuditTrail: connected as the serving role, as
// `duban serve` is, nothing can change or remove a row of the audit trail,
// nor take its protection away: the role does not own the table or its
// trigger function, may not grant itself privileges, and may not switch
// triggers off for its session.
func TestServingRoleCannotTouchAuditTrail(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	mustUser(t, db, "alice", workplan.UserAdmin, 0)
	ctx := context.Background()
	count := func() int {
		var n int
		require.NoError(t, db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE actor_name = 'test'`).Scan(&n))
		return n
	}
	require.Equal(t, 1, count())

	for _, stmt := range []string{
		`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`,
		`ALTER TABLE audit_log DISABLE TRIGGER USER`,
		`ALTER TABLE audit_log DISABLE TRIGGER ALL`,
		`ALTER TABLE audit_log ADD COLUMN note text`,
		`ALTER TABLE audit_log RENAME TO audit_log_old`,
		`ALTER TABLE audit_log OWNER TO CURRENT_USER`,
		`DROP TRIGGER audit_log_no_update ON audit_log`,
		`CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
		`SET session_replication_role = replica`,
		`UPDATE audit_log SET actor_name = 'mallory'`,
		`DELETE FROM audit_log`,
		`TRUNCATE audit_log`,
		`DROP TABLE audit_log`,
		`CREATE TABLE audit_log_copy (LIKE audit_log)`,
	} {
		_, err := db.Pool.Exec(ctx, stmt)
		var pgErr *pgconn.PgError
		if assert.True(t, errors.As(err, &pgErr), "%s: want a refusal, got %v", stmt, err) {
			assert.Equal(t, "42501", pgErr.Code, "%s: insufficient_privilege, got %s", stmt, pgErr.Message)
			// The privileges stop it, before any trigger is reached.
			assert.Regexp(t, `^(permission denied|must be owner)`, pgErr.Message, stmt)
		}
	}
	// GRANT without the right to grant is a warning, not an error: what
	// counts is that nothing was granted.
	_, err := db.Pool.Exec(ctx, `GRANT UPDATE, DELETE, TRUNCATE ON audit_log TO CURRENT_USER`)
	require.NoError(t, err)
	var update, del, trunc bool
	require.NoError(t, db.Pool.QueryRow(ctx, `SELECT has_table_privilege('audit_log', 'UPDATE'),
		has_table_privilege('audit_log', 'DELETE'), has_table_privilege('audit_log', 'TRUNCATE')`).Scan(&update, &del, &trunc))
	assert.False(t, update || del || trunc, "still no UPDATE, DELETE or TRUNCATE")

	assert.Equal(t, 1, count(), "the row is still there, unchanged")
	var enabled string
	require.NoError(t, db.Pool.QueryRow(ctx, `SELECT string_agg(tgenabled::text, '') FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal`).Scan(&enabled))
	assert.Equal(t, "OO", enabled, "both triggers enabled")
}

// TestServingRoleGrants checks the serving role's privileges on every table
// of the migrated schema against the policy (postgres.ServingPrivileges),
// so that a migration adding a table, or a grant made by hand, cannot
// change them unnoticed; and that the role owns nothing and can create
// nothing.
func TestServingRoleGrants(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	owner := pgtest.AsOwner(t, db)
	ctx := context.Background()

	rows, err := owner.Query(ctx, `
		SELECT c.relname,
		       ARRAY(SELECT p FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) AS p
		              WHERE has_table_privilege($1, c.oid, p))
		  FROM pg_class c
		 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		 ORDER BY 1`, pgtest.ServingRole)
	require.NoError(t, err)
	type grant struct {
		table string
		privs []string
	}
	grants, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (grant, error) {
		var g grant
		return g, r.Scan(&g.table, &g.privs)
	})
	require.NoError(t, err)
	require.Greater(t, len(grants), 20)
	for _, g := range grants {
		want := postgres.ServingPrivileges(g.table)
		if want == nil {
			want = []string{}
		}
		assert.Equal(t, want, g.privs, "serving role's privileges on %s", g.table)
	}
	for _, table := range postgres.AppendOnlyTables() {
		assert.True(t, slices.ContainsFunc(grants, func(g grant) bool { return g.table == table }), "append-only table %s exists", table)
	}

	// A table guarded by a trigger that refuses TRUNCATE is meant to be
	// append-only: the serving role must not be able to change its rows.
	rows, err = owner.Query(ctx, `
		SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger
		 WHERE NOT tgisinternal AND (tgtype & 32) <> 0 ORDER BY 1`)
	require.NoError(t, err)
	guarded, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	assert.NotEmpty(t, guarded)
	for _, table := range guarded {
		assert.Contains(t, postgres.AppendOnlyTables(), table, "%s refuses TRUNCATE by trigger: list it as append-only in grants.go", table)
	}

	var owned int
	var super, member, create bool
	require.NoError(t, owner.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid)
		     + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)
		     + (SELECT count(*) FROM pg_type WHERE typowner = r.oid)
		     + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid),
		       r.rolsuper, pg_has_role(r.oid, current_user, 'MEMBER'),
		       has_schema_privilege(r.oid, 'public', 'CREATE')
		  FROM pg_roles r WHERE r.rolname = $1`, pgtest.ServingRole).Scan(&owned, &super, &member, &create))
	assert.Zero(t, owned, "the serving role owns nothing")
	assert.False(t, super, "not a superuser")
	assert.False(t, member, "not a member of the owner role")
	assert.False(t, create, "may not create objects in the schema")

	problems, role, powerful, err := db.CheckServingPrivileges(ctx)
	require.NoError(t, err)
	assert.Empty(t, problems)
	assert.Equal(t, pgtest.ServingRole, role)
	assert.False(t, powerful)
}

// TestGrantsCoverLaterMigrations: a table a later migration creates (as the
// owner) is usable by the serving role at once, through the owner's default
// privileges, even if nobody runs the grant step again; a table whose grants
// were lost is reported by the serving role's start-up check, and the grant
// step restores them.
func TestGrantsCoverLaterMigrations(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	owner := pgtest.AsOwner(t, db)
	ctx := context.Background()

	_, err := owner.Exec(ctx, `CREATE TABLE later_feature (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text)`)
	require.NoError(t, err)
	_, err = db.Pool.Exec(ctx, `INSERT INTO later_feature (note) VALUES ('a')`)
	require.NoError(t, err, "default privileges reach the new table and its sequence")
	_, err = db.Pool.Exec(ctx, `UPDATE later_feature SET note = 'b'`)
	require.NoError(t, err)
	problems, _, _, err := db.CheckServingPrivileges(ctx)
	require.NoError(t, err)
	assert.Empty(t, problems)

	_, err = owner.Exec(ctx, `REVOKE ALL ON later_feature FROM `+pgtest.ServingRole+`; REVOKE INSERT ON reports FROM `+pgtest.ServingRole)
	require.NoError(t, err)
	problems, _, _, err = db.CheckServingPrivileges(ctx)
	require.NoError(t, err)
	assert.Equal(t, []postgres.PrivilegeProblem{
		{Table: "later_feature", Missing: []string{"SELECT", "INSERT", "UPDATE", "DELETE"}},
		{Table: "reports", Missing: []string{"INSERT"}},
	}, problems)

	ownerURL := pgtest.OwnerURL(t, db.Pool.Config().ConnString())
	require.NoError(t, postgres.GrantServing(ctx, ownerURL, pgtest.ServingRole))
	problems, _, _, err = db.CheckServingPrivileges(ctx)
	require.NoError(t, err)
	assert.Empty(t, problems, "the grant step restores them")
}

// TestGrantServingRefuses a role that could undo the policy.
func TestGrantServingRefuses(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	ctx := context.Background()
	ownerURL := pgtest.OwnerURL(t, db.Pool.Config().ConnString())
	admin, err := url.Parse(pgtest.AdminURL(t))
	require.NoError(t, err)

	tests := []struct {
		name, role, want string
	}{
		{"the owner", pgtest.OwnerRole, "must not be the owner"},
		{"a superuser", admin.User.Username(), "superuser"},
		{"a missing role", "nobody_at_all", "no such role"},
	}
	for _, tt := range tests {
		err := postgres.GrantServing(ctx, ownerURL, tt.role)
		assert.ErrorContains(t, err, tt.want, tt.name)
	}

	ownerDB, err := postgres.Open(ctx, ownerURL, postgres.Options{MaxConns: 2})
	require.NoError(t, err)
	defer ownerDB.Close()
	problems, role, powerful, err := ownerDB.CheckServingPrivileges(ctx)
	require.NoError(t, err)
	assert.Empty(t, problems)
	assert.Equal(t, pgtest.OwnerRole, role)
	assert.True(t, powerful, "the owner could alter the audit trail")
}
