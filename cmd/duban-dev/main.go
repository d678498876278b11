// Command duban-dev holds the development tools: the local PostgreSQL of
// make run and make test, the synthetic data generator and the load tests.
// The product binary (cmd/duban) imports none of it; duban-dev runs the
// product's `duban serve` as a separate process where it needs a server.
package main

import (
	"context"
	"io"

	"duban/internal/cli"
)

// about is the first line of the usage.
const about = "duban-dev: development tools for duban (督办): local database, data generator, load tests."

func main() { cli.Main("duban-dev", about, commands()) }

func commands() []cli.Command {
	return []cli.Command{
		{Name: "dev", Summary: "make run: a local PostgreSQL if DATABASE_URL is unset, migrate, seed, then duban serve", Run: cmdDev},
		{Name: "devdb", Summary: "run a command against a project-managed PostgreSQL: devdb exec [--dir D] -- CMD ... (make test)", Run: cmdDevDB},
		{Name: "gen", Summary: "fill the database with synthetic data for benchmarks: gen --scale N", Run: cmdGen},
		{Name: "loadtest", Summary: "load a running server with signed-in virtual users: loadtest --url U --password P", Run: cmdLoadtest},
		{Name: "bench", Summary: "HTTP load runs at scale 1 and 200 against real servers, with figures vs targets (make bench)", Run: cmdBench},
	}
}

// run runs the command of args as main would, with the process's
// environment replaced: the tests' way in.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := cli.Env{Program: "duban-dev", Getenv: getenv, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	return cli.Run(ctx, e, about, commands(), args)
}
