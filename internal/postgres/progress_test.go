package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
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

var sh = deadline.Shanghai

// clock is a settable clock for the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixture is a seeded database with a clock and helpers to make actors.
type fixture struct {
	db    *postgres.DB
	clock *clock
	t     testing.TB
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	db := pgtest.Open(t)
	mustSeed(t, db)
	c := &clock{t: time.Date(2023, 8, 10, 9, 0, 0, 0, sh)}
	db.Now = c.Now
	return &fixture{db: db, clock: c, t: t}
}

// actor creates a user of the named unit with role and returns it as an Actor.
func (f *fixture) actor(unit string, role workplan.UserRole) workplan.Actor {
	f.t.Helper()
	var unitID *int64
	if unit != "" {
		var id int64
		require.NoError(f.t, f.db.Pool.QueryRow(context.Background(), `SELECT id FROM units WHERE name = $1`, unit).Scan(&id))
		unitID = &id
	}
	name := fmt.Sprintf("u%d", rand.Int63())
	var id int64
	require.NoError(f.t, f.db.Pool.QueryRow(context.Background(),
		`INSERT INTO users (username, display_name, unit_id, role) VALUES ($1, $2, $3, $4) RETURNING id`,
		name, name+"@"+unit, unitID, role).Scan(&id))
	a := workplan.Actor{UserID: id, Name: name + "@" + unit, Role: role}
	if unitID != nil {
		a.UnitID = *unitID
	}
	return a
}

// assignment returns the ID of the assignment of unit on task number.
func (f *fixture) assignment(number int, unit string) int64 {
	f.t.Helper()
	var id int64
	require.NoError(f.t, f.db.Pool.QueryRow(context.Background(), `
		SELECT a.id FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN units u ON u.id = a.unit_id
		WHERE t.number = $1 AND u.name = $2`, number, unit).Scan(&id))
	return id
}

func (f *fixture) version(asg int64) int {
	f.t.Helper()
	st, err := f.db.AssignmentState(context.Background(), asg)
	require.NoError(f.t, err)
	return st.Version
}

func TestFileReportMaintainsState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	staff := f.actor("市公安局", workplan.UserStaff)
	asg := f.assignment(22, "市公安局")
	rep, err := f.db.FileReport(ctx, staff, workplan.ReportInput{AssignmentID: asg, BaseVersion: 0, Percent: 40, Progress: "已完成流程梳理"})
	require.NoError(t, err)
	assert.Positive(t, rep.ID)
	st, err := f.db.AssignmentState(ctx, asg)
	require.NoError(t, err)
	assert.Equal(t, 1, st.Version)
	assert.Equal(t, 1, st.Facts.Reports)
	assert.Equal(t, 40, st.Facts.Percent)
	assert.Equal(t, rep.ID, st.LastReportID)
	assert.True(t, st.Facts.LastReportAt.Equal(f.clock.Now()))
	assert.Equal(t, 1, count(t, f.db, `SELECT count(*) FROM assignment_events WHERE assignment_id = $1`, asg))
	assert.Equal(t, 1, count(t, f.db, `SELECT count(*) FROM audit_log WHERE action = 'report.file' AND actor_id = $1 AND entity_id = $2`, staff.UserID, fmt.Sprint(asg)))
}

func TestFileReportIDOR(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	other := f.actor("市住建局", workplan.UserStaff)
	supervisor := f.actor("市公管办", workplan.UserSupervisor)
	asg := f.assignment(22, "市公安局")
	before := snapshot(t, f.db)
	for _, a := range []workplan.Actor{other, supervisor, f.actor("", workplan.UserLeader), f.actor("", workplan.UserAdmin)} {
		_, err := f.db.FileReport(ctx, a, workplan.ReportInput{AssignmentID: asg, Percent: 10, Progress: "x"})
		require.Error(t, err)
		assert.Equal(t, workplan.EForbidden, workplan.ErrorCode(err), "role %s", a.Role)
	}
	assert.Equal(t, before, snapshot(t, f.db), "nothing written")
}

func TestFileReportStaleVersionConflicts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	staff := f.actor("市公安局", workplan.UserStaff)
	asg := f.assignment(22, "市公安局")
	_, err := f.db.FileReport(ctx, staff, workplan.ReportInput{AssignmentID: asg, BaseVersion: 0, Percent: 40, Progress: "第一次"})
	require.NoError(t, err)
	f.clock.Advance(time.Hour)
	_, err = f.db.FileReport(ctx, staff, workplan.ReportInput{AssignmentID: asg, BaseVersion: 0, Percent: 60, Progress: "基于旧版本"})
	var ce *workplan.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, workplan.EConflict, workplan.ErrorCode(err))
	c, ok := ce.Current.(workplan.AssignmentConflict)
	require.True(t, ok)
	require.Len(t, c.Changes, 1)
	assert.Equal(t, "report", c.Changes[0].Kind)
	assert.Equal(t, 40, c.Changes[0].Percent)
	assert.Equal(t, staff.Name, c.Changes[0].By)
	assert.Equal(t, 1, count(t, f.db, `SELECT count(*) FROM reports WHERE assignment_id = $1`, asg), "the stale report is not written")
}

func TestConcurrentSavesOneWins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	staff := f.actor("市公安局", workplan.UserStaff)
	asg := f.assignment(22, "市公安局")
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, conflicts := 0, 0
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := f.db.FileReport(ctx, staff, workplan.ReportInput{AssignmentID: asg, BaseVersion: 0, Percent: i, Progress: fmt.Sprint("writer ", i)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, workplan.ErrConflict):
				conflicts++
			default:
				t.Errorf("writer %d: %v", i, err)
			}
		}(i)
	}
	wg.Wait()
	assert.Equal(t, 1, ok)
	assert.Equal(t, 49, conflicts)
	assert.Equal(t, 1, count(t, f.db, `SELECT count(*) FROM reports WHERE assignment_id = $1`, asg))
	assert.Equal(t, 1, count(t, f.db, `SELECT count(*) FROM assignment_events WHERE assignment_id = $1`, asg))
	assert.Equal(t, 1, f.version(asg))
}

func TestReviewAndCompletion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	police := f.actor("市公安局", workplan.UserStaff)
	lead := f.actor("市市场监管局", workplan.UserStaff) // leads task 22
	notLead := f.actor("市住建局", workplan.UserStaff)
	asg := f.assignment(22, "市公安局")

	rep, err := f.db.FileReport(ctx, police, workplan.ReportInput{AssignmentID: asg, BaseVersion: 0, Percent: 100, ClaimsCompletion: true, Progress: "已完成"})
	require.NoError(t, err)
	f.clock.Advance(time.Hour)

	_, err = f.db.ReviewReport(ctx, notLead, workplan.ReviewInput{ReportID: rep.ID, Decision: workplan.DecisionAccept, BaseVersion: 1})
	assert.Equal(t, workplan.EForbidden, workplan.ErrorCode(err), "only the lead unit or a supervisor reviews")
	_, err = f.db.ReviewReport(ctx, lead, workplan.ReviewInput{ReportID: rep.ID, Decision: workplan.DecisionReturn, BaseVersion: 1})
	assert.Equal(t, workplan.EInvalid, workplan.ErrorCode(err), "a return needs a reason")

	_, err = f.db.ReviewReport(ctx, lead, workplan.ReviewInput{ReportID: rep.ID, Decision: workplan.DecisionReturn, Reason: "缺少佐证材料", BaseVersion: 1})
	require.NoError(t, err)
	st, err := f.db.AssignmentState(ctx, asg)
	require.NoError(t, err)
	assert.False(t, st.Facts.Claimed)
	assert.True(t, st.Facts.CompletedAt.IsZero())

	f.clock.Advance(time.Hour)
	rep2, err := f.db.FileReport(ctx, police, workplan.ReportInput{AssignmentID: asg, BaseVersion: 2, Percent: 100, ClaimsCompletion: true, Progress: "补充材料"})
	require.NoError(t, err)
	f.clock.Advance(time.Hour)
	_, err = f.db.ReviewReport(ctx, lead, workplan.ReviewInput{ReportID: rep2.ID, Decision: workplan.DecisionAccept, BaseVersion: 3})
	require.NoError(t, err)
	st, err = f.db.AssignmentState(ctx, asg)
	require.NoError(t, err)
	assert.True(t, st.Facts.CompletedAt.Equal(rep2.SubmittedAt))
	facts := st.Facts
	facts.Deadline, facts.Start = deadline.Parse("2023年8月底前", 2023), deadline.NewDate(2023, 8, 1)
	status := deadline.Evaluate(facts, f.clock.Now(), deadline.DefaultPolicy())
	assert.Equal(t, deadline.StateCompletedOnTime, status.State)

	// The lead unit cannot review its own unit's report.
	leadAsg := f.assignment(22, "市市场监管局")
	own, err := f.db.FileReport(ctx, lead, workplan.ReportInput{AssignmentID: leadAsg, Percent: 100, ClaimsCompletion: true, Progress: "完成"})
	require.NoError(t, err)
	_, err = f.db.ReviewReport(ctx, lead, workplan.ReviewInput{ReportID: own.ID, Decision: workplan.DecisionAccept, BaseVersion: 1})
	assert.Equal(t, workplan.EForbidden, workplan.ErrorCode(err))
}

func TestExtension(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	police := f.actor("市公安局", workplan.UserStaff)
	sup := f.actor("市公管办", workplan.UserSupervisor)
	asg := f.assignment(22, "市公安局") // due 2023-08-31
	_, err := f.db.RequestExtension(ctx, police, asg, deadline.NewDate(2023, 8, 20), "太早")
	assert.Equal(t, workplan.EInvalid, workplan.ErrorCode(err), "the new date must be later")
	req, err := f.db.RequestExtension(ctx, police, asg, deadline.NewDate(2023, 9, 30), "需协调税务系统")
	require.NoError(t, err)
	assert.Error(t, f.db.DecideExtension(ctx, police, req.ID, true, ""), "staff cannot approve")
	require.NoError(t, f.db.DecideExtension(ctx, sup, req.ID, true, "同意"))
	assert.Error(t, f.db.DecideExtension(ctx, sup, req.ID, true, "again"), "decided once")
	st, err := f.db.AssignmentState(ctx, asg)
	require.NoError(t, err)
	assert.Equal(t, "2023-09-30", st.Facts.ExtendedDue.String())
	var original string
	require.NoError(t, f.db.Pool.QueryRow(ctx, `SELECT t.due_on::text FROM tasks t WHERE t.number = 22`).Scan(&original))
	assert.Equal(t, "2023-08-31", original, "the original due date is kept")

	// After the (extended) due date a unit may still ask (逾期申请, issue
	// 14), but for a date after today.
	f.clock.Set(time.Date(2023, 10, 1, 0, 0, 0, 0, sh))
	_, err = f.db.RequestExtension(ctx, police, asg, deadline.NewDate(2023, 10, 1), "再延")
	assert.Equal(t, workplan.EInvalid, workplan.ErrorCode(err), "a late request asks for a date after today")
	late, err := f.db.RequestExtension(ctx, police, asg, deadline.NewDate(2023, 12, 31), "再延")
	require.NoError(t, err, "a late request (逾期申请)")
	require.NoError(t, f.db.DecideExtension(ctx, sup, late.ID, false, "不同意"))
	var notices int
	require.NoError(t, f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE kind = 'extension_decided' AND args->>'unit' = '市公安局'`).Scan(&notices))
	assert.Equal(t, 2, notices, "each decision notified the unit's staff, in its transaction")
}

func TestSeedPlanOverdueAsOf(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	plans, err := f.db.ListPlans(ctx)
	require.NoError(t, err)
	overdue := func(at time.Time) []int {
		pa, err := f.db.PlanAt(ctx, plans[0].ID, at, false)
		require.NoError(t, err)
		set := map[int]bool{}
		for _, a := range pa.Assignments {
			if deadline.Evaluate(a.Facts, at, deadline.DefaultPolicy()).State == deadline.StateOverdue {
				set[a.TaskNumber] = true
			}
		}
		var out []int
		for n := 1; n <= 27; n++ {
			if set[n] {
				out = append(out, n)
			}
		}
		return out
	}
	assert.Equal(t, []int{14, 17, 21, 22}, overdue(time.Date(2023, 9, 1, 0, 0, 0, 0, sh)))
	assert.Empty(t, overdue(time.Date(2023, 8, 31, 23, 59, 59, 0, sh)))
	assert.Len(t, overdue(time.Date(2023, 10, 1, 0, 0, 0, 0, sh)), 12)
	assert.Len(t, overdue(time.Date(2024, 1, 1, 0, 0, 0, 0, sh)), 19)
}

// TestStateEqualsReplay is the property test of the storage: for random
// histories written through the store, the maintained state equals the fold of
// the history, and the status rebuilt as of random instants (through daily
// snapshots and the events after them) equals the fold of the history up to
// that instant.
func TestStateEqualsReplay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	rng := rand.New(rand.NewSource(20231001))
	plans, err := f.db.ListPlans(ctx)
	require.NoError(t, err)
	planID := plans[0].ID

	type target struct {
		asg   int64
		staff workplan.Actor
	}
	units := []struct {
		task int
		unit string
	}{{22, "市公安局"}, {22, "市人社局"}, {11, "崆峒区人民政府"}, {6, "静宁县人民政府"}, {17, "市大数据中心"}, {1, "电信平凉分公司"}}
	var targets []target
	for _, u := range units {
		targets = append(targets, target{f.assignment(u.task, u.unit), f.actor(u.unit, workplan.UserStaff)})
	}
	sup := f.actor("市公管办", workplan.UserSupervisor)
	f.clock.Set(time.Date(2023, 8, 2, 8, 0, 0, 0, sh))
	var instants []time.Time
	for step := 0; step < 300; step++ {
		f.clock.Advance(time.Duration(rng.Intn(40*3600)) * time.Second)
		tg := targets[rng.Intn(len(targets))]
		v := f.version(tg.asg)
		switch r := rng.Intn(10); {
		case r < 6:
			claims := rng.Intn(4) == 0
			p := rng.Intn(101)
			if claims {
				p = 100
			}
			_, err = f.db.FileReport(ctx, tg.staff, workplan.ReportInput{AssignmentID: tg.asg, BaseVersion: v, Percent: p, ClaimsCompletion: claims, Progress: "进展"})
		case r < 9:
			var last int64
			_ = f.db.Pool.QueryRow(ctx, `SELECT id FROM reports WHERE assignment_id = $1 ORDER BY random() LIMIT 1`, tg.asg).Scan(&last)
			if last == 0 {
				continue
			}
			d := workplan.DecisionAccept
			if rng.Intn(3) == 0 {
				d = workplan.DecisionReturn
			}
			_, err = f.db.ReviewReport(ctx, sup, workplan.ReviewInput{ReportID: last, Decision: d, Reason: "理由", BaseVersion: v})
		default:
			var req workplan.ExtensionRequest
			req, err = f.db.RequestExtension(ctx, tg.staff, tg.asg, deadline.DateOf(f.clock.Now(), sh).AddDays(30+rng.Intn(60)), "延期")
			if err == nil {
				f.clock.Advance(time.Hour)
				err = f.db.DecideExtension(ctx, sup, req.ID, rng.Intn(2) == 0, "理由")
			}
		}
		if err != nil && workplan.ErrorCode(err) != workplan.EInvalid {
			require.NoError(t, err, "step %d", step)
		}
		if rng.Intn(8) == 0 {
			instants = append(instants, f.clock.Now(), f.clock.Now().Add(-time.Microsecond))
		}
		// Snapshots are taken now and then, as the daily job would.
		if rng.Intn(40) == 0 {
			day := deadline.DateOf(f.clock.Now(), sh).AddDays(-1)
			_, err := f.db.TakeSnapshots(ctx, day)
			require.NoError(t, err)
		}
	}
	end := f.clock.Now()
	for i := 0; i < 30; i++ {
		instants = append(instants, time.Date(2023, 8, 1, 0, 0, 0, 0, sh).Add(time.Duration(rng.Int63n(int64(end.Sub(time.Date(2023, 8, 1, 0, 0, 0, 0, sh)))))))
	}
	for _, tg := range targets {
		events, err := f.db.AssignmentEvents(ctx, tg.asg)
		require.NoError(t, err)
		st, err := f.db.AssignmentState(ctx, tg.asg)
		require.NoError(t, err)
		assert.Equal(t, deadline.Fold(deadline.Facts{}, events), st.Facts, "maintained state equals the replay")
		assert.Equal(t, len(events), st.Version)
	}
	for _, at := range instants {
		pa, err := f.db.PlanAt(ctx, planID, at, false)
		require.NoError(t, err)
		byID := map[int64]deadline.Facts{}
		for _, a := range pa.Assignments {
			byID[a.ID] = a.Facts
		}
		for _, tg := range targets {
			events, err := f.db.AssignmentEvents(ctx, tg.asg)
			require.NoError(t, err)
			got := byID[tg.asg]
			want := deadline.FoldUntil(deadline.Facts{Deadline: got.Deadline, Start: got.Start}, events, at)
			require.Equal(t, want, got, "assignment %d as of %s", tg.asg, at)
			assert.Equal(t, deadline.Evaluate(want, at, deadline.DefaultPolicy()), deadline.Evaluate(got, at, deadline.DefaultPolicy()))
		}
	}
	assert.Positive(t, count(t, f.db, `SELECT count(*) FROM snapshot_days`), "the snapshot path was exercised")
}

// TestFileReportFailureWritesNothing: a report refused before its rows are
// written (an indicator of another task) or failing while they are (here a
// trigger injects the failure into the last statements of the batch) leaves
// no row behind, and the assignment and the connections are free for the
// next writer.
func TestFileReportFailureWritesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	var asg, own, foreign int64
	var unit string
	require.NoError(t, f.db.Pool.QueryRow(ctx, `
		SELECT a.id, u.name, i.id, (SELECT min(j.id) FROM indicators j WHERE j.task_id <> t.id)
		FROM tasks t JOIN assignments a ON a.task_id = t.id JOIN units u ON u.id = a.unit_id JOIN indicators i ON i.task_id = t.id
		WHERE u.kind <> 'collective' ORDER BY t.number, u.name, i.position LIMIT 1`).Scan(&asg, &unit, &own, &foreign))
	staff := f.actor(unit, workplan.UserStaff)
	rows := func() map[string]int {
		out := snapshot(t, f.db)
		for _, table := range []string{"report_indicator_values", "assignment_events", "evidence_files"} {
			out[table] = count(t, f.db, `SELECT count(*) FROM `+table)
		}
		return out
	}
	before := rows()

	_, err := f.db.FileReport(ctx, staff, workplan.ReportInput{AssignmentID: asg, Percent: 10, Progress: "x",
		Indicators: []workplan.IndicatorValue{{IndicatorID: foreign, Value: 1}}})
	assert.Equal(t, workplan.EInvalid, workplan.ErrorCode(err), "%v", err)

	_, err = pgtest.AsOwner(t, f.db).Exec(ctx, `
		CREATE FUNCTION fail_at_77() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.percent = 77 THEN RAISE EXCEPTION 'injected failure'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER fail_at_77 BEFORE INSERT ON assignment_events FOR EACH ROW EXECUTE FUNCTION fail_at_77();`)
	require.NoError(t, err)
	for range 12 { // more than the pool's connections
		_, err = f.db.FileReport(ctx, staff, workplan.ReportInput{AssignmentID: asg, Percent: 77, Progress: "x",
			Indicators: []workplan.IndicatorValue{{IndicatorID: own, Value: 1}},
			Evidence:   []workplan.EvidenceFile{{Filename: "a.txt", ContentType: "text/plain", Content: []byte("证明")}}})
		require.ErrorContains(t, err, "injected failure")
	}
	assert.Equal(t, before, rows(), "nothing written")

	rep, err := f.db.FileReport(ctx, staff, workplan.ReportInput{AssignmentID: asg, Percent: 50, Progress: "y",
		Indicators: []workplan.IndicatorValue{{IndicatorID: own, Value: 2}},
		Evidence:   []workplan.EvidenceFile{{Filename: "a.txt", ContentType: "text/plain", Content: []byte("证明")}}})
	require.NoError(t, err, "the next writer is not blocked")
	require.Len(t, rep.Evidence, 1)
	assert.Positive(t, rep.Evidence[0].ID)
	assert.Equal(t, 1, f.version(asg))
	assert.Equal(t, before["reports"]+1, count(t, f.db, `SELECT count(*) FROM reports`))
	assert.Equal(t, 1, count(t, f.db, `SELECT count(*) FROM report_indicator_values WHERE report_id = $1`, rep.ID))
	assert.Equal(t, 1, count(t, f.db, `SELECT count(*) FROM evidence_files WHERE report_id = $1`, rep.ID))
	var idle int
	require.NoError(t, f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`).Scan(&idle))
	assert.Zero(t, idle, "no connection left in a transaction")
}
