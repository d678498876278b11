package postgres_test

import (
	"context"
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/pgtest"
	"duban/internal/postgres"
	"duban/migrations"
)

func TestMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	url := pgtest.EmptyURL(t)
	files, err := fs.Glob(migrations.FS, "*.up.sql")
	require.NoError(t, err)
	require.NotEmpty(t, files)

	m, err := postgres.NewMigrator(url)
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.Up())
	v, dirty, err := m.Version()
	require.NoError(t, err)
	assert.False(t, dirty)
	// Numbers may have gaps (migrations written on branches are numbered
	// apart until they are merged): the version is the highest.
	var last uint
	for _, f := range files {
		n, err := strconv.ParseUint(strings.SplitN(f, "_", 2)[0], 10, 32)
		require.NoError(t, err, f)
		last = max(last, uint(n))
	}
	assert.Equal(t, last, v)
	tablesUp := tables(t, url)
	assert.Contains(t, tablesUp, "tasks")

	require.NoError(t, m.Down(0))
	v, _, err = m.Version()
	require.NoError(t, err)
	assert.Equal(t, uint(0), v)
	assert.Equal(t, []string{"schema_migrations"}, tables(t, url), "down to zero leaves only the version table")

	require.NoError(t, m.Up())
	assert.Equal(t, tablesUp, tables(t, url))
}

// TestMigrationsAreTransactional checks every file wraps itself in a transaction.
func TestMigrationsAreTransactional(t *testing.T) {
	t.Parallel()
	files, err := fs.Glob(migrations.FS, "*.sql")
	require.NoError(t, err)
	for _, f := range files {
		b, err := fs.ReadFile(migrations.FS, f)
		require.NoError(t, err)
		s := strings.TrimSpace(string(b))
		assert.True(t, strings.HasPrefix(s, "BEGIN;"), "%s must start with BEGIN;", f)
		assert.True(t, strings.HasSuffix(s, "COMMIT;"), "%s must end with COMMIT;", f)
	}
	ups, _ := fs.Glob(migrations.FS, "*.up.sql")
	downs, _ := fs.Glob(migrations.FS, "*.down.sql")
	assert.Equal(t, len(ups), len(downs), "every up migration has a down")
}

func tables(t *testing.T, url string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return names
}

func TestOpenClosedPort(t *testing.T) {
	t.Parallel()
	_, err := postgres.Open(context.Background(), "postgres://duban@127.0.0.1:1/duban?sslmode=disable", postgres.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "127.0.0.1:1")
	assert.NotContains(t, err.Error(), "\n", "one line")
}

// TestCheckSchema: a database behind this binary's migrations, or left
// dirty, is refused with what to run; an up-to-date one passes.
func TestCheckSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.EmptyURL(t)
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 2})
	require.NoError(t, err)
	defer db.Close()
	_, err = db.CheckSchema(ctx)
	require.ErrorIs(t, err, postgres.ErrSchemaBehind, "no migration at all")
	assert.Contains(t, err.Error(), "duban migrate up")

	m, err := postgres.NewMigrator(url)
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.Up())
	ahead, err := db.CheckSchema(ctx)
	require.NoError(t, err)
	assert.False(t, ahead)

	require.NoError(t, m.Down(1))
	_, err = db.CheckSchema(ctx)
	require.ErrorIs(t, err, postgres.ErrSchemaBehind, "one migration pending")
	assert.Contains(t, err.Error(), "--migrate")
	require.NoError(t, m.Up())

	_, err = db.Pool.Exec(ctx, `UPDATE schema_migrations SET dirty = true`)
	require.NoError(t, err)
	_, err = db.CheckSchema(ctx)
	require.ErrorIs(t, err, postgres.ErrSchemaBehind)
	assert.Contains(t, err.Error(), "dirty")
	_, err = db.Pool.Exec(ctx, `UPDATE schema_migrations SET dirty = false, version = version + 1`)
	require.NoError(t, err)
	ahead, err = db.CheckSchema(ctx)
	require.NoError(t, err, "a newer schema is served, with a warning")
	assert.True(t, ahead)
}
