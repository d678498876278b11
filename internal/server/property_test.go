package server_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
	"duban/internal/status"
	"duban/internal/workplan"
)

// The property test of issue 12: for random histories (reports, reviews,
// extensions, a revision of the plan, a designation mapped) and random
// instants, the status computed from scratch — from the test's own record of
// what happened, folded by deadline.FoldUntil and judged by status.Evaluate —
// equals what the API, the dashboard, the ledger export and "my tasks" show;
// and renaming every unit changes no rank.

// propPlan is version 1 of the plan; propPlanV2 its revision: task 3
// dropped, task 5 added, task 1's deadline moved, 市甲局 joining task 4.
const propPlan = `平凉市测试性质方案

  平凉市人民政府办公室

  2024年1月1日

  平凉市测试性质方案

  二、主要任务

  (一)测试板块

  1.测试分组

  (1)建设平台。建设平台。

  牵头单位:市甲局

  责任单位:市乙局、甲县人民政府

  完成时限:2024年2月15日前

  (2)持续运营。持续运营平台。

  牵头单位:市乙局

  责任单位:各县测试政府

  完成时限:持续推进

  (3)编制规范。编制规范。

  牵头单位:市甲局

  责任单位:市直有关部门

  配合单位:乙县人民政府

  完成时限:2024年3月31日前

  (4)推广应用。推广应用。

  牵头单位:甲县人民政府

  完成时限:2024年2月底前完成并持续推进
`

func propPlanV2() string {
	s := propPlan
	s = strings.Replace(s, "完成时限:2024年2月15日前", "完成时限:2024年3月15日前", 1)
	i, j := strings.Index(s, "  (3)编制规范"), strings.Index(s, "  (4)推广应用")
	s = s[:i] + s[j:]
	s = strings.Replace(s, "  牵头单位:甲县人民政府\n", "  牵头单位:甲县人民政府\n\n  责任单位:市甲局\n", 1)
	return s + `
  (5)总结评估。总结评估。

  牵头单位:乙县人民政府

  责任单位:市甲局

  完成时限:2024年4月30日前
`
}

// propModel is the test's own record of the plan and of every event.
type propModel struct {
	// versions are the plan's task lists with when each took effect
	// (version 1: from the beginning).
	versions []propVersion
	// joined is when each assignment (by ID) became accountable, with its
	// task number, unit and role; left when it stopped (zero: never).
	asg map[int64]*propAsg
	// events are each assignment's events as filed.
	events map[int64][]deadline.Event
}

type propVersion struct {
	from  time.Time
	tasks map[int]propTask
}

type propTask struct {
	deadline deadline.Deadline
	start    deadline.Date
}

type propAsg struct {
	id         int64
	task       int
	unit       string
	kind       workplan.UnitKind
	role       workplan.Role
	from, to   time.Time
	start      deadline.Date
	lastReport int64
	claimAt    time.Time
}

// planAt builds, from the model alone, the plan as it stood at at.
func (m *propModel) planAt(plan workplan.Plan, at time.Time) workplan.PlanAt {
	v := m.versions[0]
	version := 1
	for i, x := range m.versions {
		if i == 0 || !x.from.After(at) {
			v, version = x, i+1
		}
	}
	pa := workplan.PlanAt{Plan: plan, At: at, Version: version}
	ids := map[int]int64{}
	for n := range v.tasks {
		ids[n] = int64(n)
		pa.Tasks = append(pa.Tasks, workplan.Task{ID: int64(n), Number: n, Deadline: v.tasks[n].deadline, Start: v.tasks[n].start})
	}
	slices.SortFunc(pa.Tasks, func(a, b workplan.Task) int { return a.Number - b.Number })
	for _, a := range m.asg {
		t, ok := v.tasks[a.task]
		if !ok || a.from.After(at) || (!a.to.IsZero() && !a.to.After(at)) {
			continue
		}
		start := t.start
		if a.start.After(start) {
			start = a.start
		}
		f := deadline.FoldUntil(deadline.Facts{Deadline: t.deadline, Start: start}, m.events[a.id], at)
		pa.Assignments = append(pa.Assignments, workplan.AssignmentFacts{Assignment: workplan.Assignment{ID: a.id, TaskID: ids[a.task],
			UnitName: a.unit, Role: a.role}, UnitKind: a.kind, TaskNumber: a.task, Facts: f})
	}
	return pa
}

func TestStatusPropertyFromScratch(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			t.Parallel()
			propCase(t, seed)
		})
	}
}

func propCase(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 12))
	w := newEmptyWorld(t)
	sys := workplan.System("fixtures")
	w.clock.now = time.Date(2024, 1, 2, 9, 0, 0, 0, sh)
	kinds := map[string]workplan.UnitKind{"市甲局": workplan.UnitCityDepartment, "市乙局": workplan.UnitCityDepartment,
		"甲县人民政府": workplan.UnitCountyGovernment, "乙县人民政府": workplan.UnitCountyGovernment}
	staff := map[string]workplan.Actor{}
	unitIDs := map[string]int64{}
	users := map[string]workplan.User{}
	for i, name := range []string{"市甲局", "市乙局", "甲县人民政府", "乙县人民政府"} {
		u, err := w.db.CreateRegistryUnit(bg, sys, workplan.UnitEdit{Name: name, Kind: kinds[name], Confirmed: true})
		require.NoError(t, err)
		unitIDs[name] = u.ID
		users[name] = w.createUser("p"+strconv.Itoa(i), workplan.UserStaff, u.ID, false)
		staff[name] = workplan.ActorOf(users[name], "t", "")
	}
	coll, err := w.db.CreateRegistryUnit(bg, sys, workplan.UnitEdit{Name: "各县测试政府", Kind: workplan.UnitCollective, Confirmed: true})
	require.NoError(t, err)
	_, _, err = w.db.SetUnitMembers(bg, sys, coll.ID, coll.Version, []int64{unitIDs["甲县人民政府"], unitIDs["乙县人民政府"]}, false)
	require.NoError(t, err)
	sup := workplan.ActorOf(w.users[supervisor], "t", "")
	_, err = w.db.Seed(bg, workplan.SeedInput{Slug: "prop", SourceName: "v1.txt", Source: []byte(propPlan), Document: mustRead([]byte(propPlan)), Actor: sys})
	require.NoError(t, err)
	plan, err := w.db.PlanBySlug(bg, "prop")
	require.NoError(t, err)
	require.Equal(t, deadline.NewDate(2024, 1, 1), plan.IssuedOn)

	issue := deadline.NewDate(2024, 1, 1)
	dueOn := func(y int, mo time.Month, d int) deadline.Deadline {
		return deadline.Deadline{Kind: deadline.KindDue, Due: deadline.NewDate(y, mo, d)}
	}
	m := &propModel{asg: map[int64]*propAsg{}, events: map[int64][]deadline.Event{}}
	m.versions = []propVersion{{tasks: map[int]propTask{
		1: {dueOn(2024, 2, 15), issue}, 2: {deadline.Deadline{Kind: deadline.KindOngoing}, issue}, 3: {dueOn(2024, 3, 31), issue},
		4: {deadline.Deadline{Kind: deadline.KindDueThenOngoing, Due: deadline.NewDate(2024, 2, 29)}, issue}}}}
	// sync reads the assignments the store made and records new ones in
	// the model, joining at at (zero: from the beginning), starting on start.
	sync := func(at time.Time, start deadline.Date) {
		rows, err := w.db.Pool.Query(bg, `
			SELECT a.id, t.number, u.name, a.role, a.archived_at FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN units u ON u.id = a.unit_id
			WHERE t.plan_id = $1`, plan.ID)
		require.NoError(t, err)
		defer rows.Close()
		for rows.Next() {
			var id int64
			var n int
			var unit string
			var role workplan.Role
			var archived *time.Time
			require.NoError(t, rows.Scan(&id, &n, &unit, &role, &archived))
			a := m.asg[id]
			if a == nil {
				a = &propAsg{id: id, task: n, unit: unit, kind: kinds[unit], role: role, from: at, start: start}
				m.asg[id] = a
			}
			if archived != nil && a.to.IsZero() {
				a.to = *archived
			}
		}
		require.NoError(t, rows.Err())
	}
	sync(time.Time{}, deadline.Date{})
	for _, a := range m.asg {
		require.NotEqual(t, "各县测试政府", a.unit)
		require.NotEqual(t, "市直有关部门", a.unit, "an unmapped designation is nobody's assignment")
	}

	reviseAt := time.Date(2024, 2, 10+r.IntN(10), 8+r.IntN(8), r.IntN(60), 0, 0, sh)
	mapAt := time.Date(2024, 1, 10+r.IntN(20), 10, r.IntN(60), 0, 0, sh)
	end := time.Date(2024, 3, 25, 18, 0, 0, 0, sh)
	var instants []time.Time
	for range 5 {
		instants = append(instants, time.Date(2024, 1, 2+r.IntN(80), 23, 59, 59, 999999000, sh))
	}
	revised, mapped := false, false
	for at := w.clock.now; at.Before(end); at = at.Add(time.Duration(3+r.IntN(20)) * time.Hour) {
		w.clock.now = at
		if !mapped && !at.Before(mapAt) {
			mapped = true
			var task3 int64
			require.NoError(t, w.db.Pool.QueryRow(bg, `SELECT id FROM tasks WHERE plan_id = $1 AND number = 3`, plan.ID).Scan(&task3))
			_, err := w.db.MapDesignation(bg, sup, workplan.MappingInput{CollectiveID: w.designation.ID, TaskID: task3, Members: []int64{unitIDs["市乙局"]}})
			require.NoError(t, err)
			sync(at, deadline.DateOf(at, sh))
		}
		if !revised && !at.Before(reviseAt) {
			revised = true
			_, err := w.db.Seed(bg, workplan.SeedInput{Slug: "prop", SourceName: "v2.txt", Source: []byte(propPlanV2()), Document: mustRead([]byte(propPlanV2())), Actor: sys})
			require.NoError(t, err)
			today := deadline.DateOf(at, sh)
			v2 := map[int]propTask{}
			for n, tk := range m.versions[0].tasks {
				v2[n] = tk
			}
			delete(v2, 3)
			v2[1] = propTask{dueOn(2024, 3, 15), issue}
			v2[5] = propTask{dueOn(2024, 4, 30), today}
			m.versions = append(m.versions, propVersion{from: at, tasks: v2})
			sync(at, today)
			for _, a := range m.asg {
				if a.task == 5 {
					a.start = deadline.Date{} // the task's own start counts
				}
			}
		}
		// Each assignment in force: maybe a report, maybe a review of a
		// pending claim, maybe an extension.
		ids := make([]int64, 0, len(m.asg))
		for id := range m.asg {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			a := m.asg[id]
			if !a.to.IsZero() || a.from.After(at) {
				continue
			}
			if revised && a.task == 3 {
				continue
			}
			switch x := r.IntN(10); {
			case x < 2:
				st, err := w.db.AssignmentState(bg, id)
				require.NoError(t, err)
				pct := min(100, st.Facts.Percent+r.IntN(40))
				claims := pct == 100 && r.IntN(2) == 0
				rep, err := w.db.FileReport(bg, staff[a.unit], workplan.ReportInput{AssignmentID: id, BaseVersion: st.Version, Percent: pct,
					Progress: "进展", ClaimsCompletion: claims})
				require.NoError(t, err)
				m.events[id] = append(m.events[id], deadline.Event{Kind: deadline.EventReport, At: rep.SubmittedAt, Percent: pct, Claims: claims})
				a.lastReport, a.claimAt = rep.ID, time.Time{}
				if claims {
					a.claimAt = rep.SubmittedAt
				}
			case x == 2 && !a.claimAt.IsZero():
				st, err := w.db.AssignmentState(bg, id)
				require.NoError(t, err)
				in := workplan.ReviewInput{ReportID: a.lastReport, Decision: workplan.DecisionAccept, BaseVersion: st.Version}
				kind := deadline.EventAccept
				if r.IntN(3) == 0 {
					in.Decision, in.Reason, kind = workplan.DecisionReturn, "材料不全", deadline.EventReturn
				}
				rv, err := w.db.ReviewReport(bg, sup, in)
				require.NoError(t, err)
				m.events[id] = append(m.events[id], deadline.Event{Kind: kind, At: rv.ReviewedAt, ReportAt: a.claimAt})
				a.claimAt = time.Time{}
			case x == 3 && r.IntN(8) == 0:
				st, err := w.db.AssignmentState(bg, id)
				require.NoError(t, err)
				if st.Facts.CompletedAt.IsZero() && a.task != 2 {
					newDue := deadline.DateOf(at, sh).AddDays(20 + r.IntN(30))
					req, err := w.db.RequestExtension(bg, staff[a.unit], id, newDue, "需要延期")
					if err != nil {
						continue // overdue work may not ask: the store refuses, which is its business
					}
					require.NoError(t, w.db.DecideExtension(bg, sup, req.ID, true, ""))
					m.events[id] = append(m.events[id], deadline.Event{Kind: deadline.EventExtension, At: w.clock.Now(), NewDue: newDue})
				}
			}
		}
	}
	require.True(t, revised && mapped)
	w.clock.now = end
	w.refreshSessions()
	_, err = w.db.TakeSnapshots(bg, deadline.NewDate(2024, 3, 10))
	require.NoError(t, err)

	pol := deadline.DefaultPolicy()
	check := func(at time.Time, asOf string) {
		want := status.Evaluate(m.planAt(plan, at), pol)
		q := "plan=prop"
		if asOf != "" {
			q += "&as_of=" + asOf
		}
		v := w.api("/api/v1/tasks?" + q)
		require.Equal(t, float64(want.Version), v["version"], asOf)
		got := map[int]map[string]any{}
		for _, tk := range v["tasks"].([]any) {
			tm := tk.(map[string]any)
			got[int(tm["number"].(float64))] = tm
		}
		require.Len(t, got, len(want.Tasks), "tasks in force as of %q", asOf)
		for _, ts := range want.Tasks {
			g := got[ts.Task.Number]
			require.NotNil(t, g, "task %d as of %q", ts.Task.Number, asOf)
			assert.Equal(t, string(ts.Rollup.Light), g["light"], "task %d as of %q", ts.Task.Number, asOf)
			assert.Equal(t, string(ts.Category), g["category"], "task %d as of %q", ts.Task.Number, asOf)
			units := map[string]map[string]any{}
			for _, a := range g["assignments"].([]any) {
				am := a.(map[string]any)
				units[am["unit"].(string)] = am
			}
			require.Len(t, units, len(ts.Assignments), "units of task %d as of %q", ts.Task.Number, asOf)
			for _, a := range ts.Assignments {
				ga := units[a.UnitName]
				require.NotNil(t, ga, "%s on task %d as of %q", a.UnitName, ts.Task.Number, asOf)
				msg := fmt.Sprintf("%s on task %d as of %q: want %+v", a.UnitName, ts.Task.Number, asOf, a.Status)
				assert.Equal(t, string(a.Status.Light), ga["light"], msg)
				assert.Equal(t, string(a.Status.State), ga["state"], msg)
				assert.Equal(t, string(a.Category), ga["category"], msg)
				assert.Equal(t, float64(a.Status.Percent), ga["percent"], msg)
				assert.Equal(t, float64(a.Status.DaysOverdue), ga["days_overdue"], msg)
			}
		}
		// The dashboard's cards.
		res := w.do(leader, http.MethodGet, "/plans/prop/dashboard?"+strings.TrimPrefix(q, "plan=prop&"), nil)
		require.Equal(t, http.StatusOK, res.Code)
		for _, c := range status.Categories {
			n := want.TaskCounts[c]
			if n == 0 && (c == status.Unknown || c == status.Unassigned) {
				continue
			}
			assert.Contains(t, res.Body.String(), `data-testid="count-`+string(c)+`">`+strconv.Itoa(n)+`<`, "%s as of %q", c, asOf)
		}
		// The ledger export: one row per assignment with its light and percent.
		res = w.do(leader, http.MethodGet, "/plans/prop/tasks.csv?"+strings.TrimPrefix(q, "plan=prop&"), nil)
		require.Equal(t, http.StatusOK, res.Code)
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body.Bytes(), []byte("\ufeff")))).ReadAll()
		require.NoError(t, err)
		exported := map[string][]string{}
		for _, row := range rows[1:] {
			exported[row[0]+"|"+row[2]] = row
		}
		for _, ts := range want.Tasks {
			for _, a := range ts.Assignments {
				row := exported[strconv.Itoa(ts.Task.Number)+"|"+a.UnitName]
				require.NotNil(t, row, "export row of %s on task %d as of %q", a.UnitName, ts.Task.Number, asOf)
				assert.Equal(t, strconv.Itoa(a.Status.Percent), row[7])
				assert.Equal(t, categoryLabel(a.Category), strings.SplitN(row[6], ":", 2)[0], "%s on task %d as of %q", a.UnitName, ts.Task.Number, asOf)
			}
		}
	}
	for _, at := range instants {
		check(at, deadline.DateOf(at, sh).String())
	}
	check(end, "")

	// My tasks, now, for every unit: the same lights.
	now := status.Evaluate(m.planAt(plan, end), pol)
	myRe := regexp.MustCompile(`<span class="light (\w+)"[^>]*>[^<]*</span>\s*<a href="/plans/prop/tasks/(\d+)"`)
	for name, u := range users {
		w.tokens[staffOther], w.sessions[staffOther] = w.startSession(u.ID)
		res := w.do(staffOther, http.MethodGet, "/my", nil)
		require.Equal(t, http.StatusOK, res.Code)
		got := map[string]string{}
		for _, mm := range myRe.FindAllStringSubmatch(res.Body.String(), -1) {
			got[mm[2]] = mm[1]
		}
		want := map[string]string{}
		for _, ts := range now.Tasks {
			for _, a := range ts.Assignments {
				if a.UnitName == name {
					want[strconv.Itoa(ts.Task.Number)] = string(a.Status.Light)
				}
			}
		}
		assert.Equal(t, want, got, "my tasks of %s", name)
	}

	// Renaming every unit changes no rank.
	ranks := func(month string, names map[string]string) map[string]string {
		v := w.api("/api/v1/ranking?plan=prop&month=" + month)
		out := map[string]string{}
		for _, u := range v["units"].([]any) {
			um := u.(map[string]any)
			out[names[um["unit"].(string)]] = fmt.Sprintf("%v %v %v", um["rank"], um["tied"], um["score"])
		}
		return out
	}
	same := map[string]string{}
	for name := range unitIDs {
		same[name] = name
	}
	before := map[string]map[string]string{"2024-02": ranks("2024-02", same), "2024-03": ranks("2024-03", same)}
	back := map[string]string{}
	for i, name := range []string{"市甲局", "市乙局", "甲县人民政府", "乙县人民政府"} {
		u, err := w.db.RegistryUnit(bg, unitIDs[name])
		require.NoError(t, err)
		renamed := fmt.Sprintf("%c单位%d", 'Z'-i, 9-i)
		_, err = w.db.UpdateRegistryUnit(bg, sys, u.ID, u.Version, workplan.UnitEdit{Name: renamed, Kind: u.Kind, Confirmed: true})
		require.NoError(t, err)
		back[renamed] = name
	}
	for month, want := range before {
		assert.Equal(t, want, ranks(month, back), "ranks of %s after renaming every unit", month)
	}
}

// categoryLabel is the Chinese label of a category, as the export writes it.
func categoryLabel(c status.Category) string {
	return map[status.Category]string{status.Overdue: "超期", status.Lagging: "滞后", status.DueSoon: "临期", status.Normal: "正常",
		status.Done: "已完成", status.Unknown: "时限待确认", status.Unassigned: "单位待明确"}[c]
}
