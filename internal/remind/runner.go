package remind

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"duban/internal/deadline"
)

// Runner runs the pass once a day at a time of day in Asia/Shanghai
// (08:30 by default). Every replica runs one: the pass's lock lets one of
// them work at a time, and a day whose pass finished is skipped, so the
// others find nothing to do. After a failure it retries with backoff.
type Runner struct {
	Pass *Pass
	Log  *slog.Logger
	// Hour and Minute are the time of day of the pass.
	Hour, Minute int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Jitter is the largest random extra wait (replicas do not wake at the
	// same second); 0 means 20 seconds.
	Jitter time.Duration
	// Done, if set, is told every pass's result (the metrics).
	Done func(Result)
}

// Run runs until ctx ends. A start after today's time with today's pass not
// done runs it at once (a restart at 09:00 still urges today).
func (r *Runner) Run(ctx context.Context) error {
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
	if r.Jitter == 0 {
		r.Jitter = 20 * time.Second
	}
	backoff := time.Duration(0)
	for {
		now := r.Now()
		today := deadline.DateOf(now, deadline.Shanghai)
		slot := today.Time(deadline.Shanghai).Add(time.Duration(r.Hour)*time.Hour + time.Duration(r.Minute)*time.Minute)
		wait := time.Duration(0)
		if now.Before(slot) {
			wait = slot.Sub(now)
		} else if done, err := r.Pass.DB.PassDone(ctx, today); err == nil && done {
			wait = slot.AddDate(0, 0, 1).Sub(now)
		}
		if wait > 0 {
			if err := sleep(ctx, wait+rand.N(r.Jitter)); err != nil {
				return err
			}
			continue
		}
		res, err := r.Pass.Run(ctx, now, false)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			backoff = min(max(2*backoff, time.Minute), 30*time.Minute)
			r.Log.Warn("reminder pass failed; will retry", "retry_in", backoff, "err", err)
			if err := sleep(ctx, backoff); err != nil {
				return err
			}
			continue
		case res.Running:
			r.Log.Info("reminder pass: another replica is running it")
			if err := sleep(ctx, time.Minute); err != nil {
				return err
			}
			continue
		}
		backoff = 0
		r.Log.Info("reminder pass done", "day", res.Day.String(), "working_day", res.Working, "items", res.Items, "messages", len(res.Sent),
			"orders", res.Orders, "outbox", res.Outbox, "took", res.Duration.Round(time.Millisecond))
		if r.Done != nil {
			r.Done(res)
		}
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
