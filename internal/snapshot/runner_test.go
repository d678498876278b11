package snapshot

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
)

var errStopped = errors.New("stopped")

type fakeTaker struct {
	mu    sync.Mutex
	calls []deadline.Date
	fail  int
}

func (f *fakeTaker) TakeSnapshots(_ context.Context, through deadline.Date) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, through)
	if f.fail > 0 {
		f.fail--
		return 0, errors.New("database down")
	}
	return 1, nil
}

// TestRunnerSchedule: the runner catches up at once, retries a failure with
// growing backoff, and otherwise sleeps until the next Shanghai midnight
// plus the delay and jitter; it stops when its context ends.
func TestRunnerSchedule(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 3, 5, 22, 0, 0, 0, deadline.Shanghai)
	taker := &fakeTaker{fail: 2}
	var waits []time.Duration
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &Runner{Taker: taker, Now: func() time.Time { return now }, Delay: 5 * time.Minute, Jitter: time.Minute,
		Sleep: func(_ context.Context, d time.Duration) error {
			waits = append(waits, d)
			now = now.Add(d)
			if len(waits) == 4 {
				return errStopped
			}
			return nil
		}}
	err := r.Run(ctx)
	require.ErrorIs(t, err, errStopped)
	require.Len(t, taker.calls, 4)
	assert.Equal(t, deadline.NewDate(2024, 3, 4), taker.calls[0], "catches up to yesterday at once")
	assert.Equal(t, time.Minute, waits[0], "first retry after a minute")
	assert.Equal(t, 2*time.Minute, waits[1], "backoff doubles")
	// After the success at 22:03 the next run is at 00:05–00:06 on March 6.
	assert.GreaterOrEqual(t, waits[2], 2*time.Hour+2*time.Minute)
	assert.Less(t, waits[2], 2*time.Hour+3*time.Minute)
	assert.Equal(t, deadline.NewDate(2024, 3, 5), taker.calls[3], "after midnight, the day that ended")

	// A cancelled context ends Run with its error.
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	r2 := &Runner{Taker: &fakeTaker{}, Now: time.Now}
	assert.ErrorIs(t, r2.Run(ctx2), context.Canceled)
}
