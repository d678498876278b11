package server_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"duban/internal/workplan"
)

// indicatorsJSON is GET /api/v1/indicators.
type indicatorsJSON struct {
	Plan       string         `json:"plan"`
	AsOf       string         `json:"as_of"`
	Issued     bool           `json:"issued"`
	Counts     map[string]int `json:"counts"`
	Indicators []struct {
		Task       int     `json:"task"`
		Text       string  `json:"text"`
		Comparator string  `json:"comparator"`
		Target     float64 `json:"target"`
		Unit       string  `json:"unit"`
		Rule       string  `json:"rule"`
		RuleSet    bool    `json:"rule_set"`
		Status     string  `json:"status"`
		Counted    int     `json:"units_counted"`
		Reported   int     `json:"units_reported"`
		Latest     struct {
			Value      *float64   `json:"value"`
			At         *time.Time `json:"at"`
			UnitValues []struct {
				Unit    string     `json:"unit"`
				Role    string     `json:"role"`
				Value   *float64   `json:"value"`
				At      *time.Time `json:"at"`
				Counted bool       `json:"counted"`
			} `json:"unit_values"`
		} `json:"latest"`
	} `json:"indicators"`
}

// indicatorsAPI GETs the indicators API with the world's API token.
func (w *world) indicatorsAPI(query string) indicatorsJSON {
	w.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "/api/v1/indicators?plan="+w.plan.slug+query, nil)
	req.Header.Set("Authorization", "Bearer "+w.apiToken)
	res := w.sendRequest(req)
	require.Equal(w.t, http.StatusOK, res.Code, res.Body.String())
	var out indicatorsJSON
	require.NoError(w.t, json.Unmarshal(res.Body.Bytes(), &out))
	return out
}

// renewSessions starts fresh sessions for every principal: advancing the
// clock by days ends the old ones (idle timeout).
func (w *world) renewSessions() {
	w.t.Helper()
	for p := staffOwn; p < nPrincipals; p++ {
		w.tokens[p], w.sessions[p] = w.startSession(w.users[p].ID)
	}
}

// fileValue files a report of staff p on assignment asg with value v of the
// fixture indicator.
func (w *world) fileValue(p who, asg int64, percent int, v float64, claims bool) {
	w.t.Helper()
	_, err := w.db.FileReport(bg, workplan.ActorOf(w.users[p], "test", "192.0.2.1"), workplan.ReportInput{AssignmentID: asg,
		BaseVersion: w.version(asg), Percent: percent, Progress: "报送指标", ClaimsCompletion: claims,
		Indicators: []workplan.IndicatorValue{{IndicatorID: w.indicator(), Value: v}}})
	require.NoError(w.t, err)
}

// TestIndicatorBoardAgreesWithReports: the fixture's task 1 targets 上线事项
// 100项以上 (the lead unit's figure, from its wording). The board, the
// indicator's page, the task page, the dashboard and the API say the same
// as the reports filed, now and as of each past day; an administrator's
// rule changes how the values combine, everywhere at once.
func TestIndicatorBoardAgreesWithReports(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	slug := w.plan.slug
	lead := w.assignmentOf(1, w.ownUnit.ID)
	resp := w.plan.otherAsg
	day0 := w.clock.Now()

	board := func(query string) string {
		t.Helper()
		res := w.do(leader, http.MethodGet, "/plans/"+slug+"/indicators"+query, nil)
		require.Equal(t, http.StatusOK, res.Code, res.Body.String())
		return res.Body.String()
	}
	one := func(out indicatorsJSON) (string, *float64) {
		t.Helper()
		require.Len(t, out.Indicators, 1, "the fixture plan has one indicator")
		i := out.Indicators[0]
		assert.Equal(t, 1, i.Task)
		assert.Equal(t, ">=", i.Comparator)
		assert.Equal(t, 100.0, i.Target)
		assert.Equal(t, "项", i.Unit)
		return i.Status, i.Latest.Value
	}

	// Nothing reported: no data.
	st, v := one(w.indicatorsAPI(""))
	assert.Equal(t, "no_data", st)
	assert.Nil(t, v)
	assert.Contains(t, board(""), `data-testid="ind-count-no_data">1<`)

	// The responsible unit reports 120: shown, but the lead unit's figure
	// decides, and it has none.
	w.clock.Advance(24 * time.Hour)
	w.renewSessions()
	w.fileValue(staffOther, resp.ID, 60, 120, false)
	out := w.indicatorsAPI("")
	st, v = one(out)
	assert.Equal(t, "no_data", st)
	assert.Nil(t, v)
	assert.Equal(t, "lead", out.Indicators[0].Rule)
	assert.False(t, out.Indicators[0].RuleSet)
	require.Len(t, out.Indicators[0].Latest.UnitValues, 2, "the lead unit (counted, no value) and the responsible unit")
	for _, u := range out.Indicators[0].Latest.UnitValues {
		switch u.Unit {
		case "市大数据中心":
			assert.True(t, u.Counted)
			assert.Nil(t, u.Value)
		case "崆峒区人民政府":
			assert.False(t, u.Counted)
			require.NotNil(t, u.Value)
			assert.Equal(t, 120.0, *u.Value)
		default:
			t.Errorf("unexpected unit %q", u.Unit)
		}
	}

	// The lead unit reports 90: not met.
	w.clock.Advance(24 * time.Hour)
	w.renewSessions()
	day2 := w.clock.Now()
	w.fileValue(staffOwn, lead.ID, 50, 90, false)
	st, v = one(w.indicatorsAPI(""))
	assert.Equal(t, "not_met", st)
	require.NotNil(t, v)
	assert.Equal(t, 90.0, *v)
	b := board("")
	assert.Contains(t, b, `data-testid="ind-count-not_met">1<`)
	assert.Contains(t, b, `data-testid="indicator-value">90项<`)
	assert.Contains(t, b, `data-testid="trend"`, "a value draws a trend")

	// Then 105: met.
	w.clock.Advance(24 * time.Hour)
	w.renewSessions()
	w.fileValue(staffOwn, lead.ID, 80, 105, false)
	out = w.indicatorsAPI("")
	st, v = one(out)
	assert.Equal(t, "met", st)
	assert.Equal(t, 105.0, *v)
	assert.Equal(t, 1, out.Counts["met"])
	assert.Contains(t, board(""), `data-testid="indicator-value">105项<`)
	assert.Contains(t, board("?status=met"), `data-testid="indicator-row"`)
	assert.NotContains(t, board("?status=not_met"), `data-testid="indicator-row"`)

	// As of each past day, the values known then.
	date := func(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") }
	for _, tt := range []struct {
		day    time.Time
		status string
		value  float64
	}{
		{day0, "no_data", 0},
		{day0.Add(24 * time.Hour), "no_data", 0},
		{day2, "not_met", 90},
	} {
		out := w.indicatorsAPI("&as_of=" + date(tt.day))
		assert.Equal(t, date(tt.day), out.AsOf)
		st, v := one(out)
		assert.Equal(t, tt.status, st, date(tt.day))
		if tt.value != 0 && assert.NotNil(t, v, date(tt.day)) {
			assert.Equal(t, tt.value, *v, date(tt.day))
		}
		b := board("?as_of=" + date(tt.day))
		assert.Contains(t, b, `data-testid="asof-notice"`)
		assert.Contains(t, b, `data-testid="ind-count-`+tt.status+`">1<`, date(tt.day))
	}

	// The dashboard counts them; the task page shows the task's value.
	res := w.do(leader, http.MethodGet, "/plans/"+slug+"/dashboard", nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Regexp(t, `data-testid="dash-ind-met">[^<]*1<`, res.Body.String())
	res = w.do(leader, http.MethodGet, "/plans/"+slug+"/tasks/1", nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, res.Body.String(), "105项 已达标")

	// The unit filter shows the unit's own value and filters by it.
	own := board("?unit=" + id(w.otherUnt.ID) + "&status=met")
	assert.Contains(t, own, `data-testid="unit-rows"`)
	assert.Contains(t, own, "120项", "崆峒区's own value")

	// An administrator judges it unit by unit (each responsible unit: 崆峒区,
	// 120): met with 120, on every page at once.
	ind := id(w.indicator())
	res = w.do(admin, http.MethodPost, "/plans/"+slug+"/indicators/"+ind+"/rule", url.Values{"combine": {"each"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	assert.Equal(t, 1, w.auditCount("indicator.combine"))
	out = w.indicatorsAPI("")
	assert.Equal(t, "each", out.Indicators[0].Rule)
	assert.True(t, out.Indicators[0].RuleSet)
	st, v = one(out)
	assert.Equal(t, "met", st)
	assert.Equal(t, 120.0, *v)
	page := w.do(admin, http.MethodGet, "/plans/"+slug+"/indicators/"+ind+"?saved=1", nil)
	require.Equal(t, http.StatusOK, page.Code)
	assert.Contains(t, page.Body.String(), `data-testid="rule-saved"`)
	assert.Contains(t, page.Body.String(), `data-testid="rule-form"`, "administrators get the form")
	page = w.do(leader, http.MethodGet, "/plans/"+slug+"/indicators/"+ind, nil)
	assert.NotContains(t, page.Body.String(), `data-testid="rule-form"`, "others do not")
	// … and back to the wording's rule.
	res = w.do(admin, http.MethodPost, "/plans/"+slug+"/indicators/"+ind+"/rule", url.Values{"combine": {""}})
	require.Equal(t, http.StatusSeeOther, res.Code)
	assert.False(t, w.indicatorsAPI("").Indicators[0].RuleSet)
	res = w.do(admin, http.MethodPost, "/plans/"+slug+"/indicators/"+ind+"/rule", url.Values{"combine": {"median"}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	res = w.do(admin, http.MethodGet, "/plans/"+slug+"/indicators/999999", nil)
	assert.Equal(t, http.StatusNotFound, res.Code)
}

// TestReviewFormWarnsOfIndicatorsBelowTarget: a completion claim whose
// unit's value, or the task's, is below target says so on the review form,
// in the queue and on the assignment page.
func TestReviewFormWarnsOfIndicatorsBelowTarget(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	lead := w.assignmentOf(1, w.ownUnit.ID)
	queue := func() string {
		t.Helper()
		res := w.do(supervisor, http.MethodGet, "/review", nil)
		require.Equal(t, http.StatusOK, res.Code)
		return res.Body.String()
	}
	assert.Contains(t, queue(), `data-testid="review-form"`, "the fixture's claim awaits review")
	assert.NotContains(t, queue(), `data-testid="indicator-warning"`, "no value, nothing below target")

	// The lead unit's figure is 90: the task is below target.
	w.fileValue(staffOwn, lead.ID, 50, 90, false)
	q := queue()
	assert.Contains(t, q, `data-testid="indicator-warning"`)
	assert.Contains(t, q, "任务整体数值为 90项,未达到目标 ≥ 100项")

	// 崆峒区 claims completion with its own 80.
	w.fileValue(staffOther, w.plan.otherAsg.ID, 100, 80, true)
	q = queue()
	assert.Contains(t, q, "本单位报送的指标“上线事项100项以上”最新值为 80项,未达到目标 ≥ 100项")
	res := w.do(staffOwn, http.MethodGet, "/assignments/"+id(w.plan.otherAsg.ID), nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, res.Body.String(), `data-testid="indicator-warning"`, "the lead unit reviews on the assignment page too")

	// Both meet the target: no warning.
	w.fileValue(staffOwn, lead.ID, 100, 130, false)
	w.fileValue(staffOther, w.plan.otherAsg.ID, 100, 110, true)
	assert.NotContains(t, queue(), `data-testid="indicator-warning"`)
}

// TestLedgerExportCarriesIndicators: the workbook has a sheet of the
// indicators as the board shows them; the CSV has the row unit's value and
// the task's.
func TestLedgerExportCarriesIndicators(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.fileValue(staffOwn, w.assignmentOf(1, w.ownUnit.ID).ID, 50, 90, false)
	w.fileValue(staffOther, w.plan.otherAsg.ID, 60, 120, false)

	res := w.do(leader, http.MethodGet, "/plans/"+w.plan.slug+"/tasks.xlsx", nil)
	require.Equal(t, http.StatusOK, res.Code)
	f, err := excelize.OpenReader(bytes.NewReader(res.Body.Bytes()))
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, []string{"台账", "填报说明", "指标"}, f.GetSheetList())
	rows, err := f.GetRows("指标")
	require.NoError(t, err)
	require.Len(t, rows, 3, "title, header, one indicator")
	assert.Equal(t, "指标", rows[1][2])
	assert.Equal(t, []string{"1", "上线事项100项以上", "≥ 100项", "以牵头单位报送为准(按指标表述判断)", "未达标", "90项"},
		[]string{rows[2][0], rows[2][2], rows[2][3], rows[2][4], rows[2][5], rows[2][6]})
	assert.Contains(t, rows[2][10], "崆峒区人民政府:120项(已达标")

	res = w.do(leader, http.MethodGet, "/plans/"+w.plan.slug+"/tasks.csv", nil)
	require.Equal(t, http.StatusOK, res.Code)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body.String(), "\uFEFF"))).ReadAll()
	require.NoError(t, err)
	head := recs[0]
	require.Equal(t, []string{"指标(本单位最新值)", "指标(任务整体)"}, head[len(head)-2:])
	found := 0
	for _, r := range recs[1:] {
		if r[0] != "1" {
			assert.Empty(t, r[len(r)-1], "task %s has no indicator", r[0])
			continue
		}
		found++
		assert.Equal(t, "上线事项100项以上:90项(未达标)", r[len(r)-1])
		switch r[2] {
		case "市大数据中心":
			assert.Contains(t, r[len(r)-2], "上线事项100项以上:90项(未达标,")
		case "崆峒区人民政府":
			assert.Contains(t, r[len(r)-2], "上线事项100项以上:120项(已达标,")
		}
	}
	assert.Equal(t, 2, found)
}
