//go:build reliability

package reliability_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
	"duban/internal/loadtest"
	"duban/internal/workplan"
)

// TestSoakOverlappingWriters has 200 staff members (twenty in each of ten
// units) do read-modify-write on their unit's first four assignments, forty
// assignments in all, as fast as the server lets them, for RELIABILITY_SOAK
// (default two minutes). Writers of one unit overwrite each other's
// versions, so most writes are refused with 409. Afterwards every
// assignment's maintained state is the replay of its history, its version
// is the length of that history, and the writes answered 303 are exactly
// the reports (and report events) added.
func TestSoakOverlappingWriters(t *testing.T) {
	d := 2 * time.Minute
	if v := os.Getenv("RELIABILITY_SOAK"); v != "" {
		var err error
		d, err = time.ParseDuration(v)
		require.NoError(t, err, "RELIABILITY_SOAK")
	}
	w := newWorld(t, "REQUEST_TIMEOUT=10s")
	ctx := context.Background()

	// Nineteen more staff members in each of ten units with at least four
	// assignments, with the generated accounts' password hash.
	const units, perUnit, perUser = 10, 20, 4
	var usernames []string
	for k := 1; len(usernames) < units*perUnit; k++ {
		base := fmt.Sprintf("c001-staff-%03d", k)
		u, hash, err := w.db.UserCredentials(ctx, base)
		require.NoError(t, err, "not enough units with four assignments")
		var n int
		require.NoError(t, w.db.Pool.QueryRow(ctx, `SELECT count(*) FROM assignments WHERE unit_id = $1 AND archived_at IS NULL`, u.UnitID).Scan(&n))
		if n < perUser {
			continue
		}
		usernames = append(usernames, base)
		for j := 2; j <= perUnit; j++ {
			name := fmt.Sprintf("%s-%d", base, j)
			_, err := w.db.CreateUser(ctx, workplan.System("soak test"), workplan.NewUser{
				Username: name, DisplayName: fmt.Sprintf("经办人%d-%d", k, j), UnitID: u.UnitID, Role: workplan.UserStaff, PasswordHash: hash})
			require.NoError(t, err)
			usernames = append(usernames, name)
		}
	}
	r := w.users(ctx, loadtest.Config{Connections: len(usernames), Usernames: usernames, AssignmentsPerUser: perUser, Duration: d}, true)
	ids := r.Assignments()
	t.Logf("%d staff on %d assignments for %v", len(usernames), len(ids), d)
	require.Equal(t, perUser*units, len(ids), "each unit's writers share its first four assignments")
	before := w.audit(ctx, r)

	stats, err := r.Run(ctx, "report")
	require.NoError(t, err)
	logTable(t, stats)
	post := stats[1]
	assert.Greater(t, post.OK, 0, "writes accepted")
	assert.Greater(t, post.Conflicts, 0, "overlapping writers conflict")
	for _, s := range stats {
		assert.Zero(t, s.Errors, "%s: no errors but conflicts (%s)", s.Op, s.FirstError)
	}
	v := w.checkWrites(ctx, r, before)
	assert.Equal(t, post.OK, v.Acknowledged, "accepted writes")
	assert.Equal(t, v.Acknowledged, v.ReportsAdded, "accepted writes = new report rows")

	for _, id := range ids {
		events, err := w.db.AssignmentEvents(ctx, id)
		require.NoError(t, err)
		st, err := w.db.AssignmentState(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, deadline.Fold(deadline.Facts{}, events), st.Facts, "state of assignment %d is the replay of its history", id)
		assert.Equal(t, len(events), st.Version, "version of assignment %d is the length of its history", id)
	}
}
