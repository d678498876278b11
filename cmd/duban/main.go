// Command duban is the whole application: the web server and the commands
// that operate it (migrations, seeding, users, the development database).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	var ee exitError
	switch {
	case errors.As(err, &ee):
		os.Exit(int(ee))
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "duban:", err)
		os.Exit(1)
	}
}

// exitError asks main to exit with a status, having said everything already.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// errUsage means the usage was printed; main exits with status 2.
var errUsage = errors.New("usage")

// env is what every command gets from the process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve the web application (needs DATABASE_URL)", cmdServe},
		{"migrate", "apply or roll back database migrations: up | down N | version | force V", cmdMigrate},
		{"dev", "development: start a local PostgreSQL if DATABASE_URL is unset, migrate, seed, serve (make run)", cmdDev},
		{"devdb", "run a command against a project-managed PostgreSQL: devdb exec [--dir D] -- CMD ... (make test)", cmdDevDB},
		{"plan", "read plan documents: plan parse FILE prints the parsed plan as JSON", cmdPlan},
		{"user", "accounts: user create --username U --name N --role R [--unit NAME] [--password-stdin]", cmdUser},
		{"token", "API tokens: token create --name N | token revoke --name N | token list", cmdToken},
		{"seed", "load or reload a plan document: seed [--dry-run] [--plan SLUG] [FILE]", cmdSeed},
		{"snapshot", "record the daily snapshots of assignment state: snapshot [--through DATE]", cmdSnapshot},
		{"notify", "reminders: notify run [--at TIME] [--dry-run] [--send] runs the daily reminder pass now and prints what it sent to whom", cmdNotify},
		{"gen", "fill the database with synthetic data for benchmarks: gen --scale N", cmdGen},
		{"loadtest", "load a running server with signed-in virtual users: loadtest --url U --password P", cmdLoadtest},
		{"bench", "HTTP load runs at scale 1 and 200 against real servers, with figures vs targets (make bench)", cmdBench},
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "duban: unknown command %q\n\n", args[0])
	usage(stderr)
	return errUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "duban (督办) supervises a city government's work plan.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: duban COMMAND [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run `duban COMMAND --help` for a command's flags. Configuration comes from the")
	fmt.Fprintln(w, "environment; `duban serve --help` lists the variables.")
}
