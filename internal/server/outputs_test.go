package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"duban/internal/auth"
	"duban/internal/deadline"
	"duban/internal/outputs"
	"duban/internal/pgtest"
	"duban/internal/server"
	"duban/internal/status"
	"duban/internal/workplan"
)

// monthPlan is the plan of the month of synthetic history: four county
// governments on task 1 (due March 10), three city departments and an
// enterprise on task 2 (due March 15), and ongoing work on task 3.
const monthPlan = `平凉市人民政府办公室

2024年2月1日

平凉市测试排名方案

  二、主要任务

  (一)测试板块

  1.测试分组

  (1)建设甲平台。完成甲平台建设。

  责任单位:甲县人民政府、乙县人民政府、丙县人民政府、丁县人民政府

  完成时限:2024年3月10日前

  (2)编制乙方案。形成乙方案。

  责任单位:市甲局、市乙局、市丙局、某某公司

  完成时限:2024年3月15日前

  (3)常态化运维。持续开展运维。

  责任单位:甲县人民政府、乙县人民政府、市甲局

  完成时限:持续推进
`

// month is the world with the month of history.
type month struct {
	*world
	slug  string
	staff map[string]workplan.Actor
}

// day sets the clock to 09:00 on March d (April for d > 31).
func (m *month) day(d int) {
	m.clock.mu.Lock()
	m.clock.now = time.Date(2024, 3, d, 9, 0, 0, 0, deadline.Shanghai)
	m.clock.mu.Unlock()
}

func (m *month) asg(task int, unit string) int64 {
	m.t.Helper()
	var id int64
	require.NoError(m.t, m.db.Pool.QueryRow(bg, `
		SELECT a.id FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = a.unit_id
		WHERE p.slug = $1 AND t.number = $2 AND u.name = $3`, m.slug, task, unit).Scan(&id))
	return id
}

// file files a report of unit on task now and returns it.
func (m *month) file(task int, unit string, percent int, claims bool) workplan.Report {
	m.t.Helper()
	id := m.asg(task, unit)
	rep, err := m.db.FileReport(bg, m.staff[unit], workplan.ReportInput{AssignmentID: id, BaseVersion: m.version(id), Percent: percent,
		Progress: unit + "进展" + strconv.Itoa(percent), ClaimsCompletion: claims})
	require.NoError(m.t, err)
	return rep
}

// accept accepts rep an hour later.
func (m *month) accept(rep workplan.Report) {
	m.t.Helper()
	m.clock.Advance(time.Hour)
	_, err := m.db.ReviewReport(bg, workplan.ActorOf(m.users[supervisor], "t", ""), workplan.ReviewInput{ReportID: rep.ID,
		Decision: workplan.DecisionAccept, BaseVersion: m.version(rep.AssignmentID)})
	require.NoError(m.t, err)
}

// newMonth builds a world with the month of March 2024 recorded day by day
// through the store, as the report form and the review page write it, and
// the daily snapshots taken, with the clock on April 2.
func newMonth(t *testing.T) *month {
	t.Helper()
	m := &month{world: newWorld(t), slug: "month", staff: map[string]workplan.Actor{}}
	sys := workplan.System("fixtures")
	units := map[string]workplan.UnitKind{"甲县人民政府": workplan.UnitCountyGovernment, "乙县人民政府": workplan.UnitCountyGovernment,
		"丙县人民政府": workplan.UnitCountyGovernment, "丁县人民政府": workplan.UnitCountyGovernment, "市甲局": workplan.UnitCityDepartment,
		"市乙局": workplan.UnitCityDepartment, "市丙局": workplan.UnitCityDepartment, "某某公司": workplan.UnitEnterprise}
	i := 0
	for name, kind := range units {
		u, err := m.db.CreateRegistryUnit(bg, sys, workplan.UnitEdit{Name: name, Kind: kind, Confirmed: true})
		require.NoError(t, err)
		i++
		m.staff[name] = workplan.ActorOf(m.createUser("m"+strconv.Itoa(i), workplan.UserStaff, u.ID, false), "t", "")
	}
	_, err := m.db.Seed(bg, workplan.SeedInput{Slug: m.slug, SourceName: "month.txt", Source: []byte(monthPlan), Document: mustRead([]byte(monthPlan)), Actor: sys})
	require.NoError(t, err)

	m.day(1)
	m.file(2, "市乙局", 60, false)
	m.file(2, "市丙局", 60, false)
	m.day(2)
	m.file(3, "甲县人民政府", 20, false)
	m.file(3, "乙县人民政府", 20, false)
	m.day(5)
	m.accept(m.file(1, "甲县人民政府", 100, true))
	// 乙县 reports far more often than 甲县: activity must not count.
	for _, d := range []int{3, 4} {
		m.day(d)
		m.file(1, "乙县人民政府", 30*(d-2), false)
	}
	m.day(5)
	m.clock.Advance(2 * time.Hour)
	m.accept(m.file(1, "乙县人民政府", 100, true))
	m.day(8)
	m.file(1, "丙县人民政府", 50, false)
	m.day(9)
	m.file(3, "乙县人民政府", 30, false)
	m.day(10)
	m.file(2, "市乙局", 80, false)
	m.file(2, "市丙局", 80, false)
	m.day(12)
	m.accept(m.file(2, "某某公司", 100, true))
	m.file(3, "乙县人民政府", 40, false)
	m.day(14)
	claim := m.file(2, "市甲局", 100, true)
	m.day(15)
	m.accept(m.file(1, "丙县人民政府", 100, true)) // accepted on the 15th at 10:00; due the 10th
	m.file(3, "乙县人民政府", 50, false)
	m.day(16)
	m.file(3, "乙县人民政府", 60, false)
	m.day(20)
	m.accept(claim) // 市甲局 completed on time, accepted late
	m.day(33)       // April 2
	n, err := m.db.TakeSnapshots(bg, deadline.NewDate(2024, 3, 31))
	require.NoError(t, err)
	require.Equal(t, 31, n, "one snapshot per day from March 1")
	m.refreshSessions()
	return m
}

// refreshSessions starts new sessions for the fixture principals, whose
// sessions timed out while the clock moved.
func (m *month) refreshSessions() {
	for p := staffOwn; p < nPrincipals; p++ {
		m.tokens[p], m.sessions[p] = m.startSession(m.users[p].ID)
	}
}

var (
	rankRowRe = regexp.MustCompile(`<td class="rank"[^>]*>([^<]+)</td><td class="unit"[^>]*>([^<]+)</td>`)
	tableRe   = func(id string) *regexp.Regexp { return regexp.MustCompile(`(?s)data-testid="` + id + `".*?</table>`) }
)

// TestMonthWeeklyAndRanking: a month of history, compared between two dates
// and ranked by outcomes, with ties, through the store and the pages.
func TestMonthWeeklyAndRanking(t *testing.T) {
	t.Parallel()
	m := newMonth(t)
	var planID int64
	require.NoError(t, m.db.Pool.QueryRow(bg, `SELECT id FROM plans WHERE slug = $1`, m.slug).Scan(&planID))
	pol := deadline.DefaultPolicy()
	stateAt := func(d int) []outputs.Item {
		at := outputs.EndOfDay(deadline.NewDate(2024, 3, d))
		pa, err := m.db.PlanAt(bg, planID, at, false)
		require.NoError(t, err)
		return outputs.Items(status.Evaluate(pa, pol))
	}
	from, to := outputs.EndOfDay(deadline.NewDate(2024, 3, 10)), outputs.EndOfDay(deadline.NewDate(2024, 3, 17))
	reports, err := m.db.ReportsBetween(bg, planID, from, to)
	require.NoError(t, err)
	wk := outputs.Compare(deadline.NewDate(2024, 3, 10), deadline.NewDate(2024, 3, 17), stateAt(10), stateAt(17), reports)
	units := func(cs []outputs.Change) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.UnitName)
		}
		return out
	}
	assert.Len(t, wk.Reports, 6, "reports filed after the end of the 10th up to the end of the 17th")
	assert.Equal(t, []string{"丙县人民政府", "某某公司"}, units(wk.Completed), "completions accepted in the week (the 15th and the 12th)")
	assert.Equal(t, []string{"丁县人民政府", "市丙局", "市乙局", "市甲局"}, units(wk.NewlyOverdue))
	assert.Equal(t, []string{"丙县人民政府", "某某公司"}, units(wk.BackOnTrack), "yellow (due soon) on the 10th, done on the 17th")
	require.Len(t, wk.MissedCadence, 2)
	assert.Equal(t, "市甲局", wk.MissedCadence[0].UnitName, "never reported on its ongoing task")
	assert.Equal(t, "甲县人民政府", wk.MissedCadence[1].UnitName)
	assert.Equal(t, 15, wk.MissedCadence[1].Misses[0].DaysSinceReport)

	// The page shows the same.
	res := m.do(leader, http.MethodGet, "/plans/month/weekly?from=2024-03-10&to=2024-03-17", nil)
	require.Equal(t, http.StatusOK, res.Code, res.Body.String())
	body := res.Body.String()
	assert.Contains(t, tableRe("weekly-overdue").FindString(body), "丁县人民政府")
	assert.Contains(t, tableRe("weekly-completed").FindString(body), "丙县人民政府")
	assert.Contains(t, body, `data-testid="weekly-missed"`)
	assert.Equal(t, 6, strings.Count(tableRe("weekly-reports").FindString(body), "<tr>")-1, "every report of the week")
	assert.NotContains(t, body, `data-testid="weekly-reports-capped"`)

	// A week of more reports than the page lists: the newest, and how
	// many there are.
	capped := server.New(testConfig(t), m.db, quietLog(), server.WithClock(m.clock.Now), server.WithPasswordParams(auth.TestParams), server.WithWeeklyReports(4))
	req := httptest.NewRequest(http.MethodGet, "/plans/month/weekly?from=2024-03-10&to=2024-03-17", nil)
	cookies, _ := m.credentials(leader)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	capped.Handler().ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	cbody := rec.Body.String()
	assert.Equal(t, 4, strings.Count(tableRe("weekly-reports").FindString(cbody), "<tr>")-1, "the newest four")
	assert.Contains(t, cbody, "仅列出最近 4 份(共 6 份)")
	assert.Contains(t, cbody, `本期新增报送 <span class="muted">(6)</span>`)

	// The ranking of March: counties 1, 2, 3, 4 and departments 1, 2, 2.
	// 乙县 and 甲县 both complete task 1 on time (乙县 with four reports, 甲县
	// with one: volume earns nothing), but 甲县 left its ongoing task 3
	// unreported after the 2nd, beyond the weekly cadence: timeliness counts.
	res = m.do(leader, http.MethodGet, "/plans/month/ranking?month=2024-03", nil)
	require.Equal(t, http.StatusOK, res.Code, res.Body.String())
	body = res.Body.String()
	assert.Contains(t, body, `data-testid="formula"`)
	assert.Contains(t, body, "综合得分 = (40×按时完成率得分 + 30×未超期得分 + 15×序时进度得分 + 15×按时报送得分) ÷ 100")
	ranked := func(id string) [][2]string {
		var out [][2]string
		for _, mm := range rankRowRe.FindAllStringSubmatch(tableRe(id).FindString(body), -1) {
			out = append(out, [2]string{mm[1], mm[2]})
		}
		return out
	}
	assert.Equal(t, [][2]string{{"1", "乙县人民政府"}, {"2", "甲县人民政府"}, {"3", "丙县人民政府"}, {"4", "丁县人民政府"}}, ranked("rank-county"))
	assert.Equal(t, [][2]string{{"1", "市甲局"}, {"并列第 2 名", "市丙局"}, {"并列第 2 名", "市乙局"}}, ranked("rank-city"))
	assert.Contains(t, tableRe("rank-other").FindString(body), "某某公司", "enterprises are listed apart, unranked")
	assert.NotContains(t, tableRe("rank-other").FindString(body), `class="rank"`)
}

// uploadSheet posts a sheet to the import form as p.
func (w *world) uploadSheet(p who, path, name string, content []byte) *httptest.ResponseRecorder {
	w.t.Helper()
	return w.postFiles(p, path, nil, formFile{"sheet", name, content})
}

// rowOf finds the sheet row of an assignment by its key column.
func rowOf(t *testing.T, f *excelize.File, asg int64) int {
	t.Helper()
	rows, err := f.GetRows(outputs.LedgerSheet)
	require.NoError(t, err)
	for i, r := range rows {
		if len(r) >= 16 && strings.HasPrefix(r[15], "a"+strconv.FormatInt(asg, 10)+":") {
			return i + 1
		}
	}
	t.Fatalf("assignment %d is not in the sheet", asg)
	return 0
}

// TestExcelRoundTrip: export the ledger, edit two rows with excelize, upload:
// the preview shows exactly those two changes and files nothing; confirm:
// both reports are recorded, in one go, with the uploader as author.
// Another unit's row, edited, is refused with its row number.
func TestExcelRoundTrip(t *testing.T) {
	t.Parallel()
	m := newMonth(t)
	jia := m.staff["甲县人民政府"]
	tok, _ := m.startSession(jia.UserID) // 甲县 staff, signed in

	as := func(method, path string, form url.Values) *httptest.ResponseRecorder {
		return m.send(method, path, form, []*http.Cookie{{Name: "duban_session", Value: tok}}, auth.CSRFToken(tok))
	}
	// The ledger links to the export with its filters.
	res := as(http.MethodGet, "/plans/month/tasks?kind=ongoing", nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, res.Body.String(), `href="/plans/month/tasks.xlsx?kind=ongoing"`)
	res = as(http.MethodGet, "/plans/month/tasks.csv?kind=ongoing", nil)
	require.Equal(t, http.StatusOK, res.Code)
	csv := res.Body.String()
	assert.True(t, strings.HasPrefix(csv, "\uFEFF任务序号,"), "CSV with BOM and headers")
	assert.Equal(t, 4, strings.Count(csv, "\n"), "header and the 3 assignments of the one ongoing task")

	res = as(http.MethodGet, "/plans/month/tasks.xlsx", nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, res.Header().Get("Content-Disposition"), ".xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(res.Body.Bytes()))
	require.NoError(t, err)
	ongoing, task1 := m.asg(3, "甲县人民政府"), m.asg(1, "甲县人民政府")
	r1, r2 := rowOf(t, f, ongoing), rowOf(t, f, task1)
	other := rowOf(t, f, m.asg(1, "乙县人民政府"))
	light, err := f.GetCellValue(outputs.LedgerSheet, "G"+strconv.Itoa(r1))
	require.NoError(t, err)
	assert.Contains(t, light, "未报送", "the light as text (甲县's ongoing work is stale)")
	pre, err := f.GetCellValue(outputs.LedgerSheet, "L"+strconv.Itoa(r1))
	require.NoError(t, err)
	assert.Equal(t, "甲县人民政府进展20", pre, "pre-filled with the last report")
	set := func(cell string, v any) { require.NoError(t, f.SetCellValue(outputs.LedgerSheet, cell, v)) }
	set("K"+strconv.Itoa(r1), 35)
	set("L"+strconv.Itoa(r1), "运维巡检已完成")
	set("N"+strconv.Itoa(r2), "做好平台运维")
	buf, err := f.WriteToBuffer()
	require.NoError(t, err)
	sheet := buf.Bytes()
	before := m.count(`SELECT count(*) FROM reports`)

	res = m.uploadAs(tok, "/plans/month/import", "台账.xlsx", sheet)
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	preview := res.Header().Get("Location")
	res = as(http.MethodGet, preview, nil)
	require.Equal(t, http.StatusOK, res.Code)
	body := res.Body.String()
	assert.Equal(t, 2, strings.Count(body, `data-testid="import-row-change"`), "exactly the two edited rows")
	assert.Equal(t, 0, strings.Count(body, `data-testid="import-row-error"`))
	assert.Contains(t, body, "运维巡检已完成")
	assert.Equal(t, before, m.count(`SELECT count(*) FROM reports`), "nothing filed before confirmation")
	// Nobody else sees or applies the preview.
	res = m.do(staffOther, http.MethodPost, preview, nil)
	assert.Equal(t, http.StatusNotFound, res.Code)

	res = as(http.MethodPost, preview, nil)
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	assert.Equal(t, before+2, m.count(`SELECT count(*) FROM reports`))
	assert.Equal(t, 1, m.count(`SELECT count(*) FROM reports WHERE assignment_id = $1 AND author_id = $2 AND percent = 35 AND progress = '运维巡检已完成'`, ongoing, jia.UserID))
	assert.Equal(t, 1, m.count(`SELECT count(*) FROM reports WHERE assignment_id = $1 AND author_id = $2 AND next_steps = '做好平台运维' AND claims_completion`, task1, jia.UserID),
		"an unchanged claim is carried over as the unit last said it")
	assert.Equal(t, 1, m.auditCount("import.apply"))
	res = as(http.MethodGet, preview, nil)
	assert.Contains(t, res.Body.String(), `data-testid="import-applied"`)
	assert.NotContains(t, res.Body.String(), `data-testid="import-apply"`)
	res = as(http.MethodPost, preview, nil)
	assert.Equal(t, http.StatusConflict, res.Code, "applied once only")

	// The same sheet again is stale for the rows just filed; another unit's
	// row, edited, is refused: nothing can be applied.
	set("L"+strconv.Itoa(other), "替乙县填报")
	set("K"+strconv.Itoa(r1), 40)
	buf, err = f.WriteToBuffer()
	require.NoError(t, err)
	res = m.uploadAs(tok, "/plans/month/import", "台账.xlsx", buf.Bytes())
	require.Equal(t, http.StatusSeeOther, res.Code)
	res = as(http.MethodGet, res.Header().Get("Location"), nil)
	body = res.Body.String()
	assert.Contains(t, body, "第"+strconv.Itoa(other)+"行 不是本单位承担的任务")
	assert.Contains(t, body, "第"+strconv.Itoa(r1)+"行 P列(系统键):导出后该任务已有新的报送或审核")
	assert.NotContains(t, body, `data-testid="import-apply"`)

	// A file that is not a ledger sheet is refused on the form.
	res = m.uploadAs(tok, "/plans/month/import", "x.xlsx", []byte("PK junk"))
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Contains(t, res.Body.String(), `data-testid="import-error"`)
}

func (w *world) uploadAs(token, path, name string, content []byte) *httptest.ResponseRecorder {
	w.t.Helper()
	saved := w.tokens[staffOwn]
	w.tokens[staffOwn] = token
	defer func() { w.tokens[staffOwn] = saved }()
	return w.uploadSheet(staffOwn, path, name, content)
}

// TestBulletinStaysAsPublished: a published issue is served byte for byte
// as published, however the data change afterwards; the table refuses
// changes; numbers follow each other.
func TestBulletinStaysAsPublished(t *testing.T) {
	t.Parallel()
	m := newMonth(t) // the clock is on April 2
	period := url.Values{"start": {"2024-03-01"}, "end": {"2024-04-02"}}
	res := m.do(supervisor, http.MethodGet, "/plans/month/bulletins/preview?"+period.Encode(), nil)
	require.Equal(t, http.StatusOK, res.Code, res.Body.String())
	assert.Contains(t, res.Body.String(), `data-testid="preview-banner"`)
	assert.Zero(t, m.count(`SELECT count(*) FROM bulletins`), "a preview is not stored")

	res = m.do(supervisor, http.MethodPost, "/plans/month/bulletins", period)
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	path := res.Header().Get("Location")
	published := m.do(leader, http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, published.Code)
	page := published.Body.Bytes()
	overdue := tableRe("overdue").FindString(string(page))
	assert.Contains(t, string(page), "平凉数字政府建设政务服务专报")
	assert.Contains(t, string(page), "第1期")
	assert.Contains(t, overdue, "丁县人民政府(23天)", "the overdue list names units and days")
	assert.NotEmpty(t, published.Header().Get("ETag"))
	assert.Contains(t, published.Header().Get("Content-Security-Policy"), "style-src 'sha256-")
	docx := m.do(leader, http.MethodGet, path+".docx", nil)
	require.Equal(t, http.StatusOK, docx.Code)
	assert.Equal(t, "PK", string(docx.Body.Bytes()[:2]))
	assert.Equal(t, 1, m.auditCount("bulletin.publish"))

	// Later that day 丁县 and 市乙局 complete their overdue work.
	m.clock.Advance(2 * time.Hour)
	m.accept(m.file(1, "丁县人民政府", 100, true))
	m.accept(m.file(2, "市乙局", 100, true))
	m.refreshSessions()
	again := m.do(leader, http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, again.Code)
	assert.Equal(t, page, again.Body.Bytes(), "byte-identical after the data changed")
	assert.Equal(t, docx.Body.Bytes(), m.do(leader, http.MethodGet, path+".docx", nil).Body.Bytes())
	// A fresh rendering of the same period now says something else.
	fresh := m.do(supervisor, http.MethodGet, "/plans/month/bulletins/preview?"+period.Encode(), nil)
	require.Equal(t, http.StatusOK, fresh.Code)
	assert.NotContains(t, tableRe("overdue").FindString(fresh.Body.String()), "丁县人民政府")

	// The application may not change an issue, nor may the tables' owner.
	owner := pgtest.AsOwner(t, m.db)
	for _, stmt := range []string{`UPDATE bulletins SET html = 'x'`, `DELETE FROM bulletins`} {
		_, err := m.db.Pool.Exec(bg, stmt)
		assert.ErrorContains(t, err, "permission denied", stmt)
		_, err = owner.Exec(bg, stmt)
		assert.ErrorContains(t, err, "cannot be changed", stmt)
	}

	res = m.do(supervisor, http.MethodPost, "/plans/month/bulletins", url.Values{"start": {"2024-03-25"}, "end": {"2024-04-01"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	second := m.do(leader, http.MethodGet, res.Header().Get("Location"), nil)
	assert.Contains(t, second.Body.String(), "第2期")
	list := m.do(leader, http.MethodGet, "/plans/month/bulletins", nil)
	assert.Contains(t, list.Body.String(), `href="`+path+`.docx"`)
	assert.NotContains(t, list.Body.String(), `data-testid="bulletin-form"`, "leaders read, supervisors publish")
}
