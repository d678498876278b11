package main

import (
	"context"
	"duban/internal/cli"
	"fmt"
	"log/slog"

	"duban/internal/deadline"
	"duban/internal/snapshot"
)

func cmdSnapshot(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "snapshot", `snapshot [--through DATE]

Records the daily snapshots of every assignment's state for each day not yet
taken, up to and including DATE (default: yesterday, Asia/Shanghai). Safe to
run at any time and from several machines at once: days already taken are
skipped, and each day is taken in one transaction under an advisory lock.
duban serve runs the same job by itself after every midnight.`)
	through := fs.String("through", "", "last day to take, YYYY-MM-DD (default: yesterday)")
	if err := cli.ParseFlags(fs, args); err != nil {
		return cli.HelpOK(err)
	}
	db, err := cli.OpenDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	day := deadline.DateOf(db.Now(), deadline.Shanghai).AddDays(-1)
	if *through != "" {
		if day, err = deadline.ParseDate(*through); err != nil {
			return fmt.Errorf("snapshot: --through: %w", err)
		}
	}
	n, err := db.TakeSnapshots(ctx, day)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "snapshots taken for %d day(s), through %s\n", n, day)
	return nil
}

// startSnapshots runs the daily snapshot job beside the server until ctx ends.
func startSnapshots(ctx context.Context, db snapshot.Taker, log *slog.Logger) {
	r := &snapshot.Runner{Taker: db, Log: log.With("job", "snapshot")}
	go func() { _ = r.Run(ctx) }()
}
