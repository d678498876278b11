package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/auth"
	"duban/internal/workplan"
)

// ErrThrottled is returned by BeginLogin when the account or the address
// must wait; the password is then not even checked.
var ErrThrottled = &workplan.Error{Code: workplan.ETooMany, Message: "登录尝试次数过多,请稍后再试"}

// BeginLogin decides, before any password is checked, whether a sign-in as
// username from addr may proceed under the throttle rule th, and records
// the attempt. Proceeding attempts are recorded as pending, which counts as
// a failure until FinishLogin turns it into a success, so that concurrent
// guesses on several replicas all count: an advisory lock per username and
// per address serialises the decision. A throttled attempt is recorded and
// audited, and BeginLogin returns ErrThrottled.
func (db *DB) BeginLogin(ctx context.Context, actor workplan.Actor, username, addr string, now time.Time, th auth.Throttle) (int64, error) {
	username = NormalizeUsername(username)
	var id int64
	throttled := false
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('login:user:' || $1, 0))`, username); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('login:addr:' || $1, 0))`, addr); err != nil {
			return err
		}
		var st auth.AttemptStats
		var last, oldest *time.Time
		err := tx.QueryRow(ctx, `
			SELECT count(*), max(at) FROM login_attempts
			WHERE username = $1 AND outcome IN ('failure', 'pending') AND at > $2
			  AND id > COALESCE((SELECT max(id) FROM login_attempts WHERE username = $1 AND outcome = 'success'), 0)`,
			username, now.Add(-th.AccountWindow)).Scan(&st.AccountFailures, &last)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `
			SELECT count(*), min(at) FROM login_attempts
			WHERE client_addr = $1 AND outcome IN ('failure', 'pending') AND at > $2`,
			addr, now.Add(-th.AddressWindow)).Scan(&st.AddressFailures, &oldest)
		if err != nil {
			return err
		}
		if last != nil {
			st.LastAccountFailure = *last
		}
		if oldest != nil {
			st.OldestAddressFailure = *oldest
		}
		until, refuse := th.Until(st, now)
		outcome := "pending"
		if refuse {
			outcome, throttled = "throttled", true
		}
		if err := tx.QueryRow(ctx, `INSERT INTO login_attempts (at, username, client_addr, outcome) VALUES ($1, $2, $3, $4) RETURNING id`,
			now, username, addr, outcome).Scan(&id); err != nil {
			return err
		}
		if !refuse {
			return nil
		}
		return audit(ctx, tx, actor, "login.throttled", "user", "", nil, map[string]any{
			"username": username, "until": until, "account_failures": st.AccountFailures, "address_failures": st.AddressFailures})
	})
	if err != nil {
		return 0, mapErr(err, "begin sign-in of %q", username)
	}
	if throttled {
		return id, ErrThrottled
	}
	return id, nil
}

// FinishLogin records the attempt as a success, starts a session for user u
// and audits the sign-in, in one transaction. It returns the session's ID.
func (db *DB) FinishLogin(ctx context.Context, attemptID int64, u workplan.User, ns workplan.NewSession, actor workplan.Actor) (int64, error) {
	var id int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE login_attempts SET outcome = 'success' WHERE id = $1`, attemptID); err != nil {
			return err
		}
		var err error
		if id, err = insertSession(ctx, tx, u.ID, ns); err != nil {
			return err
		}
		// Attempts older than any window are of no further use.
		if _, err := tx.Exec(ctx, `DELETE FROM login_attempts WHERE username = $1 AND at < $2`, u.Username, ns.Now.Add(-7*24*time.Hour)); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "login.success", "user", u.ID, nil, map[string]any{"username": u.Username, "session_id": id})
	})
	return id, mapErr(err, "finish sign-in of user %d", u.ID)
}

// FailLogin records the attempt as a failure and audits it. userID is 0 for
// an unknown username; reason says why ("bad_password", "unknown_user",
// "disabled"), for the administrator reading the trail only.
func (db *DB) FailLogin(ctx context.Context, attemptID int64, actor workplan.Actor, username string, userID int64, reason string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE login_attempts SET outcome = 'failure' WHERE id = $1`, attemptID); err != nil {
			return err
		}
		id := ""
		if userID != 0 {
			id = fmtID(userID)
		}
		return audit(ctx, tx, actor, "login.failure", "user", id, nil, map[string]any{"username": NormalizeUsername(username), "reason": reason})
	})
	return mapErr(err, "record failed sign-in")
}
