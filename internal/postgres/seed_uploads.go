package postgres

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// SaveSeedUpload keeps an uploaded plan document until it is confirmed or
// expires, and removes expired ones.
func (db *DB) SaveSeedUpload(ctx context.Context, u workplan.SeedUpload) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM seed_uploads WHERE expires_at < $1`, db.now()); err != nil {
			return mapErr(err, "remove expired uploads")
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO seed_uploads (token, user_id, slug, source_name, source, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, u.Token, u.UserID, u.Slug, u.SourceName, u.Source, db.now(), u.ExpiresAt)
		return mapErr(err, "insert upload")
	})
	if err != nil {
		return fmt.Errorf("postgres: save seed upload: %w", err)
	}
	return nil
}

// SeedUpload returns the upload token of user userID that has not expired;
// another user's or an expired token is not found.
func (db *DB) SeedUpload(ctx context.Context, userID int64, token string) (workplan.SeedUpload, error) {
	var u workplan.SeedUpload
	err := db.Pool.QueryRow(ctx, `
		SELECT token, user_id, slug, source_name, source, created_at, expires_at, applied_at
		FROM seed_uploads WHERE token = $1 AND user_id = $2 AND expires_at > $3`, token, userID, db.now()).
		Scan(&u.Token, &u.UserID, &u.Slug, &u.SourceName, &u.Source, &u.CreatedAt, &u.ExpiresAt, &u.AppliedAt)
	if err != nil {
		return u, fmt.Errorf("postgres: seed upload: %w", mapErr(err, "query"))
	}
	return u, nil
}

// ApplySeedUpload loads the upload, as doc (what the caller's parser read
// from it), into its plan (Seed, refusing if the plan is no longer at the
// version the preview showed) and marks the upload applied, in one
// transaction: an upload is applied at most once.
func (db *DB) ApplySeedUpload(ctx context.Context, actor workplan.Actor, token string, expectVersion int, doc *workplan.Document) (workplan.SeedDiff, error) {
	u, err := db.SeedUpload(ctx, actor.UserID, token)
	if err != nil {
		return workplan.SeedDiff{}, err
	}
	if u.AppliedAt != nil {
		return workplan.SeedDiff{}, workplan.E(workplan.EConflict, "err.seed.applied_at", u.AppliedAt.Format("2006-01-02 15:04"))
	}
	in := workplan.SeedInput{Slug: u.Slug, SourceName: u.SourceName, Source: u.Source, Document: doc, ExpectVersion: &expectVersion, Actor: actor}
	return db.seed(ctx, in, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE seed_uploads SET applied_at = $2 WHERE token = $1 AND applied_at IS NULL`, token, db.now())
		if err != nil {
			return mapErr(err, "mark upload applied")
		}
		if tag.RowsAffected() != 1 {
			return workplan.E(workplan.EConflict, "err.seed.applied")
		}
		return nil
	})
}

// PlanVersions lists the applied documents of a plan, newest first.
func (db *DB) PlanVersions(ctx context.Context, planID int64) ([]workplan.PlanVersion, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT version, source_name, sha256, length(source), applied_by_name, applied_at, summary
		FROM plan_versions WHERE plan_id = $1 ORDER BY version DESC`, planID)
	if err != nil {
		return nil, fmt.Errorf("postgres: plan versions: %w", mapErr(err, "query"))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.PlanVersion, error) {
		var v workplan.PlanVersion
		var sum []byte
		err := row.Scan(&v.Version, &v.SourceName, &sum, &v.Size, &v.AppliedByName, &v.AppliedAt, &v.Summary)
		v.SHA256 = hex.EncodeToString(sum)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: plan versions: %w", mapErr(err, "scan"))
	}
	return out, nil
}

// PlanVersionSource returns the document of one version of a plan.
func (db *DB) PlanVersionSource(ctx context.Context, planID int64, version int) (string, []byte, error) {
	var name string
	var src []byte
	err := db.Pool.QueryRow(ctx, `SELECT source_name, source FROM plan_versions WHERE plan_id = $1 AND version = $2`, planID, version).Scan(&name, &src)
	if err != nil {
		return "", nil, fmt.Errorf("postgres: plan %d version %d: %w", planID, version, mapErr(err, "query"))
	}
	return name, src, nil
}
