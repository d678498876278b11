package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
	"duban/internal/postgres"
	"duban/internal/workplan"
)

// revisePlan returns the bundled plan with each old replaced by new.
func revisePlan(t *testing.T, pairs ...string) []byte {
	t.Helper()
	s := string(seedPlan(t))
	for i := 0; i < len(pairs); i += 2 {
		require.Contains(t, s, pairs[i])
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return []byte(s)
}

func planAt(t *testing.T, db *postgres.DB, at time.Time, current bool) (workplan.PlanAt, map[int]workplan.Task) {
	t.Helper()
	plans, err := db.ListPlans(context.Background())
	require.NoError(t, err)
	pa, err := db.PlanAt(context.Background(), plans[0].ID, at, current)
	require.NoError(t, err)
	byNumber := map[int]workplan.Task{}
	for _, tk := range pa.Tasks {
		byNumber[tk.Number] = tk
	}
	return pa, byNumber
}

func unitsOf(pa workplan.PlanAt, n int) map[string]workplan.AssignmentFacts {
	out := map[string]workplan.AssignmentFacts{}
	for _, a := range pa.Assignments {
		if a.TaskNumber == n {
			out[a.UnitName] = a
		}
	}
	return out
}

// TestPlanAtReadsThePlanOfThatDay: a revision that moves a deadline, adds a
// unit and drops a task changes the plan from the moment it is applied; as of
// any earlier instant the plan is what it was then.
func TestPlanAtReadsThePlanOfThatDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	applied := time.Date(2024, 1, 15, 10, 0, 0, 0, sh)
	f.clock.Set(applied)
	doc := revisePlan(t,
		// Task 11's deadline moves from the end of September to the end of the year.
		"  (11)", "  (11)",
		"牵头单位:市公管办\n\n  责任单位:各县(市、区)人民政府,平凉工业园区(高新区)管委会,市直有关部门,中、省驻平有关单位\n\n  完成时限:2023年9月底前",
		"牵头单位:市公管办\n\n  责任单位:各县(市、区)人民政府,平凉工业园区(高新区)管委会,市直有关部门,中、省驻平有关单位\n\n  完成时限:2023年12月底前",
		// Task 23 gains 市财政局.
		"责任单位:市住建局、市税务局", "责任单位:市住建局、市税务局、市财政局",
	)
	// Task 10 is dropped.
	s := string(doc)
	i, j := strings.Index(s, "  (10)组建国有大数据公司"), strings.Index(s, "  (二)提升线上政务服务能力")
	require.True(t, i > 0 && j > i)
	doc = []byte(s[:i] + s[j:])
	diff, err := f.db.Seed(ctx, workplan.SeedInput{Slug: "pl", SourceName: "v2.txt", Source: doc, Document: mustRead(doc), Actor: cliActor})
	require.NoError(t, err)
	require.Equal(t, 2, diff.Version)
	require.Len(t, diff.Archived, 1)

	before, tasks := planAt(t, f.db, time.Date(2023, 9, 1, 12, 0, 0, 0, sh), false)
	assert.Equal(t, 1, before.Version)
	assert.Len(t, tasks, 27)
	assert.Contains(t, tasks, 10, "task 10 existed then")
	assert.Equal(t, deadline.NewDate(2023, 9, 30), tasks[11].Deadline.Due, "the deadline then")
	assert.NotContains(t, unitsOf(before, 23), "市财政局")
	assert.Equal(t, deadline.NewDate(2023, 9, 30), unitsOf(before, 11)["市公管办"].Facts.Deadline.Due)

	after, tasks := planAt(t, f.db, applied.Add(time.Hour), true)
	assert.Equal(t, 2, after.Version)
	assert.Len(t, tasks, 26)
	assert.NotContains(t, tasks, 10)
	assert.Equal(t, deadline.NewDate(2023, 12, 31), tasks[11].Deadline.Due)
	joined, ok := unitsOf(after, 23)["市财政局"]
	require.True(t, ok)
	assert.Equal(t, deadline.NewDate(2024, 1, 15), joined.Facts.Start, "a unit added by a revision starts its clock that day")
	assert.Equal(t, deadline.NewDate(2023, 8, 1), unitsOf(after, 23)["市住建局"].Facts.Start)

	// Just before the revision took effect, the old plan.
	edge, tasks := planAt(t, f.db, applied.Add(-time.Microsecond), false)
	assert.Equal(t, 1, edge.Version)
	assert.Contains(t, tasks, 10)

	// The archived task is still there to read, as it stood.
	task10, err := f.db.TaskByNumber(ctx, after.Plan.ID, 10)
	require.NoError(t, err)
	require.NotNil(t, task10.ArchivedAt)
	assert.Equal(t, 2, task10.ArchivedVersion)
	old, err := f.db.TaskAt(ctx, after.Plan.ID, task10.ID, task10.ArchivedAt.Add(-time.Microsecond), true)
	require.NoError(t, err)
	require.Len(t, old.Tasks, 1)
	assert.Equal(t, 10, old.Tasks[0].Number)
	assert.Len(t, old.Assignments, 3, "its three lead units")
	require.Len(t, old.Designations, 2, "市直有关部门 and 有关企业, unmapped")
	assert.False(t, old.Designations[0].Mapped())
}

// TestMapDesignationTakesEffectAtOnce: mapping a designation on one task,
// with a preview first, creates the assignments at once; clearing it removes
// them with their history; a registry-wide mapping reaches every task that
// names the designation, without a re-upload.
func TestMapDesignationTakesEffectAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.clock.Set(time.Date(2024, 2, 1, 9, 0, 0, 0, sh))
	unit := func(name string) int64 {
		var id int64
		require.NoError(t, f.db.Pool.QueryRow(ctx, `SELECT id FROM units WHERE name = $1`, name).Scan(&id))
		return id
	}
	var task1 int64
	require.NoError(t, f.db.Pool.QueryRow(ctx, `SELECT id FROM tasks WHERE number = 1`).Scan(&task1))
	coll := unit("市直有关部门")
	sup := f.actor("市公管办", workplan.UserSupervisor)
	in := workplan.MappingInput{CollectiveID: coll, TaskID: task1, Members: []int64{unit("市财政局"), unit("市发展改革委")}, DryRun: true}

	assignments := func() int { return count(t, f.db, `SELECT count(*) FROM assignments WHERE archived_at IS NULL`) }
	n0 := assignments()
	preview, err := f.db.MapDesignation(ctx, sup, in)
	require.NoError(t, err)
	require.Len(t, preview.Tasks, 1)
	assert.Equal(t, []string{"市发展改革委", "市财政局"}, preview.Tasks[0].Added)
	assert.Equal(t, n0, assignments(), "a preview writes nothing")
	assert.Zero(t, count(t, f.db, `SELECT count(*) FROM task_designations`))

	in.DryRun = false
	applied, err := f.db.MapDesignation(ctx, sup, in)
	require.NoError(t, err)
	assert.Equal(t, preview, applied, "the preview shows exactly what applying does")
	assert.Equal(t, n0+2, assignments())
	now, _ := planAt(t, f.db, f.clock.Now(), true)
	got := unitsOf(now, 1)["市财政局"]
	assert.Equal(t, "市直有关部门", got.Via)
	assert.Equal(t, deadline.NewDate(2024, 2, 1), got.Facts.Start)
	var d workplan.Designation
	for _, x := range now.Designations {
		if x.TaskID == task1 && x.UnitID == coll {
			d = x
		}
	}
	assert.Equal(t, workplan.ScopeTask, d.Scope)
	assert.Len(t, d.Members, 2)
	then, _ := planAt(t, f.db, time.Date(2024, 1, 31, 12, 0, 0, 0, sh), false)
	assert.NotContains(t, unitsOf(then, 1), "市财政局", "not before the mapping")
	assert.Equal(t, 1, count(t, f.db, `SELECT count(*) FROM audit_log WHERE action = 'designation.map'`))

	// Clearing the decision: the registry has no members for it, so the
	// two units leave the task; their assignments are archived, not deleted.
	f.clock.Advance(time.Hour)
	cleared, err := f.db.MapDesignation(ctx, sup, workplan.MappingInput{CollectiveID: coll, TaskID: task1, Clear: true})
	require.NoError(t, err)
	assert.Len(t, cleared.Tasks[0].Removed, 2)
	assert.Equal(t, n0, assignments())
	assert.Equal(t, 2, count(t, f.db, `SELECT count(*) FROM assignments WHERE archived_at IS NOT NULL AND via_unit_id = $1`, coll))

	// A registry-wide mapping applies at once to every task that names it.
	reg, err := f.db.RegistryUnit(ctx, unit("中、省驻平有关单位"))
	require.NoError(t, err)
	naming := count(t, f.db, `SELECT count(*) FROM task_revisions r JOIN tasks t ON t.id = r.task_id
		WHERE r.valid_to IS NULL AND t.archived_at IS NULL AND '中、省驻平有关单位' = ANY(r.responsible_units)`)
	require.Positive(t, naming)
	_, ch, err := f.db.SetUnitMembers(ctx, sup, reg.ID, reg.Version, []int64{unit("市税务局")}, true)
	require.NoError(t, err)
	assert.Len(t, ch.Tasks, naming, "the preview lists every task that names it")
	assert.Equal(t, n0, assignments(), "a preview writes nothing")
	_, _, err = f.db.SetUnitMembers(ctx, sup, reg.ID, reg.Version, []int64{unit("市税务局")}, false)
	require.NoError(t, err)
	assert.Equal(t, 1, count(t, f.db, `SELECT count(*) FROM assignments a JOIN units u ON u.id = a.unit_id JOIN tasks t ON t.id = a.task_id
		WHERE t.number = 5 AND u.name = '市税务局' AND a.archived_at IS NULL`), "no re-upload needed")

	// A designation is only ever a designation.
	_, err = f.db.MapDesignation(ctx, sup, workplan.MappingInput{CollectiveID: unit("市财政局"), TaskID: task1})
	assert.Equal(t, workplan.EInvalid, workplan.ErrorCode(err))
	_, err = f.db.MapDesignation(ctx, sup, workplan.MappingInput{CollectiveID: coll, TaskID: task1, Members: []int64{coll}})
	assert.Equal(t, workplan.EInvalid, workplan.ErrorCode(err))
}
