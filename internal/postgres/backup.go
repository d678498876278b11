package postgres

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"duban/migrations"
)

// A backup is the data of every table of the public schema, read in one
// snapshot with COPY (binary format, so evidence files are stored as they
// are, not as hex), plus the sequences' positions and the schema version.
// The schema itself is not stored: restore builds it with this binary's
// migrations, up to the backup's version, loads the data, then migrates on
// to the newest version. So a backup restores with the duban that made it
// or any later one, wherever the duban binary runs, with no pg_dump of a
// matching version at hand.
//
// The file is one gzip stream: the line "DUBANBACKUP1\n", then frames of
// one type byte, a big-endian uint32 length and the payload:
//
//	H  header (JSON, backupHeader)
//	T  a table's data follows (payload: its name)
//	D  a chunk of that table's COPY data
//	E  the table is complete (JSON: rows and bytes)
//	Z  the backup is complete (JSON: totals)
//
// A file without its Z frame is incomplete and is refused by restore.

const backupMagic = "DUBANBACKUP1\n"

// backupChunk is the size of a D frame's payload (at most).
const backupChunk = 1 << 20

type backupHeader struct {
	Format        int           `json:"format"`
	SchemaVersion uint          `json:"schema_version"`
	CreatedAt     time.Time     `json:"created_at"`
	ServerVersion string        `json:"server_version"`
	Database      string        `json:"database"`
	Tables        []backupTable `json:"tables"`
	Sequences     []backupSeq   `json:"sequences"`
	EstimatedSize int64         `json:"estimated_bytes"`
}

type backupTable struct {
	Name    string         `json:"name"`
	Columns []backupColumn `json:"columns"`
	// Partitioned tables are read through a query (COPY cannot read them
	// directly); their partitions are not listed apart.
	Partitioned bool  `json:"partitioned,omitempty"`
	Estimated   int64 `json:"estimated_bytes"`
}

type backupColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type backupSeq struct {
	Name      string `json:"name"`
	LastValue int64  `json:"last_value"`
	IsCalled  bool   `json:"is_called"`
}

type backupTableEnd struct {
	Rows  int64 `json:"rows"`
	Bytes int64 `json:"bytes"`
}

// BackupProgress is what Backup and Restore report as they go.
type BackupProgress struct {
	// Table is the table being copied ("" before the first and after the last).
	Table string
	// TableDone is true once Table is complete, with TableRows rows.
	TableDone bool
	TableRows int64
	// Note, if set, says what happens next that takes a while.
	Note string
	// Bytes is how much is done: table data read (backup) or file read
	// (restore); Total is what it is measured against: the tables' size on
	// disk (an estimate) or the file's size (0 if unknown).
	Bytes, Total int64
}

// BackupSummary describes a backup written or restored.
type BackupSummary struct {
	SchemaVersion uint
	CreatedAt     time.Time
	Tables        []TableCount
	// DataBytes is the size of the tables' COPY data (uncompressed).
	DataBytes int64
}

// TableCount is one table's row count in a backup.
type TableCount struct {
	Name string
	Rows int64
}

// Rows returns the total number of rows.
func (s BackupSummary) Rows() int64 {
	var n int64
	for _, t := range s.Tables {
		n += t.Rows
	}
	return n
}

// Backup writes the data of the database at url (the owner's: it must read
// every table) to w, in one consistent snapshot, calling progress (if not
// nil) as it goes. The database's schema must be at a clean migration
// version.
func Backup(ctx context.Context, url string, w io.Writer, progress func(BackupProgress)) (BackupSummary, error) {
	if progress == nil {
		progress = func(BackupProgress) {}
	}
	var sum BackupSummary
	conn, err := connect(ctx, url)
	if err != nil {
		return sum, fmt.Errorf("postgres: backup: %w", err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return sum, fmt.Errorf("postgres: backup: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()

	// Everything must be readable, sequences included (the serving role may
	// use them but not read them): say so before writing anything.
	var role string
	var unreadable []string
	if err := tx.QueryRow(ctx, `
		SELECT current_user, coalesce(array_agg(relname::text ORDER BY relname), '{}') FROM pg_class
		 WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'S')
		   AND NOT has_table_privilege(oid, 'SELECT')`).Scan(&role, &unreadable); err != nil {
		return sum, fmt.Errorf("postgres: backup: %w", err)
	}
	if n := len(unreadable); n > 0 {
		if n > 3 {
			unreadable = append(unreadable[:3], fmt.Sprintf("%d more", n-3))
		}
		return sum, fmt.Errorf("postgres: backup: the role %s cannot read %s%s", role, strings.Join(unreadable, ", "),
			ownerHint(&pgconn.PgError{Code: "42501"}))
	}
	h := backupHeader{Format: 1, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	if h.SchemaVersion, err = cleanVersion(ctx, tx); err != nil {
		return sum, fmt.Errorf("postgres: backup: %w%s", err, ownerHint(err))
	}
	if h.SchemaVersion == 0 {
		return sum, errors.New("postgres: backup: the database has no duban schema (no migration applied)")
	}
	if err := tx.QueryRow(ctx, `SELECT current_setting('server_version'), current_database()`).Scan(&h.ServerVersion, &h.Database); err != nil {
		return sum, fmt.Errorf("postgres: backup: %w", err)
	}
	if h.Tables, err = backupTables(ctx, tx); err != nil {
		return sum, fmt.Errorf("postgres: backup: %w", err)
	}
	for _, t := range h.Tables {
		h.EstimatedSize += t.Estimated
	}
	if h.Sequences, err = backupSequences(ctx, tx); err != nil {
		return sum, fmt.Errorf("postgres: backup: %w", err)
	}
	sum.SchemaVersion, sum.CreatedAt = h.SchemaVersion, h.CreatedAt

	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return sum, err
	}
	fw := &frameWriter{w: zw}
	if _, err := io.WriteString(zw, backupMagic); err != nil {
		return sum, fmt.Errorf("postgres: backup: write: %w", err)
	}
	if err := fw.json('H', h); err != nil {
		return sum, err
	}
	var done int64
	for _, t := range h.Tables {
		progress(BackupProgress{Table: t.Name, Bytes: done, Total: h.EstimatedSize})
		if err := fw.frame('T', []byte(t.Name)); err != nil {
			return sum, err
		}
		cols := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			cols[i] = pgx.Identifier{c.Name}.Sanitize()
		}
		src := pgx.Identifier{t.Name}.Sanitize()
		sql := `COPY ` + src + ` (` + strings.Join(cols, ", ") + `) TO STDOUT (FORMAT binary)`
		if t.Partitioned {
			sql = `COPY (SELECT ` + strings.Join(cols, ", ") + ` FROM ` + src + `) TO STDOUT (FORMAT binary)`
		}
		cw := &countingWriter{w: bufio.NewWriterSize(dataWriter{fw}, backupChunk), tick: func(n int64) {
			progress(BackupProgress{Table: t.Name, Bytes: done + n, Total: h.EstimatedSize})
		}}
		tag, err := tx.Conn().PgConn().CopyTo(ctx, cw, sql)
		if err != nil {
			return sum, fmt.Errorf("postgres: backup: copy %s: %w", t.Name, err)
		}
		if err := cw.w.(*bufio.Writer).Flush(); err != nil {
			return sum, err
		}
		done += cw.n
		end := backupTableEnd{Rows: tag.RowsAffected(), Bytes: cw.n}
		if err := fw.json('E', end); err != nil {
			return sum, err
		}
		sum.Tables = append(sum.Tables, TableCount{Name: t.Name, Rows: end.Rows})
		progress(BackupProgress{Table: t.Name, TableDone: true, TableRows: end.Rows, Bytes: done, Total: h.EstimatedSize})
	}
	sum.DataBytes = done
	if err := fw.json('Z', map[string]int64{"tables": int64(len(sum.Tables)), "rows": sum.Rows(), "bytes": done}); err != nil {
		return sum, err
	}
	if err := zw.Close(); err != nil {
		return sum, fmt.Errorf("postgres: backup: write: %w", err)
	}
	return sum, nil
}

// cleanVersion returns the schema's migration version (0 if none), or an
// error if the last migration failed half-way.
func cleanVersion(ctx context.Context, q pgx.Tx) (uint, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('public.schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, err
	}
	if !exists {
		return 0, nil
	}
	var v int64
	var dirty bool
	err := q.QueryRow(ctx, `SELECT version, dirty FROM schema_migrations`).Scan(&v, &dirty)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	if dirty {
		return 0, fmt.Errorf("schema version %d is dirty: a migration failed half-way (see duban migrate --help)", v)
	}
	return uint(v), nil
}

// backupTables lists the tables of the public schema but the migrations'
// own, with their stored columns (generated ones are computed again) and
// their size on disk, by name.
func backupTables(ctx context.Context, tx pgx.Tx) ([]backupTable, error) {
	rows, err := tx.Query(ctx, `
		SELECT c.relname, c.relkind = 'p', pg_table_size(c.oid),
		       array_agg(a.attname::text ORDER BY a.attnum), array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)
		  FROM pg_class c
		  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
		 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
		   AND c.relname <> 'schema_migrations'
		 GROUP BY c.oid, c.relname, c.relkind
		 ORDER BY c.relname`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (backupTable, error) {
		var t backupTable
		var names, types []string
		if err := r.Scan(&t.Name, &t.Partitioned, &t.Estimated, &names, &types); err != nil {
			return t, err
		}
		for i := range names {
			t.Columns = append(t.Columns, backupColumn{Name: names[i], Type: types[i]})
		}
		return t, nil
	})
}

// backupSequences reads where every sequence of the schema stands.
// Sequences are not transactional: each may be ahead of the snapshot,
// which only means that some numbers are skipped after a restore.
func backupSequences(ctx context.Context, tx pgx.Tx) ([]backupSeq, error) {
	rows, err := tx.Query(ctx, `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'S' ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("list sequences: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list sequences: %w", err)
	}
	seqs := make([]backupSeq, len(names))
	for i, n := range names {
		seqs[i].Name = n
		if err := tx.QueryRow(ctx, `SELECT last_value, is_called FROM `+pgx.Identifier{n}.Sanitize()).Scan(&seqs[i].LastValue, &seqs[i].IsCalled); err != nil {
			return nil, fmt.Errorf("sequence %s: %w", n, err)
		}
	}
	return seqs, nil
}

// RestoreOptions tune Restore.
type RestoreOptions struct {
	// Size is the file's size, for progress (0: unknown).
	Size int64
	// Progress, if not nil, is called as the restore goes.
	Progress func(BackupProgress)
}

// ErrNotEmpty means the database restore was asked to fill holds data.
var ErrNotEmpty = errors.New("postgres: restore: the database is not empty")

// Restore loads the backup read from r into the database at url (the
// owner's), which must be empty: no table of its public schema may hold a
// row (a database just created, or just migrated, is empty). It migrates
// the database to the backup's schema version, loads every table in one
// transaction (foreign keys are added back afterwards, which checks them,
// and the tables' triggers do not fire for the rows loaded), sets the
// sequences, and then migrates to the newest version this binary knows.
// Anything wrong, including a truncated file, rolls the data back.
func Restore(ctx context.Context, url string, r io.Reader, opt RestoreOptions) (BackupSummary, error) {
	progress := opt.Progress
	if progress == nil {
		progress = func(BackupProgress) {}
	}
	var sum BackupSummary
	cr := &countingReader{r: r}
	fr, h, err := openBackup(cr)
	if err != nil {
		return sum, err
	}
	sum.SchemaVersion, sum.CreatedAt = h.SchemaVersion, h.CreatedAt
	if latest := migrations.Latest(); h.SchemaVersion > latest {
		return sum, fmt.Errorf("postgres: restore: the backup's schema version %d is newer than this duban's (%d): restore with the duban that made it, or a later one", h.SchemaVersion, latest)
	}

	conn, err := connect(ctx, url)
	if err != nil {
		return sum, fmt.Errorf("postgres: restore: %w", err)
	}
	defer conn.Close(context.Background())
	if err := checkEmpty(ctx, conn); err != nil {
		return sum, err
	}
	m, err := NewMigrator(url)
	if err != nil {
		return sum, err
	}
	defer m.Close()
	if err := m.To(h.SchemaVersion); err != nil {
		return sum, fmt.Errorf("postgres: restore: build the schema of version %d: %w%s", h.SchemaVersion, err, ownerHint(err))
	}

	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		fks, err := dropForeignKeys(ctx, tx)
		if err != nil {
			return err
		}
		indexes, err := dropIndexes(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range h.Tables {
			if err := checkColumns(ctx, tx, t); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `ALTER TABLE `+pgx.Identifier{t.Name}.Sanitize()+` DISABLE TRIGGER USER`); err != nil {
				return fmt.Errorf("postgres: restore: %s: %w", t.Name, err)
			}
			// Rows a migration put there (reference data) come from the
			// backup as well. (Only then: the owner may not delete from
			// every table, audit_log for one.)
			var seeded bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+pgx.Identifier{t.Name}.Sanitize()+`)`).Scan(&seeded); err != nil {
				return fmt.Errorf("postgres: restore: %s: %w", t.Name, err)
			}
			if seeded {
				if _, err := tx.Exec(ctx, `DELETE FROM `+pgx.Identifier{t.Name}.Sanitize()); err != nil {
					return fmt.Errorf("postgres: restore: %s: %w", t.Name, err)
				}
			}
		}
		byName := map[string]backupTable{}
		for _, t := range h.Tables {
			byName[t.Name] = t
		}
		loaded := map[string]bool{}
		for {
			typ, payload, err := fr.next()
			if err != nil {
				return err
			}
			if typ == 'Z' {
				break
			}
			if typ != 'T' {
				return fmt.Errorf("postgres: restore: damaged backup: frame %q where a table was expected", typ)
			}
			name := string(payload)
			t, ok := byName[name]
			if !ok || loaded[name] {
				return fmt.Errorf("postgres: restore: damaged backup: unexpected table %q", name)
			}
			loaded[name] = true
			progress(BackupProgress{Table: name, Bytes: cr.n, Total: opt.Size})
			cols := make([]string, len(t.Columns))
			for i, c := range t.Columns {
				cols[i] = pgx.Identifier{c.Name}.Sanitize()
			}
			dr := &dataReader{fr: fr, tick: func() { progress(BackupProgress{Table: name, Bytes: cr.n, Total: opt.Size}) }}
			tag, err := tx.Conn().PgConn().CopyFrom(ctx, dr,
				`COPY `+pgx.Identifier{name}.Sanitize()+` (`+strings.Join(cols, ", ")+`) FROM STDIN (FORMAT binary)`)
			if dr.err != nil {
				return dr.err
			}
			if err != nil {
				return fmt.Errorf("postgres: restore: copy %s: %w", name, err)
			}
			var end backupTableEnd
			if err := json.Unmarshal(dr.end, &end); err != nil {
				return fmt.Errorf("postgres: restore: damaged backup: end of %s: %w", name, err)
			}
			if tag.RowsAffected() != end.Rows {
				return fmt.Errorf("postgres: restore: %s: %d rows loaded, the backup has %d", name, tag.RowsAffected(), end.Rows)
			}
			sum.Tables = append(sum.Tables, TableCount{Name: name, Rows: end.Rows})
			sum.DataBytes += end.Bytes
			progress(BackupProgress{Table: name, TableDone: true, TableRows: end.Rows, Bytes: cr.n, Total: opt.Size})
		}
		if len(loaded) != len(h.Tables) {
			return errors.New("postgres: restore: damaged backup: tables missing")
		}
		// Read to the end, where gzip checks its CRC, before committing.
		if _, err := io.Copy(io.Discard, fr.r); err != nil {
			return damaged(err)
		}
		for _, s := range h.Sequences {
			if _, err := tx.Exec(ctx, `SELECT setval($1::regclass, $2, $3)`, pgx.Identifier{s.Name}.Sanitize(), s.LastValue, s.IsCalled); err != nil {
				return fmt.Errorf("postgres: restore: sequence %s: %w", s.Name, err)
			}
		}
		for _, t := range h.Tables {
			if _, err := tx.Exec(ctx, `ALTER TABLE `+pgx.Identifier{t.Name}.Sanitize()+` ENABLE TRIGGER USER`); err != nil {
				return fmt.Errorf("postgres: restore: %s: %w", t.Name, err)
			}
		}
		progress(BackupProgress{Note: fmt.Sprintf("all tables loaded; building %d indexes and checking %d references", len(indexes), len(fks)), Bytes: cr.n, Total: opt.Size})
		if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
			return fmt.Errorf("postgres: restore: %w", err)
		}
		for _, ix := range indexes {
			if _, err := tx.Exec(ctx, ix); err != nil {
				return fmt.Errorf("postgres: restore: %s: %w", ix, err)
			}
		}
		for _, fk := range fks {
			if _, err := tx.Exec(ctx, `ALTER TABLE `+fk.table+` ADD CONSTRAINT `+pgx.Identifier{fk.name}.Sanitize()+` `+fk.def); err != nil {
				return fmt.Errorf("postgres: restore: check the references of %s (%s): %w", fk.table, fk.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	if err := m.Up(); err != nil {
		return sum, fmt.Errorf("postgres: restore: the data was restored; migrating it to the newest version failed: %w", err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE`); err != nil {
		return sum, fmt.Errorf("postgres: restore: analyze: %w", err)
	}
	return sum, nil
}

// CheckBackup reads a whole backup without a database: every frame, the
// gzip checksum and each table's declared size, as a restore drill that
// needs no server. It returns what the file holds.
func CheckBackup(r io.Reader, opt RestoreOptions) (BackupSummary, error) {
	progress := opt.Progress
	if progress == nil {
		progress = func(BackupProgress) {}
	}
	var sum BackupSummary
	cr := &countingReader{r: r}
	fr, h, err := openBackup(cr)
	if err != nil {
		return sum, err
	}
	sum.SchemaVersion, sum.CreatedAt = h.SchemaVersion, h.CreatedAt
	for {
		typ, payload, err := fr.next()
		if err != nil {
			return sum, err
		}
		if typ == 'Z' {
			break
		}
		if typ != 'T' {
			return sum, fmt.Errorf("postgres: restore: damaged backup: frame %q where a table was expected", typ)
		}
		name := string(payload)
		progress(BackupProgress{Table: name, Bytes: cr.n, Total: opt.Size})
		dr := &dataReader{fr: fr, tick: func() { progress(BackupProgress{Table: name, Bytes: cr.n, Total: opt.Size}) }}
		n, err := io.Copy(io.Discard, dr)
		if err != nil {
			return sum, err
		}
		var end backupTableEnd
		if err := json.Unmarshal(dr.end, &end); err != nil {
			return sum, fmt.Errorf("postgres: restore: damaged backup: end of %s: %w", name, err)
		}
		if n != end.Bytes {
			return sum, fmt.Errorf("postgres: restore: damaged backup: %s has %d bytes, %d declared", name, n, end.Bytes)
		}
		sum.Tables = append(sum.Tables, TableCount{Name: name, Rows: end.Rows})
		sum.DataBytes += n
		progress(BackupProgress{Table: name, TableDone: true, TableRows: end.Rows, Bytes: cr.n, Total: opt.Size})
	}
	if len(sum.Tables) != len(h.Tables) {
		return sum, errors.New("postgres: restore: damaged backup: tables missing")
	}
	if _, err := io.Copy(io.Discard, fr.r); err != nil {
		return sum, damaged(err)
	}
	return sum, nil
}

// openBackup checks the gzip stream and the magic line and reads the header.
func openBackup(r io.Reader) (*frameReader, backupHeader, error) {
	var h backupHeader
	zr, err := gzip.NewReader(bufio.NewReaderSize(r, 1<<16))
	if err != nil {
		return nil, h, errors.New("postgres: restore: not a duban backup (not a gzip file)")
	}
	magic := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(zr, magic); err != nil || string(magic) != backupMagic {
		return nil, h, errors.New("postgres: restore: not a duban backup")
	}
	fr := &frameReader{r: bufio.NewReaderSize(zr, 1<<16)}
	if err := fr.json('H', &h); err != nil {
		return nil, h, err
	}
	if h.Format != 1 {
		return nil, h, fmt.Errorf("postgres: restore: backup format %d is newer than this duban knows (1)", h.Format)
	}
	return fr, h, nil
}

// ownerHint explains a refusal for want of privileges: backup and restore
// must connect as the role that owns the schema.
func ownerHint(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" {
		return " (backup and restore connect as the role that owns the schema: set OWNER_DATABASE_URL)"
	}
	return ""
}

// checkEmpty refuses a database any of whose tables holds a row, or whose
// last migration failed.
func checkEmpty(ctx context.Context, conn *pgx.Conn) error {
	tables, err := publicTables(ctx, conn)
	if err != nil {
		return fmt.Errorf("postgres: restore: %w", err)
	}
	var full []string
	for _, t := range tables {
		if t == "schema_migrations" {
			continue
		}
		var any bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+pgx.Identifier{t}.Sanitize()+`)`).Scan(&any); err != nil {
			return fmt.Errorf("postgres: restore: look into %s: %w", t, err)
		}
		if any {
			full = append(full, t)
		}
	}
	if len(full) > 0 {
		if len(full) > 5 {
			full = append(full[:5], "…")
		}
		return fmt.Errorf("%w: %s hold rows. Restore into a new, empty database (createdb -O <owner role> <name>)", ErrNotEmpty, strings.Join(full, ", "))
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		_, err := cleanVersion(ctx, tx)
		if err != nil {
			return fmt.Errorf("postgres: restore: %w", err)
		}
		return nil
	})
}

// checkColumns refuses a table whose columns here differ from the backup's:
// binary COPY data must go into exactly the types it came from.
func checkColumns(ctx context.Context, tx pgx.Tx, t backupTable) error {
	rows, err := tx.Query(ctx, `
		SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
		 WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''`,
		pgx.Identifier{"public", t.Name}.Sanitize())
	if err != nil {
		return fmt.Errorf("postgres: restore: columns of %s: %w", t.Name, err)
	}
	defer rows.Close()
	here := map[string]string{}
	for rows.Next() {
		var n, typ string
		if err := rows.Scan(&n, &typ); err != nil {
			return fmt.Errorf("postgres: restore: columns of %s: %w", t.Name, err)
		}
		here[n] = typ
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: restore: columns of %s: %w", t.Name, err)
	}
	if len(here) == 0 {
		return fmt.Errorf("postgres: restore: the backup's table %s does not exist at schema version of the backup: was the schema changed by hand?", t.Name)
	}
	for _, c := range t.Columns {
		if here[c.Name] != c.Type {
			return fmt.Errorf("postgres: restore: column %s.%s is %q in the backup and %q here: was the schema changed by hand?", t.Name, c.Name, c.Type, here[c.Name])
		}
	}
	return nil
}

type foreignKey struct{ table, name, def string }

// dropForeignKeys drops every foreign key of the schema and returns them,
// to be added back once all tables are loaded: tables may then be loaded in
// any order, and adding them checks every reference once.
func dropForeignKeys(ctx context.Context, tx pgx.Tx) ([]foreignKey, error) {
	rows, err := tx.Query(ctx, `
		SELECT conrelid::regclass::text, conname::text, pg_get_constraintdef(oid)
		  FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace
		 ORDER BY conrelid::regclass::text, conname`)
	if err != nil {
		return nil, fmt.Errorf("postgres: restore: foreign keys: %w", err)
	}
	fks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (foreignKey, error) {
		var fk foreignKey
		return fk, r.Scan(&fk.table, &fk.name, &fk.def)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: restore: foreign keys: %w", err)
	}
	for _, fk := range fks {
		if _, err := tx.Exec(ctx, `ALTER TABLE `+fk.table+` DROP CONSTRAINT `+pgx.Identifier{fk.name}.Sanitize()); err != nil {
			return nil, fmt.Errorf("postgres: restore: drop %s: %w", fk.name, err)
		}
	}
	return fks, nil
}

// dropIndexes drops the indexes that back no constraint and returns the
// statements that create them again: building an index once the rows are
// in is much faster than maintaining it row by row.
func dropIndexes(ctx context.Context, tx pgx.Tx) ([]string, error) {
	rows, err := tx.Query(ctx, `
		SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
		 WHERE c.relnamespace = 'public'::regnamespace
		   AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
		 ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("postgres: restore: indexes: %w", err)
	}
	type index struct{ name, def string }
	ixs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var ix index
		return ix, r.Scan(&ix.name, &ix.def)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: restore: indexes: %w", err)
	}
	defs := make([]string, len(ixs))
	for i, ix := range ixs {
		if _, err := tx.Exec(ctx, `DROP INDEX `+ix.name); err != nil {
			return nil, fmt.Errorf("postgres: restore: drop index %s: %w", ix.name, err)
		}
		defs[i] = ix.def
	}
	return defs, nil
}

// frameWriter writes frames.
type frameWriter struct{ w io.Writer }

func (f *frameWriter) frame(typ byte, payload []byte) error {
	var hdr [5]byte
	hdr[0] = typ
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(payload)))
	if _, err := f.w.Write(hdr[:]); err != nil {
		return fmt.Errorf("postgres: backup: write: %w", err)
	}
	if _, err := f.w.Write(payload); err != nil {
		return fmt.Errorf("postgres: backup: write: %w", err)
	}
	return nil
}

func (f *frameWriter) json(typ byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return f.frame(typ, b)
}

// dataWriter turns each write into D frames of at most backupChunk bytes.
type dataWriter struct{ f *frameWriter }

func (d dataWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(len(p), backupChunk)
		if err := d.f.frame('D', p[:k]); err != nil {
			return n, err
		}
		n += k
		p = p[k:]
	}
	return n, nil
}

// frameReader reads frames.
type frameReader struct{ r *bufio.Reader }

// maxFrame bounds a frame's length: a damaged length must not make restore
// allocate gigabytes.
const maxFrame = 64 << 20

func (f *frameReader) next() (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(f.r, hdr[:]); err != nil {
		return 0, nil, damaged(err)
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n > maxFrame {
		return 0, nil, fmt.Errorf("postgres: restore: damaged backup: a frame of %d bytes", n)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(f.r, payload); err != nil {
		return 0, nil, damaged(err)
	}
	return hdr[0], payload, nil
}

func (f *frameReader) json(typ byte, v any) error {
	t, payload, err := f.next()
	if err != nil {
		return err
	}
	if t != typ {
		return fmt.Errorf("postgres: restore: damaged backup: frame %q where %q was expected", t, typ)
	}
	if err := json.Unmarshal(payload, v); err != nil {
		return fmt.Errorf("postgres: restore: damaged backup: %w", err)
	}
	return nil
}

func damaged(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("postgres: restore: the backup file is incomplete (cut short): nothing was restored")
	}
	return fmt.Errorf("postgres: restore: damaged backup: %w", err)
}

// dataReader yields the payloads of a table's D frames until its E frame,
// whose payload it keeps in end.
type dataReader struct {
	fr   *frameReader
	buf  []byte
	end  []byte
	err  error
	tick func()
	last time.Time
}

func (d *dataReader) Read(p []byte) (int, error) {
	for len(d.buf) == 0 {
		if d.end != nil || d.err != nil {
			return 0, io.EOF
		}
		typ, payload, err := d.fr.next()
		switch {
		case err != nil:
			// Returned through CopyFrom, which aborts the COPY.
			d.err = err
			return 0, err
		case typ == 'E':
			d.end = payload
			return 0, io.EOF
		case typ != 'D':
			d.err = fmt.Errorf("postgres: restore: damaged backup: frame %q inside a table", typ)
			return 0, d.err
		}
		d.buf = payload
		if time.Since(d.last) > time.Second {
			d.last = time.Now()
			d.tick()
		}
	}
	n := copy(p, d.buf)
	d.buf = d.buf[n:]
	return n, nil
}

// countingWriter counts what passes and calls tick at most once a second.
type countingWriter struct {
	w    io.Writer
	n    int64
	tick func(int64)
	last time.Time
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if time.Since(c.last) > time.Second {
		c.last = time.Now()
		c.tick(c.n)
	}
	return n, err
}

// countingReader counts what is read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
