package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// SaveImportPreview stores the verdict on an uploaded sheet under token for
// the uploader until expires, and removes expired previews.
func (db *DB) SaveImportPreview(ctx context.Context, actor workplan.Actor, rec workplan.ImportRecord) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		now := db.now()
		if _, err := tx.Exec(ctx, `DELETE FROM import_previews WHERE expires_at < $1`, now); err != nil {
			return mapErr(err, "remove expired previews")
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO import_previews (token, user_id, plan_id, filename, created_at, expires_at, preview)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, rec.Token, actor.UserID, rec.PlanID, rec.Filename, now, rec.ExpiresAt, rec.Preview)
		return mapErr(err, "insert preview")
	})
	if err != nil {
		return fmt.Errorf("postgres: save import preview: %w", err)
	}
	return nil
}

// ImportPreview returns the stored preview token of user userID; another
// user's token is not found.
func (db *DB) ImportPreview(ctx context.Context, userID int64, token string) (workplan.ImportRecord, error) {
	var rec workplan.ImportRecord
	err := db.Pool.QueryRow(ctx, `
		SELECT token, user_id, plan_id, filename, created_at, expires_at, applied_at, preview
		FROM import_previews WHERE token = $1 AND user_id = $2`, token, userID).
		Scan(&rec.Token, &rec.UserID, &rec.PlanID, &rec.Filename, &rec.CreatedAt, &rec.ExpiresAt, &rec.AppliedAt, &rec.Preview)
	if err != nil {
		return rec, fmt.Errorf("postgres: import preview: %w", mapErr(err, "query"))
	}
	return rec, nil
}

// ApplyImport files rows, the changes of the stored preview token of the
// actor (the caller reads them from the preview), in one transaction: every
// change is filed as a report by the actor through the same path as the
// report form (access, archived tasks and versions are checked again), or
// nothing is. A preview is applied at most once and only before it expires.
// It returns the number of reports filed.
func (db *DB) ApplyImport(ctx context.Context, actor workplan.Actor, token string, rows []workplan.ImportRow) (int, error) {
	n := 0
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var applied *time.Time
		var expires time.Time
		var planID int64
		err := tx.QueryRow(ctx, `SELECT plan_id, applied_at, expires_at FROM import_previews WHERE token = $1 AND user_id = $2 FOR UPDATE`,
			token, actor.UserID).Scan(&planID, &applied, &expires)
		if err != nil {
			return mapErr(err, "find preview")
		}
		now := db.now()
		switch {
		case applied != nil:
			return workplan.E(workplan.EConflict, "err.import.applied", applied.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04"))
		case !now.Before(expires):
			return workplan.E(workplan.EInvalid, "err.import.expired")
		}
		if len(rows) == 0 {
			return workplan.E(workplan.EInvalid, "err.import.nothing")
		}
		var reports []int64
		for _, r := range rows {
			in := r.Input
			if err := in.Validate(); err != nil {
				return fmt.Errorf("row %d: %w", r.Row, err)
			}
			rep, err := db.fileReport(ctx, tx.Conn(), false, actor, in)
			var conflict *workplan.ConflictError
			if errors.As(err, &conflict) {
				return workplan.E(workplan.EConflict, "err.import.row_conflict", r.Row)
			}
			if err != nil {
				return fmt.Errorf("row %d: %w", r.Row, err)
			}
			reports = append(reports, rep.ID)
		}
		n = len(reports)
		if _, err := tx.Exec(ctx, `UPDATE import_previews SET applied_at = $2 WHERE token = $1`, token, now); err != nil {
			return mapErr(err, "mark preview applied")
		}
		return audit(ctx, tx, actor, "import.apply", "plan", planID, nil, map[string]any{"reports": reports, "rows": len(rows)})
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: apply import: %w", err)
	}
	return n, nil
}
