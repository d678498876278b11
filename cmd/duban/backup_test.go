package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/pgtest"
	"duban/internal/postgres"
	"duban/internal/workplan"
)

// runEnv runs duban with the environment vars.
func runEnv(t *testing.T, vars map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return vars[k] }, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// TestBackupRestoreCommands: duban backup writes a file (mode 0600, no
// partial file left), restore --check reads it without a database, and
// restore loads it into an empty database as the owner and grants the
// serving role, which can then read what was restored; a second restore
// is refused.
func TestBackupRestoreCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srcServing := pgtest.URL(t)
	db, err := postgres.Open(ctx, srcServing, postgres.Options{MaxConns: 2})
	require.NoError(t, err)
	defer db.Close()
	_, err = db.CreateRegistryUnit(ctx, workplan.System("t"), workplan.UnitEdit{Name: "市公管办", Kind: workplan.UnitCityDepartment, Confirmed: true})
	require.NoError(t, err)

	file := filepath.Join(t.TempDir(), "duban.backup")
	src := map[string]string{"DATABASE_URL": srcServing, "OWNER_DATABASE_URL": pgtest.OwnerURL(t, srcServing)}
	_, stderr, err := runEnv(t, src, "backup", file)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "backup: "+file+": schema version")
	fi, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	_, err = os.Stat(file + ".partial")
	assert.True(t, os.IsNotExist(err), "no partial file left")

	stdout, _, err := runEnv(t, nil, "restore", "--check", file)
	require.NoError(t, err)
	assert.Contains(t, stdout, "a complete duban backup")
	assert.Regexp(t, `units\s+1 rows`, stdout)

	empty := pgtest.EmptyURL(t)
	dst := map[string]string{"DATABASE_URL": pgtest.ServingURL(t, empty), "OWNER_DATABASE_URL": empty}
	_, stderr, err = runEnv(t, dst, "restore", file)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "granted the serving role "+pgtest.ServingRole)
	restored, err := postgres.Open(ctx, dst["DATABASE_URL"], postgres.Options{MaxConns: 2})
	require.NoError(t, err)
	defer restored.Close()
	units, err := restored.RegistryUnits(ctx)
	require.NoError(t, err)
	require.Len(t, units, 1)
	assert.Equal(t, "市公管办", units[0].Name)

	_, _, err = runEnv(t, dst, "restore", file)
	require.ErrorIs(t, err, postgres.ErrNotEmpty)
	assert.Contains(t, err.Error(), "Nothing was changed")
}

// TestBackupAsServingRole: the serving role may not read the migrations'
// table; the message says which role backups need.
func TestBackupAsServingRole(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "duban.backup")
	_, _, err := runEnv(t, map[string]string{"DATABASE_URL": pgtest.URL(t)}, "backup", file)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "set OWNER_DATABASE_URL")
	_, err = os.Stat(file)
	assert.True(t, os.IsNotExist(err), "no file")
}
