package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SelectOne runs `SELECT 1`: the one trivial query of the load tests' floor
// page (/debug/floor), which measures what the server costs around the
// simplest database round trip.
func (db *DB) SelectOne(ctx context.Context) (int, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `SELECT 1`).Scan(&n)
	return n, mapErr(err, "select 1")
}

// ReportAudit is what the load and soak tests check after hammering the
// report form: how many reports and report events some assignments have, and
// which reports carry a given marker in their progress text.
type ReportAudit struct {
	// Reports and ReportEvents count rows per assignment.
	Reports, ReportEvents map[int64]int
	// Marked maps the progress text of every report starting with the
	// marker to its assignment; a progress text seen twice maps to -1.
	Marked map[string]int64
}

// AuditReports counts the reports and report events of assignmentIDs and
// collects their reports whose progress text starts with marker ("" for
// none). It reads in one repeatable-read transaction, so the counts agree.
func (db *DB) AuditReports(ctx context.Context, assignmentIDs []int64, marker string) (ReportAudit, error) {
	a := ReportAudit{Reports: map[int64]int{}, ReportEvents: map[int64]int{}, Marked: map[string]int64{}}
	tx, err := db.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return a, mapErr(err, "audit reports: begin")
	}
	defer func() { _ = tx.Rollback(ctx) }()
	count := func(table, extra string, into map[int64]int) error {
		rows, err := tx.Query(ctx, `SELECT assignment_id, count(*) FROM `+table+` WHERE assignment_id = ANY($1) `+extra+` GROUP BY assignment_id`, assignmentIDs)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			into[id] = n
		}
		return rows.Err()
	}
	if err := count("reports", "", a.Reports); err != nil {
		return a, mapErr(err, "audit reports: count reports")
	}
	if err := count("assignment_events", "AND kind = 'report'", a.ReportEvents); err != nil {
		return a, mapErr(err, "audit reports: count events")
	}
	if marker != "" {
		rows, err := tx.Query(ctx, `SELECT progress, assignment_id FROM reports WHERE assignment_id = ANY($1) AND starts_with(progress, $2)`, assignmentIDs, marker)
		if err != nil {
			return a, mapErr(err, "audit reports: marked")
		}
		defer rows.Close()
		for rows.Next() {
			var p string
			var id int64
			if err := rows.Scan(&p, &id); err != nil {
				return a, mapErr(err, "audit reports: marked")
			}
			if _, dup := a.Marked[p]; dup {
				id = -1
			}
			a.Marked[p] = id
		}
		if err := rows.Err(); err != nil {
			return a, mapErr(err, "audit reports: marked")
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return a, fmt.Errorf("postgres: audit reports: %w", err)
	}
	return a, nil
}
