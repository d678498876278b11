package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// ListPlans returns every plan with its count of tasks that are not archived,
// newest first.
func (db *DB) ListPlans(ctx context.Context) ([]workplan.PlanSummary, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT p.id, p.slug, p.title, p.issued_by, p.issued_on, p.addressees, p.version, p.created_at,
		       (SELECT count(*) FROM tasks t WHERE t.plan_id = p.id AND t.archived_at IS NULL)
		FROM plans p ORDER BY p.created_at DESC, p.id DESC`)
	if err != nil {
		return nil, mapErr(err, "list plans")
	}
	plans, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.PlanSummary, error) {
		var p workplan.PlanSummary
		var issued *time.Time
		err := row.Scan(&p.ID, &p.Slug, &p.Title, &p.IssuedBy, &issued, &p.Addressees, &p.Version, &p.CreatedAt, &p.Tasks)
		p.IssuedOn = dateOf(issued)
		return p, err
	})
	return plans, mapErr(err, "list plans")
}

// dateOf converts a scanned DATE (a time at UTC midnight) to a civil date.
func dateOf(t *time.Time) deadline.Date {
	if t == nil {
		return deadline.Date{}
	}
	return deadline.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
}

// dateArg converts a civil date to a DATE argument (NULL for the zero date).
func dateArg(d deadline.Date) any {
	if d.IsZero() {
		return nil
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}
