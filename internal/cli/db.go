package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"duban/internal/config"
	"duban/internal/planparse"
	"duban/internal/postgres"
	"duban/internal/workplan"
	"duban/seeds"
)

// DatabaseConfig loads the configuration, which must name a database.
func DatabaseConfig(e Env) (config.Config, error) {
	cfg, err := config.Load(e.Getenv)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.RequireDatabase()
}

// OwnerConfig loads the configuration, which must name the owner's database
// (OWNER_DATABASE_URL or DATABASE_URL).
func OwnerConfig(e Env) (config.Config, error) {
	cfg, err := config.Load(e.Getenv)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.RequireOwnerDatabase()
}

// OpenDB opens the configured database with the small pool a command needs.
func OpenDB(ctx context.Context, e Env) (*postgres.DB, error) {
	cfg, err := DatabaseConfig(e)
	if err != nil {
		return nil, err
	}
	return postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{MaxConns: 2})
}

// MigrateUp applies the pending migrations as the owner and grants the
// serving role.
func MigrateUp(ctx context.Context, e Env, cfg config.Config) error {
	if err := postgres.MigrateUp(cfg.OwnerURL()); err != nil {
		return err
	}
	return GrantServing(ctx, e, cfg)
}

// GrantServing gives DATABASE_URL's role the serving privileges when the
// migrations ran as another role (OWNER_DATABASE_URL). With one role for
// everything there is nothing to grant.
func GrantServing(ctx context.Context, e Env, cfg config.Config) error {
	if cfg.OwnerDatabaseURL == "" {
		return nil
	}
	if cfg.DatabaseURL == "" {
		fmt.Fprintln(e.Stderr, e.Program+": DATABASE_URL is not set, so the serving role's grants were not refreshed (tables added since get the owner's default privileges)")
		return nil
	}
	owner, err := postgres.RoleOf(cfg.OwnerDatabaseURL)
	if err != nil {
		return fmt.Errorf("OWNER_DATABASE_URL: %w", err)
	}
	serving, err := postgres.RoleOf(cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	if owner == serving {
		return nil
	}
	if err := postgres.GrantServing(ctx, cfg.OwnerDatabaseURL, serving); err != nil {
		return err
	}
	fmt.Fprintf(e.Stderr, "%s: granted the serving role %s what serving needs (owner: %s)\n", e.Program, serving, owner)
	return nil
}

// Registry is the bundled unit registry (seeds/units.json).
func Registry() (workplan.Registry, error) {
	b, err := seeds.FS.ReadFile(seeds.Registry)
	if err != nil {
		return workplan.Registry{}, err
	}
	return workplan.ParseRegistry(b)
}

// SyncRegistry loads the bundled unit registry into db, saying on w how many
// units it added.
func SyncRegistry(ctx context.Context, db *postgres.DB, actor workplan.Actor, w io.Writer) error {
	reg, err := Registry()
	if err != nil {
		return err
	}
	n, err := db.SyncRegistry(ctx, actor, reg)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintf(w, "unit registry: %d units added\n", n)
	}
	return nil
}

// SeedIfEmpty loads the unit registry and the bundled plan into a database
// that has no plan yet, and reports whether it did.
func SeedIfEmpty(ctx context.Context, db *postgres.DB, actor workplan.Actor, w io.Writer) (bool, error) {
	plans, err := db.ListPlans(ctx)
	if err != nil || len(plans) > 0 {
		return false, err
	}
	if err := SyncRegistry(ctx, db, actor, w); err != nil {
		return false, err
	}
	src, err := seeds.FS.ReadFile(seeds.DefaultPlan)
	if err != nil {
		return false, err
	}
	doc, err := planparse.Read(bytes.NewReader(src), seeds.DefaultPlan)
	if err != nil {
		return false, err
	}
	diff, err := db.Seed(ctx, workplan.SeedInput{SourceName: seeds.DefaultPlan, Source: src, Document: doc, Actor: actor})
	if err != nil {
		return false, err
	}
	fmt.Fprintf(w, "seeded the empty database with %s: %d tasks (plan %s)\n", seeds.DefaultPlan, len(diff.Added), diff.PlanSlug)
	return true, nil
}
