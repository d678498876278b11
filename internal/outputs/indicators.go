package outputs

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"duban/internal/deadline"
)

// The indicators (指标) travel with the ledger export: the workbook gets a
// sheet of its own after the ledger sheet (which the import reads, and so
// keeps its columns A–P), and the CSV two more columns after P. Their text
// comes from the caller, in the interface's language.

// IndicatorSheet is the indicators sheet of the ledger workbook.
type IndicatorSheet struct {
	// Name is the sheet's name, Title its first row.
	Name   string
	Title  string
	Header []string
	Rows   []IndicatorSheetRow
	// StatusCol is the index of the column coloured by each row's Light.
	StatusCol int
}

// IndicatorSheetRow is one indicator in the sheet.
type IndicatorSheetRow struct {
	Cells []string
	Light deadline.Light
}

// IndicatorColumns are the CSV's columns after the ledger's: their headers,
// and each assignment's cells by assignment ID.
type IndicatorColumns struct {
	Header []string
	Cells  map[int64][]string
}

// XLSXWithIndicators writes the ledger workbook (XLSX) with the indicators
// sheet after the ledger sheet.
func XLSXWithIndicators(title string, rows []LedgerRow, sheet IndicatorSheet) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := writeLedger(f, title, rows); err != nil {
		return nil, fmt.Errorf("report: xlsx: %w", err)
	}
	if err := writeIndicators(f, sheet); err != nil {
		return nil, fmt.Errorf("report: xlsx: indicators: %w", err)
	}
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("report: xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

func writeIndicators(f *excelize.File, sh IndicatorSheet) error {
	if _, err := f.NewSheet(sh.Name); err != nil {
		return err
	}
	if err := f.SetCellStr(sh.Name, "A1", sh.Title); err != nil {
		return err
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}, Border: borders()})
	if err != nil {
		return err
	}
	plain, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Border: borders()})
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
	widths := []float64{8, 30, 36, 14, 20, 10, 14, 17, 18, 17, 60}
	last := ""
	for i, h := range sh.Header {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		last = col
		if err := f.SetCellStr(sh.Name, col+"2", h); err != nil {
			return err
		}
		w := 16.0
		if i < len(widths) {
			w = widths[i]
		}
		if err := f.SetColWidth(sh.Name, col, col, w); err != nil {
			return err
		}
	}
	if last == "" {
		return nil
	}
	if err := f.SetCellStyle(sh.Name, "A2", last+"2", header); err != nil {
		return err
	}
	for i, r := range sh.Rows {
		n := strconv.Itoa(i + 3)
		cells := make([]any, len(r.Cells))
		for j, c := range r.Cells {
			cells[j] = c
		}
		if err := f.SetSheetRow(sh.Name, "A"+n, &cells); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh.Name, "A"+n, last+n, plain); err != nil {
			return err
		}
		if st, ok := lightStyle[r.Light]; ok && sh.StatusCol < len(r.Cells) {
			col, err := excelize.ColumnNumberToName(sh.StatusCol + 1)
			if err != nil {
				return err
			}
			if err := f.SetCellStyle(sh.Name, col+n, col+n, st); err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(sh.Name, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if len(sh.Rows) > 0 {
		return f.AutoFilter(sh.Name, "A2:"+last+strconv.Itoa(len(sh.Rows)+2), nil)
	}
	return nil
}

// CSVWithIndicators writes the ledger as CSV (see CSV) with the indicator
// columns after the ledger's. Every text cell that a spreadsheet would read
// as a formula gets a leading apostrophe (CSVCell).
func CSVWithIndicators(w io.Writer, rows []LedgerRow, ind IndicatorColumns) error {
	if _, err := w.Write([]byte("\uFEFF")); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	cw := csv.NewWriter(w)
	var head []string
	for _, c := range Columns {
		head = append(head, c.Header)
	}
	for _, h := range ind.Header {
		head = append(head, CSVCell(h))
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
		extra := ind.Cells[r.AssignmentID]
		for i := range ind.Header {
			s := ""
			if i < len(extra) {
				s = extra[i]
			}
			rec = append(rec, CSVCell(s))
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
