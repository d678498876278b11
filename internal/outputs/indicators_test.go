package outputs

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"duban/internal/deadline"
)

// TestCSVWithIndicatorsEscapesFormulas: the indicator columns keep the
// ledger's rule, and every ledger cell too: no cell begins with = + - @ tab
// or CR.
func TestCSVWithIndicatorsEscapesFormulas(t *testing.T) {
	t.Parallel()
	rows := []LedgerRow{{AssignmentID: 7, TaskNumber: 1, TaskTitle: "=1+1", UnitName: "@unit", Percent: 50, LastProgress: "+cmd|' /C calc'!A0",
		Fill: Fill{Percent: "50", Progress: "-1", Problems: "\tx", NextSteps: "=A1", Claims: "否"}}, {AssignmentID: 8, TaskNumber: 2}}
	ind := IndicatorColumns{Header: []string{"指标(本单位最新值)", "=指标"}, Cells: map[int64][]string{7: {"-3项", "@x:1"}}}
	var buf bytes.Buffer
	require.NoError(t, CSVWithIndicators(&buf, rows, ind))
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 3)
	require.Len(t, recs[0], len(Columns)+2)
	assert.Equal(t, "'=指标", recs[0][len(Columns)+1])
	assert.Equal(t, []string{"'-3项", "'@x:1"}, recs[1][len(Columns):])
	assert.Equal(t, []string{"", ""}, recs[2][len(Columns):], "a row without indicators has empty cells")
	for _, rec := range recs[1:] {
		for i, cell := range rec {
			if cell != "" {
				assert.NotContains(t, "=+-@\t\r", cell[:1], "column %d begins with a formula character: %q", i, cell)
			}
		}
	}
}

// TestXLSXWithIndicators: the workbook keeps the ledger sheet the import
// reads, and adds the indicators sheet after it.
func TestXLSXWithIndicators(t *testing.T) {
	t.Parallel()
	sheet := IndicatorSheet{Name: "指标", Title: "方案 指标", Header: []string{"任务", "指标", "状态"}, StatusCol: 2,
		Rows: []IndicatorSheetRow{{Cells: []string{"16", "网上可办率达99%以上", "已达标"}, Light: deadline.LightGreen}}}
	b, err := XLSXWithIndicators("台账", []LedgerRow{{AssignmentID: 1, TaskNumber: 16, UnitName: "市大数据中心"}}, sheet)
	require.NoError(t, err)
	f, err := excelize.OpenReader(bytes.NewReader(b))
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, []string{LedgerSheet, "填报说明", "指标"}, f.GetSheetList())
	rows, err := f.GetRows("指标")
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"方案 指标"}, {"任务", "指标", "状态"}, {"16", "网上可办率达99%以上", "已达标"}}, rows)
	uploaded, err := ReadXLSX(bytes.NewReader(b))
	require.NoError(t, err, "the import still reads the ledger sheet")
	assert.Len(t, uploaded, 1)
}
