package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// ReportsBetween returns the reports filed on the plan's active assignments
// with from < submitted_at <= to, oldest first.
func (db *DB) ReportsBetween(ctx context.Context, planID int64, from, to time.Time) ([]workplan.ReportRef, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT r.id, r.assignment_id, t.number, u.name, r.author_name, r.submitted_at, r.percent, r.claims_completion
		FROM reports r
		JOIN assignments a ON a.id = r.assignment_id
		JOIN tasks t ON t.id = a.task_id
		JOIN units u ON u.id = a.unit_id
		WHERE t.plan_id = $1 AND t.archived_at IS NULL AND a.archived_at IS NULL
		  AND r.submitted_at > $2 AND r.submitted_at <= $3
		ORDER BY r.submitted_at, r.id`, planID, from, to)
	if err != nil {
		return nil, fmt.Errorf("postgres: reports of plan %d: %w", planID, mapErr(err, "query"))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.ReportRef, error) {
		var r workplan.ReportRef
		err := row.Scan(&r.ReportID, &r.AssignmentID, &r.TaskNumber, &r.UnitName, &r.Author, &r.At, &r.Percent, &r.Claims)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: reports of plan %d: %w", planID, mapErr(err, "scan"))
	}
	return out, nil
}

// PlanIndicators returns the active indicators of the plan's active tasks,
// each with its latest value reported at or before at (at zero: ever), by
// task and position.
func (db *DB) PlanIndicators(ctx context.Context, planID int64, at time.Time) ([]workplan.TaskIndicator, error) {
	out, err := queryIndicators(ctx, db.Pool, at, `t.plan_id = $2 ORDER BY t.number, i.position`, planID)
	if err != nil {
		return nil, fmt.Errorf("postgres: indicators of plan %d: %w", planID, err)
	}
	return out, nil
}

// LatestReports returns the latest report of each of the given assignments
// that has one, by assignment ID (without reviews, evidence or values).
func (db *DB) LatestReports(ctx context.Context, assignmentIDs []int64) (map[int64]workplan.Report, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT `+reportColumns+`
		FROM assignment_state s JOIN reports r ON r.id = s.last_report_id
		WHERE s.assignment_id = ANY($1)`, assignmentIDs)
	if err != nil {
		return nil, fmt.Errorf("postgres: latest reports: %w", mapErr(err, "query"))
	}
	out := map[int64]workplan.Report{}
	for rows.Next() {
		var r workplan.Report
		if err := rows.Scan(reportDest(&r)...); err != nil {
			return nil, fmt.Errorf("postgres: latest reports: %w", mapErr(err, "scan"))
		}
		out[r.AssignmentID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: latest reports: %w", mapErr(err, "scan"))
	}
	return out, nil
}
