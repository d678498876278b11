package server

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"

	"duban/internal/deadline"
	"duban/internal/outputs"
	"duban/internal/status"
	"duban/internal/workplan"
)

// ledgerRows lays out the assignments of tasks as rows of the ledger sheet
// for actor, and returns what an import by actor is checked against: every
// assignment of a task row, the one assignment of a unit's row (the ledger's
// unit filter). The columns to fill in are
// pre-filled with the unit's last report where actor may read it (the same
// rule as the report pages), else left empty: an export never shows more
// than the pages do.
func (s *Server) ledgerRows(ctx context.Context, actor workplan.Actor, items []ledgerItem) ([]outputs.LedgerRow, map[int64]outputs.Current, error) {
	var ids []int64
	for _, it := range items {
		for _, a := range it.assignments() {
			ids = append(ids, a.ID)
		}
	}
	latest, err := s.store.LatestReports(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	var rows []outputs.LedgerRow
	current := map[int64]outputs.Current{}
	for _, it := range items {
		ts := it.Task
		leads := leadIDs(ts)
		for _, a := range it.assignments() {
			lv := lightView(ctx, a.Status)
			row := outputs.LedgerRow{AssignmentID: a.ID, Version: a.Version, TaskNumber: ts.Task.Number, TaskTitle: ts.Task.Title,
				UnitName: a.UnitName, Role: assignmentRole(ctx, a.Role), Deadline: ts.Task.Deadline.Text, Due: a.Status.Due.String(),
				Light: a.Status.Light, LightText: lv.Label + ":" + lv.Reason, Percent: a.Status.Percent, LastReport: fmtTime(a.Facts.LastReportAt)}
			if rep, ok := latest[a.ID]; ok && actor.CanReadReports(a.Assignment, leads) {
				row.LastProgress = rep.Progress
				row.Fill = outputs.Fill{Percent: strconv.Itoa(rep.Percent), Progress: rep.Progress, Problems: rep.Problems, NextSteps: rep.NextSteps, Claims: "否"}
				if rep.ClaimsCompletion {
					row.Fill.Claims = "是"
				}
			}
			rows = append(rows, row)
			current[a.ID] = outputs.Current{AssignmentID: a.ID, Version: a.Version, TaskNumber: ts.Task.Number, TaskTitle: ts.Task.Title,
				UnitName: a.UnitName, Editable: actor.CanFileReport(a.Assignment), Fill: row.Fill}
		}
	}
	return rows, current, nil
}

// exportLedger downloads the ledger with the filters of the ledger page
// (kept in the query string) as .xlsx or .csv: one row per assignment.
func (s *Server) exportLedger(format string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		ps, err := s.requestState(r)
		if err != nil {
			return err
		}
		plan := ps.Plan
		f := ledgerFilter(r.URL.Query())
		items := filterLedger(ps, f)
		rows, _, err := s.ledgerRows(ctx, s.actor(r), items)
		if err != nil {
			return err
		}
		board, err := s.planIndicators(ctx, ps)
		if err != nil {
			return err
		}
		name := "台账-" + plan.Slug + "-" + deadline.DateOf(s.now(), deadline.Shanghai).String() + "." + format
		var body []byte
		switch format {
		case "xlsx":
			title := plan.Title + " 任务台账(导出时间 " + fmtTime(s.now()) + ")"
			if body, err = outputs.XLSXWithIndicators(title, rows, indicatorSheet(ctx, plan.Title, ps, board, items)); err != nil {
				return err
			}
			w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		default:
			var buf bytes.Buffer
			if err := outputs.CSVWithIndicators(&buf, rows, indicatorColumns(ctx, board, items)); err != nil {
				return err
			}
			body = buf.Bytes()
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		}
		w.Header().Set("Content-Disposition", `attachment; filename="ledger-`+plan.Slug+`.`+format+`"; filename*=UTF-8''`+url.PathEscape(name))
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
		return nil
	}
}

// exportLinks returns the export links of the ledger page for its filters.
func exportLinks(slug string, q url.Values) (string, string) {
	v := url.Values{}
	for _, k := range []string{"section", "unit", "cat", "light", "kind", "q", "sort", "as_of"} {
		if x := q.Get(k); x != "" {
			v.Set(k, x)
		}
	}
	qs := ""
	if len(v) > 0 {
		qs = "?" + v.Encode()
	}
	return "/plans/" + slug + "/tasks.xlsx" + qs, "/plans/" + slug + "/tasks.csv" + qs
}

// assignments are the assignments a ledger row stands for: the unit's, or
// every one of the task.
func (it ledgerItem) assignments() []status.Assignment {
	if it.Asg != nil {
		return []status.Assignment{*it.Asg}
	}
	return it.Task.Assignments
}
