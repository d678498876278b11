// Command duban is the product: the web server and the commands that operate
// it (migrations, seeding, users, tokens, backups). The development tools
// (the local database of make run and make test, the data generator, the
// load tests) are a second command, duban-dev, that this one never imports.
package main

import (
	"context"
	"io"

	"duban/internal/cli"
)

// about is the first line of the usage.
const about = "duban (督办) supervises a city government's work plan."

func main() { cli.Main("duban", about, commands()) }

func commands() []cli.Command {
	return []cli.Command{
		{Name: "serve", Summary: "serve the web application (needs DATABASE_URL)", Run: cmdServe},
		{Name: "migrate", Summary: "apply or roll back database migrations: up | down N | version | force V", Run: cmdMigrate},
		{Name: "plan", Summary: "read plan documents: plan parse FILE prints the parsed plan as JSON", Run: cmdPlan},
		{Name: "user", Summary: "accounts: user create --username U --name N --role R [--unit NAME] [--password-stdin]", Run: cmdUser},
		{Name: "token", Summary: "API tokens: token create --name N | token revoke --name N | token list", Run: cmdToken},
		{Name: "screen-token", Summary: "wall-screen tokens: screen-token create --name N [--plan SLUG] | revoke --name N | list", Run: cmdScreenToken},
		{Name: "seed", Summary: "load or reload a plan document: seed [--dry-run] [--plan SLUG] [FILE]", Run: cmdSeed},
		{Name: "snapshot", Summary: "record the daily snapshots of assignment state: snapshot [--through DATE]", Run: cmdSnapshot},
		{Name: "notify", Summary: "reminders: notify run [--at TIME] [--dry-run] [--send] runs the daily reminder pass now and prints what it sent to whom", Run: cmdNotify},
		{Name: "backup", Summary: "write the whole database to a file, evidence included: backup FILE", Run: cmdBackup},
		{Name: "restore", Summary: "load a backup into an empty database: restore [--check] FILE", Run: cmdRestore},
	}
}

// run runs the command of args as main would, with the process's
// environment replaced: the tests' way in.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := cli.Env{Program: "duban", Getenv: getenv, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	return cli.Run(ctx, e, about, commands(), args)
}
