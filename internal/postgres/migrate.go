package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/golang-migrate/migrate/v4"
	migratepgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"duban/migrations"
)

// Migrator applies the embedded migrations. golang-migrate holds a PostgreSQL
// advisory lock while it works, so replicas starting together do not race.
type Migrator struct {
	m  *migrate.Migrate
	db *sql.DB
}

// NewMigrator connects to url for migrations.
func NewMigrator(url string) (*Migrator, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrate: DATABASE_URL: %s", redact(err.Error(), url))
	}
	db := stdlib.OpenDB(*cfg)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: migrate: cannot connect to %s: %s", hostPort(cfg.Config), oneLine(cause(err)))
	}
	drv, err := migratepgx.WithInstance(db, &migratepgx.Config{})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: migrate: read embedded migrations: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "pgx5", drv)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	return &Migrator{m: m, db: db}, nil
}

// Close releases the migrator's connection.
func (m *Migrator) Close() error {
	serr, derr := m.m.Close()
	return errors.Join(serr, derr)
}

// Up applies every pending migration.
func (m *Migrator) Up() error {
	if err := m.m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("postgres: migrate up: %w", err)
	}
	return nil
}

// Down rolls back n migrations; n <= 0 rolls back all of them.
func (m *Migrator) Down(n int) error {
	var err error
	if n <= 0 {
		err = m.m.Down()
	} else {
		err = m.m.Steps(-n)
	}
	if err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("postgres: migrate down: %w", err)
	}
	return nil
}

// To migrates up or down to version v (0: none).
func (m *Migrator) To(v uint) error {
	var err error
	if v == 0 {
		err = m.m.Down()
	} else {
		err = m.m.Migrate(v)
	}
	if err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("postgres: migrate to %d: %w", v, err)
	}
	return nil
}

// Version returns the current version and whether the last migration failed
// half-way (dirty). Version 0 means no migration has been applied.
func (m *Migrator) Version() (uint, bool, error) {
	v, dirty, err := m.m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("postgres: migrate version: %w", err)
	}
	return v, dirty, nil
}

// Force sets the version without running migrations, to recover from a dirty state.
func (m *Migrator) Force(v int) error {
	if err := m.m.Force(v); err != nil {
		return fmt.Errorf("postgres: migrate force %d: %w", v, err)
	}
	return nil
}

// MigrateUp opens a migrator on url, applies every pending migration and closes it.
func MigrateUp(url string) error {
	m, err := NewMigrator(url)
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Up()
}

// ErrSchemaBehind means the database's schema is older than this binary's
// migrations: serving it would fail on missing tables or columns.
var ErrSchemaBehind = errors.New("the database schema is not up to date")

// CheckSchema compares the database's schema version with the migrations
// embedded in this binary. A schema behind them, or left dirty by a failed
// migration, is an error wrapping ErrSchemaBehind that says what to run; a
// schema ahead of them (a newer binary migrated it during a rolling
// upgrade) is not an error: ahead reports it, for a warning.
func (db *DB) CheckSchema(ctx context.Context) (ahead bool, err error) {
	var version int64
	var dirty bool
	err = db.Pool.QueryRow(ctx, `SELECT version, dirty FROM schema_migrations LIMIT 1`).Scan(&version, &dirty)
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "42P01", errors.Is(err, pgx.ErrNoRows):
		version = 0
	case err != nil:
		return false, fmt.Errorf("postgres: schema version: %w", mapErr(err, "query"))
	}
	latest := int64(migrations.Latest())
	switch {
	case dirty:
		return false, fmt.Errorf("postgres: %w: migration %d failed half-way (dirty); fix it and run `duban migrate force %d`, then `duban migrate up`",
			ErrSchemaBehind, version, version-1)
	case version < latest:
		return false, fmt.Errorf("postgres: %w: the database is at version %d, this duban needs %d: run `duban migrate up` (as the owner role), or start with `duban serve --migrate`",
			ErrSchemaBehind, version, latest)
	}
	return version > latest, nil
}
