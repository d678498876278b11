package postgres

// The outbox: messages to outside channels, written with their
// notifications. Senders on every replica claim due rows with SKIP LOCKED
// and a lease (next_attempt_at moves ahead while a row is being sent), so
// that each message is sent by one of them; each attempt is logged.

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/deadline"
	ntf "duban/internal/notify"
	"duban/internal/workplan"
)

// ClaimOutbox claims up to limit messages due at now for sending: each is
// leased for lease (another sender skips it meanwhile, and takes it up
// again if this one dies) and its attempt counted.
func (db *DB) ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]ntf.Outgoing, error) {
	return db.claimOutbox(ctx, now, limit, lease, 0)
}

func (db *DB) claimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration, only int64) ([]ntf.Outgoing, error) {
	rows, err := db.Pool.Query(ctx, `
		WITH c AS (
			SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 AND ($4::bigint = 0 OR id = $4::bigint)
			ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
		)
		UPDATE outbox o SET next_attempt_at = $1 + $3 * interval '1 millisecond', attempts = o.attempts + 1
		FROM c WHERE o.id = c.id
		RETURNING o.id, o.channel, o.address, coalesce(o.unit_id, 0), o.kind, o.args, o.link, o.attempts`, now, limit, lease.Milliseconds(), only)
	if err != nil {
		return nil, mapErr(err, "claim outbox")
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ntf.Outgoing, error) {
		var o ntf.Outgoing
		var args []byte
		if err := row.Scan(&o.ID, &o.Channel, &o.Address, &o.UnitID, &o.Kind, &args, &o.Link, &o.Attempts); err != nil {
			return o, err
		}
		return o, json.Unmarshal(args, &o.Args)
	})
	if err != nil {
		return nil, mapErr(err, "claim outbox")
	}
	for i := range list {
		if list[i].UnitID != 0 {
			if list[i].Robot, err = db.UnitChannels(ctx, list[i].UnitID); err != nil {
				return nil, err
			}
		}
	}
	return list, nil
}

// ClaimOutboxID claims message id now whatever its time (the "send a test
// message" button), if it is still pending.
func (db *DB) ClaimOutboxID(ctx context.Context, id int64, now time.Time, lease time.Duration) ([]ntf.Outgoing, error) {
	if _, err := db.Pool.Exec(ctx, `UPDATE outbox SET next_attempt_at = $2 WHERE id = $1 AND status = 'pending'`, id, now); err != nil {
		return nil, mapErr(err, "outbox %d", id)
	}
	return db.claimOutbox(ctx, now, 1, lease, id)
}

// FinishDelivery logs an attempt at message id and settles the message:
// sent; or failed once it had maxAttempts; or due again at next.
func (db *DB) FinishDelivery(ctx context.Context, id int64, at time.Time, sendErr error, took time.Duration, next time.Time, maxAttempts int) error {
	msg := ""
	if sendErr != nil {
		msg = clip(oneLine(sendErr.Error()), 500)
	}
	_, err := db.Pool.Exec(ctx, `
		WITH l AS (INSERT INTO outbox_attempts (outbox_id, at, ok, error, duration_ms) VALUES ($1, $2, $3, $4, $5))
		UPDATE outbox SET
			status = CASE WHEN $3 THEN 'sent' WHEN attempts >= $7 THEN 'failed' ELSE 'pending' END,
			sent_at = CASE WHEN $3 THEN $2 END,
			next_attempt_at = CASE WHEN $3 THEN next_attempt_at ELSE $6 END,
			last_error = $4
		WHERE id = $1`, id, at, sendErr == nil, msg, took.Milliseconds(), next, maxAttempts)
	return mapErr(err, "finish delivery %d", id)
}

// DeliveryFilter selects the delivery log's messages.
type DeliveryFilter struct {
	Status, Channel string
	BeforeID        int64
	Limit           int
}

// Deliveries returns one page of the delivery log, newest first, each
// message with its attempts, and whether there are more.
func (db *DB) Deliveries(ctx context.Context, f DeliveryFilter) ([]ntf.Delivery, bool, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT o.id, o.channel, CASE WHEN o.channel = 'email' THEN coalesce(us.display_name, '') || ' <' || o.address || '>' ELSE coalesce(un.name, '') END,
		       o.kind, o.args, o.link, o.status, o.attempts, o.created_at, o.sent_at, o.next_attempt_at, o.last_error
		FROM outbox o LEFT JOIN users us ON us.id = o.user_id LEFT JOIN units un ON un.id = o.unit_id
		WHERE ($1 = '' OR o.status = $1) AND ($2 = '' OR o.channel = $2) AND ($3::bigint = 0 OR o.id < $3::bigint)
		ORDER BY o.id DESC LIMIT $4`, f.Status, f.Channel, f.BeforeID, f.Limit+1)
	if err != nil {
		return nil, false, mapErr(err, "delivery log")
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ntf.Delivery, error) {
		var d ntf.Delivery
		var args []byte
		if err := row.Scan(&d.ID, &d.Channel, &d.Recipient, &d.Kind, &args, &d.Link, &d.Status, &d.Attempts, &d.CreatedAt, &d.SentAt, &d.NextAt, &d.LastError); err != nil {
			return d, err
		}
		return d, json.Unmarshal(args, &d.Args)
	})
	if err != nil {
		return nil, false, mapErr(err, "delivery log")
	}
	more := len(list) > f.Limit
	if more {
		list = list[:f.Limit]
	}
	if len(list) == 0 {
		return list, more, nil
	}
	ids := make([]int64, len(list))
	at := map[int64]int{}
	for i, d := range list {
		ids[i], at[d.ID] = d.ID, i
	}
	arows, err := db.Pool.Query(ctx, `SELECT outbox_id, at, ok, error, duration_ms FROM outbox_attempts WHERE outbox_id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return nil, false, mapErr(err, "delivery attempts")
	}
	for arows.Next() {
		var id int64
		var a ntf.Attempt
		var ms int
		if err := arows.Scan(&id, &a.At, &a.OK, &a.Error, &ms); err != nil {
			return nil, false, mapErr(err, "delivery attempts")
		}
		a.Duration = time.Duration(ms) * time.Millisecond
		list[at[id]].Log = append(list[at[id]].Log, a)
	}
	return list, more, mapErr(arows.Err(), "delivery attempts")
}

// OutboxCounts counts the outbox's messages by status and channel, for the
// metrics (pending and failed by channel).
func (db *DB) OutboxCounts(ctx context.Context) (map[string]map[string]int, error) {
	rows, err := db.Pool.Query(ctx, `SELECT status, channel, count(*) FROM outbox WHERE status IN ('pending', 'failed') GROUP BY status, channel`)
	if err != nil {
		return nil, mapErr(err, "outbox counts")
	}
	out := map[string]map[string]int{"pending": {}, "failed": {}}
	for rows.Next() {
		var st, ch string
		var n int
		if err := rows.Scan(&st, &ch, &n); err != nil {
			return nil, mapErr(err, "outbox counts")
		}
		out[st][ch] = n
	}
	return out, mapErr(rows.Err(), "outbox counts")
}

// CalendarChanges returns the administrators' changes to the working-day
// calendar.
func (db *DB) CalendarChanges(ctx context.Context) (map[deadline.Date]ntf.Day, error) {
	rows, err := db.Pool.Query(ctx, `SELECT day, working, note FROM calendar_days`)
	if err != nil {
		return nil, mapErr(err, "calendar")
	}
	out := map[deadline.Date]ntf.Day{}
	for rows.Next() {
		var d time.Time
		var v ntf.Day
		if err := rows.Scan(&d, &v.Working, &v.Note); err != nil {
			return nil, mapErr(err, "calendar")
		}
		out[dateOf(&d)] = v
	}
	return out, mapErr(rows.Err(), "calendar")
}

// SetCalendarDay records an administrator's decision that day is (or is
// not) a working day; clear removes the decision, so that the official
// calendar applies again. Audited.
func (db *DB) SetCalendarDay(ctx context.Context, actor workplan.Actor, day deadline.Date, working bool, note string, clear bool) error {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 100 {
		return workplan.E(workplan.EInvalid, "err.calendar.note_long")
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if clear {
			_, err = tx.Exec(ctx, `DELETE FROM calendar_days WHERE day = $1`, dateArg(day))
		} else {
			_, err = tx.Exec(ctx, `
				INSERT INTO calendar_days (day, working, note, updated_by, updated_by_name, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (day) DO UPDATE SET working = EXCLUDED.working, note = EXCLUDED.note, updated_by = EXCLUDED.updated_by,
				       updated_by_name = EXCLUDED.updated_by_name, updated_at = EXCLUDED.updated_at`,
				dateArg(day), working, note, nullID(actor.UserID), actor.Name, db.now())
		}
		if err != nil {
			return mapErr(err, "save day")
		}
		return audit(ctx, tx, actor, "calendar.set", "calendar", day.String(), nil, map[string]any{"working": working, "note": note, "clear": clear})
	})
	if err != nil {
		return userErr(err, "calendar day %s", day)
	}
	return nil
}
