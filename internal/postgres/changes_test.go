package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/pgtest"
	"duban/internal/workplan"
)

// TestAccountChangesAreAnnounced: the triggers of migration 000009 announce
// every write that ends a session or changes a user or unit, whichever code
// path makes it, and nothing for a session's use being recorded.
func TestAccountChangesAreAnnounced(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	unit := mustUnit(t, db, "市大数据中心", workplan.UnitCityDepartment)
	u := mustUser(t, db, "zhang", workplan.UserStaff, unit.ID)
	now := time.Now()
	sid, err := db.StartSession(actx, u.ID, workplan.NewSession{TokenHash: make([]byte, 32), Now: now, ExpiresAt: now.Add(time.Hour)})
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(actx)
	defer cancel()
	changes, listening := make(chan workplan.Change, 16), make(chan bool, 4)
	go db.WatchChanges(ctx, func(c workplan.Change) { changes <- c }, func(on bool) { listening <- on })
	require.True(t, <-listening)
	next := func(what string) workplan.Change {
		t.Helper()
		select {
		case c := <-changes:
			return c
		case <-time.After(5 * time.Second):
			t.Fatalf("nothing announced for %s", what)
		}
		return workplan.Change{}
	}
	none := func(what string) {
		t.Helper()
		select {
		case c := <-changes:
			t.Fatalf("%s announced %+v", what, c)
		case <-time.After(200 * time.Millisecond):
		}
	}

	require.NoError(t, db.TouchSession(actx, sid, now.Add(2*time.Minute)))
	none("recording a session's use")

	require.NoError(t, db.EndSession(actx, asys, u.ID, sid, "logout"))
	assert.Equal(t, workplan.Change{Accounts: true, User: u.ID}, next("a sign-out"))
	none("the sign-out, twice")

	u, err = db.UpdateUser(actx, asys, u.ID, u.Version, workplan.UserEdit{DisplayName: "张三", UnitID: unit.ID, Role: workplan.UserStaff})
	require.NoError(t, err)
	assert.Equal(t, workplan.Change{Accounts: true, User: u.ID}, next("a user edited"))

	_, err = db.UpdateRegistryUnit(actx, asys, unit.ID, unit.Version, workplan.UnitEdit{Name: "市数据局", Kind: unit.Kind, Confirmed: true})
	require.NoError(t, err)
	got := map[workplan.Change]bool{next("a unit renamed"): true, next("a unit renamed"): true}
	assert.Equal(t, map[workplan.Change]bool{{Accounts: true}: true, {Structure: true}: true}, got,
		"a renamed unit changes every session (its name) and every plan")
}

// TestReportIsAnnounced: a report filed announces its plan's progress
// change (FileReport sends it after its commit, see queueNotify), and a
// refused one announces nothing.
func TestReportIsAnnounced(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	staff := f.actor("市公安局", workplan.UserStaff)
	asg := f.assignment(22, "市公安局")
	var planID int64
	require.NoError(t, f.db.Pool.QueryRow(actx, `SELECT t.plan_id FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE a.id = $1`, asg).Scan(&planID))
	ctx, cancel := context.WithCancel(actx)
	defer cancel()
	changes, listening := make(chan workplan.Change, 16), make(chan bool, 4)
	go f.db.WatchChanges(ctx, func(c workplan.Change) { changes <- c }, func(on bool) { listening <- on })
	require.True(t, <-listening)

	_, err := f.db.FileReport(actx, staff, workplan.ReportInput{AssignmentID: asg, BaseVersion: 0, Percent: 10, Progress: "x"})
	require.NoError(t, err)
	select {
	case c := <-changes:
		assert.Equal(t, workplan.Change{Plan: planID}, c)
	case <-time.After(5 * time.Second):
		t.Fatal("a filed report was not announced")
	}
	_, err = f.db.FileReport(actx, staff, workplan.ReportInput{AssignmentID: asg, BaseVersion: 0, Percent: 20, Progress: "stale"})
	require.ErrorIs(t, err, workplan.ErrConflict)
	select {
	case c := <-changes:
		t.Fatalf("a refused report announced %+v", c)
	case <-time.After(200 * time.Millisecond):
	}

	// A write that names itself is named in what it announces, so that the
	// replica that made it knows its own notification.
	_, err = f.db.FileReport(workplan.WithWrite(actx, "replica1.7"), staff, workplan.ReportInput{AssignmentID: asg, BaseVersion: 1, Percent: 20, Progress: "y"})
	require.NoError(t, err)
	select {
	case c := <-changes:
		assert.Equal(t, workplan.Change{Plan: planID, Write: "replica1.7"}, c)
	case <-time.After(5 * time.Second):
		t.Fatal("a filed report was not announced")
	}
}
