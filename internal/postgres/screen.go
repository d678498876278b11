package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// Screen tokens open the wall screen of the operations centre and nothing
// else (migration 000041): they live in a table of their own, so that no
// query of API tokens or sessions can ever find one.

const screenTokenColumns = `s.id, s.name, coalesce(p.slug, ''), s.created_by_name, s.created_at, s.last_used_at, s.revoked_at`

const screenTokenFrom = ` FROM screen_tokens s LEFT JOIN plans p ON p.id = s.plan_id `

func scanScreenToken(row pgx.Row) (workplan.ScreenToken, error) {
	var t workplan.ScreenToken
	err := row.Scan(&t.ID, &t.Name, &t.PlanSlug, &t.CreatedByName, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt)
	return t, err
}

// CreateScreenToken stores a new screen token under name (hash only) for
// the plan with slug planSlug ("" for every plan) and audits it. A live
// screen token with the same name is a conflict; an unknown plan is
// workplan.ErrNotFound.
func (db *DB) CreateScreenToken(ctx context.Context, actor workplan.Actor, name, planSlug string, hash []byte) (workplan.ScreenToken, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return workplan.ScreenToken{}, workplan.E(workplan.EInvalid, "err.screen.name")
	}
	var t workplan.ScreenToken
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var planID *int64
		if planSlug != "" {
			var id int64
			if err := tx.QueryRow(ctx, `SELECT id FROM plans WHERE slug = $1`, planSlug).Scan(&id); err != nil {
				return err
			}
			planID = &id
		}
		var by *int64
		if actor.UserID != 0 {
			by = &actor.UserID
		}
		var id int64
		if err := tx.QueryRow(ctx, `
			INSERT INTO screen_tokens (name, token_hash, plan_id, created_by, created_by_name) VALUES ($1, $2, $3, $4, $5)
			RETURNING id`, name, hash, planID, by, actor.Name).Scan(&id); err != nil {
			return err
		}
		var err error
		if t, err = scanScreenToken(tx.QueryRow(ctx, `SELECT `+screenTokenColumns+screenTokenFrom+`WHERE s.id = $1`, id)); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "screen_token.create", "screen_token", t.ID, nil, map[string]any{"name": name, "plan": planSlug})
	})
	return t, mapErr(err, "create screen token %q", name)
}

// RevokeScreenToken revokes the live screen token named name and audits it.
func (db *DB) RevokeScreenToken(ctx context.Context, actor workplan.Actor, name string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `UPDATE screen_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING id`, name).Scan(&id)
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "screen_token.revoke", "screen_token", id, nil, map[string]any{"name": name})
	})
	return mapErr(err, "revoke screen token %q", name)
}

// ListScreenTokens returns every screen token, live ones first.
func (db *DB) ListScreenTokens(ctx context.Context) ([]workplan.ScreenToken, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+screenTokenColumns+screenTokenFrom+`ORDER BY s.revoked_at IS NOT NULL, s.name, s.id`)
	if err != nil {
		return nil, mapErr(err, "list screen tokens")
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.ScreenToken, error) { return scanScreenToken(row) })
	return list, mapErr(err, "list screen tokens")
}

// ScreenTokenByHash returns the live screen token whose secret hashes to
// hash, and records its use at now (at most once a minute). A revoked or
// unknown token is workplan.ErrNotFound.
func (db *DB) ScreenTokenByHash(ctx context.Context, hash []byte, now time.Time) (workplan.ScreenToken, error) {
	t, err := scanScreenToken(db.Pool.QueryRow(ctx, `SELECT `+screenTokenColumns+screenTokenFrom+`WHERE s.token_hash = $1 AND s.revoked_at IS NULL`, hash))
	if err != nil {
		return t, mapErr(err, "find screen token")
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		if _, err := db.Pool.Exec(ctx, `UPDATE screen_tokens SET last_used_at = $2 WHERE id = $1`, t.ID, now); err != nil {
			return t, mapErr(err, "record use of screen token %d", t.ID)
		}
	}
	return t, nil
}
