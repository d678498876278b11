// Package snapshot runs the daily snapshot job: shortly after each midnight
// in Asia/Shanghai it asks the store to record the state of every
// assignment at the end of the day before (postgres.DB.TakeSnapshots).
//
// Every replica of the application runs a Runner. That is safe because the
// store does the coordination, not the runner: each day is taken in one
// transaction under a PostgreSQL advisory lock, and days already taken are
// skipped, so replicas that wake up together take each day exactly once.
// The runner only decides when to ask, with jitter so that replicas do not
// all wake at the same second, and with backoff after a failure.
package snapshot

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"duban/internal/deadline"
)

// Taker records the snapshots of every day up to and including through,
// returning how many days it took.
type Taker interface {
	TakeSnapshots(ctx context.Context, through deadline.Date) (int, error)
}

// Runner asks Taker for the snapshots of each day once the day has ended.
type Runner struct {
	Taker Taker
	Log   *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits for d or until ctx ends (tests replace it); nil sleeps.
	Sleep func(ctx context.Context, d time.Duration) error
	// Delay is how long after midnight the job runs; 0 means 5 minutes (the
	// store refuses a day until 2 minutes after it ends).
	Delay time.Duration
	// Jitter is the largest random extra wait; 0 means 5 minutes.
	Jitter time.Duration
	// MaxBackoff bounds the wait between retries after a failure; 0 means 30 minutes.
	MaxBackoff time.Duration
}

// Run catches up at once (every day up to yesterday), then runs after every
// midnight until ctx ends, when it returns ctx's error. A failed run is
// retried after 1 minute, then 2, 4 … up to MaxBackoff.
func (r *Runner) Run(ctx context.Context) error {
	r.defaults()
	backoff := time.Duration(0)
	for {
		now := r.Now()
		yesterday := deadline.DateOf(now, deadline.Shanghai).AddDays(-1)
		wait := r.untilNext(now)
		n, err := r.Taker.TakeSnapshots(ctx, yesterday)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			backoff = min(max(2*backoff, time.Minute), r.MaxBackoff)
			r.Log.Warn("snapshot failed; will retry", "through", yesterday.String(), "retry_in", backoff, "err", err)
			wait = min(backoff, wait)
		default:
			backoff = 0
			if n > 0 {
				r.Log.Info("snapshots taken", "days", n, "through", yesterday.String())
			}
		}
		if err := r.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// untilNext is how long from now until the next run: the next midnight in
// Shanghai plus Delay and a random jitter.
func (r *Runner) untilNext(now time.Time) time.Duration {
	next := deadline.DateOf(now, deadline.Shanghai).End(deadline.Shanghai).Add(r.Delay)
	if r.Jitter > 0 {
		next = next.Add(rand.N(r.Jitter))
	}
	return max(next.Sub(now), time.Second)
}

func (r *Runner) defaults() {
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Sleep == nil {
		r.Sleep = sleep
	}
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
	if r.Delay == 0 {
		r.Delay = 5 * time.Minute
	}
	if r.Jitter == 0 {
		r.Jitter = 5 * time.Minute
	}
	if r.MaxBackoff == 0 {
		r.MaxBackoff = 30 * time.Minute
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
