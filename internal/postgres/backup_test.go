package postgres_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/gen"
	"duban/internal/pgtest"
	"duban/internal/postgres"
	"duban/internal/workplan"
	"duban/seeds"
)

// fingerprint is what a backup must carry over: every table's row count,
// the schema version, and checksums of every report and evidence file.
type fingerprint struct {
	Counts   map[string]int64
	Version  int64
	Reports  string
	Evidence string
	Audit    string
}

func fingerprintOf(t *testing.T, url string) fingerprint {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	f := fingerprint{Counts: map[string]int64{}}
	rows, err := conn.Query(ctx, `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	for _, tbl := range tables {
		var n int64
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{tbl}.Sanitize()).Scan(&n))
		f.Counts[tbl] = n
	}
	if _, ok := f.Counts["schema_migrations"]; ok {
		require.NoError(t, conn.QueryRow(ctx, `SELECT version FROM schema_migrations`).Scan(&f.Version))
	}
	if _, ok := f.Counts["reports"]; !ok {
		return f
	}
	require.NoError(t, conn.QueryRow(ctx, `SELECT coalesce(md5(string_agg(r::text, E'\n' ORDER BY r.id)), '') FROM reports r`).Scan(&f.Reports))
	require.NoError(t, conn.QueryRow(ctx, `
		SELECT coalesce(md5(string_agg(concat_ws('|', e.id, e.report_id, e.filename, e.content_type, e.size,
		                                encode(e.sha256, 'hex'), encode(sha256(e.content), 'hex'), e.uploaded_at), E'\n' ORDER BY e.id)), '')
		  FROM evidence_files e`).Scan(&f.Evidence))
	require.NoError(t, conn.QueryRow(ctx, `SELECT coalesce(md5(string_agg(a::text, E'\n' ORDER BY a.id)), '') FROM audit_log a`).Scan(&f.Audit))
	return f
}

// TestBackupRestore fills a database with generated history (reports,
// reviews, extensions, evidence, snapshots, accounts) and one large
// evidence file, backs it up, restores it into a new database and checks
// that every table's row count and the checksums of reports, evidence and
// the audit trail are equal; that the restored database works (the
// serving role can write, the sequences go on from where they were); and
// that restore refuses a database that is not empty, a damaged file and a
// truncated one, leaving nothing behind.
func TestBackupRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := pgtest.Open(t)
	reg, err := workplan.ParseRegistry(must(seeds.FS.ReadFile(seeds.Registry)))
	require.NoError(t, err)
	hash, err := auth.NewHasher(auth.TestParams).Hash("a long backup-test password")
	require.NoError(t, err)
	_, err = gen.Run(ctx, src, gen.Options{Params: gen.Params{Seed: 5, Weeks: 6}, Scale: 1,
		Document: must(seeds.FS.ReadFile(seeds.DefaultPlan)), Registry: reg, PasswordHash: hash, Workers: 2})
	require.NoError(t, err)
	// A scan larger than a frame, which compresses to nothing.
	big := make([]byte, 3<<20+17)
	_, err = rand.Read(big)
	require.NoError(t, err)
	sum := sha256.Sum256(big)
	_, err = src.Pool.Exec(ctx, `INSERT INTO evidence_files (report_id, filename, content_type, size, sha256, content)
		SELECT min(id), '扫描件.pdf', 'application/pdf', $1, $2, $3 FROM reports`, len(big), sum[:], big)
	require.NoError(t, err)

	srcURL := pgtest.OwnerURL(t, src.Pool.Config().ConnString())
	want := fingerprintOf(t, srcURL)
	require.Positive(t, want.Counts["reports"])
	require.Positive(t, want.Counts["evidence_files"])
	require.Positive(t, want.Counts["audit_log"])

	var file bytes.Buffer
	var done []string
	written, err := postgres.Backup(ctx, srcURL, &file, func(p postgres.BackupProgress) {
		if p.TableDone {
			done = append(done, p.Table)
		}
	})
	require.NoError(t, err)
	assert.Equal(t, uint(want.Version), written.SchemaVersion)
	assert.Len(t, done, len(want.Counts)-1, "progress for every table but schema_migrations")
	for _, tc := range written.Tables {
		assert.Equal(t, want.Counts[tc.Name], tc.Rows, tc.Name)
	}
	t.Logf("backup: %d tables, %d rows, %d bytes of data in %d bytes", len(written.Tables), written.Rows(), written.DataBytes, file.Len())

	checked, err := postgres.CheckBackup(bytes.NewReader(file.Bytes()), postgres.RestoreOptions{})
	require.NoError(t, err)
	assert.Equal(t, written, checked, "the file alone says what it holds")

	dst := pgtest.EmptyURL(t)
	var lastBytes int64
	restored, err := postgres.Restore(ctx, dst, bytes.NewReader(file.Bytes()), postgres.RestoreOptions{
		Size: int64(file.Len()), Progress: func(p postgres.BackupProgress) { lastBytes = p.Bytes },
	})
	require.NoError(t, err)
	assert.Equal(t, written.Tables, restored.Tables)
	assert.Equal(t, int64(file.Len()), lastBytes, "progress reaches the file's size")
	assert.Equal(t, want, fingerprintOf(t, dst), "row counts and checksums equal")

	// The restored database serves: the serving role gets its grants and
	// can write, with identities going on after the restored rows.
	require.NoError(t, postgres.GrantServing(ctx, dst, pgtest.ServingRole))
	db, err := postgres.Open(ctx, pgtest.ServingURL(t, dst), postgres.Options{MaxConns: 2})
	require.NoError(t, err)
	defer db.Close()
	mustUser(t, db, "after-restore", workplan.UserLeader, 0)
	var lastBig int64
	require.NoError(t, db.Pool.QueryRow(ctx, `SELECT size FROM evidence_files WHERE filename = '扫描件.pdf'`).Scan(&lastBig))
	assert.Equal(t, int64(len(big)), lastBig)

	// Not into a database with data.
	_, err = postgres.Restore(ctx, dst, bytes.NewReader(file.Bytes()), postgres.RestoreOptions{})
	require.ErrorIs(t, err, postgres.ErrNotEmpty)
	assert.Contains(t, err.Error(), "assignments")

	// A file cut short, or damaged, restores nothing.
	for name, b := range map[string][]byte{
		"truncated": file.Bytes()[:file.Len()*2/3],
		"damaged":   flip(file.Bytes(), file.Len()/2),
		"not gzip":  []byte("hello"),
	} {
		_, err := postgres.CheckBackup(bytes.NewReader(b), postgres.RestoreOptions{})
		assert.Error(t, err, name)
		empty := pgtest.EmptyURL(t)
		_, err = postgres.Restore(ctx, empty, bytes.NewReader(b), postgres.RestoreOptions{})
		assert.Error(t, err, name)
		t.Logf("%s: %v", name, err)
		f := fingerprintOf(t, empty)
		for tbl, n := range f.Counts {
			if tbl != "schema_migrations" {
				assert.Zero(t, n, "%s: %s holds nothing", name, tbl)
			}
		}
	}
}

func flip(b []byte, at int) []byte {
	c := bytes.Clone(b)
	for i := at; i < at+64 && i < len(c); i++ {
		c[i] ^= 0x5a
	}
	return c
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
