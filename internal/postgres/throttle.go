package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/auth"
	"duban/internal/workplan"
)

// Password attempts — sign-ins and changes of one's own password — share
// one record (login_attempts) and one throttle rule: guessing a password
// through either counts against the same account and address.

// BeginLogin decides, before any password is checked, whether a sign-in as
// username from addr may proceed under the throttle rule th, and records
// the attempt. Proceeding attempts are recorded as pending, which counts as
// a failure until FinishLogin turns it into a success, so that concurrent
// guesses on several replicas all count: an advisory lock per username and
// per address serialises the decision. A throttled attempt is recorded and
// audited, and BeginLogin returns a *workplan.ThrottledError saying until
// when.
func (db *DB) BeginLogin(ctx context.Context, actor workplan.Actor, username, addr string, now time.Time, th auth.Throttle) (int64, error) {
	return db.beginAttempt(ctx, "login", actor, username, addr, now, th)
}

// BeginPasswordCheck is BeginLogin for a signed-in user about to prove
// they know their current password (to change it): the same rule, the same
// counts. Finish it with PassPasswordCheck or FailPasswordCheck.
func (db *DB) BeginPasswordCheck(ctx context.Context, actor workplan.Actor, username, addr string, now time.Time, th auth.Throttle) (int64, error) {
	return db.beginAttempt(ctx, "password", actor, username, addr, now, th)
}

// attemptStats reads the counts of the throttle rule for username and addr.
func attemptStats(ctx context.Context, tx pgx.Tx, username, addr string, now time.Time, th auth.Throttle) (auth.AttemptStats, error) {
	var st auth.AttemptStats
	var last, lastAddr *time.Time
	err := tx.QueryRow(ctx, `
		SELECT count(*), max(at) FROM login_attempts
		WHERE username = $1 AND outcome IN ('failure', 'pending') AND at > $2
		  AND id > COALESCE((SELECT max(id) FROM login_attempts WHERE username = $1 AND outcome IN ('success', 'lifted')), 0)`,
		username, now.Add(-th.AccountWindow)).Scan(&st.AccountFailures, &last)
	if err != nil {
		return st, err
	}
	err = tx.QueryRow(ctx, `
		SELECT count(*), max(at) FROM login_attempts
		WHERE client_addr = $1 AND outcome IN ('failure', 'pending') AND at > $2
		  AND id > COALESCE((SELECT max(id) FROM login_attempts WHERE client_addr = $1 AND outcome = 'lifted'), 0)`,
		addr, now.Add(-th.AddressWindow)).Scan(&st.AddressFailures, &lastAddr)
	if err != nil {
		return st, err
	}
	if last != nil {
		st.LastAccountFailure = *last
	}
	if lastAddr != nil {
		st.LastAddressFailure = *lastAddr
	}
	return st, nil
}

// beginAttempt is BeginLogin and BeginPasswordCheck; kind ("login",
// "password") names the audit actions.
func (db *DB) beginAttempt(ctx context.Context, kind string, actor workplan.Actor, username, addr string, now time.Time, th auth.Throttle) (int64, error) {
	username = NormalizeUsername(username)
	var id int64
	var until time.Time
	throttled := false
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('login:user:' || $1, 0))`, username); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('login:addr:' || $1, 0))`, addr); err != nil {
			return err
		}
		st, err := attemptStats(ctx, tx, username, addr, now, th)
		if err != nil {
			return err
		}
		var refuse bool
		until, refuse = th.Until(st, now)
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
		return audit(ctx, tx, actor, kind+".throttled", "user", "", nil, map[string]any{
			"username": username, "until": until, "account_failures": st.AccountFailures, "address_failures": st.AddressFailures})
	})
	if err != nil {
		return 0, mapErr(err, "begin %s attempt of %q", kind, username)
	}
	if throttled {
		return id, &workplan.ThrottledError{Until: until}
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
	return db.failAttempt(ctx, "login", attemptID, actor, username, userID, reason)
}

// FailPasswordCheck records a wrong current password given to change it.
func (db *DB) FailPasswordCheck(ctx context.Context, attemptID int64, actor workplan.Actor, username string, userID int64) error {
	return db.failAttempt(ctx, "password", attemptID, actor, username, userID, "bad_password")
}

func (db *DB) failAttempt(ctx context.Context, kind string, attemptID int64, actor workplan.Actor, username string, userID int64, reason string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE login_attempts SET outcome = 'failure' WHERE id = $1`, attemptID); err != nil {
			return err
		}
		id := ""
		if userID != 0 {
			id = fmtID(userID)
		}
		return audit(ctx, tx, actor, kind+".failure", "user", id, nil, map[string]any{"username": NormalizeUsername(username), "reason": reason})
	})
	return mapErr(err, "record failed %s attempt", kind)
}

// PassPasswordCheck records that the current password was right: like a
// sign-in, it ends the account's count of failures.
func (db *DB) PassPasswordCheck(ctx context.Context, attemptID int64) error {
	_, err := db.Pool.Exec(ctx, `UPDATE login_attempts SET outcome = 'success' WHERE id = $1`, attemptID)
	return mapErr(err, "record password check %d", attemptID)
}

// Throttles lists the accounts and client addresses whose failed password
// attempts count against them at now under th: those past the free
// failures, waiting or not, most failures first.
func (db *DB) Throttles(ctx context.Context, now time.Time, th auth.Throttle) ([]workplan.Throttle, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT a.username, '', count(*), max(a.at) FROM login_attempts a
		WHERE a.username <> '' AND a.outcome IN ('failure', 'pending') AND a.at > $1
		  AND a.id > COALESCE((SELECT max(s.id) FROM login_attempts s WHERE s.username = a.username AND s.outcome IN ('success', 'lifted')), 0)
		GROUP BY a.username HAVING count(*) >= $2
		UNION ALL
		SELECT '', a.client_addr, count(*), max(a.at) FROM login_attempts a
		WHERE a.client_addr <> '' AND a.outcome IN ('failure', 'pending') AND a.at > $3
		  AND a.id > COALESCE((SELECT max(s.id) FROM login_attempts s WHERE s.client_addr = a.client_addr AND s.outcome = 'lifted'), 0)
		GROUP BY a.client_addr HAVING count(*) >= $4
		ORDER BY 3 DESC, 1, 2`,
		now.Add(-th.AccountWindow), th.AccountFree, now.Add(-th.AddressWindow), th.AddressFree)
	if err != nil {
		return nil, mapErr(err, "list throttles")
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.Throttle, error) {
		var t workplan.Throttle
		err := row.Scan(&t.Username, &t.Addr, &t.Failures, &t.LastFailure)
		return t, err
	})
	if err != nil {
		return nil, mapErr(err, "list throttles")
	}
	for i, t := range list {
		var st auth.AttemptStats
		if t.Username != "" {
			st.AccountFailures, st.LastAccountFailure = t.Failures, t.LastFailure
		} else {
			st.AddressFailures, st.LastAddressFailure = t.Failures, t.LastFailure
		}
		list[i].Until, _ = th.Until(st, now)
	}
	return list, nil
}

// LiftThrottle ends the throttle of an account (username) or of a client
// address (addr), exactly one of them set, at now: the failures counted so
// far no longer count. It is audited.
func (db *DB) LiftThrottle(ctx context.Context, actor workplan.Actor, username, addr string, now time.Time) error {
	username = NormalizeUsername(username)
	if (username == "") == (addr == "") {
		return workplan.E(workplan.EInvalid, "err.throttle.which")
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO login_attempts (at, username, client_addr, outcome) VALUES ($1, $2, $3, 'lifted')`,
			now, username, addr); err != nil {
			return err
		}
		entity, id := "user", ""
		if addr != "" {
			entity = "address"
		} else if err := tx.QueryRow(ctx, `SELECT id::text FROM users WHERE username = $1`, username).Scan(&id); err != nil && err != pgx.ErrNoRows {
			return err
		}
		return audit(ctx, tx, actor, "throttle.lift", entity, id, nil, map[string]any{"username": username, "address": addr})
	})
	if err != nil {
		return fmt.Errorf("postgres: lift throttle of %q%q: %w", username, addr, mapErr(err, "lift"))
	}
	return nil
}
