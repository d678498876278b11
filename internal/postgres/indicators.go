package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// PlanIndicatorReadings returns what the indicator board of plan planID is
// computed from as of at (zero: now): the indicators not archived at that
// instant, by task number and position, and every value reported for them at
// or before at, oldest first. The caller keeps those of the tasks and units
// in force then (status.EvaluateIndicators). One round trip.
func (db *DB) PlanIndicatorReadings(ctx context.Context, planID int64, at time.Time) ([]workplan.Indicator, []workplan.IndicatorReading, error) {
	if at.IsZero() {
		at = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	b := &pgx.Batch{}
	b.Queue(`
		SELECT `+indicatorColumns+`
		FROM indicators i JOIN tasks t ON t.id = i.task_id
		WHERE t.plan_id = $1 AND (i.archived_at IS NULL OR i.archived_at > $2)
		ORDER BY t.number, i.position`, planID, at)
	b.Queue(`
		SELECT v.indicator_id, r.assignment_id, r.id, r.submitted_at, v.value::float8
		FROM indicators i
		JOIN tasks t ON t.id = i.task_id
		JOIN report_indicator_values v ON v.indicator_id = i.id
		JOIN reports r ON r.id = v.report_id
		WHERE t.plan_id = $1 AND (i.archived_at IS NULL OR i.archived_at > $2) AND r.submitted_at <= $2
		ORDER BY r.submitted_at, r.id, v.indicator_id`, planID, at)
	return readIndicatorBatch(db.Pool.SendBatch(ctx, b), planID)
}

// PlanIndicatorLatest returns what the indicator board of plan planID is
// computed from now: its indicators in force, by task number and position,
// and each assignment's latest value of each (indicator_latest: migration
// 000042, upsertIndicatorLatest), oldest first. Its cost follows the plan's
// indicators and units, not the length of its history. Past instants are
// PlanIndicatorReadings'.
func (db *DB) PlanIndicatorLatest(ctx context.Context, planID int64) ([]workplan.Indicator, []workplan.IndicatorReading, error) {
	b := &pgx.Batch{}
	b.Queue(`
		SELECT `+indicatorColumns+`
		FROM indicators i JOIN tasks t ON t.id = i.task_id
		WHERE t.plan_id = $1 AND i.archived_at IS NULL
		ORDER BY t.number, i.position`, planID)
	b.Queue(`
		SELECT l.indicator_id, l.assignment_id, l.report_id, l.submitted_at, l.value::float8
		FROM indicators i JOIN tasks t ON t.id = i.task_id JOIN indicator_latest l ON l.indicator_id = i.id
		WHERE t.plan_id = $1 AND i.archived_at IS NULL
		ORDER BY l.submitted_at, l.report_id, l.indicator_id`, planID)
	return readIndicatorBatch(db.Pool.SendBatch(ctx, b), planID)
}

// upsertIndicatorLatest keeps indicator_latest (migration 000042) in step
// with the values of the reports whose IDs are $1, written in the same
// transaction: each assignment's newest value of each indicator replaces
// the one kept when it is newer. Every writer of report_indicator_values
// runs it (fileReport, copyReports).
const upsertIndicatorLatest = `
	INSERT INTO indicator_latest (indicator_id, assignment_id, report_id, submitted_at, value)
	SELECT DISTINCT ON (v.indicator_id, r.assignment_id) v.indicator_id, r.assignment_id, r.id, r.submitted_at, v.value
	FROM report_indicator_values v JOIN reports r ON r.id = v.report_id
	WHERE v.report_id = ANY($1::bigint[])
	ORDER BY v.indicator_id, r.assignment_id, r.submitted_at DESC, r.id DESC
	ON CONFLICT (indicator_id, assignment_id) DO UPDATE
		SET report_id = EXCLUDED.report_id, submitted_at = EXCLUDED.submitted_at, value = EXCLUDED.value
		WHERE (EXCLUDED.submitted_at, EXCLUDED.report_id) > (indicator_latest.submitted_at, indicator_latest.report_id)`

// readIndicatorBatch reads the indicators and the readings of a batch.
func readIndicatorBatch(br pgx.BatchResults, planID int64) ([]workplan.Indicator, []workplan.IndicatorReading, error) {
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: indicators of plan %d: %w", planID, mapErr(err, "query"))
	}
	inds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.Indicator, error) {
		var i workplan.Indicator
		err := row.Scan(indicatorDest(&i)...)
		return i, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: indicators of plan %d: %w", planID, mapErr(err, "scan"))
	}
	rows, err = br.Query()
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: indicator values of plan %d: %w", planID, mapErr(err, "query"))
	}
	vals, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.IndicatorReading, error) {
		var v workplan.IndicatorReading
		err := row.Scan(&v.IndicatorID, &v.AssignmentID, &v.ReportID, &v.At, &v.Value)
		return v, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: indicator values of plan %d: %w", planID, mapErr(err, "scan"))
	}
	return inds, vals, nil
}

// SetIndicatorCombine sets how the unit values of indicator id of plan
// planID combine (workplan.Combine; "" returns it to the rule its wording
// suggests), audits it and announces the change. An archived indicator, or
// one of another plan, is workplan.ErrNotFound.
func (db *DB) SetIndicatorCombine(ctx context.Context, actor workplan.Actor, planID, id int64, c workplan.Combine) (workplan.Indicator, error) {
	if c != "" && !c.Valid() {
		return workplan.Indicator{}, workplan.E(workplan.EInvalid, "err.indicator.rule", string(c))
	}
	var out workplan.Indicator
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var before string
		err := tx.QueryRow(ctx, `
			SELECT coalesce(i.combine, '') FROM indicators i JOIN tasks t ON t.id = i.task_id
			WHERE i.id = $1 AND t.plan_id = $2 AND i.archived_at IS NULL AND t.archived_at IS NULL
			FOR UPDATE OF i`, id, planID).Scan(&before)
		if err != nil {
			return err
		}
		var set *string
		if c != "" {
			s := string(c)
			set = &s
		}
		i := &out
		if err := tx.QueryRow(ctx, `UPDATE indicators i SET combine = $2 WHERE i.id = $1 RETURNING `+indicatorColumns, id, set).
			Scan(indicatorDest(i)...); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "indicator.combine", "indicator", id,
			map[string]any{"combine": before}, map[string]any{"combine": string(c), "text": out.Text}); err != nil {
			return err
		}
		return notify(ctx, tx, progressPayload(ctx, planID))
	})
	return out, mapErr(err, "set rule of indicator %d", id)
}
