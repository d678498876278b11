package postgres

// 督办单 (supervision orders): numbered per year (督办〔2026〕N号) under an
// advisory lock, issued by hand by the supervision office or by the daily
// pass's escalation ladder, answered once by the unit. Issuing and answering
// are audited and notify in the same transaction.

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/deadline"
	ntf "duban/internal/notify"
	"duban/internal/workplan"
)

// orderLockKey serialises the numbering of 督办单.
const orderLockKey = 0x6475_6261_6e14

const orderColumns = `o.id, o.year, o.number, o.assignment_id, o.level, o.automatic, o.reason, o.reply_by, o.office, o.issuer_name,
	o.issued_at, coalesce(o.answer, ''), o.answerer_name, o.answered_at, a.unit_id, u.name, p.slug, t.number, t.title, t.deadline_text`

const orderFrom = ` FROM supervision_orders o JOIN assignments a ON a.id = o.assignment_id JOIN units u ON u.id = a.unit_id
	JOIN tasks t ON t.id = a.task_id JOIN plans p ON p.id = t.plan_id`

func scanOrder(row pgx.CollectableRow) (ntf.Order, error) {
	var o ntf.Order
	var reply time.Time
	err := row.Scan(&o.ID, &o.Year, &o.Serial, &o.AssignmentID, &o.Level, &o.Automatic, &o.Reason, &reply, &o.Office, &o.IssuerName,
		&o.IssuedAt, &o.Answer, &o.AnswererName, &o.AnsweredAt, &o.UnitID, &o.Unit, &o.Plan, &o.Task, &o.TaskTitle, &o.Deadline)
	o.ReplyBy = dateOf(&reply)
	return o, err
}

// newOrder is an order to write.
type newOrder struct {
	assignmentID int64
	level        int
	automatic    bool
	due          deadline.Date
	reason       string
	replyBy      deadline.Date
	office       string
	actor        workplan.Actor
}

// issueOrder numbers and writes an order inside tx (the caller holds no
// lock; this takes the numbering lock until tx ends) and returns it with
// its names. An automatic order already issued for the same assignment,
// due date and level returns ok false.
func issueOrder(ctx context.Context, tx pgx.Tx, now time.Time, o newOrder) (ntf.Order, bool, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(orderLockKey)); err != nil {
		return ntf.Order{}, false, mapErr(err, "order lock")
	}
	year := deadline.DateOf(now, deadline.Shanghai).Year
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO supervision_orders (year, number, assignment_id, level, automatic, due_on, reason, reply_by, office, issued_by, issuer_name, issued_at)
		VALUES ($1, (SELECT coalesce(max(number), 0) + 1 FROM supervision_orders WHERE year = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT DO NOTHING RETURNING id`,
		year, o.assignmentID, o.level, o.automatic, dateArg(o.due), o.reason, dateArg(o.replyBy), o.office, nullID(o.actor.UserID), o.actor.Name, now).Scan(&id)
	if err == pgx.ErrNoRows {
		return ntf.Order{}, false, nil
	}
	if err != nil {
		return ntf.Order{}, false, mapErr(err, "insert order")
	}
	rows, err := tx.Query(ctx, `SELECT `+orderColumns+orderFrom+` WHERE o.id = $1`, id)
	if err != nil {
		return ntf.Order{}, false, mapErr(err, "order %d", id)
	}
	out, err := pgx.CollectExactlyOneRow(rows, scanOrder)
	if err != nil {
		return out, false, mapErr(err, "order %d", id)
	}
	err = audit(ctx, tx, o.actor, "order.issue", "assignment", o.assignmentID, nil, map[string]any{
		"order_id": id, "number": out.Number(), "level": o.level, "automatic": o.automatic, "reason": o.reason, "reply_by": o.replyBy.String()})
	return out, true, err
}

// orderRecipients are who an order of level reaches beyond the unit's
// staff and robot: from level 2 the unit's heads and the staff of the
// task's other lead units; at level 3 the unit's leader in charge (without
// one, the dashboard's 需约谈 list and the leaders' digest carry it).
func orderRecipients(ctx context.Context, q querier, asgID int64, level int) (users, leads []int64, err error) {
	if level < 2 {
		return nil, nil, nil
	}
	err = q.QueryRow(ctx, `
		SELECT coalesce((SELECT array_agg(l.unit_id) FROM assignments l WHERE l.task_id = a.task_id AND l.role = 'lead'
		                 AND l.archived_at IS NULL AND l.unit_id <> a.unit_id), '{}'),
		       CASE WHEN $2 >= 3 AND s.leader_id IS NOT NULL THEN ARRAY[s.leader_id] ELSE '{}'::bigint[] END
		FROM assignments a LEFT JOIN unit_notify_settings s ON s.unit_id = a.unit_id WHERE a.id = $1`, asgID, level).Scan(&leads, &users)
	return users, leads, mapErr(err, "recipients of an order on assignment %d", asgID)
}

// orderNotice is the notice of an issued order to everyone its level reaches.
func orderNotice(ctx context.Context, tx pgx.Tx, o ntf.Order) (notice, error) {
	users, leads, err := orderRecipients(ctx, tx, o.AssignmentID, o.Level)
	if err != nil {
		return notice{}, err
	}
	n := notice{kind: ntf.Escalation, args: ntf.Args{Plan: o.Plan, Task: o.Task, TaskTitle: o.TaskTitle, Unit: o.Unit, By: o.IssuerName, Order: o.Ref()},
		link: orderLink(o), assignmentID: o.AssignmentID, users: users, staffOf: append([]int64{o.UnitID}, leads...), robots: []int64{o.UnitID}}
	if o.Level >= 2 {
		n.headsOf = []int64{o.UnitID}
	}
	return n, nil
}

func orderLink(o ntf.Order) string {
	return "/assignments/" + strconv.FormatInt(o.AssignmentID, 10) + "#order-" + strconv.FormatInt(o.ID, 10)
}

// IssueOrder issues a 督办单 by hand (点对点督办): supervisors only, on any
// assignment in force, with a reason, a reply deadline after today and a
// level (1 to 3). Numbered, audited and notified in one transaction.
func (db *DB) IssueOrder(ctx context.Context, actor workplan.Actor, in ntf.OrderInput, office string) (ntf.Order, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	now := db.now()
	switch {
	case actor.Role != workplan.UserSupervisor:
		return ntf.Order{}, workplan.E(workplan.EForbidden, "err.order.forbidden")
	case in.Reason == "" || len([]rune(in.Reason)) > 2000:
		return ntf.Order{}, workplan.E(workplan.EInvalid, "err.order.reason")
	case in.Level < 1 || in.Level > 3:
		return ntf.Order{}, workplan.E(workplan.EInvalid, "err.order.level")
	case !in.ReplyBy.After(deadline.DateOf(now, deadline.Shanghai)):
		return ntf.Order{}, workplan.E(workplan.EInvalid, "err.order.reply_by")
	}
	var out ntf.Order
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		a, err := lockAssignment(ctx, tx, in.AssignmentID)
		if err != nil {
			return err
		}
		if a.Archived {
			return workplan.E(workplan.EInvalid, "err.order.archived")
		}
		o, _, err := issueOrder(ctx, tx, now, newOrder{assignmentID: a.ID, level: in.Level, reason: in.Reason, replyBy: in.ReplyBy, office: office, actor: actor})
		if err != nil {
			return err
		}
		out = o
		n, err := orderNotice(ctx, tx, o)
		if err != nil {
			return err
		}
		if err := writeNotice(ctx, tx, now, n); err != nil {
			return err
		}
		return notify(ctx, tx, progressPayload(ctx, a.PlanID))
	})
	if err != nil {
		return ntf.Order{}, userErr(err, "issue order on assignment %d", in.AssignmentID)
	}
	return out, nil
}

// AnswerOrder records the unit's answer to a 督办单: staff of the order's
// unit, once. The issuer (or, for an automatic order, the supervision
// office) is notified.
func (db *DB) AnswerOrder(ctx context.Context, actor workplan.Actor, id int64, text string) (ntf.Order, error) {
	text = strings.TrimSpace(text)
	if text == "" || len([]rune(text)) > 5000 {
		return ntf.Order{}, workplan.E(workplan.EInvalid, "err.order.answer")
	}
	var out ntf.Order
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+orderColumns+orderFrom+` WHERE o.id = $1 FOR UPDATE OF o`, id)
		if err != nil {
			return mapErr(err, "order %d", id)
		}
		o, err := pgx.CollectExactlyOneRow(rows, scanOrder)
		if err != nil {
			return mapErr(err, "order %d", id)
		}
		if actor.Role != workplan.UserStaff || actor.UnitID != o.UnitID {
			return workplan.E(workplan.EForbidden, "err.order.answer_forbidden")
		}
		if o.AnsweredAt != nil {
			return workplan.E(workplan.EInvalid, "err.order.answered")
		}
		now := db.now()
		if _, err := tx.Exec(ctx, `UPDATE supervision_orders SET answer = $2, answered_by = $3, answerer_name = $4, answered_at = $5 WHERE id = $1`,
			id, text, nullID(actor.UserID), actor.Name, now); err != nil {
			return mapErr(err, "answer order %d", id)
		}
		o.Answer, o.AnswererName, o.AnsweredAt = text, actor.Name, &now
		out = o
		if err := audit(ctx, tx, actor, "order.answer", "assignment", o.AssignmentID, nil, map[string]any{"order_id": id, "number": o.Number(), "answer": text}); err != nil {
			return err
		}
		var issuer *int64
		if err := tx.QueryRow(ctx, `SELECT issued_by FROM supervision_orders WHERE id = $1`, id).Scan(&issuer); err != nil {
			return mapErr(err, "issuer of order %d", id)
		}
		var to []int64
		if issuer != nil {
			to = []int64{*issuer}
		} else if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(id), '{}') FROM users WHERE role = 'supervisor' AND disabled_at IS NULL`).Scan(&to); err != nil {
			return mapErr(err, "supervisors")
		}
		if err := writeNotice(ctx, tx, now, notice{kind: ntf.OrderAnswered, link: orderLink(o), assignmentID: o.AssignmentID, users: to,
			args: ntf.Args{Plan: o.Plan, Task: o.Task, TaskTitle: o.TaskTitle, Unit: o.Unit, By: actor.Name, Text: clip(text, 300), Order: o.Ref()}}); err != nil {
			return err
		}
		// The assignment's page shows the answer: its plan changed.
		var planID int64
		if err := tx.QueryRow(ctx, `SELECT t.plan_id FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE a.id = $1`, o.AssignmentID).Scan(&planID); err != nil {
			return mapErr(err, "plan of assignment %d", o.AssignmentID)
		}
		return notify(ctx, tx, progressPayload(ctx, planID))
	})
	if err != nil {
		return ntf.Order{}, userErr(err, "answer order %d", id)
	}
	return out, nil
}

// Order returns 督办单 id.
func (db *DB) Order(ctx context.Context, id int64) (ntf.Order, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+orderColumns+orderFrom+` WHERE o.id = $1`, id)
	if err != nil {
		return ntf.Order{}, mapErr(err, "order %d", id)
	}
	o, err := pgx.CollectExactlyOneRow(rows, scanOrder)
	return o, mapErr(err, "order %d", id)
}

// Orders returns the 督办单 of an assignment, oldest first.
func (db *DB) Orders(ctx context.Context, assignmentID int64) ([]ntf.Order, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+orderColumns+orderFrom+` WHERE o.assignment_id = $1 ORDER BY o.issued_at, o.id`, assignmentID)
	if err != nil {
		return nil, mapErr(err, "orders of assignment %d", assignmentID)
	}
	list, err := pgx.CollectRows(rows, scanOrder)
	return list, mapErr(err, "orders of assignment %d", assignmentID)
}

// InterviewOrders returns the level-3 督办单 of plan planID's assignments
// issued up to at, newest first per assignment: the dashboard lists those
// still overdue as 需约谈.
func (db *DB) InterviewOrders(ctx context.Context, planID int64, at time.Time) ([]ntf.Order, error) {
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT ON (o.assignment_id) `+orderColumns+orderFrom+`
		WHERE o.level = 3 AND t.plan_id = $1 AND o.issued_at <= $2 ORDER BY o.assignment_id, o.issued_at DESC`, planID, at)
	if err != nil {
		return nil, mapErr(err, "interview orders of plan %d", planID)
	}
	list, err := pgx.CollectRows(rows, scanOrder)
	return list, mapErr(err, "interview orders of plan %d", planID)
}
