package main

import (
	"context"
	"duban/internal/cli"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"duban/internal/postgres"
)

func cmdBackup(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "backup", `backup FILE

Writes every table of the database (evidence files included) to FILE, in one
consistent snapshot, while the application keeps running. Connects as the
role that owns the schema: OWNER_DATABASE_URL, or DATABASE_URL without it.
FILE is written as FILE.partial and renamed when complete, mode 0600 (it holds
password hashes and every report); "-" writes to standard output. Progress goes
to standard error. Restore with "duban restore FILE"; check a file without a
database with "duban restore --check FILE".`)
	if err := cli.ParseFlags(fs, args); err != nil {
		return cli.HelpOK(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return cli.ErrUsage
	}
	cfg, err := cli.OwnerConfig(e)
	if err != nil {
		return err
	}
	name := fs.Arg(0)
	start := time.Now()
	p := newProgress(e.Stderr, "backup")
	var sum postgres.BackupSummary
	var size int64
	if name == "-" {
		cw := &countWriter{w: e.Stdout}
		if sum, err = postgres.Backup(ctx, cfg.OwnerURL(), cw, p.report); err != nil {
			return err
		}
		size = cw.n
	} else {
		if sum, size, err = backupToFile(ctx, cfg.OwnerURL(), name, p.report); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.Stderr, "backup: %s: schema version %d, %d tables, %s rows, %s of data in %s, %s\n",
		name, sum.SchemaVersion, len(sum.Tables), thousands(sum.Rows()), bytesOf(sum.DataBytes), bytesOf(size), time.Since(start).Round(100*time.Millisecond))
	return nil
}

// backupToFile writes the backup next to name and renames it into place
// once it is complete and on disk, so that name is never a partial backup.
func backupToFile(ctx context.Context, url, name string, progress func(postgres.BackupProgress)) (postgres.BackupSummary, int64, error) {
	partial := name + ".partial"
	f, err := os.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return postgres.BackupSummary{}, 0, err
	}
	cw := &countWriter{w: f}
	sum, err := postgres.Backup(ctx, url, cw, progress)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(partial, name)
	}
	if err != nil {
		os.Remove(partial)
		return sum, 0, err
	}
	if d, err := os.Open(filepath.Dir(name)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return sum, cw.n, nil
}

func cmdRestore(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "restore", `restore [--check] FILE

Loads a backup made by "duban backup" into an empty database (no table may
hold a row: create a new database for it, owned by the owner role). Builds the
schema of the backup's version with this binary's migrations, loads every table
in one transaction (a damaged or truncated file restores nothing), then
migrates to the newest version and grants the serving role (DATABASE_URL's, when
OWNER_DATABASE_URL names the owner). Connects as OWNER_DATABASE_URL, or
DATABASE_URL without it. "-" reads standard input.
With --check, reads the whole file and says what it holds, without a database.`)
	check := fs.Bool("check", false, "only read and verify the file; no database needed")
	if err := cli.ParseFlags(fs, args); err != nil {
		return cli.HelpOK(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return cli.ErrUsage
	}
	name := fs.Arg(0)
	var r io.Reader = e.Stdin
	var size int64
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
		r = f
	}
	start := time.Now()
	p := newProgress(e.Stderr, "restore")
	opt := postgres.RestoreOptions{Size: size, Progress: p.report}
	if *check {
		sum, err := postgres.CheckBackup(r, opt)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "%s: a complete duban backup of %s, schema version %d: %d tables, %s rows, %s of data\n",
			name, sum.CreatedAt.In(time.Local).Format("2006-01-02 15:04:05 MST"), sum.SchemaVersion, len(sum.Tables), thousands(sum.Rows()), bytesOf(sum.DataBytes))
		for _, t := range sum.Tables {
			fmt.Fprintf(e.Stdout, "  %-28s %12s rows\n", t.Name, thousands(t.Rows))
		}
		return nil
	}
	cfg, err := cli.OwnerConfig(e)
	if err != nil {
		return err
	}
	sum, err := postgres.Restore(ctx, cfg.OwnerURL(), r, opt)
	if errors.Is(err, postgres.ErrNotEmpty) {
		return fmt.Errorf("%w\nNothing was changed", err)
	}
	if err != nil {
		return err
	}
	if err := cli.GrantServing(ctx, e, cfg); err != nil {
		return err
	}
	fmt.Fprintf(e.Stderr, "restore: %s: the backup of %s (schema version %d): %d tables, %s rows, %s of data, %s\n",
		name, sum.CreatedAt.In(time.Local).Format("2006-01-02 15:04:05 MST"), sum.SchemaVersion, len(sum.Tables), thousands(sum.Rows()), bytesOf(sum.DataBytes), time.Since(start).Round(100*time.Millisecond))
	return nil
}

// progress prints a line on each table's completion when the table took a
// while, and a line every few seconds during a long one, so that a backup
// of gigabytes of evidence shows it is moving (in a terminal or a log).
type progress struct {
	w         io.Writer
	verb      string
	start     time.Time
	last      time.Time
	tableFrom time.Time
}

func newProgress(w io.Writer, verb string) *progress {
	now := time.Now()
	return &progress{w: w, verb: verb, start: now, last: now, tableFrom: now}
}

func (p *progress) report(bp postgres.BackupProgress) {
	now := time.Now()
	share := ""
	if bp.Total > 0 {
		about := "" // a backup measures against the tables' size on disk: an estimate
		if p.verb == "backup" {
			about = "~"
		}
		share = fmt.Sprintf(" (%d%% of %s%s)", min(100, bp.Bytes*100/bp.Total), about, bytesOf(bp.Total))
	}
	switch {
	case bp.Note != "":
		fmt.Fprintf(p.w, "%s: %s…\n", p.verb, bp.Note)
		p.last = now
	case bp.TableDone:
		if now.Sub(p.tableFrom) >= time.Second {
			fmt.Fprintf(p.w, "%s: %s: %s rows in %s; %s done%s\n", p.verb, bp.Table, thousands(bp.TableRows), now.Sub(p.tableFrom).Round(100*time.Millisecond), bytesOf(bp.Bytes), share)
			p.last = now
		}
		p.tableFrom = now
	case now.Sub(p.last) >= 3*time.Second:
		fmt.Fprintf(p.w, "%s: %s… %s done%s, %s\n", p.verb, bp.Table, bytesOf(bp.Bytes), share, now.Sub(p.start).Round(time.Second))
		p.last = now
	}
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// bytesOf formats a size for people: 812 B, 3.2 MB, 1.4 GB.
func bytesOf(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}

// thousands formats n with comma separators: 3,012,345.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && c != '-' && s[i-1] != '-' && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
