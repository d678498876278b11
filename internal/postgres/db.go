// Package postgres is duban's store: every SQL statement of the application,
// on a pgx connection pool, one file per aggregate. Exported methods are
// transaction boundaries; unexported helpers take the transaction.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"duban/internal/workplan"
)

// Options tunes the pool.
type Options struct {
	// MaxConns is the pool size; 0 means 20.
	MaxConns int32
	// StatementTimeout is set as the server-side statement_timeout of every
	// connection, so a runaway query is stopped by PostgreSQL; 0 means none.
	StatementTimeout time.Duration
	// ConnectTimeout bounds the first connection; 0 means 5 seconds.
	ConnectTimeout time.Duration
}

// DB is the application's handle on PostgreSQL.
type DB struct {
	Pool *pgxpool.Pool
	// Now is the clock used for timestamps the application writes; tests set it.
	Now func() time.Time
}

// Open connects to the database at url and checks that it answers. A failure
// gives a one-line error naming the host and port.
func Open(ctx context.Context, url string, opt Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: DATABASE_URL: %s", redact(err.Error(), url))
	}
	if opt.ConnectTimeout == 0 {
		opt.ConnectTimeout = 5 * time.Second
	}
	if opt.MaxConns == 0 {
		opt.MaxConns = 20
	}
	cfg.MaxConns = opt.MaxConns
	cfg.ConnConfig.ConnectTimeout = opt.ConnectTimeout
	if opt.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(opt.StatementTimeout.Milliseconds(), 10)
	}
	cfg.ConnConfig.RuntimeParams["timezone"] = "Asia/Shanghai"
	cfg.ConnConfig.RuntimeParams["application_name"] = "duban"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s", redact(err.Error(), url))
	}
	pingCtx, cancel := context.WithTimeout(ctx, opt.ConnectTimeout+time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: cannot connect to %s: %s", hostPort(cfg.ConnConfig.Config), oneLine(cause(err)))
	}
	return &DB{Pool: pool, Now: time.Now}, nil
}

// Close closes the pool, waiting for connections in use to be released.
func (db *DB) Close() { db.Pool.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }

func hostPort(c pgconn.Config) string {
	return net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port)))
}

// cause strips pgconn's wrapping down to the network error, which is the part
// a person needs ("connection refused").
func cause(err error) string {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err.Error()
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Message
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return err.Error()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func redact(s, url string) string {
	if url == "" {
		return s
	}
	return strings.ReplaceAll(s, url, "<DATABASE_URL>")
}

// inTx runs fn in a transaction, committing if it returns nil. A failure
// because the database went away (at BEGIN, COMMIT or a statement whose
// error fn passed on unmapped) is marked unavailable, so that the request
// fails with 503 like any other while the database is down; retrying is
// safe, as every write checks the version it started from. A cancelled
// context (the client left, or Ctrl-C) stays what it is.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, db.Pool, fn)
	if err != nil && !errors.Is(err, errUnavailable) && !errors.Is(err, context.Canceled) && unavailable(err) {
		return fmt.Errorf("%w: %w", errUnavailable, err)
	}
	return err
}

// mapErr turns pgx's "no rows" into workplan.ErrNotFound and unique
// violations into a conflict, wrapping with what was being done.
func mapErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s: %w", what, workplan.ErrNotFound)
	}
	if unavailable(err) {
		return fmt.Errorf("postgres: %s: %w: %w", what, errUnavailable, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return fmt.Errorf("postgres: %s: %w", what, workplan.E(workplan.EConflict, "err.duplicate"))
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

var errUnavailable = workplan.E(workplan.EUnavailable, "err.unavailable")

// unavailable reports whether err means the database cannot be reached or is
// shutting down, as opposed to a bad query: such requests fail fast with 503.
func unavailable(err error) bool {
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	// The server went away mid-conversation: a crashed or killed primary
	// (immediate shutdown) closes its connections without a word.
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
		switch pgErr.Code {
		case "57P01", "57P02", "57P03", "53300", "57014": // 57014: statement_timeout
			return true
		}
		return false
	}
	return pgconn.SafeToRetry(err) || errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled)
}

// Sleep runs pg_sleep for d on the server: the runaway query of the fault
// tests, which statement_timeout must stop.
func (db *DB) Sleep(ctx context.Context, d time.Duration) error {
	_, err := db.Pool.Exec(ctx, `SELECT pg_sleep($1)`, d.Seconds())
	return mapErr(err, "sleep %v", d)
}
