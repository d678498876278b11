package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/workplan"
)

func (w *world) count(sql string, args ...any) int {
	w.t.Helper()
	var n int
	require.NoError(w.t, w.db.Pool.QueryRow(bg, sql, args...).Scan(&n))
	return n
}

var pdf = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

func TestReportFlowOverHTTP(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	asg := w.plan.otherAsg // 崆峒区 on task 1, led by 市大数据中心 (staffOwn)
	path := "/assignments/" + id(asg.ID) + "/report"

	// The form is pre-filled from the last report.
	res := w.do(staffOther, http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, res.Body.String(), "平台已上线", "pre-filled from the last report")

	// The lead unit returns the completion claim with a reason.
	res = w.do(staffOwn, http.MethodPost, "/reports/"+id(w.plan.claim.ID)+"/review",
		url.Values{"version": {strconv.Itoa(w.version(asg.ID))}, "decision": {"return"}, "reason": {"请补充上线截图"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())

	// Staff refile with evidence; an HTML file disguised as a PDF is refused.
	w.clock.Advance(10 * time.Minute)
	fields := url.Values{"version": {strconv.Itoa(w.version(asg.ID))}, "percent": {"100"}, "progress": {"已补充截图"}, "claims": {"1"}}
	before := w.count(`SELECT count(*) FROM reports`)
	res = w.postFiles(staffOther, path, fields, formFile{"evidence", "截图.pdf", []byte("<!DOCTYPE html><script>alert(1)</script>")})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Contains(t, res.Body.String(), "内容与扩展名不符")
	assert.Contains(t, res.Body.String(), "已补充截图", "what was typed is kept")
	assert.Equal(t, before, w.count(`SELECT count(*) FROM reports`), "nothing written")

	res = w.postFiles(staffOther, path, fields, formFile{"evidence", "截图.pdf", pdf})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	var evID int64
	require.NoError(t, w.db.Pool.QueryRow(bg, `SELECT f.id FROM evidence_files f JOIN reports r ON r.id = f.report_id WHERE r.assignment_id = $1`, asg.ID).Scan(&evID))

	// The evidence is served as an attachment, with its checked type.
	res = w.do(staffOwn, http.MethodGet, "/evidence/"+id(evID), nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Equal(t, "application/pdf", res.Header().Get("Content-Type"))
	assert.Contains(t, res.Header().Get("Content-Disposition"), "attachment")
	assert.Equal(t, pdf, res.Body.Bytes())

	// A supervisor accepts; the task page shows the accepted report.
	var newReport int64
	require.NoError(t, w.db.Pool.QueryRow(bg, `SELECT max(id) FROM reports WHERE assignment_id = $1`, asg.ID).Scan(&newReport))
	res = w.do(supervisor, http.MethodPost, "/reports/"+id(newReport)+"/review",
		url.Values{"version": {strconv.Itoa(w.version(asg.ID))}, "decision": {"accept"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	res = w.do(leader, http.MethodGet, "/plans/fixture/tasks/1", nil)
	require.Equal(t, http.StatusOK, res.Code)
	body := res.Body.String()
	assert.Contains(t, body, "已补充截图")
	assert.Contains(t, body, "请补充上线截图", "the return reason stays in the timeline")
	assert.Contains(t, body, "截图.pdf")

	// Staff of another unit cannot file for this assignment, even by path.
	before = w.count(`SELECT count(*) FROM reports`)
	res = w.postFiles(staffOwn, path, url.Values{"version": {strconv.Itoa(w.version(asg.ID))}, "percent": {"10"}, "progress": {"冒名"}})
	assert.Equal(t, http.StatusForbidden, res.Code)
	assert.Equal(t, before, w.count(`SELECT count(*) FROM reports`))
}

func TestReportStaleVersionGets409(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	asg := w.plan.ownAsg
	path := "/assignments/" + id(asg.ID) + "/report"
	v := strconv.Itoa(w.version(asg.ID))
	res := w.do(staffOwn, http.MethodPost, path, url.Values{"version": {v}, "percent": {"40"}, "progress": {"第一次"}})
	require.Equal(t, http.StatusSeeOther, res.Code)
	res = w.do(staffOwn, http.MethodPost, path, url.Values{"version": {v}, "percent": {"45"}, "progress": {"另一个窗口"}})
	assert.Equal(t, http.StatusConflict, res.Code)
	assert.Contains(t, res.Body.String(), "40%", "the page shows what changed meanwhile")
	assert.Equal(t, 0, w.count(`SELECT count(*) FROM reports WHERE progress = '另一个窗口'`))
}

func TestForgedFieldsAreIgnored(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// A staff member of another unit forges the assignment through a form
	// field: the unit comes from the session, the assignment from the path.
	path := "/assignments/" + id(w.plan.otherAsg.ID) + "/report"
	res := w.do(staffOther, http.MethodPost, path, url.Values{"version": {strconv.Itoa(w.version(w.plan.otherAsg.ID))}, "percent": {"60"},
		"progress": {"正常报送"}, "assignment_id": {id(w.plan.ownAsg.ID)}, "unit_id": {id(w.ownUnit.ID)}, "author_id": {id(w.users[admin].ID)}})
	require.Equal(t, http.StatusSeeOther, res.Code)
	assert.Equal(t, 1, w.count(`SELECT count(*) FROM reports WHERE progress = '正常报送' AND assignment_id = $1 AND author_id = $2`,
		w.plan.otherAsg.ID, w.users[staffOther].ID))
}

func TestDashboardAndAsOf(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	res := w.do(leader, http.MethodGet, "/plans/fixture/dashboard", nil)
	require.Equal(t, http.StatusOK, res.Code)
	body := res.Body.String()
	assert.Contains(t, body, `data-testid="matrix"`)
	assert.Contains(t, body, `data-testid="section-chart"`)
	assert.Contains(t, body, "<svg")

	// A year later both tasks are overdue for the units that have not finished.
	w.clock.Advance(400 * 24 * time.Hour)
	w.tokens[leader], w.sessions[leader] = w.startSession(w.users[leader].ID)
	res = w.do(leader, http.MethodGet, "/plans/fixture/dashboard", nil)
	body = res.Body.String()
	assert.Contains(t, body, `data-testid="overdue"`)
	assert.Contains(t, body, "(2) 编制测试方案")
	// As of the fixture day, nothing was overdue.
	res = w.do(leader, http.MethodGet, "/plans/fixture/dashboard?as_of=2024-03-01", nil)
	require.Equal(t, http.StatusOK, res.Code)
	body = res.Body.String()
	assert.Contains(t, body, `data-testid="asof-notice"`)
	assert.NotContains(t, body, `data-testid="overdue"`)
	// A future or malformed date is a clear error.
	res = w.do(leader, http.MethodGet, "/plans/fixture/dashboard?as_of=2099-01-01", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	res = w.do(leader, http.MethodGet, "/plans/fixture/dashboard?as_of=yesterday", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Contains(t, res.Body.String(), "as_of")
}

func TestLedgerFilters(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	res := w.do(leader, http.MethodGet, "/plans/fixture/tasks?q=测试方案", nil)
	require.Equal(t, http.StatusOK, res.Code)
	body := res.Body.String()
	assert.Contains(t, body, "编制测试方案")
	assert.NotContains(t, body, ">建设测试平台<")
	res = w.do(leader, http.MethodGet, "/plans/fixture/tasks?unit="+id(w.otherUnt.ID), nil)
	body = res.Body.String()
	assert.Contains(t, body, "建设测试平台")
	assert.NotContains(t, body, ">编制测试方案<")
	assert.Contains(t, body, `value="`+id(w.otherUnt.ID)+`" selected`, "the filter is kept in the form")
}

func TestAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	get := func(path string) (*httptest.ResponseRecorder, map[string]any) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+w.apiToken)
		res := w.sendRequest(req)
		var v map[string]any
		if res.Code == http.StatusOK {
			require.NoError(t, json.Unmarshal(res.Body.Bytes(), &v))
		}
		return res, v
	}
	res, v := get("/api/v1/tasks")
	require.Equal(t, http.StatusOK, res.Code)
	assert.Equal(t, "application/json; charset=utf-8", res.Header().Get("Content-Type"))
	tasks := v["tasks"].([]any)
	require.Len(t, tasks, 2)
	t1 := tasks[0].(map[string]any)
	for _, k := range []string{"number", "title", "light", "state", "days_overdue", "deadline", "assignments"} {
		assert.Contains(t, t1, k)
	}
	dl := t1["deadline"].(map[string]any)
	assert.Equal(t, "2024-12-31", dl["due"])
	assert.Equal(t, "due", dl["kind"])
	a := t1["assignments"].([]any)[0].(map[string]any)
	for _, k := range []string{"unit", "role", "light", "state", "percent", "last_report_at"} {
		assert.Contains(t, a, k)
	}

	res, v = get("/api/v1/tasks/2?as_of=2024-02-01")
	require.Equal(t, http.StatusOK, res.Code)
	assert.Equal(t, "2024-02-01", v["as_of"])
	assert.EqualValues(t, 2, v["number"])
	res, _ = get("/api/v1/tasks/99")
	assert.Equal(t, http.StatusNotFound, res.Code)
	assert.True(t, strings.HasPrefix(res.Header().Get("Content-Type"), "application/json"))
}

// TestDashboardCacheFollowsWrites runs the server for real, so that it
// listens for change notifications: a second read of the dashboard comes from
// the cache, and a report filed anywhere makes the next read fresh.
func TestDashboardCacheFollowsWrites(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	base := "http://" + ln.Addr().String()
	cookies, _ := w.credentials(leader)
	fetch := func() (string, string) {
		req, _ := http.NewRequest(http.MethodGet, base+"/plans/fixture/dashboard", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		require.Equal(t, http.StatusOK, res.StatusCode)
		// The form token is masked afresh on every page.
		return res.Header.Get("X-Duban-Cache"), csrfRe.ReplaceAllString(string(b), `name="csrf" value=""`)
	}
	until := func(want string) string {
		deadline := time.Now().Add(5 * time.Second)
		for {
			got, body := fetch()
			if got == want {
				return body
			}
			require.True(t, time.Now().Before(deadline), "cache never reported %q (last %q)", want, got)
			time.Sleep(20 * time.Millisecond)
		}
	}
	first := until("hit")
	assert.Contains(t, first, `data-testid="matrix"`)
	// A report that completes the owning unit's task: the cell must turn done.
	own := workplan.ActorOf(w.users[staffOwn], "t", "192.0.2.1")
	_, err = w.db.FileReport(bg, own, workplan.ReportInput{AssignmentID: w.plan.ownAsg.ID, BaseVersion: w.version(w.plan.ownAsg.ID),
		Percent: 100, ClaimsCompletion: true, Progress: "完成"})
	require.NoError(t, err)
	_, err = w.db.ReviewReport(bg, workplan.ActorOf(w.users[supervisor], "t", "192.0.2.1"), workplan.ReviewInput{
		ReportID: mustLatest(t, w, w.plan.ownAsg.ID), Decision: workplan.DecisionAccept, BaseVersion: w.version(w.plan.ownAsg.ID)})
	require.NoError(t, err)
	fresh := until("miss")
	assert.NotEqual(t, first, fresh)
	assert.Contains(t, fresh, `class="cell done"`)
	assert.Equal(t, fresh, until("hit"), "and then it is cached again")
}

func mustLatest(t *testing.T, w *world, asg int64) int64 {
	t.Helper()
	id, err := strconv.ParseInt(latestReport(t, w, asg), 10, 64)
	require.NoError(t, err)
	return id
}
