package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// The report form is the page of the busiest morning (every unit files at
// once): it reads what it shows and no more. TaskIndicators and Reports
// serve the task and assignment pages, with every indicator's latest value
// across units and every report of the assignment; at province scale those
// two queries were three quarters of PostgreSQL's time in the report load
// test.

// IndicatorTargets returns the active indicators of a task, by position,
// without their latest values.
func (db *DB) IndicatorTargets(ctx context.Context, taskID int64) ([]workplan.Indicator, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT id, task_id, position, text, comparator, value::float8, unit
		FROM indicators WHERE task_id = $1 AND archived_at IS NULL ORDER BY position`, taskID)
	if err != nil {
		return nil, fmt.Errorf("postgres: indicators of task %d: %w", taskID, mapErr(err, "query"))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.Indicator, error) {
		var i workplan.Indicator
		err := row.Scan(&i.ID, &i.TaskID, &i.Position, &i.Text, &i.Comparator, &i.Value, &i.Unit)
		return i, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: indicators of task %d: %w", taskID, mapErr(err, "scan"))
	}
	return out, nil
}

// LastReport returns the latest report of an assignment (the one its
// maintained state points at) with its indicator values, without reviews
// or evidence; workplan.ErrNotFound when it has none.
func (db *DB) LastReport(ctx context.Context, assignmentID int64) (workplan.Report, error) {
	var r workplan.Report
	err := db.Pool.QueryRow(ctx, `
		SELECT r.id, r.assignment_id, coalesce(r.author_id, 0), r.author_name, r.submitted_at, r.percent, r.progress,
		       r.problems, r.next_steps, r.claims_completion
		FROM assignment_state s JOIN reports r ON r.id = s.last_report_id
		WHERE s.assignment_id = $1`, assignmentID).Scan(&r.ID, &r.AssignmentID, &r.AuthorID, &r.AuthorName, &r.SubmittedAt,
		&r.Percent, &r.Progress, &r.Problems, &r.NextSteps, &r.ClaimsCompletion)
	if err != nil {
		return r, fmt.Errorf("postgres: last report of assignment %d: %w", assignmentID, mapErr(err, "query"))
	}
	rows, err := db.Pool.Query(ctx, `SELECT indicator_id, value::float8 FROM report_indicator_values WHERE report_id = $1 ORDER BY indicator_id`, r.ID)
	if err != nil {
		return r, fmt.Errorf("postgres: last report of assignment %d: %w", assignmentID, mapErr(err, "indicator values"))
	}
	r.Indicators, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.IndicatorValue, error) {
		var v workplan.IndicatorValue
		err := row.Scan(&v.IndicatorID, &v.Value)
		return v, err
	})
	if err != nil {
		return r, fmt.Errorf("postgres: last report of assignment %d: %w", assignmentID, mapErr(err, "indicator values"))
	}
	return r, nil
}
