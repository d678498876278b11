package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

func fmtID(id int64) string { return strconv.FormatInt(id, 10) }

const tokenColumns = `id, name, created_by_name, created_at, last_used_at, revoked_at, expires_at, rate_per_minute`

func scanToken(row pgx.Row) (workplan.APIToken, error) {
	var t workplan.APIToken
	err := row.Scan(&t.ID, &t.Name, &t.CreatedByName, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt, &t.ExpiresAt, &t.RatePerMinute)
	return t, err
}

// ErrTokenExpired refuses an API token past its expiry.
var ErrTokenExpired = workplan.E(workplan.EUnauthorized, "err.api.token_expired")

// CreateAPIToken stores a new API token (hash only) and audits it. A live
// token with the same name is a conflict.
func (db *DB) CreateAPIToken(ctx context.Context, actor workplan.Actor, nt workplan.NewAPIToken) (workplan.APIToken, error) {
	name, hash := strings.TrimSpace(nt.Name), nt.Hash
	if name == "" {
		return workplan.APIToken{}, workplan.E(workplan.EInvalid, "err.token.name")
	}
	if nt.RatePerMinute != nil && *nt.RatePerMinute < 0 {
		return workplan.APIToken{}, workplan.E(workplan.EInvalid, "err.token.rate")
	}
	var t workplan.APIToken
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var by *int64
		if actor.UserID != 0 {
			by = &actor.UserID
		}
		var err error
		t, err = scanToken(tx.QueryRow(ctx, `
			INSERT INTO api_tokens (name, token_hash, created_by, created_by_name, expires_at, rate_per_minute) VALUES ($1, $2, $3, $4, $5, $6)
			RETURNING `+tokenColumns, name, hash, by, actor.Name, nt.ExpiresAt, nt.RatePerMinute))
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "token.create", "api_token", t.ID, nil, map[string]any{"name": name, "expires_at": nt.ExpiresAt, "rate_per_minute": nt.RatePerMinute})
	})
	return t, mapErr(err, "create API token %q", name)
}

// RevokeAPIToken revokes the live token named name and audits it.
func (db *DB) RevokeAPIToken(ctx context.Context, actor workplan.Actor, name string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING id`, name).Scan(&id)
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "token.revoke", "api_token", id, nil, map[string]any{"name": name})
	})
	return mapErr(err, "revoke API token %q", name)
}

// ListAPITokens returns every token, live ones first.
func (db *DB) ListAPITokens(ctx context.Context) ([]workplan.APIToken, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY revoked_at IS NOT NULL, name, id`)
	if err != nil {
		return nil, mapErr(err, "list API tokens")
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.APIToken, error) { return scanToken(row) })
	return list, mapErr(err, "list API tokens")
}

// APITokenByHash returns the live token whose secret hashes to hash, and
// records its use at now (at most once a minute). A revoked or unknown
// token is workplan.ErrNotFound; an expired one is ErrTokenExpired, with
// the token.
func (db *DB) APITokenByHash(ctx context.Context, hash []byte, now time.Time) (workplan.APIToken, error) {
	t, err := scanToken(db.Pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`, hash))
	if err != nil {
		return t, mapErr(err, "find API token")
	}
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return t, fmt.Errorf("postgres: API token %d: %w", t.ID, ErrTokenExpired)
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		if _, err := db.Pool.Exec(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, t.ID, now); err != nil {
			return t, mapErr(err, "record use of API token %d", t.ID)
		}
		t.LastUsedAt = &now
	}
	return t, nil
}
