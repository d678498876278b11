package outputs

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// The ledger sheet (台账) has one row per assignment. Its columns K–O are
// for the unit to fill in: they come pre-filled with what the unit last
// reported, so that a weekly update is an edit of the rows that changed,
// and a row left as exported is no change. Column P carries the
// assignment's ID and version ("a12:v3"): the import refuses a changed row
// whose assignment changed since the export, as the report form does.

// LedgerSheet is the name of the sheet that holds the ledger.
const LedgerSheet = "台账"

// MaxImportRows bounds the rows read from an uploaded sheet.
const MaxImportRows = 5000

// Column is one column of the ledger sheet.
type Column struct {
	Letter string
	Header string
	Width  float64
	// Fill marks the columns the unit fills in.
	Fill bool
}

// The columns of the ledger sheet, A to P.
var Columns = []Column{
	{"A", "任务序号", 8, false},
	{"B", "任务名称", 34, false},
	{"C", "单位", 22, false},
	{"D", "角色", 9, false},
	{"E", "完成时限", 18, false},
	{"F", "截止日期", 11, false},
	{"G", "信号灯", 14, false},
	{"H", "当前完成百分比", 9, false},
	{"I", "最近报送时间", 17, false},
	{"J", "最近进展", 36, false},
	{"K", "完成百分比(填报)", 11, true},
	{"L", "进展情况(填报)", 36, true},
	{"M", "存在问题(填报)", 26, true},
	{"N", "下一步计划(填报)", 26, true},
	{"O", "申报完成(填报:是/否)", 12, true},
	{"P", "系统键(请勿修改)", 12, false},
}

// The indexes of the columns the import reads.
const (
	colPercent = 10 + iota
	colProgress
	colProblems
	colNextSteps
	colClaims
	colKey
)

// Fill is what a row says in the columns a unit fills in, as text.
type Fill struct {
	Percent, Progress, Problems, NextSteps, Claims string
}

// normal returns f with surrounding space trimmed and the claim spelled 是 or 否.
func (f Fill) normal() Fill {
	f.Percent = strings.TrimSpace(f.Percent)
	f.Progress = strings.TrimSpace(f.Progress)
	f.Problems = strings.TrimSpace(f.Problems)
	f.NextSteps = strings.TrimSpace(f.NextSteps)
	f.Claims = claimText(f.Claims)
	return f
}

func claimText(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "是", "y", "yes", "true", "1", "√", "✓":
		return "是"
	case "否", "n", "no", "false", "0", "":
		return "否"
	}
	return strings.TrimSpace(s)
}

// LedgerRow is one assignment in the exported ledger.
type LedgerRow struct {
	AssignmentID int64
	Version      int
	TaskNumber   int
	TaskTitle    string
	UnitName     string
	Role         string
	Deadline     string
	Due          string
	Light        deadline.Light
	LightText    string
	Percent      int
	LastReport   string
	LastProgress string
	// Fill pre-fills the columns to fill in: what the unit last reported.
	Fill Fill
}

// Key is the value of column P.
func (r LedgerRow) Key() string { return fmt.Sprintf("a%d:v%d", r.AssignmentID, r.Version) }

func (r LedgerRow) cells() []any {
	pct := any("")
	if r.Fill.Percent != "" {
		if n, err := strconv.Atoi(r.Fill.Percent); err == nil {
			pct = n
		}
	}
	return []any{r.TaskNumber, r.TaskTitle, r.UnitName, r.Role, r.Deadline, r.Due, r.LightText, r.Percent, r.LastReport, r.LastProgress,
		pct, r.Fill.Progress, r.Fill.Problems, r.Fill.NextSteps, r.Fill.Claims, r.Key()}
}

// lightColours are the fill and font colours of each light in the sheet.
var lightColours = map[deadline.Light][2]string{
	deadline.LightRed:    {"FFC7CE", "9C0006"},
	deadline.LightYellow: {"FFEB9C", "9C5700"},
	deadline.LightGreen:  {"C6EFCE", "006100"},
	deadline.LightDone:   {"DDEBF7", "1F4E79"},
	deadline.LightGrey:   {"EDEDED", "404040"},
}

// LightFill is the fill colour (RRGGBB) of light l in the sheet.
func LightFill(l deadline.Light) string { return lightColours[l][0] }

// XLSX writes the ledger as an Excel workbook: the ledger sheet with a frozen,
// filterable header row, each light as text on its colour, the columns to
// fill in shaded and validated, and a sheet of instructions.
func XLSX(title string, rows []LedgerRow) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := writeLedger(f, title, rows); err != nil {
		return nil, fmt.Errorf("report: xlsx: %w", err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("report: xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

func writeLedger(f *excelize.File, title string, rows []LedgerRow) error {
	sh := LedgerSheet
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}, Border: borders()})
	if err != nil {
		return err
	}
	fillHeader, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFE699"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}, Border: borders()})
	if err != nil {
		return err
	}
	fillCell, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Border: borders(), Protection: &excelize.Protection{Locked: false}})
	if err != nil {
		return err
	}
	plain, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Border: borders()})
	if err != nil {
		return err
	}
	key, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "808080"}, Border: borders()})
	if err != nil {
		return err
	}
	lightStyle := map[deadline.Light]int{}
	for l, c := range lightColours {
		id, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c[0]}},
			Font: &excelize.Font{Color: c[1], Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}, Border: borders()})
		if err != nil {
			return err
		}
		lightStyle[l] = id
	}
	for _, c := range Columns {
		if err := f.SetCellStr(sh, c.Letter+"1", c.Header); err != nil {
			return err
		}
		if err := f.SetColWidth(sh, c.Letter, c.Letter, c.Width); err != nil {
			return err
		}
		st := header
		if c.Fill {
			st = fillHeader
		}
		if err := f.SetCellStyle(sh, c.Letter+"1", c.Letter+"1", st); err != nil {
			return err
		}
	}
	if err := f.SetRowHeight(sh, 1, 32); err != nil {
		return err
	}
	last := len(rows) + 1
	for i, r := range rows {
		n := strconv.Itoa(i + 2)
		if err := f.SetSheetRow(sh, "A"+n, ptr(r.cells())); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, "A"+n, "J"+n, plain); err != nil {
			return err
		}
		if st, ok := lightStyle[r.Light]; ok {
			if err := f.SetCellStyle(sh, "G"+n, "G"+n, st); err != nil {
				return err
			}
		}
		if err := f.SetCellStyle(sh, "K"+n, "O"+n, fillCell); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, "P"+n, "P"+n, key); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if len(rows) > 0 {
		if err := f.AutoFilter(sh, "A1:P"+strconv.Itoa(last), nil); err != nil {
			return err
		}
		pct := excelize.NewDataValidation(true)
		pct.Sqref = "K2:K" + strconv.Itoa(last)
		if err := pct.SetRange(0, 100, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		pct.SetError(excelize.DataValidationErrorStyleStop, "完成百分比", "请填写 0 到 100 的整数")
		if err := f.AddDataValidation(sh, pct); err != nil {
			return err
		}
		claims := excelize.NewDataValidation(true)
		claims.Sqref = "O2:O" + strconv.Itoa(last)
		if err := claims.SetDropList([]string{"是", "否"}); err != nil {
			return err
		}
		if err := f.AddDataValidation(sh, claims); err != nil {
			return err
		}
	}
	help := "填报说明"
	if _, err := f.NewSheet(help); err != nil {
		return err
	}
	lines := []string{
		title,
		"1. 只需修改本单位有新进展的行的黄色列(K–O列):完成百分比、进展情况、存在问题、下一步计划、申报完成(是/否)。",
		"2. 黄色列已预填本单位上次报送的内容;未修改的行不会产生新的报送。",
		"3. 申报完成填“是”时,完成百分比应为 100;完成须经牵头单位或督查室审核后才计入。",
		"4. 请勿修改 P 列“系统键”,也不要增删或调换列。其他单位的行不能由本单位导入。",
		"5. 上传后系统逐行校验并预览,确认后才正式报送;如导出后该任务已有新的报送或审核,请重新导出再填报。",
	}
	for i, l := range lines {
		if err := f.SetCellStr(help, "A"+strconv.Itoa(i+1), l); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(help, "A", "A", 110); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return nil
}

func ptr(v []any) *[]any { return &v }

func borders() []excelize.Border {
	var b []excelize.Border
	for _, side := range []string{"left", "right", "top", "bottom"} {
		b = append(b, excelize.Border{Type: side, Color: "BFBFBF", Style: 1})
	}
	return b
}

// CSV writes the ledger as CSV, UTF-8 with a byte order mark so that Excel
// reads the Chinese text: the same columns, the light as text.
func CSV(w io.Writer, rows []LedgerRow) error {
	if _, err := w.Write([]byte("\uFEFF")); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	cw := csv.NewWriter(w)
	var head []string
	for _, c := range Columns {
		head = append(head, c.Header)
	}
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	for _, r := range rows {
		var rec []string
		for _, v := range r.cells() {
			if s, ok := v.(string); ok {
				rec = append(rec, CSVCell(s))
			} else {
				rec = append(rec, fmt.Sprint(v))
			}
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("report: csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	return nil
}

// CSVCell returns s as a CSV cell that a spreadsheet shows as text: a cell
// beginning with =, +, -, @, a tab or a carriage return would be read by
// Excel and WPS as a formula (=HYPERLINK(…), +cmd|' /C calc'!A0, @SUM(…)),
// so it gets a leading apostrophe, which they show as the text after it
// (OWASP, CSV injection). Numbers are written as numbers and need none; a
// report that says "-3 个" loses nothing but its formula reading.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// UploadedRow is one data row of an uploaded ledger sheet.
type UploadedRow struct {
	// Row is the spreadsheet row number (the header is row 1).
	Row          int
	AssignmentID int64
	Version      int
	TaskNumber   string
	UnitName     string
	Fill         Fill
	// KeyError says why column P cannot be read; nil when it can.
	KeyError *workplan.Msg
}

// ReadXLSX reads the ledger sheet of an uploaded workbook. It checks the
// header row against Columns and reads every row that has any content; rows
// whose key cannot be read carry a KeyError. The error is an EInvalid
// message for a file that is not a ledger sheet at all.
func ReadXLSX(r io.Reader) ([]UploadedRow, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 32 << 20})
	if err != nil {
		return nil, workplan.E(workplan.EInvalid, "err.import.unreadable")
	}
	defer f.Close()
	rows, err := f.GetRows(LedgerSheet)
	if err != nil {
		return nil, workplan.E(workplan.EInvalid, "err.import.no_sheet", LedgerSheet)
	}
	if len(rows) == 0 {
		return nil, workplan.E(workplan.EInvalid, "err.import.empty", LedgerSheet)
	}
	for i, c := range Columns {
		got := ""
		if i < len(rows[0]) {
			got = strings.TrimSpace(rows[0][i])
		}
		if got != c.Header {
			return nil, workplan.E(workplan.EInvalid, "err.import.header", c.Letter, c.Header, got)
		}
	}
	if len(rows)-1 > MaxImportRows {
		return nil, workplan.E(workplan.EInvalid, "err.import.rows", len(rows)-1, MaxImportRows)
	}
	var out []UploadedRow
	for i, cells := range rows[1:] {
		cell := func(j int) string {
			if j < len(cells) {
				return cells[j]
			}
			return ""
		}
		empty := true
		for _, c := range cells {
			if strings.TrimSpace(c) != "" {
				empty = false
			}
		}
		if empty {
			continue
		}
		u := UploadedRow{Row: i + 2, TaskNumber: strings.TrimSpace(cell(0)), UnitName: strings.TrimSpace(cell(2)),
			Fill: Fill{Percent: cell(colPercent), Progress: cell(colProgress), Problems: cell(colProblems), NextSteps: cell(colNextSteps), Claims: cell(colClaims)}}
		if _, err := fmt.Sscanf(strings.TrimSpace(cell(colKey)), "a%d:v%d", &u.AssignmentID, &u.Version); err != nil || u.AssignmentID <= 0 || u.Version < 0 {
			m := workplan.M("err.import.key", strconv.Itoa(u.Row), cell(colKey))
			u.KeyError = &m
		}
		out = append(out, u)
	}
	return out, nil
}

// column is the letter and the header of a column, as messages name it:
// "K" and "完成百分比" (the sheet is Chinese, so its headers are quoted as
// they are in either language).
func column(i int) []string {
	c := Columns[i]
	h := c.Header
	if j := strings.Index(h, "("); j > 0 {
		h = h[:j]
	}
	return []string{c.Letter, h}
}
