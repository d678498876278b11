package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// The report form is the page of the busiest morning (every unit files at
// once): it reads what it shows and no more, in one round trip.
// TaskIndicators and Reports serve the task and assignment pages, with every
// indicator's latest value across units and every report of the assignment;
// at province scale those two queries were three quarters of PostgreSQL's
// time in the report load test.

// ReportTarget reads what the report form of active assignment id shows, in
// one round trip (a batch of narrow queries, each keyed by the assignment).
// An archived or unknown assignment is workplan.ErrNotFound.
func (db *DB) ReportTarget(ctx context.Context, id int64) (workplan.ReportTarget, error) {
	var out workplan.ReportTarget
	b := &pgx.Batch{}
	b.Queue(assignmentFactsQuery+`a.id = $1`, id)
	b.Queue(`SELECT `+taskColumns+taskFrom+`WHERE t.id = (SELECT task_id FROM assignments WHERE id = $1)`, id)
	b.Queue(`SELECT `+planColumns+` FROM plans p
		WHERE p.id = (SELECT t.plan_id FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE a.id = $1)`, id)
	b.Queue(`
		SELECT `+indicatorColumns+` FROM indicators i
		WHERE i.task_id = (SELECT task_id FROM assignments WHERE id = $1) AND i.archived_at IS NULL ORDER BY i.position`, id)
	b.Queue(`
		SELECT `+reportColumns+`
		FROM assignment_state s JOIN reports r ON r.id = s.last_report_id
		WHERE s.assignment_id = $1`, id)
	b.Queue(`
		SELECT indicator_id, value::float8 FROM report_indicator_values
		WHERE report_id = (SELECT last_report_id FROM assignment_state WHERE assignment_id = $1) ORDER BY indicator_id`, id)
	br := db.Pool.SendBatch(ctx, b)
	err := func() error {
		rows, err := br.Query()
		if err != nil {
			return mapErr(err, "facts")
		}
		facts, err := collectAssignmentFacts(rows)
		if err != nil {
			return err
		}
		if len(facts) == 0 {
			return workplan.ErrNotFound
		}
		out.Facts = facts[0]
		if out.Task, err = scanTask(br.QueryRow()); err != nil {
			return mapErr(err, "task")
		}
		if out.Plan, err = scanPlan(br.QueryRow()); err != nil {
			return mapErr(err, "plan")
		}
		rows, err = br.Query()
		if err != nil {
			return mapErr(err, "indicators")
		}
		out.Indicators, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.Indicator, error) {
			var i workplan.Indicator
			err := row.Scan(indicatorDest(&i)...)
			return i, err
		})
		if err != nil {
			return mapErr(err, "indicators")
		}
		var r workplan.Report
		err = br.QueryRow().Scan(reportDest(&r)...)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return mapErr(err, "last report")
		default:
			out.Last = &r
		}
		rows, err = br.Query()
		if err != nil {
			return mapErr(err, "indicator values")
		}
		vals, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.IndicatorValue, error) {
			var v workplan.IndicatorValue
			err := row.Scan(&v.IndicatorID, &v.Value)
			return v, err
		})
		if err != nil {
			return mapErr(err, "indicator values")
		}
		if out.Last != nil {
			out.Last.Indicators = vals
		}
		return nil
	}()
	if cerr := br.Close(); err == nil && cerr != nil {
		err = mapErr(cerr, "batch")
	}
	if err != nil {
		return workplan.ReportTarget{}, fmt.Errorf("postgres: report form of assignment %d: %w", id, err)
	}
	return out, nil
}
