package postgres_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/pgtest"
	"duban/internal/planparse"
	"duban/internal/postgres"
	"duban/internal/workplan"
	"duban/seeds"
)

var cliActor = workplan.System("test")

func seedPlan(t testing.TB) []byte {
	t.Helper()
	b, err := seeds.FS.ReadFile(seeds.DefaultPlan)
	require.NoError(t, err)
	return b
}

// mustSeed syncs the registry and loads the bundled plan into db.
func mustSeed(t testing.TB, db *postgres.DB) workplan.SeedDiff {
	t.Helper()
	ctx := context.Background()
	b, err := seeds.FS.ReadFile(seeds.Registry)
	require.NoError(t, err)
	reg, err := workplan.ParseRegistry(b)
	require.NoError(t, err)
	_, err = db.SyncRegistry(ctx, cliActor, reg)
	require.NoError(t, err)
	diff, err := db.Seed(ctx, workplan.SeedInput{Slug: "pl", SourceName: seeds.DefaultPlan, Source: seedPlan(t), Document: mustRead(seedPlan(t)), Actor: cliActor})
	require.NoError(t, err)
	return diff
}

func count(t testing.TB, db *postgres.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

func TestSeedBundledPlan(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	diff := mustSeed(t, db)
	assert.True(t, diff.NewPlan)
	assert.Len(t, diff.Added, 27)
	assert.Equal(t, 1, diff.Version)
	assert.Empty(t, diff.UnknownUnits, "every unit of the plan is in the registry")
	assert.Equal(t, 27, count(t, db, `SELECT count(*) FROM tasks`))
	assert.Equal(t, 31, count(t, db, `SELECT count(DISTINCT name) FROM task_units`))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM plan_versions WHERE sha256 = decode($1, 'hex') AND length(source) > 10000`, diff.SHA256))

	// Task 17 has no lead unit; task 10 names only designations as
	// cooperating units (市直有关部门、有关企业), which nobody has mapped: no
	// cooperating assignment.
	assert.Equal(t, 0, count(t, db, `SELECT count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE t.number = 17 AND a.role = 'lead'`))
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE t.number = 17 AND a.role = 'responsible'`))
	assert.Equal(t, 0, count(t, db, `SELECT count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE t.number = 10 AND a.role = 'responsible'`))
	assert.Equal(t, 0, count(t, db, `SELECT count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE t.number = 10 AND a.role = 'cooperating'`))
	// No collective designation is ever an assignment's unit.
	assert.Zero(t, count(t, db, `SELECT count(*) FROM assignments a JOIN units u ON u.id = a.unit_id WHERE u.kind = 'collective'`))
	// The first version is the plan from its beginning: one open revision per
	// task, one open period per assignment.
	assert.Equal(t, 27, count(t, db, `SELECT count(*) FROM task_revisions WHERE valid_from IS NULL AND valid_to IS NULL`))
	assert.Equal(t, count(t, db, `SELECT count(*) FROM assignments`),
		count(t, db, `SELECT count(*) FROM assignment_periods WHERE valid_from IS NULL AND valid_to IS NULL`))
	// 各县(市、区)人民政府 expands to the seven county governments.
	assert.Equal(t, 7, count(t, db, `
		SELECT count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN units v ON v.id = a.via_unit_id
		WHERE t.number = 12 AND v.name = '各县(市、区)人民政府'`))
	// Every assignment has its state row.
	assert.Equal(t, count(t, db, `SELECT count(*) FROM assignments`), count(t, db, `SELECT count(*) FROM assignment_state`))
	// Deadlines as DOMAIN.md describes them.
	assert.Equal(t, 8, count(t, db, `SELECT count(*) FROM tasks WHERE deadline_kind = 'ongoing'`))
	assert.Equal(t, 19, count(t, db, `SELECT count(*) FROM tasks WHERE due_on IS NOT NULL`))
	assert.Equal(t, "2023-09-30", queryString(t, db, `SELECT due_on::text FROM tasks WHERE number = 11`))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'plan.seed'`))
	assert.Positive(t, count(t, db, `SELECT count(*) FROM indicators`))
}

func queryString(t testing.TB, db *postgres.DB, sql string, args ...any) string {
	t.Helper()
	var s string
	require.NoError(t, db.Pool.QueryRow(context.Background(), sql, args...).Scan(&s))
	return s
}

func TestSeedTwiceIsIdempotent(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	mustSeed(t, db)
	before := snapshot(t, db)
	diff, err := db.Seed(context.Background(), workplan.SeedInput{Slug: "pl", SourceName: "again.txt", Source: seedPlan(t), Document: mustRead(seedPlan(t)), Actor: cliActor})
	require.NoError(t, err)
	assert.Equal(t, 0, diff.Changes())
	assert.True(t, diff.SameDocument)
	assert.Len(t, diff.Unchanged, 27)
	assert.Equal(t, 0, diff.Version, "no new version")
	assert.Equal(t, before, snapshot(t, db))

	// The same plan with CRLF line endings and a BOM: different bytes, same plan.
	crlf := "\ufeff" + strings.ReplaceAll(string(seedPlan(t)), "\n", "\r\n")
	diff, err = db.Seed(context.Background(), workplan.SeedInput{Slug: "pl", SourceName: "crlf.txt", Source: []byte(crlf), Document: mustRead([]byte(crlf)), Actor: cliActor})
	require.NoError(t, err)
	assert.Equal(t, 0, diff.Changes())
	assert.False(t, diff.SameDocument)
	assert.Equal(t, before, snapshot(t, db))
}

// snapshot counts the rows of every table a seed touches, and the plan version.
func snapshot(t testing.TB, db *postgres.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"plans", "plan_versions", "sections", "task_groups", "tasks", "task_units", "indicators",
		"assignments", "assignment_state", "units", "unit_members", "reports", "audit_log"} {
		out[table] = count(t, db, `SELECT count(*) FROM `+table)
	}
	out["version"] = count(t, db, `SELECT coalesce(max(version), 0) FROM plans`)
	out["archived"] = count(t, db, `SELECT count(*) FROM tasks WHERE archived_at IS NOT NULL`)
	return out
}

// revise applies the four revisions of the reseed test to the bundled plan.
func revise(t *testing.T, plan string) string {
	t.Helper()
	replace := func(old, new string) {
		require.Equal(t, 1, strings.Count(plan, old), "fixture text %q", old)
		plan = strings.Replace(plan, old, new, 1)
	}
	// (9) deadline changed
	replace("完成时限:2023年10月底前完成并持续推进", "完成时限:2023年11月底前完成并持续推进")
	// (22) lead units changed
	replace("牵头单位:市市场监管局\n\n  责任单位:市公安局", "牵头单位:市市场监管局、市税务局\n\n  责任单位:市公安局")
	// (27) dropped
	i := strings.Index(plan, "  (27)推行“一件事一次办”")
	j := strings.Index(plan, "  三、保障措施")
	require.True(t, i > 0 && j > i)
	plan = plan[:i] + "  (28)推行政务服务“跨省通办”。拓展“跨省通办”事项范围,实现高频事项异地可办。\n\n  牵头部门:市公管办\n\n  责任单位:各县(市、区)人民政府\n\n  完成时限:2023年12月底前\n\n" + plan[j:]
	return plan
}

func TestReseedPreviewAndApply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.Open(t)
	mustSeed(t, db)
	// Reports on every assignment of tasks 9, 22 and 27 and a few others.
	_, err := db.Pool.Exec(ctx, `
		INSERT INTO reports (assignment_id, percent, progress)
		SELECT a.id, 40, '进展' FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE t.number IN (1, 9, 22, 27)`)
	require.NoError(t, err)
	reportsBefore := count(t, db, `SELECT count(*) FROM reports`)
	require.Positive(t, reportsBefore)
	attached := queryString(t, db, `SELECT string_agg(id || ':' || assignment_id, ',' ORDER BY id) FROM reports`)

	revised := []byte(revise(t, string(seedPlan(t))))
	before := snapshot(t, db)
	preview, err := db.Seed(ctx, workplan.SeedInput{Slug: "pl", SourceName: "revised.txt", Source: revised, Document: mustRead(revised), DryRun: true, Actor: cliActor})
	require.NoError(t, err)
	assert.Equal(t, before, snapshot(t, db), "a preview changes nothing")

	check := func(d workplan.SeedDiff) {
		t.Helper()
		require.Len(t, d.Added, 1)
		assert.Equal(t, 28, d.Added[0].Number)
		require.Len(t, d.Archived, 1)
		assert.Equal(t, 27, d.Archived[0].Number)
		require.Len(t, d.Changed, 2)
		assert.Equal(t, 9, d.Changed[0].Number)
		assert.Equal(t, []workplan.FieldChange{{Field: "deadline", Before: "2023年10月底前完成并持续推进", After: "2023年11月底前完成并持续推进"}}, d.Changed[0].Fields)
		assert.Equal(t, 22, d.Changed[1].Number)
		fields := map[string]workplan.FieldChange{}
		for _, f := range d.Changed[1].Fields {
			fields[f.Field] = f
		}
		assert.Equal(t, "市市场监管局", fields["lead_units"].Before)
		assert.Equal(t, "市市场监管局、市税务局", fields["lead_units"].After)
		assert.Contains(t, fields["assignments"].After, "市税务局(牵头单位)")
		assert.Len(t, fields, 2, "only the lead units and the assignments they imply change")
		assert.Len(t, d.Unchanged, 24)
		assert.Empty(t, d.Restored)
		assert.Empty(t, d.Metadata)
		assert.Equal(t, 4, d.Changes())
		assert.Equal(t, 2, d.Version)
	}
	check(preview)

	applied, err := db.Seed(ctx, workplan.SeedInput{Slug: "pl", SourceName: "revised.txt", Source: revised, Document: mustRead(revised), Actor: cliActor})
	require.NoError(t, err)
	check(applied)
	assert.Equal(t, preview, applied, "the preview is what applying does")

	assert.Equal(t, reportsBefore, count(t, db, `SELECT count(*) FROM reports`), "every report kept")
	assert.Equal(t, attached, queryString(t, db, `SELECT string_agg(id || ':' || assignment_id, ',' ORDER BY id) FROM reports`), "and attached to the same assignment")
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM tasks WHERE number = 27 AND archived_at IS NOT NULL`))
	assert.Equal(t, "2023-11-30", queryString(t, db, `SELECT due_on::text FROM tasks WHERE number = 9`))
	assert.Equal(t, "lead", queryString(t, db, `
		SELECT a.role FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN units u ON u.id = a.unit_id
		WHERE t.number = 22 AND u.name = '市税务局'`), "a responsible unit promoted to lead keeps its assignment")
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM plan_versions`))

	// Applying the original again restores task 27 with its reports.
	back, err := db.Seed(ctx, workplan.SeedInput{Slug: "pl", SourceName: "orig.txt", Source: seedPlan(t), Document: mustRead(seedPlan(t)), Actor: cliActor})
	require.NoError(t, err)
	require.Len(t, back.Restored, 1)
	assert.Equal(t, 27, back.Restored[0].Number)
	require.Len(t, back.Archived, 1)
	assert.Equal(t, 28, back.Archived[0].Number)
	assert.Equal(t, reportsBefore, count(t, db, `SELECT count(*) FROM reports r JOIN assignments a ON a.id = r.assignment_id WHERE a.archived_at IS NULL`))
}

func TestSeedBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.Open(t)
	mustSeed(t, db)
	before := snapshot(t, db)
	tests := []struct {
		name string
		src  []byte
		want string
	}{
		{"empty", nil, "文件是空的"},
		{"prose", []byte("这是一段普通的文字,不是工作方案。\n第二行。\n"), "没有找到任务"},
		{"no known encoding", append([]byte("平凉市工作方案\n(1)任务。\n"), 0xff, 0xfe, 'x'), "第3行:从第"},
		{"corrupt docx", []byte("PK\x03\x04garbage"), "docx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The caller parses: a bad document never reaches the store.
			_, err := planparse.Read(bytes.NewReader(tt.src), "bad")
			require.Error(t, err)
			assert.ErrorIs(t, err, planparse.ErrInput)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := db.Seed(ctx, workplan.SeedInput{Slug: "pl", SourceName: "bad", Source: []byte("x"), Actor: cliActor})
	assert.Error(t, err, "no parsed document")
	assert.Equal(t, before, snapshot(t, db))
}

// TestSeedFindsUnitsByOtherSpellings: a unit written without the city prefix
// or in its long form is the registry's unit, not a new unknown one.
func TestSeedFindsUnitsByOtherSpellings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.Open(t)
	mustSeed(t, db)
	plan := strings.Replace(string(seedPlan(t)), "牵头单位:市自然资源局", "牵头单位:自然资源局、发展改革委、市人力资源和社会保障局", 1)
	d, err := db.Seed(ctx, workplan.SeedInput{Slug: "pl", SourceName: "x.txt", Source: []byte(plan), Document: mustRead([]byte(plan)), DryRun: true, Actor: cliActor})
	require.NoError(t, err)
	assert.Empty(t, d.UnknownUnits)
}

func TestSeedUnknownUnitIsFlagged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.Open(t)
	mustSeed(t, db)
	plan := strings.Replace(string(seedPlan(t)), "牵头单位:市自然资源局", "牵头单位:市自然资源局、市林草局", 1)
	d, err := db.Seed(ctx, workplan.SeedInput{Slug: "pl", SourceName: "x.txt", Source: []byte(plan), Document: mustRead([]byte(plan)), DryRun: true, Actor: cliActor})
	require.NoError(t, err)
	assert.Equal(t, []string{"市林草局"}, d.UnknownUnits)
	assert.Equal(t, 0, count(t, db, `SELECT count(*) FROM units WHERE name = '市林草局'`), "dry run creates nothing")
	_, err = db.Seed(ctx, workplan.SeedInput{Slug: "pl", SourceName: "x.txt", Source: []byte(plan), Document: mustRead([]byte(plan)), Actor: cliActor})
	require.NoError(t, err)
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM units WHERE name = '市林草局' AND NOT confirmed AND kind = 'city_department'`))
}

func BenchmarkSeedEmptyDatabase(b *testing.B) {
	ctx := context.Background()
	src := seedPlan(b)
	regB, _ := seeds.FS.ReadFile(seeds.Registry)
	reg, _ := workplan.ParseRegistry(regB)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := pgtest.Open(b)
		_, err := db.SyncRegistry(ctx, cliActor, reg)
		require.NoError(b, err)
		b.StartTimer()
		_, err = db.Seed(ctx, workplan.SeedInput{Slug: "pl", SourceName: "p.txt", Source: src, Document: mustRead(src), Actor: cliActor})
		require.NoError(b, err)
	}
}
