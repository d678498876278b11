// Package cli is the plumbing the duban commands share: the product binary
// (cmd/duban) and the development tools (cmd/duban-dev) dispatch their
// subcommands, parse flags, exit and open the database the same way, and
// run the same set-up steps (migrate and grant, load the unit registry and
// the bundled plan).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"duban/web"
)

// Env is what every command gets from the process.
type Env struct {
	// Program is the binary's name, for usage lines: duban or duban-dev.
	Program string
	Getenv  func(string) string
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
}

// Command is one subcommand.
type Command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, e Env, args []string) error
}

// ExitError asks Main to exit with a status, having said everything already.
type ExitError int

func (e ExitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// ErrUsage means the usage was printed; Main exits with status 2.
var ErrUsage = errors.New("usage")

// errHelp means help was printed: the command ends successfully.
var errHelp = errors.New("help")

// Main runs the program's command named by os.Args[1] until it ends or
// SIGINT/SIGTERM cancels its context, and exits: 2 for a usage error, the
// status of an ExitError, 1 with the error on stderr otherwise (its
// message for a person in Chinese: web.ErrorText).
func Main(program, about string, commands []Command) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, Env{Program: program, Getenv: os.Getenv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, about, commands, os.Args[1:])
	stop()
	var ee ExitError
	switch {
	case errors.As(err, &ee):
		os.Exit(int(ee))
	case errors.Is(err, ErrUsage):
		os.Exit(2)
	case err != nil:
		// A refusal of the domain or the store is said in Chinese, from the
		// message table, after the trace of what the command was doing.
		fmt.Fprintln(os.Stderr, program+":", web.ErrorText(web.LangZH, err))
		os.Exit(1)
	}
}

// Run dispatches args to the command they name, or prints the usage.
func Run(ctx context.Context, e Env, about string, commands []Command, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.Stdout, e.Program, about, commands)
		if len(args) == 0 {
			return ErrUsage
		}
		return nil
	}
	for _, c := range commands {
		if c.Name == args[0] {
			return c.Run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(e.Stderr, "%s: unknown command %q\n\n", e.Program, args[0])
	usage(e.Stderr, e.Program, about, commands)
	return ErrUsage
}

func usage(w io.Writer, program, about string, commands []Command) {
	fmt.Fprintln(w, about)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Usage: %s COMMAND [flags] [args]\n\n", program)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Run `%s COMMAND --help` for a command's flags. Configuration comes from the\n", program)
	fmt.Fprintln(w, "environment; `duban serve --help` lists the variables.")
}

// NewFlags returns the flag set of a command; usage is its usage line and
// description, printed by --help.
func NewFlags(e Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.Stdout, "Usage: %s %s\n\n", e.Program, usage)
		fs.SetOutput(e.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(e.Stderr)
	}
	return fs
}

// ParseFlags parses args; after --help, HelpOK turns its error into success.
func ParseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return errHelp
		}
		return ErrUsage
	}
	return nil
}

// HelpOK is err, or nil when err only says that help was printed.
func HelpOK(err error) error {
	if err == errHelp {
		return nil
	}
	return err
}

// Action reads the action word a command starts with (token create …,
// devdb exec …), one of actions, and parses the flags after it. It returns
// "" when the command is to end there: with nil after --help, or ErrUsage,
// the usage printed, for a missing or unknown action.
func Action(fs *flag.FlagSet, args []string, actions ...string) (string, error) {
	if len(args) == 0 || !slices.Contains(actions, args[0]) {
		fs.Usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return "", nil
		}
		return "", ErrUsage
	}
	if err := ParseFlags(fs, args[1:]); err != nil {
		return "", HelpOK(err)
	}
	return args[0], nil
}
