package postgres

// The daily reminder pass's store: one transaction per pass, under an
// advisory lock taken with try (a replica that finds another running the
// pass leaves it), that records the pass, inserts the keys of what is due
// (only the keys not there yet come back: those items are sent), issues the
// escalations' 督办单, and writes the grouped notifications and their outbox
// rows. A pass that fails writes nothing; one that is repeated finds every
// key taken and sends nothing.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/deadline"
	ntf "duban/internal/notify"
	"duban/internal/workplan"
)

// passLockKey serialises reminder passes across replicas.
const passLockKey = 0x6475_6261_6e15

// PassTx is the transaction of one reminder pass.
type PassTx struct {
	tx  pgx.Tx
	ctx context.Context
	// ID is the pass's row; Now when it runs (the store's clock).
	ID  int64
	Now time.Time
}

// ErrPassRunning means another replica holds the pass's lock.
var ErrPassRunning = errors.New("another reminder pass is running")

// ReminderPass runs fn as reminder pass at instant at, in one transaction
// under the pass lock: ErrPassRunning when another pass holds it. With
// dryRun everything is rolled back at the end (what would be sent).
func (db *DB) ReminderPass(ctx context.Context, at time.Time, runner string, dryRun bool, fn func(*PassTx) error) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var got bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, int64(passLockKey)).Scan(&got); err != nil {
			return mapErr(err, "pass lock")
		}
		if !got {
			return ErrPassRunning
		}
		p := &PassTx{tx: tx, ctx: ctx, Now: db.now()}
		err := tx.QueryRow(ctx, `INSERT INTO reminder_passes (at, day, working_day, started_at, runner) VALUES ($1, $2, false, $3, $4) RETURNING id`,
			at, dateArg(deadline.DateOf(at, deadline.Shanghai)), p.Now, runner).Scan(&p.ID)
		if err != nil {
			return mapErr(err, "record pass")
		}
		if err := fn(p); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		if errors.Is(err, ErrPassRunning) {
			return ErrPassRunning
		}
		return fmt.Errorf("postgres: reminder pass: %w", err)
	}
	return nil
}

// PassDone reports whether a pass finished on day (the scheduler skips the
// day's run then).
func (db *DB) PassDone(ctx context.Context, day deadline.Date) (bool, error) {
	var ok bool
	err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM reminder_passes WHERE day = $1 AND finished_at IS NOT NULL)`, dateArg(day)).Scan(&ok)
	return ok, mapErr(err, "pass of %s", day)
}

// LastPassAt returns the instant of the latest finished pass before this
// one, or false when there was none.
func (p *PassTx) LastPassAt() (time.Time, bool, error) {
	var at *time.Time
	err := p.tx.QueryRow(p.ctx, `SELECT max(at) FROM reminder_passes WHERE finished_at IS NOT NULL AND id <> $1`, p.ID).Scan(&at)
	if err != nil || at == nil {
		return time.Time{}, false, mapErr(err, "last pass")
	}
	return *at, true, nil
}

// Claim records keys and returns those that were not recorded before.
func (p *PassTx) Claim(keys []ntf.Key) (map[ntf.Key]bool, error) {
	out := map[ntf.Key]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	rules, subjects, periods := make([]string, len(keys)), make([]int64, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		rules[i], subjects[i], periods[i] = string(k.Rule), k.Subject, k.Period
	}
	rows, err := p.tx.Query(p.ctx, `
		INSERT INTO reminder_keys (rule, subject_id, period, pass_id)
		SELECT DISTINCT r, s, pe, $4::bigint FROM unnest($1::text[], $2::bigint[], $3::text[]) AS k(r, s, pe)
		ON CONFLICT DO NOTHING RETURNING rule, subject_id, period`, rules, subjects, periods, p.ID)
	if err != nil {
		return nil, mapErr(err, "claim keys")
	}
	for rows.Next() {
		var k ntf.Key
		if err := rows.Scan(&k.Rule, &k.Subject, &k.Period); err != nil {
			return nil, mapErr(err, "claim keys")
		}
		out[k] = true
	}
	return out, mapErr(rows.Err(), "claim keys")
}

// AutoOrder is an escalation to issue as a 督办单.
type AutoOrder struct {
	AssignmentID int64
	Level        int
	Due          deadline.Date
	Reason       string
}

// IssueOrders issues the escalations' 督办单 in one statement, numbered in
// order after the year's last, audited as the system's; it returns them by
// assignment.
func (p *PassTx) IssueOrders(orders []AutoOrder, office string, replyBy deadline.Date) (map[int64]ntf.Order, error) {
	out := map[int64]ntf.Order{}
	if len(orders) == 0 {
		return out, nil
	}
	if _, err := p.tx.Exec(p.ctx, `SELECT pg_advisory_xact_lock($1)`, int64(orderLockKey)); err != nil {
		return nil, mapErr(err, "order lock")
	}
	asg, levels, dues, reasons := make([]int64, len(orders)), make([]int32, len(orders)), make([]any, len(orders)), make([]string, len(orders))
	for i, o := range orders {
		asg[i], levels[i], dues[i], reasons[i] = o.AssignmentID, int32(o.Level), dateArg(o.Due), o.Reason
	}
	year := deadline.DateOf(p.Now, deadline.Shanghai).Year
	rows, err := p.tx.Query(p.ctx, `
		WITH base AS (SELECT coalesce(max(number), 0) AS n FROM supervision_orders WHERE year = $1),
		ins AS (
			INSERT INTO supervision_orders (year, number, assignment_id, level, automatic, due_on, reason, reply_by, office, issuer_name, issued_at)
			SELECT $1, base.n + x.ord, x.asg, x.level, true, x.due, x.reason, $6, $7, '系统', $8
			FROM base, unnest($2::bigint[], $3::int[], $4::date[], $5::text[]) WITH ORDINALITY AS x(asg, level, due, reason, ord)
			ON CONFLICT DO NOTHING RETURNING id, assignment_id, number, level, reason
		), aud AS (
			INSERT INTO audit_log (actor_name, action, entity, entity_id, after, at)
			SELECT 'reminder pass', 'order.issue', 'assignment', ins.assignment_id::text,
			       jsonb_build_object('order_id', ins.id, 'number', ins.number, 'level', ins.level, 'automatic', true, 'reason', ins.reason), $8
			FROM ins
		)
		SELECT id FROM ins`, year, asg, levels, dues, reasons, dateArg(replyBy), office, p.Now)
	if err != nil {
		return nil, mapErr(err, "issue orders")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, mapErr(err, "issue orders")
	}
	orows, err := p.tx.Query(p.ctx, `SELECT `+orderColumns+orderFrom+` WHERE o.id = ANY($1)`, ids)
	if err != nil {
		return nil, mapErr(err, "issued orders")
	}
	list, err := pgx.CollectRows(orows, scanOrder)
	if err != nil {
		return nil, mapErr(err, "issued orders")
	}
	for _, o := range list {
		out[o.AssignmentID] = o
	}
	return out, nil
}

// Message is one grouped notification of a pass: to a user, or (UserID 0)
// to a unit's robot.
type Message struct {
	UserID, UnitID int64
	Kind           ntf.Kind
	Args           ntf.Args
	Link           string
	AssignmentID   int64
}

// Write writes the pass's messages: notifications with their email rows
// for users, robot rows for units; it announces the new notifications.
func (p *PassTx) Write(msgs []Message) (notifications, outbox int, err error) {
	var users, asgs []int64
	var ukinds, ulinks, uargs []string
	var units []int64
	var rkinds, rlinks, rargs []string
	for _, m := range msgs {
		b, err := json.Marshal(m.Args)
		if err != nil {
			return 0, 0, err
		}
		if m.UserID != 0 {
			users, asgs = append(users, m.UserID), append(asgs, m.AssignmentID)
			ukinds, ulinks, uargs = append(ukinds, string(m.Kind)), append(ulinks, m.Link), append(uargs, string(b))
		} else {
			units = append(units, m.UnitID)
			rkinds, rlinks, rargs = append(rkinds, string(m.Kind)), append(rlinks, m.Link), append(rargs, string(b))
		}
	}
	if len(users) > 0 {
		err = p.tx.QueryRow(p.ctx, `
			WITH n AS (
				INSERT INTO notifications (user_id, kind, args, link, created_at, assignment_id, pass_id)
				SELECT u, k, a::jsonb, l, $6, nullif(g, 0), $7 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS x(u, k, a, l, g)
				RETURNING id, user_id, kind, args, link
			), e AS (
				INSERT INTO outbox (channel, notification_id, user_id, address, kind, args, link, next_attempt_at, created_at)
				SELECT 'email', n.id, n.user_id, s.email, n.kind, n.args, n.link, $6, $6
				FROM n JOIN user_notify_settings s ON s.user_id = n.user_id
				WHERE s.email <> '' AND (n.kind = 'escalation' OR NOT (n.kind = ANY (s.muted)))
				RETURNING 1
			)
			SELECT (SELECT count(*) FROM n), (SELECT count(*) FROM e)`, users, ukinds, uargs, ulinks, asgs, p.Now, p.ID).Scan(&notifications, &outbox)
		if err != nil {
			return 0, 0, mapErr(err, "write notifications")
		}
		if err := notify(p.ctx, p.tx, "n:0"); err != nil {
			return 0, 0, err
		}
	}
	if len(units) > 0 {
		var n int
		err = p.tx.QueryRow(p.ctx, `
			WITH w AS (
				INSERT INTO outbox (channel, unit_id, kind, args, link, next_attempt_at, created_at)
				SELECT s.robot_kind, s.unit_id, x.k, x.a::jsonb, x.l, $5, $5
				FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS x(u, k, a, l) JOIN unit_notify_settings s ON s.unit_id = x.u
				WHERE s.robot_kind <> '' RETURNING 1
			) SELECT count(*) FROM w`, units, rkinds, rargs, rlinks, p.Now).Scan(&n)
		if err != nil {
			return 0, 0, mapErr(err, "write robot messages")
		}
		outbox += n
	}
	return notifications, outbox, nil
}

// Finish records the pass's totals.
func (p *PassTx) Finish(working bool, items, messages int, plans []int64) error {
	_, err := p.tx.Exec(p.ctx, `UPDATE reminder_passes SET finished_at = $2, working_day = $3, items = $4, messages = $5 WHERE id = $1`,
		p.ID, time.Now(), working, items, messages)
	if err != nil {
		return mapErr(err, "finish pass")
	}
	for _, id := range plans {
		if err := notify(p.ctx, p.tx, progressPayload(p.ctx, id)); err != nil {
			return err
		}
	}
	return nil
}

// Recipients are who a pass writes to.
type Recipients struct {
	// Staff and Heads are the active staff and unit heads of each unit.
	Staff, Heads map[int64][]int64
	// Leaders and Supervisors are every active leader and supervisor.
	Leaders, Supervisors []int64
	// LeaderOf is each unit's leader in charge.
	LeaderOf map[int64]int64
	// Names are the display names of the users above.
	Names map[int64]string
}

// PassRecipients reads who the pass writes to.
func (db *DB) PassRecipients(ctx context.Context) (Recipients, error) {
	r := Recipients{Staff: map[int64][]int64{}, Heads: map[int64][]int64{}, LeaderOf: map[int64]int64{}, Names: map[int64]string{}}
	rows, err := db.Pool.Query(ctx, `
		SELECT u.id, u.role, coalesce(u.unit_id, 0), coalesce(s.unit_head, false), u.display_name || ' (' || u.username || ')'
		FROM users u LEFT JOIN user_notify_settings s ON s.user_id = u.id WHERE u.disabled_at IS NULL ORDER BY u.id`)
	if err != nil {
		return r, mapErr(err, "recipients")
	}
	for rows.Next() {
		var id, unit int64
		var role workplan.UserRole
		var head bool
		var name string
		if err := rows.Scan(&id, &role, &unit, &head, &name); err != nil {
			return r, mapErr(err, "recipients")
		}
		r.Names[id] = name
		switch role {
		case workplan.UserStaff:
			r.Staff[unit] = append(r.Staff[unit], id)
		case workplan.UserLeader:
			r.Leaders = append(r.Leaders, id)
		case workplan.UserSupervisor:
			r.Supervisors = append(r.Supervisors, id)
		}
		if head && unit != 0 {
			r.Heads[unit] = append(r.Heads[unit], id)
		}
	}
	if err := rows.Err(); err != nil {
		return r, mapErr(err, "recipients")
	}
	lrows, err := db.Pool.Query(ctx, `SELECT s.unit_id, s.leader_id FROM unit_notify_settings s JOIN users u ON u.id = s.leader_id WHERE u.disabled_at IS NULL`)
	if err != nil {
		return r, mapErr(err, "leaders in charge")
	}
	for lrows.Next() {
		var unit, leader int64
		if err := lrows.Scan(&unit, &leader); err != nil {
			return r, mapErr(err, "leaders in charge")
		}
		r.LeaderOf[unit] = leader
	}
	return r, mapErr(lrows.Err(), "leaders in charge")
}

// PendingReturns returns every assignment's latest return with no report
// filed since.
func (db *DB) PendingReturns(ctx context.Context) (map[int64]ntf.Extra, error) {
	return pendingReturns(ctx, db.Pool, nil)
}

// OrdersSince returns the 督办单 issued in (since, until], oldest first, for
// the leaders' digest.
func (db *DB) OrdersSince(ctx context.Context, since, until time.Time) ([]ntf.Order, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+orderColumns+orderFrom+` WHERE o.issued_at > $1 AND o.issued_at <= $2 ORDER BY o.issued_at, o.id`, since, until)
	if err != nil {
		return nil, mapErr(err, "orders since")
	}
	list, err := pgx.CollectRows(rows, scanOrder)
	return list, mapErr(err, "orders since")
}

// BulletinsSince returns the bulletins published in (since, until]: plan
// slug, number and title.
func (db *DB) BulletinsSince(ctx context.Context, since, until time.Time) ([]ntf.DigestLine, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT p.slug, b.number, b.title, b.id FROM bulletins b JOIN plans p ON p.id = b.plan_id
		WHERE b.published_at > $1 AND b.published_at <= $2 ORDER BY b.published_at`, since, until)
	if err != nil {
		return nil, mapErr(err, "bulletins since")
	}
	var out []ntf.DigestLine
	for rows.Next() {
		var l ntf.DigestLine
		var id int64
		if err := rows.Scan(&l.Plan, &l.Days, &l.Title, &id); err != nil {
			return nil, mapErr(err, "bulletins since")
		}
		l.What, l.Link = "bulletin", fmt.Sprintf("/bulletins/%d", id)
		out = append(out, l)
	}
	return out, mapErr(rows.Err(), "bulletins since")
}
