package postgres

// Notifications (issue 14) are written in the same transaction as the event
// that causes them, each with its outbox rows for email (the user's address,
// unless the user turned the kind off) and for the unit's group robot. The
// change channel announces "n:<user>" at commit, so that every replica drops
// the user's unread count.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"duban/internal/deadline"
	ntf "duban/internal/notify"
	"duban/internal/workplan"
)

// notice is one event's notification: to explicit users, to the staff of
// units, to the heads of units, and to units' robots.
type notice struct {
	kind         ntf.Kind
	args         ntf.Args
	link         string
	assignmentID int64
	users        []int64
	staffOf      []int64
	headsOf      []int64
	robots       []int64
}

// writeNotice writes n for its recipients (active users only) with their
// outbox rows, and announces the new notifications at commit.
func writeNotice(ctx context.Context, tx pgx.Tx, now time.Time, n notice) error {
	args, err := json.Marshal(n.args)
	if err != nil {
		return fmt.Errorf("notice %s: %w", n.kind, err)
	}
	var users []int64
	err = tx.QueryRow(ctx, `
		WITH r AS (
			SELECT DISTINCT u.id FROM users u LEFT JOIN user_notify_settings s ON s.user_id = u.id
			WHERE u.disabled_at IS NULL
			  AND (u.id = ANY($1) OR (u.role = 'staff' AND u.unit_id = ANY($2)) OR (s.unit_head AND u.unit_id = ANY($3)))
		), n AS (
			INSERT INTO notifications (user_id, kind, args, link, created_at, assignment_id)
			SELECT id, $4, $5, $6, $7, $8 FROM r RETURNING id, user_id
		), e AS (
			INSERT INTO outbox (channel, notification_id, user_id, address, kind, args, link, next_attempt_at, created_at)
			SELECT 'email', n.id, n.user_id, s.email, $4, $5, $6, $7, $7
			FROM n JOIN user_notify_settings s ON s.user_id = n.user_id
			WHERE s.email <> '' AND ($4 = 'escalation' OR NOT ($4 = ANY (s.muted)))
			RETURNING 1
		), w AS (
			INSERT INTO outbox (channel, unit_id, kind, args, link, next_attempt_at, created_at)
			SELECT s.robot_kind, s.unit_id, $4, $5, $6, $7, $7 FROM unit_notify_settings s
			WHERE s.unit_id = ANY($9) AND s.robot_kind <> ''
			RETURNING 1
		)
		SELECT coalesce(array_agg(n.user_id), '{}') FROM n
		WHERE (SELECT count(*) FROM e) >= 0 AND (SELECT count(*) FROM w) >= 0`,
		nonNil(n.users), nonNil(n.staffOf), nonNil(n.headsOf), string(n.kind), args, n.link, now, nullID(n.assignmentID), nonNil(n.robots)).Scan(&users)
	if err != nil {
		return mapErr(err, "write %s notifications", n.kind)
	}
	return announceNotices(ctx, tx, users)
}

// announceNotices tells every replica, at commit, that users got
// notifications (many users: everyone's count is dropped).
func announceNotices(ctx context.Context, tx pgx.Tx, users []int64) error {
	if len(users) == 0 {
		return nil
	}
	if len(users) > 50 {
		return notify(ctx, tx, "n:0"+writeSuffix(ctx))
	}
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, 'n:' || u || $3) FROM unnest($2::bigint[]) AS u`, changeChannel, users, writeSuffix(ctx))
	return mapErr(err, "announce notifications")
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// assignmentNotice is a notice about assignment id to its unit's staff and
// robot, with the assignment's plan, task and unit in its arguments.
func assignmentNotice(ctx context.Context, tx pgx.Tx, id int64, kind ntf.Kind, args ntf.Args) (notice, error) {
	var unit int64
	err := tx.QueryRow(ctx, `
		SELECT a.unit_id, u.name, p.slug, t.number, t.title
		FROM assignments a JOIN units u ON u.id = a.unit_id JOIN tasks t ON t.id = a.task_id JOIN plans p ON p.id = t.plan_id
		WHERE a.id = $1`, id).Scan(&unit, &args.Unit, &args.Plan, &args.Task, &args.TaskTitle)
	if err != nil {
		return notice{}, mapErr(err, "assignment %d for a notice", id)
	}
	return notice{kind: kind, args: args, link: "/assignments/" + strconv.FormatInt(id, 10), assignmentID: id,
		staffOf: []int64{unit}, robots: []int64{unit}}, nil
}

// noticeReview tells the unit that its report was returned (with the
// reason) or accepted. ReviewReport calls it in its transaction.
func noticeReview(ctx context.Context, tx pgx.Tx, now time.Time, asgID int64, actor workplan.Actor, in workplan.ReviewInput) error {
	kind := ntf.ReviewAccepted
	if in.Decision == workplan.DecisionReturn {
		kind = ntf.ReviewReturned
	}
	n, err := assignmentNotice(ctx, tx, asgID, kind, ntf.Args{By: actor.Name, Reason: in.Reason})
	if err != nil {
		return err
	}
	if kind == ntf.ReviewReturned {
		n.link += "/report"
	}
	return writeNotice(ctx, tx, now, n)
}

// noticeExtension tells the unit how its extension request was decided.
func noticeExtension(ctx context.Context, tx pgx.Tx, now time.Time, asgID int64, actor workplan.Actor, approve bool, newDue, reason string) error {
	n, err := assignmentNotice(ctx, tx, asgID, ntf.ExtensionDecided, ntf.Args{By: actor.Name, Approved: approve, NewDue: newDue, Reason: reason})
	if err != nil {
		return err
	}
	return writeNotice(ctx, tx, now, n)
}

// noticeComment tells every unit working on task taskID of a 批示 on it.
func noticeComment(ctx context.Context, tx pgx.Tx, now time.Time, taskID int64, actor workplan.Actor, text string) error {
	args := ntf.Args{By: actor.Name, Text: clip(text, 300)}
	var units []int64
	err := tx.QueryRow(ctx, `
		SELECT p.slug, t.number, t.title,
		       coalesce((SELECT array_agg(a.unit_id) FROM assignments a JOIN units u ON u.id = a.unit_id
		                 WHERE a.task_id = t.id AND a.archived_at IS NULL AND u.kind <> 'collective'), '{}')
		FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE t.id = $1`, taskID).Scan(&args.Plan, &args.Task, &args.TaskTitle, &units)
	if err != nil {
		return mapErr(err, "task %d for a notice", taskID)
	}
	return writeNotice(ctx, tx, now, notice{kind: ntf.Comment, args: args, link: "/plans/" + args.Plan + "/tasks/" + strconv.Itoa(args.Task),
		staffOf: units, robots: units})
}

// noticeAssigned tells a unit that it was given a task (a reseed or a
// designation mapping); reconcile calls it for every unit that joins.
func noticeAssigned(ctx context.Context, tx pgx.Tx, now time.Time, asgID int64) error {
	n, err := assignmentNotice(ctx, tx, asgID, ntf.Assigned, ntf.Args{})
	if err != nil {
		return err
	}
	return writeNotice(ctx, tx, now, n)
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// UnreadCount returns how many notifications user id has not read: one
// probe of the partial index on unread notifications.
func (db *DB) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	return n, mapErr(err, "unread count of user %d", userID)
}

// Notifications returns one page of user id's notifications, newest first,
// before ID before (0: the newest), and whether there are more.
func (db *DB) Notifications(ctx context.Context, userID, before int64, limit int) ([]ntf.Notification, bool, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT id, user_id, kind, args, link, created_at, read_at, coalesce(assignment_id, 0)
		FROM notifications WHERE user_id = $1 AND ($2::bigint = 0 OR id < $2::bigint) ORDER BY id DESC LIMIT $3`, userID, before, limit+1)
	if err != nil {
		return nil, false, mapErr(err, "notifications of user %d", userID)
	}
	list, err := pgx.CollectRows(rows, scanNotification)
	if err != nil {
		return nil, false, mapErr(err, "notifications of user %d", userID)
	}
	more := len(list) > limit
	if more {
		list = list[:limit]
	}
	return list, more, nil
}

func scanNotification(row pgx.CollectableRow) (ntf.Notification, error) {
	var n ntf.Notification
	var args []byte
	if err := row.Scan(&n.ID, &n.UserID, &n.Kind, &args, &n.Link, &n.CreatedAt, &n.ReadAt, &n.AssignmentID); err != nil {
		return n, err
	}
	return n, json.Unmarshal(args, &n.Args)
}

// MarkAllRead marks every notification of user id read; it returns how many.
func (db *DB) MarkAllRead(ctx context.Context, userID int64) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL`, userID, db.now())
		if err != nil {
			return mapErr(err, "mark read")
		}
		n = tag.RowsAffected()
		return announceNotices(ctx, tx, []int64{userID})
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: mark notifications of user %d read: %w", userID, err)
	}
	return int(n), nil
}

// MarkRead marks notification id of user userID read (following its link).
func (db *DB) MarkRead(ctx context.Context, userID, id int64) (ntf.Notification, error) {
	var out ntf.Notification
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			UPDATE notifications SET read_at = coalesce(read_at, $3) WHERE id = $1 AND user_id = $2
			RETURNING id, user_id, kind, args, link, created_at, read_at, coalesce(assignment_id, 0)`, id, userID, db.now())
		if err != nil {
			return mapErr(err, "mark read")
		}
		if out, err = pgx.CollectExactlyOneRow(rows, scanNotification); err != nil {
			return mapErr(err, "notification %d", id)
		}
		return announceNotices(ctx, tx, []int64{userID})
	})
	if err != nil {
		return out, fmt.Errorf("postgres: read notification %d: %w", id, err)
	}
	return out, nil
}

// LatestReturns returns, for each assignment of ids whose latest report was
// returned, the return's reason and when, for /my.
func (db *DB) LatestReturns(ctx context.Context, ids []int64) (map[int64]ntf.Extra, error) {
	return pendingReturns(ctx, db.Pool, ids)
}

// pendingReturns reads the latest return of each assignment (of ids, or
// every one when ids is nil) with no report filed since.
func pendingReturns(ctx context.Context, q querier, ids []int64) (map[int64]ntf.Extra, error) {
	rows, err := q.Query(ctx, `
		SELECT DISTINCT ON (rv.assignment_id) rv.assignment_id, rv.id, rv.reviewed_at, rv.reason
		FROM reviews rv JOIN assignment_state s ON s.assignment_id = rv.assignment_id
		WHERE rv.decision = 'return' AND rv.report_id = s.last_report_id AND ($1::bigint[] IS NULL OR rv.assignment_id = ANY($1))
		ORDER BY rv.assignment_id, rv.reviewed_at DESC, rv.id DESC`, ids)
	if err != nil {
		return nil, mapErr(err, "returned reports")
	}
	out := map[int64]ntf.Extra{}
	for rows.Next() {
		var asg int64
		var x ntf.Extra
		if err := rows.Scan(&asg, &x.ReturnID, &x.ReturnedAt, &x.ReturnReason); err != nil {
			return nil, mapErr(err, "returned reports")
		}
		out[asg] = x
	}
	return out, mapErr(rows.Err(), "returned reports")
}

// NotifySettings returns user id's notification settings (empty ones when
// never set).
func (db *DB) NotifySettings(ctx context.Context, userID int64) (ntf.Settings, error) {
	s := ntf.Settings{UserID: userID}
	var muted []string
	err := db.Pool.QueryRow(ctx, `SELECT email, unit_head, muted FROM user_notify_settings WHERE user_id = $1`, userID).Scan(&s.Email, &s.UnitHead, &muted)
	if err != nil && err != pgx.ErrNoRows {
		return s, mapErr(err, "notification settings of user %d", userID)
	}
	for _, m := range muted {
		s.Muted = append(s.Muted, ntf.Kind(m))
	}
	return s, nil
}

// ValidEmail reports whether s looks like an email address (one @, a dot
// in the domain, no spaces).
func ValidEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return s == "" || (at > 0 && at == strings.LastIndexByte(s, '@') && strings.Contains(s[at+1:], ".") &&
		!strings.ContainsAny(s, " \t\r\n<>,;\"") && len(s) <= 254)
}

// SetNotifySettings saves a user's settings: the email address and muted
// kinds (a user for themselves or an administrator), and, when head is not
// nil, the unit head flag (administrators only). Audited.
func (db *DB) SetNotifySettings(ctx context.Context, actor workplan.Actor, s ntf.Settings, head *bool) error {
	s.Email = strings.TrimSpace(s.Email)
	if !ValidEmail(s.Email) {
		return workplan.E(workplan.EInvalid, "err.notify.email")
	}
	muted := []string{}
	for _, k := range s.Muted {
		if k.Mutable() && !slices.Contains(muted, string(k)) {
			muted = append(muted, string(k))
		}
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := db.NotifySettings(ctx, s.UserID)
		if err != nil {
			return err
		}
		isHead := before.UnitHead
		if head != nil {
			isHead = *head
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO user_notify_settings (user_id, email, unit_head, muted, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, unit_head = EXCLUDED.unit_head, muted = EXCLUDED.muted,
			       updated_at = EXCLUDED.updated_at`, s.UserID, s.Email, isHead, muted, db.now())
		if err != nil {
			return mapErr(err, "save")
		}
		return audit(ctx, tx, actor, "user.notify_settings", "user", s.UserID,
			map[string]any{"email": before.Email, "unit_head": before.UnitHead, "muted": before.Muted},
			map[string]any{"email": s.Email, "unit_head": isHead, "muted": muted})
	})
	if err != nil {
		return userErr(err, "notification settings of user %d", s.UserID)
	}
	return nil
}

// UnitChannels returns a unit's robot and leader in charge.
func (db *DB) UnitChannels(ctx context.Context, unitID int64) (ntf.UnitChannels, error) {
	c := ntf.UnitChannels{UnitID: unitID}
	err := db.Pool.QueryRow(ctx, `SELECT robot_kind, robot_url, robot_secret, coalesce(leader_id, 0) FROM unit_notify_settings WHERE unit_id = $1`,
		unitID).Scan(&c.Robot, &c.URL, &c.Secret, &c.LeaderID)
	if err != nil && err != pgx.ErrNoRows {
		return c, mapErr(err, "channels of unit %d", unitID)
	}
	return c, nil
}

// SetUnitChannels saves a unit's robot and leader in charge. Audited, the
// secret and the URL's key masked.
func (db *DB) SetUnitChannels(ctx context.Context, actor workplan.Actor, c ntf.UnitChannels) error {
	c.URL, c.Secret = strings.TrimSpace(c.URL), strings.TrimSpace(c.Secret)
	switch {
	case !c.Robot.Valid():
		return workplan.E(workplan.EInvalid, "err.notify.robot_kind")
	case c.Robot != ntf.RobotNone && !strings.HasPrefix(c.URL, "https://") && !strings.HasPrefix(c.URL, "http://"):
		return workplan.E(workplan.EInvalid, "err.notify.robot_url")
	}
	if c.Robot == ntf.RobotNone {
		c.URL, c.Secret = "", ""
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if c.LeaderID != 0 {
			var role string
			if err := tx.QueryRow(ctx, `SELECT role FROM users WHERE id = $1`, c.LeaderID).Scan(&role); err != nil || role != string(workplan.UserLeader) {
				return workplan.E(workplan.EInvalid, "err.notify.leader")
			}
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO unit_notify_settings (unit_id, robot_kind, robot_url, robot_secret, leader_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (unit_id) DO UPDATE SET robot_kind = EXCLUDED.robot_kind, robot_url = EXCLUDED.robot_url,
			       robot_secret = EXCLUDED.robot_secret, leader_id = EXCLUDED.leader_id, updated_at = EXCLUDED.updated_at`,
			c.UnitID, string(c.Robot), c.URL, c.Secret, nullID(c.LeaderID), db.now())
		if err != nil {
			return mapErr(err, "save")
		}
		return audit(ctx, tx, actor, "unit.channels", "unit", c.UnitID, nil,
			map[string]any{"robot": c.Robot, "url": MaskURL(c.URL), "signed": c.Secret != "", "leader_id": c.LeaderID})
	})
	if err != nil {
		return userErr(err, "channels of unit %d", c.UnitID)
	}
	return nil
}

// MaskURL hides a webhook URL's query (its key or token) for logs and pages.
func MaskURL(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i] + "?…"
	}
	if i := strings.LastIndexByte(u, '/'); i > len("https://") && len(u)-i > 8 {
		return u[:i+1] + "…"
	}
	return u
}

// QueueRobotTest queues a test message to unit unitID's robot (the "send a
// test message" button) and returns the outbox row's ID.
func (db *DB) QueueRobotTest(ctx context.Context, actor workplan.Actor, unitID int64) (int64, error) {
	var id int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		args, _ := json.Marshal(ntf.Args{Test: true, By: actor.Name})
		now := db.now()
		err := tx.QueryRow(ctx, `
			INSERT INTO outbox (channel, unit_id, kind, args, link, next_attempt_at, created_at)
			SELECT s.robot_kind, s.unit_id, 'reminder', $2, '/', $3, $3 FROM unit_notify_settings s
			WHERE s.unit_id = $1 AND s.robot_kind <> '' RETURNING id`, unitID, args, now).Scan(&id)
		if err == pgx.ErrNoRows {
			return workplan.E(workplan.EInvalid, "err.notify.no_robot")
		}
		if err != nil {
			return mapErr(err, "queue test")
		}
		return audit(ctx, tx, actor, "unit.robot_test", "unit", unitID, nil, map[string]any{"outbox_id": id})
	})
	if err != nil {
		return 0, userErr(err, "robot test of unit %d", unitID)
	}
	return id, nil
}

// ReviewCounts counts what awaits the reviewer: completion claims on the
// tasks unit unitID leads (0: every claim, for supervisors) and, with
// extensions set, pending extension requests.
func (db *DB) ReviewCounts(ctx context.Context, unitID int64, extensions bool) (claims, requests int, err error) {
	err = db.Pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM assignment_state s JOIN reports r ON r.id = s.last_report_id
		        JOIN assignments a ON a.id = s.assignment_id JOIN tasks t ON t.id = a.task_id
		        WHERE s.claimed AND s.completed_at IS NULL AND a.archived_at IS NULL AND t.archived_at IS NULL
		          AND NOT EXISTS (SELECT 1 FROM reviews rv WHERE rv.report_id = r.id)
		          AND ($1::bigint = 0 OR (a.unit_id <> $1::bigint AND EXISTS (SELECT 1 FROM assignments l WHERE l.task_id = t.id AND l.role = 'lead'
		                                                     AND l.unit_id = $1 AND l.archived_at IS NULL)))),
		       CASE WHEN $2 THEN (SELECT count(*) FROM extension_requests e JOIN assignments a ON a.id = e.assignment_id
		            WHERE a.archived_at IS NULL AND NOT EXISTS (SELECT 1 FROM extension_decisions d WHERE d.request_id = e.id)) ELSE 0 END`,
		unitID, extensions).Scan(&claims, &requests)
	return claims, requests, mapErr(err, "review counts")
}

// PendingExtensions returns the extension requests awaiting a decision,
// oldest first, with their assignment's task and unit.
func (db *DB) PendingExtensions(ctx context.Context) ([]PendingExtension, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT e.id, e.assignment_id, e.requester_name, e.requested_at, e.requested_due, e.reason, u.name, t.number, t.title,
		       coalesce(s.extended_due, t.due_on)
		FROM extension_requests e JOIN assignments a ON a.id = e.assignment_id JOIN units u ON u.id = a.unit_id
		JOIN tasks t ON t.id = a.task_id JOIN assignment_state s ON s.assignment_id = a.id
		WHERE a.archived_at IS NULL AND t.archived_at IS NULL AND NOT EXISTS (SELECT 1 FROM extension_decisions d WHERE d.request_id = e.id)
		ORDER BY e.requested_at LIMIT 500`)
	if err != nil {
		return nil, mapErr(err, "pending extensions")
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PendingExtension, error) {
		var p PendingExtension
		var due, cur *time.Time
		err := row.Scan(&p.ID, &p.AssignmentID, &p.RequesterName, &p.RequestedAt, &due, &p.Reason, &p.Unit, &p.TaskNumber, &p.TaskTitle, &cur)
		p.RequestedDue, p.CurrentDue = dateOf(due), dateOf(cur)
		return p, err
	})
	return list, mapErr(err, "pending extensions")
}

// PendingExtension is an extension request awaiting a decision.
type PendingExtension struct {
	workplan.ExtensionRequest
	Unit       string
	TaskNumber int
	TaskTitle  string
	// CurrentDue is the due date in force; a request made after it is a
	// late request (逾期申请).
	CurrentDue deadline.Date
}

// ReportDetails returns the text and evidence of reports ids, by ID: what
// a reviewer reads inline on the review page.
func (db *DB) ReportDetails(ctx context.Context, ids []int64) (map[int64]workplan.Report, error) {
	out := map[int64]workplan.Report{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.Pool.Query(ctx, `SELECT id, assignment_id, progress, problems, next_steps FROM reports WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, mapErr(err, "report details")
	}
	for rows.Next() {
		var r workplan.Report
		if err := rows.Scan(&r.ID, &r.AssignmentID, &r.Progress, &r.Problems, &r.NextSteps); err != nil {
			return nil, mapErr(err, "report details")
		}
		out[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "report details")
	}
	erows, err := db.Pool.Query(ctx, `SELECT id, report_id, filename, content_type, size FROM evidence_files WHERE report_id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return nil, mapErr(err, "report evidence")
	}
	for erows.Next() {
		var e workplan.EvidenceMeta
		if err := erows.Scan(&e.ID, &e.ReportID, &e.Filename, &e.ContentType, &e.Size); err != nil {
			return nil, mapErr(err, "report evidence")
		}
		r := out[e.ReportID]
		r.Evidence = append(r.Evidence, e)
		out[e.ReportID] = r
	}
	return out, mapErr(erows.Err(), "report evidence")
}
