package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/workplan"
)

// TestReportFormReads checks the report form's one-round-trip read against
// the wide reads it replaces: the same indicators as TaskIndicators, the same
// latest report as Reports, the same facts as PlanAt, the same task and
// plan as TaskByID.
func TestReportFormReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	var taskID, asg int64
	var unit string
	require.NoError(t, f.db.Pool.QueryRow(ctx, `
		SELECT t.id, a.id, u.name FROM tasks t JOIN assignments a ON a.task_id = t.id JOIN units u ON u.id = a.unit_id
		WHERE EXISTS (SELECT 1 FROM indicators i WHERE i.task_id = t.id) AND u.kind <> 'collective'
		ORDER BY t.number, u.name LIMIT 1`).Scan(&taskID, &asg, &unit))

	target, err := f.db.ReportTarget(ctx, asg)
	require.NoError(t, err)
	assert.Nil(t, target.Last, "no report yet")
	wide, err := f.db.TaskIndicators(ctx, taskID)
	require.NoError(t, err)
	require.NotEmpty(t, target.Indicators)
	require.Len(t, target.Indicators, len(wide))
	for i := range wide {
		assert.Equal(t, wide[i].Indicator, target.Indicators[i])
	}
	task, plan, err := f.db.TaskByID(ctx, taskID)
	require.NoError(t, err)
	assert.Equal(t, task, target.Task)
	assert.Equal(t, plan, target.Plan)

	staff := f.actor(unit, workplan.UserStaff)
	_, err = f.db.FileReport(ctx, staff, workplan.ReportInput{AssignmentID: asg, BaseVersion: 0, Percent: 20, Progress: "第一次"})
	require.NoError(t, err)
	f.clock.Advance(time.Hour)
	in := workplan.ReportInput{AssignmentID: asg, BaseVersion: 1, Percent: 35, Progress: "第二次", Problems: "无",
		Indicators: []workplan.IndicatorValue{{IndicatorID: target.Indicators[0].ID, Value: 12.5}}}
	_, err = f.db.FileReport(ctx, staff, in)
	require.NoError(t, err)
	target, err = f.db.ReportTarget(ctx, asg)
	require.NoError(t, err)
	require.NotNil(t, target.Last)
	last := target.Last
	all, err := f.db.Reports(ctx, []int64{asg}, f.clock.Now(), 0, 100)
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, "第二次", last.Progress)
	assert.Equal(t, all[0].ID, last.ID, "the newest report")
	assert.Equal(t, all[0].Indicators, last.Indicators)
	assert.Equal(t, []workplan.IndicatorValue{{IndicatorID: target.Indicators[0].ID, Value: 12.5}}, last.Indicators)

	pa, err := f.db.PlanAt(ctx, plan.ID, f.clock.Now(), true)
	require.NoError(t, err)
	found := false
	for _, af := range pa.Assignments {
		if af.ID == asg {
			found = true
			af.UnitShort, af.ViaID = target.Facts.UnitShort, target.Facts.ViaID
			assert.Equal(t, af, target.Facts, "the same facts as the plan's")
		}
	}
	assert.True(t, found)
	assert.Equal(t, 2, target.Facts.Version)
	_, err = f.db.ReportTarget(ctx, -1)
	assert.ErrorIs(t, err, workplan.ErrNotFound)
	_, err = f.db.Pool.Exec(ctx, `UPDATE assignments SET archived_at = now() WHERE id = $1`, asg)
	require.NoError(t, err)
	_, err = f.db.ReportTarget(ctx, asg)
	assert.ErrorIs(t, err, workplan.ErrNotFound, "an archived assignment has no form")

	audit, err := f.db.AuditReports(ctx, []int64{asg}, "第二")
	require.NoError(t, err)
	assert.Equal(t, map[int64]int{asg: 2}, audit.Reports)
	assert.Equal(t, map[int64]int{asg: 2}, audit.ReportEvents)
	assert.Equal(t, map[string]int64{"第二次": asg}, audit.Marked, "only the reports with the marker")

	n, err := f.db.SelectOne(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// TestReportsPagesAcrossAssignments: the reports of several assignments
// come newest first across all of them, a page at a time, each exactly once.
func TestReportsPagesAcrossAssignments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	a, b := f.assignment(22, "市公安局"), f.assignment(22, "市人社局")
	staffA, staffB := f.actor("市公安局", workplan.UserStaff), f.actor("市人社局", workplan.UserStaff)
	var want []int64 // oldest first
	for i := range 7 {
		asg, staff := a, staffA
		if i%3 == 1 {
			asg, staff = b, staffB
		}
		f.clock.Advance(time.Minute)
		rep, err := f.db.FileReport(ctx, staff, workplan.ReportInput{AssignmentID: asg, BaseVersion: f.version(asg), Percent: i, Progress: "x"})
		require.NoError(t, err)
		want = append([]int64{rep.ID}, want...)
	}
	var got []int64
	before := int64(0)
	for page := 0; page < 5; page++ {
		reps, err := f.db.Reports(ctx, []int64{a, b}, time.Time{}, before, 3)
		require.NoError(t, err)
		for _, r := range reps {
			got = append(got, r.ID)
		}
		if len(reps) < 3 {
			break
		}
		before = reps[len(reps)-1].ID
	}
	assert.Equal(t, want, got)
	asOf, err := f.db.Reports(ctx, []int64{a, b}, f.clock.Now().Add(-3*time.Minute+time.Second), 0, 10)
	require.NoError(t, err)
	require.Len(t, asOf, 4, "as of three minutes ago")
	assert.Equal(t, want[3], asOf[0].ID)
}
