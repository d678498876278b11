package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/workplan"
)

// TestReportFormReads checks the report form's narrow reads against the
// wide ones they replace: the same indicators as TaskIndicators, the same
// latest report as Reports, the same facts as PlanFacts.
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

	wide, err := f.db.TaskIndicators(ctx, taskID)
	require.NoError(t, err)
	narrow, err := f.db.IndicatorTargets(ctx, taskID)
	require.NoError(t, err)
	require.NotEmpty(t, narrow)
	require.Len(t, narrow, len(wide))
	for i := range wide {
		assert.Equal(t, wide[i].Indicator, narrow[i])
	}

	_, err = f.db.LastReport(ctx, asg)
	assert.ErrorIs(t, err, workplan.ErrNotFound, "no report yet")

	staff := f.actor(unit, workplan.UserStaff)
	_, err = f.db.FileReport(ctx, staff, workplan.ReportInput{AssignmentID: asg, BaseVersion: 0, Percent: 20, Progress: "第一次"})
	require.NoError(t, err)
	f.clock.Advance(time.Hour)
	in := workplan.ReportInput{AssignmentID: asg, BaseVersion: 1, Percent: 35, Progress: "第二次", Problems: "无",
		Indicators: []workplan.IndicatorValue{{IndicatorID: narrow[0].ID, Value: 12.5}}}
	_, err = f.db.FileReport(ctx, staff, in)
	require.NoError(t, err)
	last, err := f.db.LastReport(ctx, asg)
	require.NoError(t, err)
	all, err := f.db.Reports(ctx, []int64{asg}, f.clock.Now())
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, "第二次", last.Progress)
	assert.Equal(t, all[0].ID, last.ID, "the newest report")
	assert.Equal(t, all[0].Indicators, last.Indicators)
	assert.Equal(t, []workplan.IndicatorValue{{IndicatorID: narrow[0].ID, Value: 12.5}}, last.Indicators)

	one, err := f.db.AssignmentFacts(ctx, asg)
	require.NoError(t, err)
	var planID int64
	require.NoError(t, f.db.Pool.QueryRow(ctx, `SELECT plan_id FROM tasks WHERE id = $1`, taskID).Scan(&planID))
	facts, err := f.db.PlanFacts(ctx, planID, time.Time{})
	require.NoError(t, err)
	found := false
	for _, af := range facts {
		if af.ID == asg {
			found = true
			assert.Equal(t, af, one, "the same facts as the plan's")
		}
	}
	assert.True(t, found)
	assert.Equal(t, 2, one.Version)
	_, err = f.db.AssignmentFacts(ctx, -1)
	assert.ErrorIs(t, err, workplan.ErrNotFound)

	audit, err := f.db.AuditReports(ctx, []int64{asg}, "第二")
	require.NoError(t, err)
	assert.Equal(t, map[int64]int{asg: 2}, audit.Reports)
	assert.Equal(t, map[int64]int{asg: 2}, audit.ReportEvents)
	assert.Equal(t, map[string]int64{"第二次": asg}, audit.Marked, "only the reports with the marker")

	n, err := f.db.SelectOne(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}
