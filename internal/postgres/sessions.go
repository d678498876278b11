package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// StartSession starts a session for user id without a sign-in (tests and
// tools). Sign-in goes through FinishLogin, which also audits.
func (db *DB) StartSession(ctx context.Context, userID int64, ns workplan.NewSession) (int64, error) {
	var id int64
	err := db.inTx(ctx, func(tx pgx.Tx) (err error) {
		id, err = insertSession(ctx, tx, userID, ns)
		return err
	})
	return id, mapErr(err, "start session for user %d", userID)
}

func insertSession(ctx context.Context, tx pgx.Tx, userID int64, ns workplan.NewSession) (int64, error) {
	var id int64
	ua := ns.UserAgent
	if len(ua) > 300 {
		ua = ua[:300]
	}
	err := tx.QueryRow(ctx, `
		INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, client_addr, user_agent)
		VALUES ($1, $2, $3, $3, $4, $5, $6) RETURNING id`,
		ns.TokenHash, userID, ns.Now, ns.ExpiresAt, ns.ClientAddr, ua).Scan(&id)
	return id, err
}

const sessionColumns = `s.id, s.created_at, s.last_seen_at, s.expires_at, s.client_addr, s.user_agent`

// SessionByToken returns the live session whose token hashes to hash, with
// its user. A session that ended, or whose user is disabled, is
// workplan.ErrNotFound. Timeouts are the caller's to check (it has the clock
// and the configuration) with SessionIdle and SessionAbsolute.
func (db *DB) SessionByToken(ctx context.Context, hash []byte) (workplan.Session, error) {
	var s workplan.Session
	var role string
	u := &s.User
	err := db.Pool.QueryRow(ctx, `
		SELECT `+sessionColumns+`, `+userColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN units un ON un.id = u.unit_id
		WHERE s.token_hash = $1 AND s.ended_at IS NULL AND u.disabled_at IS NULL`, hash).Scan(
		&s.ID, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.ClientAddr, &s.UserAgent,
		&u.ID, &u.Username, &u.DisplayName, &u.UnitID, &u.UnitName, &role, &u.MustChangePassword, &u.Disabled, &u.Version)
	u.Role = workplan.UserRole(role)
	return s, mapErr(err, "find session")
}

// TouchSession records that session id was used at now, unless that was
// recorded less than a minute ago: idle tracking then costs one write a
// minute per active user rather than one per request.
func (db *DB) TouchSession(ctx context.Context, id int64, now time.Time) error {
	_, err := db.Pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2::timestamptz - interval '1 minute' AND ended_at IS NULL`, id, now)
	return mapErr(err, "touch session %d", id)
}

// EndSession ends session id of user userID, for reason ("logout",
// "ended_by_user", "idle", "expired"), and audits it. A session that is not
// the user's, or already ended, is workplan.ErrNotFound: nobody can end or
// probe another user's sessions.
func (db *DB) EndSession(ctx context.Context, actor workplan.Actor, userID, sessionID int64, reason string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE sessions SET ended_at = now(), ended_reason = $3
			WHERE id = $1 AND user_id = $2 AND ended_at IS NULL`, sessionID, userID, reason)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		action := "session.end"
		if reason == "logout" {
			action = "logout"
		}
		return audit(ctx, tx, actor, action, "session", sessionID, nil, map[string]any{"user_id": userID, "reason": reason})
	})
	return mapErr(err, "end session %d", sessionID)
}

// endUserSessions ends every live session of user id except keep, audits
// each, and returns how many ended.
func endUserSessions(ctx context.Context, tx pgx.Tx, actor workplan.Actor, userID, keep int64, reason string) (int, error) {
	rows, err := tx.Query(ctx, `
		UPDATE sessions SET ended_at = now(), ended_reason = $3
		WHERE user_id = $1 AND id <> $2 AND ended_at IS NULL RETURNING id`, userID, keep, reason)
	if err != nil {
		return 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := audit(ctx, tx, actor, "session.end", "session", id, nil, map[string]any{"user_id": userID, "reason": reason}); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// ListSessions returns the live sessions of user userID at now, newest
// first: not ended, used within idle, and not past their absolute timeout.
func (db *DB) ListSessions(ctx context.Context, userID int64, now time.Time, idle time.Duration) ([]workplan.Session, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT `+sessionColumns+` FROM sessions s
		WHERE s.user_id = $1 AND s.ended_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3
		ORDER BY s.created_at DESC, s.id DESC`, userID, now, now.Add(-idle))
	if err != nil {
		return nil, mapErr(err, "list sessions of user %d", userID)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.Session, error) {
		var s workplan.Session
		err := row.Scan(&s.ID, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.ClientAddr, &s.UserAgent)
		return s, err
	})
	return list, mapErr(err, "list sessions of user %d", userID)
}
