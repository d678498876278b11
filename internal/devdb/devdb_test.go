package devdb_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/devdb"
	"duban/internal/postgres"
)

// needBinaries skips (fails under CI=true) without the PostgreSQL server binaries.
func needBinaries(t *testing.T) {
	t.Helper()
	if _, err := devdb.FindBinaries(os.Getenv); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip("SKIPPED (no PostgreSQL binaries) ", err)
	}
}

// TestRolesTakeOverAnOlderCluster: a cluster made before the two roles
// existed has its tables owned by the superuser; started with Roles, the
// owner role takes them over, so that it can migrate, and the serving
// role gets its grants and can write.
func TestRolesTakeOverAnOlderCluster(t *testing.T) {
	t.Parallel()
	needBinaries(t)
	ctx := context.Background()
	// Not t.TempDir, whose parent is private to root (see below).
	dir, err := os.MkdirTemp("", "duban-devdb-test-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })

	c, err := devdb.Start(ctx, devdb.Options{Dir: dir, Logf: t.Logf})
	require.NoError(t, err)
	require.NoError(t, postgres.MigrateUp(c.AppURL()), "migrated as the superuser, as before")
	require.NoError(t, c.Stop())

	c, err = devdb.Start(ctx, devdb.Options{Dir: dir, Logf: t.Logf, Roles: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Stop() })
	require.NoError(t, postgres.MigrateUp(c.OwnerURL()))
	require.NoError(t, postgres.GrantServing(ctx, c.OwnerURL(), devdb.ServeRole))

	conn, err := pgx.Connect(ctx, c.AppURL())
	require.NoError(t, err)
	defer conn.Close(ctx)
	var notOwned int
	require.NoError(t, conn.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relowner <> $1::regrole)
		     + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proowner <> $1::regrole)
		     + (SELECT count(*) FROM pg_database WHERE datname = current_database() AND datdba <> $1::regrole)`,
		devdb.OwnerRole).Scan(&notOwned))
	assert.Zero(t, notOwned, "the owner role owns the database and everything in its schema")

	db, err := postgres.Open(ctx, c.ServeURL(), postgres.Options{MaxConns: 2})
	require.NoError(t, err)
	defer db.Close()
	problems, role, powerful, err := db.CheckServingPrivileges(ctx)
	require.NoError(t, err)
	assert.Empty(t, problems)
	assert.Equal(t, devdb.ServeRole, role)
	assert.False(t, powerful)
}

// TestStartUnderAPrivateFolder (as root): a clone under a folder only root
// may enter, such as /root, cannot hold the cluster, which the postgres OS
// user runs; it goes to a folder of that user's, named after the clone's
// path, noted in the folder asked for, and is found there again next time.
func TestStartUnderAPrivateFolder(t *testing.T) {
	t.Parallel()
	needBinaries(t)
	if os.Geteuid() != 0 {
		t.Skip("only root runs PostgreSQL as another OS user")
	}
	ctx := context.Background()
	private := t.TempDir() // mode 0700, owned by root
	require.NoError(t, os.Chmod(private, 0o700))
	asked := filepath.Join(private, "clone", ".devdb")

	c, err := devdb.Start(ctx, devdb.Options{Dir: asked, Logf: t.Logf})
	require.NoError(t, err)
	moved := c.Dir()
	t.Cleanup(func() { os.RemoveAll(moved) })
	require.NoError(t, c.Stop())
	assert.NotEqual(t, asked, moved)
	assert.Contains(t, moved, "clone_.devdb-")
	note, err := os.ReadFile(filepath.Join(asked, devdb.LocationNote))
	require.NoError(t, err)
	assert.Equal(t, moved, strings.SplitN(string(note), "\n", 2)[0])
	assert.Regexp(t, `\(/tmp/\S+ is private, mode 0700\)`, string(note))

	c, err = devdb.Start(ctx, devdb.Options{Dir: asked, Logf: t.Logf})
	require.NoError(t, err)
	assert.Equal(t, moved, c.Dir(), "the same folder next time")
	require.NoError(t, c.Stop())
	_, err = os.Stat(filepath.Join(moved, "data", "PG_VERSION"))
	assert.NoError(t, err, "the cluster is kept")
}
