package gen

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/deadline"
	"duban/internal/pgtest"
	"duban/internal/postgres"
)

// TestRunIsConsistent generates two plans of ten weeks into a fresh database
// and checks that the application's own reads agree with the history: each
// maintained state is the fold of the events AssignmentEvents returns, the
// rows refer to each other as the constraints and the application expect
// (CheckHistory), and PlanAt works now and as of a past instant, where
// it must equal folding the events up to that instant.
func TestRunIsConsistent(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	ctx := context.Background()
	hash, err := auth.NewHasher(auth.TestParams).Hash("a long load-test password")
	require.NoError(t, err)
	sum, err := Run(ctx, db, Options{
		Params: Params{Seed: 3, Weeks: 10}, Scale: 2, Document: baseDocument(t), Registry: baseRegistry(t),
		PasswordHash: hash, Workers: 2,
	})
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Plans)
	assert.Equal(t, 54, sum.Tasks)
	assert.Positive(t, sum.Reports)
	assert.Positive(t, sum.Reviews)
	assert.Positive(t, sum.Evidence)
	assert.Equal(t, sum.Reports+sum.Reviews+approvedExtensions(t, db), sum.Events)

	problems, err := Verify(ctx, db, 20)
	require.NoError(t, err)
	assert.Empty(t, problems)

	plans, err := db.ListPlans(ctx)
	require.NoError(t, err)
	require.Len(t, plans, 2)
	asOf := time.Date(2023, 9, 13, 15, 0, 0, 0, deadline.Shanghai)
	checked := 0
	for _, p := range plans {
		nowPlan, err := db.PlanAt(ctx, p.ID, db.Now(), true)
		require.NoError(t, err)
		thenPlan, err := db.PlanAt(ctx, p.ID, asOf, false)
		require.NoError(t, err)
		now, then := nowPlan.Assignments, thenPlan.Assignments
		require.Len(t, then, len(now))
		for i, af := range now {
			events, err := db.AssignmentEvents(ctx, af.ID)
			require.NoError(t, err)
			st, err := db.AssignmentState(ctx, af.ID)
			require.NoError(t, err)
			want := deadline.Fold(deadline.Facts{}, events)
			assert.Equal(t, want, st.Facts, "state of assignment %d", af.ID)
			assert.Equal(t, len(events), st.Version)
			got := af.Facts
			got.Deadline, got.Start = deadline.Deadline{}, deadline.Date{}
			assert.Equal(t, want, got, "PlanAt now of assignment %d", af.ID)
			past := then[i].Facts
			past.Deadline, past.Start = deadline.Deadline{}, deadline.Date{}
			assert.Equal(t, deadline.FoldUntil(deadline.Facts{}, events, asOf), past, "PlanAt as of %s of assignment %d", asOf, af.ID)
			checked++
		}
	}
	assert.Greater(t, checked, 600)

	last, ok, err := postgres.NewBulk(db).LastSnapshotDay(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, deadline.DateOf(sum.LastEvent, deadline.Shanghai), last)

	// Accounts: staff of every reporting unit, with the password given.
	var staff, withHash int
	require.NoError(t, db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE role = 'staff'), count(*) FILTER (WHERE password_hash = $1) FROM users`, hash).
		Scan(&staff, &withHash))
	assert.Positive(t, staff)
	assert.Equal(t, sum.Users, withHash)

	_, err = Run(ctx, db, Options{Params: Params{Seed: 3, Weeks: 10}, Scale: 1, Document: baseDocument(t), Registry: baseRegistry(t)})
	assert.ErrorIs(t, err, ErrNotEmpty)
	_, err = Run(ctx, db, Options{Params: Params{Seed: 3, Weeks: 10}, Scale: 1, Document: baseDocument(t), Registry: baseRegistry(t), Force: true})
	require.Error(t, err)
	assert.False(t, errors.Is(err, ErrNotEmpty))
	assert.Contains(t, err.Error(), "exists already")
}

func approvedExtensions(t *testing.T, db *postgres.DB) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM extension_decisions WHERE approved`).Scan(&n))
	return n
}
