package server

import (
	"context"
	"strconv"
	"strings"

	"duban/internal/deadline"
	"duban/internal/outputs"
	"duban/internal/status"
	"duban/web"
)

// The indicators travel with the ledger export (export.go): the workbook's
// indicators sheet lists every indicator of the exported tasks as the board
// shows it; the CSV gives each assignment row its unit's latest values and
// the task's.

// exportTasks are the IDs of the tasks a ledger export covers, in order.
func exportTasks(items []ledgerItem) []int64 {
	var ids []int64
	seen := map[int64]bool{}
	for _, it := range items {
		if id := it.Task.Task.ID; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// indicatorSheet is the indicators sheet of the ledger workbook.
func indicatorSheet(ctx context.Context, planTitle string, ps *planState, b *status.Indicators, items []ledgerItem) outputs.IndicatorSheet {
	at := fmtTime(ps.At)
	sh := outputs.IndicatorSheet{Name: web.T(ctx, "ind.sheet"), Title: web.T(ctx, "ind.sheet.title", planTitle, at), StatusCol: 5,
		Header: []string{web.T(ctx, "col.no"), web.T(ctx, "col.task"), web.T(ctx, "col.indicator"), web.T(ctx, "col.target"),
			web.T(ctx, "ind.sheet.rule"), web.T(ctx, "ind.sheet.status"), web.T(ctx, "ind.sheet.value"), web.T(ctx, "ind.sheet.valueat"),
			web.T(ctx, "ind.sheet.reported"), web.T(ctx, "ind.sheet.lastat"), web.T(ctx, "ind.sheet.units")}}
	for _, id := range exportTasks(items) {
		for _, ind := range b.OfTask(id) {
			rule, _ := ruleLabel(ctx, ind)
			value := ""
			if ind.HasValue {
				value = fmtValue(ind.Value) + ind.Indicator.Unit
			}
			reported := web.T(ctx, "ind.reported.none")
			if ind.Counted > 0 {
				reported = web.T(ctx, "ind.reported", ind.Counted, ind.Reported)
			}
			var units []string
			for _, u := range ind.Units {
				units = append(units, unitValueText(ctx, ind, u))
			}
			sh.Rows = append(sh.Rows, outputs.IndicatorSheetRow{Light: sheetLight(ind.Status), Cells: []string{
				strconv.Itoa(ind.Task.Task.Number), ind.Task.Task.Title, ind.Indicator.Text, indicatorTarget(ind.Indicator), rule,
				web.T(ctx, "ind.status."+string(ind.Status)), value, fmtTime(ind.At), reported, fmtTime(ind.LastAt), strings.Join(units, ";"),
			}})
		}
	}
	return sh
}

// sheetLight is the colour of an indicator status in the sheet.
func sheetLight(st status.IndicatorStatus) deadline.Light {
	switch st {
	case status.IndicatorMet:
		return deadline.LightGreen
	case status.IndicatorNotMet:
		return deadline.LightRed
	}
	return deadline.LightGrey
}

// unitValueText is "崆峒区人民政府:1380项(未达标,2023-09-28 10:00)".
func unitValueText(ctx context.Context, ind *status.Indicator, u status.UnitValue) string {
	st := web.T(ctx, "ind.status."+string(unitStatus(u)))
	if !u.Has {
		return u.UnitName + ":" + st
	}
	return u.UnitName + ":" + fmtValue(u.Value) + ind.Indicator.Unit + "(" + st + "," + fmtTime(u.At) + ")"
}

// indicatorColumns are the CSV's indicator columns: for each assignment,
// its unit's latest value of each of its task's indicators, and the task's
// value and status.
func indicatorColumns(ctx context.Context, b *status.Indicators, items []ledgerItem) outputs.IndicatorColumns {
	out := outputs.IndicatorColumns{Header: []string{web.T(ctx, "ind.csv.own"), web.T(ctx, "ind.csv.task")}, Cells: map[int64][]string{}}
	for _, it := range items {
		inds := b.OfTask(it.Task.Task.ID)
		if len(inds) == 0 {
			continue
		}
		var task []string
		for _, ind := range inds {
			v := web.T(ctx, "ind.status."+string(ind.Status))
			if ind.HasValue {
				v = fmtValue(ind.Value) + ind.Indicator.Unit + "(" + v + ")"
			}
			task = append(task, ind.Indicator.Text+":"+v)
		}
		for _, a := range it.assignments() {
			var own []string
			for _, ind := range inds {
				u, ok := ind.Unit(a.UnitID)
				if !ok {
					u = status.UnitValue{UnitName: a.UnitName}
				}
				own = append(own, ind.Indicator.Text+":"+strings.TrimPrefix(unitValueText(ctx, ind, u), u.UnitName+":"))
			}
			out.Cells[a.ID] = []string{strings.Join(own, ";"), strings.Join(task, ";")}
		}
	}
	return out
}
