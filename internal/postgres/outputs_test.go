package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
	"duban/internal/pgtest"
	"duban/internal/postgres"
	"duban/internal/workplan"
)

// TestSnapshotsFromReplicas: several replicas (separate pools) run the
// snapshot job at the same moment; every day is taken exactly once, and the
// state as of any day rebuilt from the snapshots equals the history folded
// up to that day.
func TestSnapshotsFromReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	c := &clock{t: time.Date(2023, 8, 10, 9, 0, 0, 0, sh)}
	open := func() *postgres.DB {
		db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 4})
		require.NoError(t, err)
		t.Cleanup(db.Close)
		db.Now = c.Now
		return db
	}
	main := open()
	mustSeed(t, main)
	f := &fixture{db: main, clock: c, t: t}
	staff := f.actor("崆峒区人民政府", workplan.UserStaff)
	sup := f.actor("", workplan.UserSupervisor)
	asg := f.assignment(15, "崆峒区人民政府")
	for d := 0; d < 12; d++ {
		c.Set(time.Date(2023, 8, 10+d, 9, 0, 0, 0, sh))
		if d%3 == 2 {
			continue
		}
		claims := d == 10
		pct := min(100, 10*(d+1))
		if claims {
			pct = 100
		}
		rep, err := main.FileReport(ctx, staff, workplan.ReportInput{AssignmentID: asg, BaseVersion: f.version(asg), Percent: pct, Progress: "p", ClaimsCompletion: claims})
		require.NoError(t, err)
		if claims {
			c.Advance(time.Hour)
			_, err = main.ReviewReport(ctx, sup, workplan.ReviewInput{ReportID: rep.ID, Decision: workplan.DecisionAccept, BaseVersion: f.version(asg)})
			require.NoError(t, err)
		}
	}
	c.Set(time.Date(2023, 8, 25, 0, 30, 0, 0, sh))
	through := deadline.NewDate(2023, 8, 24)

	const replicas = 4
	taken := make([]int, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range replicas {
		db := open()
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			taken[i], errs[i] = db.TakeSnapshots(ctx, through)
		}()
	}
	close(start)
	wg.Wait()
	total := 0
	for i := range replicas {
		require.NoError(t, errs[i])
		total += taken[i]
	}
	assert.Equal(t, 15, total, "each day from August 10 to 24 taken once, by whichever replica got it")
	assert.Equal(t, 15, count(t, main, `SELECT count(*) FROM snapshot_days`))
	assert.Equal(t, 0, count(t, main, `SELECT count(*) FROM (SELECT day FROM snapshot_days GROUP BY day HAVING count(*) > 1) d`))
	n, err := main.TakeSnapshots(ctx, through)
	require.NoError(t, err)
	assert.Zero(t, n, "idempotent")
	_, err = main.TakeSnapshots(ctx, deadline.NewDate(2023, 8, 25))
	assert.ErrorIs(t, err, postgres.ErrSnapshotTooEarly)

	events, err := main.AssignmentEvents(ctx, asg)
	require.NoError(t, err)
	var planID int64
	require.NoError(t, main.Pool.QueryRow(ctx, `SELECT id FROM plans WHERE slug = 'pl'`).Scan(&planID))
	for d := 9; d <= 24; d++ {
		at := time.Date(2023, 8, d+1, 0, 0, 0, 0, sh).Add(-time.Microsecond)
		pa, err := main.PlanAt(ctx, planID, at, false)
		require.NoError(t, err)
		for _, af := range pa.Assignments {
			if af.ID != asg {
				continue
			}
			want := deadline.FoldUntil(deadline.Facts{Deadline: af.Facts.Deadline, Start: af.Facts.Start}, events, at)
			assert.Equal(t, want, af.Facts, "as of the end of August %d", d)
		}
	}
	h, err := main.PlanHistory(ctx, planID, time.Date(2023, 8, 15, 0, 0, 0, 0, sh), time.Date(2023, 8, 20, 0, 0, 0, 0, sh))
	require.NoError(t, err)
	var evs []deadline.Event
	for _, a := range h.Assignments {
		if a.ID == asg {
			evs = a.Events
		}
	}
	assert.Len(t, evs, 3, "the reports of the 16th, 17th and 19th (the 15th and 18th have none)")
}
