package main

import (
	"context"
	"duban/internal/cli"
	"fmt"
	"strconv"

	"duban/internal/postgres"
)

func cmdMigrate(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "migrate", `migrate up | down N | down all | version | force V

Applies the migrations embedded in this binary, connecting as the role that
owns the schema: OWNER_DATABASE_URL, or DATABASE_URL without it. When both are
set, "up" then grants DATABASE_URL's role (the serving role) what serving needs.
  up         apply every pending migration, then grant the serving role
  down N     roll back the last N migrations ("down all" rolls back everything)
  version    print the current version (and "dirty" after a failed migration)
  force V    set the version to V without running anything, after fixing a failed migration by hand`)
	if err := cli.ParseFlags(fs, args); err != nil {
		return cli.HelpOK(err)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return cli.ErrUsage
	}
	cfg, err := cli.OwnerConfig(e)
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
			err = cli.GrantServing(ctx, e, cfg)
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
		fmt.Fprintf(e.Stdout, "version %d (dirty: the last migration failed; fix it, then `duban migrate force %d`)\n", v, v-1)
		return nil
	}
	fmt.Fprintf(e.Stdout, "version %d\n", v)
	return nil
}
