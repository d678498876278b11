package main

import (
	"context"
	"fmt"
	"strconv"

	"duban/internal/config"
	"duban/internal/postgres"
)

func cmdMigrate(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "migrate", `migrate up | down N | down all | version | force V

Applies the migrations embedded in this binary, connecting as the role that
owns the schema: OWNER_DATABASE_URL, or DATABASE_URL without it. When both are
set, "up" then grants DATABASE_URL's role (the serving role) what serving needs.
  up         apply every pending migration, then grant the serving role
  down N     roll back the last N migrations ("down all" rolls back everything)
  version    print the current version (and "dirty" after a failed migration)
  force V    set the version to V without running anything, after fixing a failed migration by hand`)
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return errUsage
	}
	cfg, err := ownerConfig(e)
	if err != nil {
		return err
	}
	m, err := postgres.NewMigrator(cfg.OwnerURL())
	if err != nil {
		return err
	}
	defer m.Close()
	switch rest[0] {
	case "up":
		if err = m.Up(); err == nil {
			err = grantServing(ctx, e, cfg)
		}
	case "down":
		if len(rest) != 2 {
			return fmt.Errorf("migrate down: give the number of migrations to roll back, or \"all\"")
		}
		n := 0
		if rest[1] != "all" {
			if n, err = strconv.Atoi(rest[1]); err != nil || n <= 0 {
				return fmt.Errorf("migrate down: %q is not a positive number or \"all\"", rest[1])
			}
		}
		err = m.Down(n)
	case "version":
	case "force":
		if len(rest) != 2 {
			return fmt.Errorf("migrate force: give the version")
		}
		v, perr := strconv.Atoi(rest[1])
		if perr != nil || v < -1 {
			return fmt.Errorf("migrate force: %q is not a version number", rest[1])
		}
		err = m.Force(v)
	default:
		return fmt.Errorf("migrate: unknown action %q: want up, down N, version or force V", rest[0])
	}
	if err != nil {
		return err
	}
	v, dirty, err := m.Version()
	if err != nil {
		return err
	}
	if dirty {
		fmt.Fprintf(e.stdout, "version %d (dirty: the last migration failed; fix it, then `duban migrate force %d`)\n", v, v-1)
		return nil
	}
	fmt.Fprintf(e.stdout, "version %d\n", v)
	return nil
}

// ownerConfig loads the configuration, which must name the owner's database
// (OWNER_DATABASE_URL or DATABASE_URL).
func ownerConfig(e env) (config.Config, error) {
	cfg, err := config.Load(e.getenv)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.RequireOwnerDatabase()
}

// migrateUp applies the pending migrations as the owner and grants the
// serving role.
func migrateUp(ctx context.Context, e env, cfg config.Config) error {
	if err := postgres.MigrateUp(cfg.OwnerURL()); err != nil {
		return err
	}
	return grantServing(ctx, e, cfg)
}

// grantServing gives DATABASE_URL's role the serving privileges when the
// migrations ran as another role (OWNER_DATABASE_URL). With one role for
// everything there is nothing to grant.
func grantServing(ctx context.Context, e env, cfg config.Config) error {
	if cfg.OwnerDatabaseURL == "" {
		return nil
	}
	if cfg.DatabaseURL == "" {
		fmt.Fprintln(e.stderr, "duban: DATABASE_URL is not set, so the serving role's grants were not refreshed (tables added since get the owner's default privileges)")
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
	fmt.Fprintf(e.stderr, "duban: granted the serving role %s what serving needs (owner: %s)\n", serving, owner)
	return nil
}
