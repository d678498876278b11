package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/workplan"
	"duban/seeds"
)

// task28 is a task a revision of the bundled plan adds, due in seven months.
const task28 = `
  (28)建设数字政府运行监测平台。建成全市数字政府运行监测平台,实现运行状态实时监测。

  牵头单位:市大数据中心

  责任单位:各县(市、区)人民政府

  完成时限:2027年6月30日前
`

// bundledWorld is a world whose clock is December 2026 with the bundled plan
// and registry loaded as plan "pl" (version 1), and a revision of it:
// task 10 dropped and task 28 added.
type bundledWorld struct {
	*world
	revision []byte
}

func newBundledWorld(t *testing.T) *bundledWorld {
	t.Helper()
	w := newEmptyWorld(t)
	w.clock.now = time.Date(2026, 12, 1, 9, 0, 0, 0, sh)
	regb, err := seeds.FS.ReadFile(seeds.Registry)
	require.NoError(t, err)
	reg, err := workplan.ParseRegistry(regb)
	require.NoError(t, err)
	sys := workplan.System("fixtures")
	_, err = w.db.SyncRegistry(bg, sys, reg)
	require.NoError(t, err)
	doc, err := seeds.FS.ReadFile(seeds.DefaultPlan)
	require.NoError(t, err)
	_, err = w.db.Seed(bg, workplan.SeedInput{Slug: "pl", SourceName: "plan.txt", Source: doc, Document: mustRead(doc), Actor: sys})
	require.NoError(t, err)
	text := string(doc)
	i := strings.Index(text, "  (10)组建国有大数据公司")
	j := strings.Index(text, "  (二)提升线上政务服务能力")
	require.True(t, i > 0 && j > i)
	text = text[:i] + text[j:]
	k := strings.Index(text, "  三、保障措施")
	require.Positive(t, k)
	text = text[:k] + strings.TrimPrefix(task28, "\n") + "\n" + text[k:]
	w.refreshSessions()
	return &bundledWorld{world: w, revision: []byte(text)}
}

var sh = time.FixedZone("CST", 8*3600)

// refreshSessions starts new sessions for the principals, whose sessions
// time out when the clock moves.
func (w *world) refreshSessions() {
	for p := staffOwn; p < nPrincipals; p++ {
		w.tokens[p], w.sessions[p] = w.startSession(w.users[p].ID)
	}
}

// asgOf returns the assignment of the unit named unit on task n of plan pl.
func (w *bundledWorld) asgOf(n int, unit string) int64 {
	w.t.Helper()
	var id int64
	require.NoError(w.t, w.db.Pool.QueryRow(bg, `
		SELECT a.id FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = a.unit_id
		WHERE p.slug = 'pl' AND t.number = $1 AND u.name = $2`, n, unit).Scan(&id))
	return id
}

// api GETs path with the world's API token and decodes the JSON object.
func (w *world) api(path string) map[string]any {
	w.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+w.apiToken)
	res := w.sendRequest(req)
	require.Equal(w.t, http.StatusOK, res.Code, "%s: %s", path, res.Body.String())
	var out map[string]any
	require.NoError(w.t, json.Unmarshal(res.Body.Bytes(), &out))
	return out
}

func taskNumbers(v map[string]any) []int {
	var out []int
	for _, t := range v["tasks"].([]any) {
		out = append(out, int(t.(map[string]any)["number"].(float64)))
	}
	return out
}

// TestPlanHistoryEndToEnd is the end-to-end case: a unit reports on
// task 10; a reseed drops task 10 and adds task 28 due 2027-06-30; then as of
// 2023-09-01 the plan has task 10 and no task 28, today task 28 is neither
// red nor behind, task 10's page and API still show the report, and this
// month's ranking puts the reporting unit above every silent one.
func TestPlanHistoryEndToEnd(t *testing.T) {
	t.Parallel()
	w := newBundledWorld(t)
	own := workplan.ActorOf(w.users[staffOwn], "t", "")
	asg10 := w.asgOf(10, "市大数据中心")
	_, err := w.db.FileReport(bg, own, workplan.ReportInput{AssignmentID: asg10, BaseVersion: 0, Percent: 40, Progress: "完成公司组建方案起草"})
	require.NoError(t, err)

	w.clock.now = time.Date(2026, 12, 6, 10, 0, 0, 0, sh)
	diff, err := w.db.Seed(bg, workplan.SeedInput{Slug: "pl", SourceName: "revised.txt", Source: w.revision, Document: mustRead(w.revision), Actor: workplan.System("t")})
	require.NoError(t, err)
	require.Len(t, diff.Archived, 1)
	require.Len(t, diff.Added, 1)
	assert.Equal(t, 2, diff.Version)
	w.refreshSessions()

	// As of 2023-09-01: the plan of that day.
	then := w.api("/api/v1/tasks?plan=pl&as_of=2023-09-01")
	assert.Contains(t, taskNumbers(then), 10)
	assert.NotContains(t, taskNumbers(then), 28)
	assert.Len(t, taskNumbers(then), 27)
	assert.Equal(t, 1.0, then["version"])
	res := w.do(leader, http.MethodGet, "/plans/pl/dashboard?as_of=2023-09-01", nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, res.Body.String(), `href="/plans/pl/tasks/10?as_of=2023-09-01"`)
	assert.NotContains(t, res.Body.String(), `href="/plans/pl/tasks/28?as_of=2023-09-01"`)

	res = w.do(staffOwn, http.MethodGet, "/my?as_of=2023-09-01", nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, res.Body.String(), `href="/plans/pl/tasks/10?as_of=2023-09-01"`, "my tasks as of then")
	assert.NotContains(t, res.Body.String(), "/plans/pl/tasks/28")
	assert.NotContains(t, res.Body.String(), `data-testid="report-link"`, "no reporting into the past")
	res = w.do(staffOwn, http.MethodGet, "/my", nil)
	assert.Contains(t, res.Body.String(), `href="/plans/pl/tasks/28"`)
	assert.NotContains(t, res.Body.String(), `href="/plans/pl/tasks/10"`)

	// Today: task 28 is in, neither red nor behind; task 10 is out.
	now := w.api("/api/v1/tasks?plan=pl")
	assert.NotContains(t, taskNumbers(now), 10)
	assert.Contains(t, taskNumbers(now), 28)
	for _, tk := range now["tasks"].([]any) {
		tm := tk.(map[string]any)
		if tm["number"].(float64) != 28 {
			continue
		}
		assert.Equal(t, "green", tm["light"], "a task added today, due in seven months, is on track: %v", tm["reason"])
		assert.NotEqual(t, "lagging", tm["category"])
		assert.NotNil(t, tm["added_at"])
		for _, a := range tm["assignments"].([]any) {
			am := a.(map[string]any)
			assert.Equal(t, "green", am["light"], "%v: %v", am["unit"], am["reason"])
		}
	}

	// Task 10 stays readable: its page and the API show the report, archived.
	res = w.do(leader, http.MethodGet, "/plans/pl/tasks/10", nil)
	require.Equal(t, http.StatusOK, res.Code)
	body := res.Body.String()
	assert.Contains(t, body, "完成公司组建方案起草")
	assert.Contains(t, body, "已归档")
	assert.Contains(t, body, "第 2 版")
	assert.NotContains(t, body, "light.", "no raw message key")
	assert.Contains(t, body, "市大数据中心")
	res = w.do(staffOwn, http.MethodGet, "/assignments/"+id(asg10), nil)
	require.Equal(t, http.StatusOK, res.Code, "an archived assignment stays readable")
	assert.Contains(t, res.Body.String(), "完成公司组建方案起草")
	assert.NotContains(t, res.Body.String(), `action="/assignments/`+id(asg10)+`/extension"`, "read-only")
	res = w.do(staffOwn, http.MethodGet, "/assignments/"+id(asg10)+"/report", nil)
	assert.Equal(t, http.StatusNotFound, res.Code, "no report on an archived assignment")
	t10 := w.api("/api/v1/tasks/10?plan=pl")
	assert.Equal(t, true, t10["archived"])
	assert.Equal(t, 2.0, t10["archived_in_version"])
	reports := t10["reports"].([]any)
	require.Len(t, reports, 1)
	assert.Equal(t, "完成公司组建方案起草", reports[0].(map[string]any)["progress"])

	// This month's ranking: the unit that reported ranks above every silent one.
	rk := w.api("/api/v1/ranking?plan=pl&month=2026-12")
	rank := map[string]int{}
	silent := map[string]bool{}
	for _, u := range rk["units"].([]any) {
		um := u.(map[string]any)
		if um["group"] == "city" {
			rank[um["unit"].(string)] = int(um["rank"].(float64))
			silent[um["unit"].(string)] = um["silent"].(bool)
		}
	}
	require.Contains(t, rank, "市大数据中心")
	assert.False(t, silent["市大数据中心"])
	for name, r := range rank {
		if name != "市大数据中心" {
			assert.True(t, silent[name], name)
			assert.Greater(t, r, rank["市大数据中心"], "%s ranks below the unit that reported", name)
		}
	}
}

// TestDashboardSeparatesOverdueFromLagging: the cards count 超期 and 滞后
// apart, agree with the API, list every late unit with its total, and never
// count a collective designation; before the issue date the plan is not
// issued.
func TestDashboardSeparatesOverdueFromLagging(t *testing.T) {
	t.Parallel()
	w := newBundledWorld(t)
	const asOf = "2023-09-20"
	v := w.api("/api/v1/tasks?plan=pl&as_of=" + asOf)
	cats := map[string]int{}
	overdueUnits := map[string]bool{}
	for _, tk := range v["tasks"].([]any) {
		tm := tk.(map[string]any)
		cats[tm["category"].(string)]++
		for _, a := range tm["assignments"].([]any) {
			am := a.(map[string]any)
			if am["category"] == "overdue" && am["role"] != "cooperating" {
				overdueUnits[am["unit"].(string)] = true
			}
			assert.NotContains(t, []string{"市直有关部门", "市直相关部门", "市直有关单位", "中、省驻平有关单位", "有关企业"}, am["unit"],
				"a designation is never an assignment's unit")
		}
	}
	require.Positive(t, cats["overdue"])
	require.Positive(t, cats["lagging"])
	res := w.do(leader, http.MethodGet, "/plans/pl/dashboard?as_of="+asOf, nil)
	require.Equal(t, http.StatusOK, res.Code)
	body := res.Body.String()
	for _, c := range []string{"overdue", "lagging", "normal", "done"} {
		assert.Contains(t, body, `data-testid="count-`+c+`">`+strconv.Itoa(cats[c])+`<`, c)
	}
	assert.Contains(t, body, "超期单位共 "+strconv.Itoa(len(overdueUnits))+" 个")
	assert.Contains(t, body, `data-testid="unmapped"`)
	assert.Contains(t, body, "市直有关部门")
	overdue := tableRe("overdue").FindString(body)
	assert.NotContains(t, overdue, "市直有关部门")

	// Before the issue date (2023-08-01) the plan did not exist.
	res = w.do(leader, http.MethodGet, "/plans/pl/dashboard?as_of=2023-07-01", nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, res.Body.String(), `data-testid="not-issued"`)
	assert.NotContains(t, res.Body.String(), `data-testid="count-normal"`)
	early := w.api("/api/v1/tasks?plan=pl&as_of=2023-07-01")
	assert.Equal(t, false, early["issued"])
	assert.Empty(t, early["tasks"])
}

// TestLedgerFiltersAssignments: the ledger honours as_of; with a unit, its
// rows are that unit's parts and the status filter selects among them;
// search finds units by name. Units show by registry name or short name,
// never cut.
func TestLedgerFiltersAssignments(t *testing.T) {
	t.Parallel()
	w := newBundledWorld(t)
	own := workplan.ActorOf(w.users[staffOwn], "t", "")
	// 市大数据中心 completes its part of task 19, whose other units do not.
	asg := w.asgOf(19, "市大数据中心")
	rep, err := w.db.FileReport(bg, own, workplan.ReportInput{AssignmentID: asg, Percent: 100, Progress: "完成", ClaimsCompletion: true})
	require.NoError(t, err)
	_, err = w.db.ReviewReport(bg, workplan.ActorOf(w.users[supervisor], "t", ""), workplan.ReviewInput{ReportID: rep.ID,
		Decision: workplan.DecisionAccept, BaseVersion: 1})
	require.NoError(t, err)
	var unit int64
	require.NoError(t, w.db.Pool.QueryRow(bg, `SELECT id FROM units WHERE name = '市大数据中心'`).Scan(&unit))

	res := w.do(leader, http.MethodGet, "/plans/pl/tasks?cat=done&unit="+id(unit), nil)
	require.Equal(t, http.StatusOK, res.Code)
	rows := tableRe("ledger").FindString(res.Body.String())
	assert.Contains(t, rows, "/assignments/"+id(asg), "the unit's own part, done, though the task is overdue")
	assert.Equal(t, 1, strings.Count(rows, "<tr>")-1)
	res = w.do(leader, http.MethodGet, "/plans/pl/tasks?cat=done", nil)
	assert.Contains(t, res.Body.String(), `data-testid="ledger-filters"`)
	assert.NotContains(t, tableRe("ledger").FindString(res.Body.String()), "/plans/pl/tasks/19", "task 19 as a whole is not done")

	// Search matches unit names: 人行平凉市中心支行 is named by task 22 only,
	// in its list of units, not in its text.
	res = w.do(leader, http.MethodGet, "/plans/pl/tasks?q="+url.QueryEscape("人行平凉"), nil)
	rows = tableRe("ledger").FindString(res.Body.String())
	assert.Contains(t, rows, "/plans/pl/tasks/22")
	assert.Equal(t, 1, strings.Count(rows, "<tr>")-1)

	// As of a date before the completion it is not done.
	res = w.do(leader, http.MethodGet, "/plans/pl/tasks?as_of=2023-09-01&cat=done&unit="+id(unit), nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, res.Body.String(), `data-testid="asof-notice"`)
	assert.NotContains(t, res.Body.String(), "/assignments/"+id(asg))

	// Matrix headers: registry short names or full names, never cut ones.
	res = w.do(leader, http.MethodGet, "/plans/pl/dashboard", nil)
	mx := tableRe("matrix").FindString(res.Body.String())
	assert.Contains(t, mx, `title="崆峒区人民政府"><span>崆峒区</span>`)
	assert.Contains(t, mx, `title="市委组织部"><span>市委组织部</span>`)
	assert.NotContains(t, mx, "<span>委组织部</span>")
	assert.NotContains(t, mx, "直有关部门")
}

// TestMappingADesignationThroughItsPage: a supervisor maps 市直有关部门 on
// task 2 to a concrete unit through the task's designation page. The preview
// writes nothing; applying takes effect at once (no re-upload): the API lists
// the unit under the designation and as an assignment, the unit's staff find
// the task on /my, and the dashboard's to-do of unmapped designations empties.
func TestMappingADesignationThroughItsPage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	taskAPI := "/api/v1/tasks/2?plan=" + w.plan.slug
	designationOf := func(v map[string]any) map[string]any {
		ds := v["designations"].([]any)
		require.Len(t, ds, 1)
		return ds[0].(map[string]any)
	}
	unitsOf := func(v map[string]any) []string {
		var out []string
		for _, a := range v["assignments"].([]any) {
			out = append(out, a.(map[string]any)["unit"].(string))
		}
		return out
	}
	before := w.api(taskAPI)
	d := designationOf(before)
	assert.Equal(t, "市直有关部门", d["text"])
	assert.Equal(t, false, d["mapped"])
	assert.Empty(t, d["units"])
	assert.Equal(t, []string{"市大数据中心"}, unitsOf(before), "a designation is never an assignment")
	dash := w.do(leader, http.MethodGet, "/plans/"+w.plan.slug+"/dashboard", nil).Body.String()
	assert.Contains(t, dash, `data-testid="unmapped"`)
	assert.NotContains(t, w.do(staffOther, http.MethodGet, "/my", nil).Body.String(), "编制测试方案")

	page := "/plans/" + w.plan.slug + "/tasks/2/designations/" + id(w.designation.ID)
	res := w.do(supervisor, http.MethodGet, page, nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, res.Body.String(), `data-testid="designation-form"`)
	assert.Contains(t, res.Body.String(), "崆峒区人民政府", "concrete units are offered")

	form := url.Values{"action": {"preview"}, "member": {id(w.otherUnt.ID)}}
	res = w.do(supervisor, http.MethodPost, page, form)
	require.Equal(t, http.StatusOK, res.Code)
	preview := regexp.MustCompile(`(?s)data-testid="mapping-preview".*?</section>`).FindString(res.Body.String())
	assert.Contains(t, preview, "崆峒区人民政府", "the preview names the unit that joins")
	assert.Equal(t, before, w.api(taskAPI), "a preview writes nothing")

	form.Set("action", "apply")
	res = w.do(supervisor, http.MethodPost, page, form)
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	assert.Contains(t, res.Header().Get("Location"), "mapped=1")

	after := w.api(taskAPI)
	d = designationOf(after)
	assert.Equal(t, true, d["mapped"])
	assert.Equal(t, []any{"崆峒区人民政府"}, d["units"])
	assert.ElementsMatch(t, []string{"市大数据中心", "崆峒区人民政府"}, unitsOf(after))
	assert.NotContains(t, unitsOf(after), "市直有关部门")
	assert.Contains(t, w.do(staffOther, http.MethodGet, "/my", nil).Body.String(), "编制测试方案",
		"the unit's staff find the task at once")
	dash = w.do(leader, http.MethodGet, "/plans/"+w.plan.slug+"/dashboard", nil).Body.String()
	assert.NotContains(t, dash, `data-testid="unmapped"`, "nothing left to map")

	// Staff may not map.
	res = w.do(staffOwn, http.MethodPost, page, url.Values{"action": {"clear"}})
	assert.Equal(t, http.StatusForbidden, res.Code)
}
