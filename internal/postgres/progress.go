package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// lockedAssignment is an assignment loaded for a write, its state locked.
type lockedAssignment struct {
	workplan.Assignment
	PlanID     int64
	TaskNumber int
	Archived   bool
	Deadline   deadline.Deadline
	Start      deadline.Date
	Leads      []int64
	State      workplan.AssignmentState
}

// stateColumns are the columns of assignment_state (and assignment_snapshots)
// that hold deadline.Facts, in scan order.
const stateColumns = `s.version, s.reports, s.first_report_at, s.last_report_at, s.percent, s.claimed, s.claimed_at,
	s.completed_at, s.accepted_at, s.extended_due`

// factsScan scans stateColumns into f and version.
type factsScan struct {
	version                                         int
	first, last, claimedAt, completedAt, acceptedAt *time.Time
	extended                                        *time.Time
	reports, percent                                int
	claimed                                         bool
}

func (fs *factsScan) dest() []any {
	return []any{&fs.version, &fs.reports, &fs.first, &fs.last, &fs.percent, &fs.claimed, &fs.claimedAt,
		&fs.completedAt, &fs.acceptedAt, &fs.extended}
}

func (fs *factsScan) facts(dl deadline.Deadline, start deadline.Date) deadline.Facts {
	return deadline.Facts{
		Deadline: dl, Start: start, ExtendedDue: dateOf(fs.extended),
		Reports: fs.reports, FirstReportAt: timeOf(fs.first), LastReportAt: timeOf(fs.last),
		Percent: fs.percent, Claimed: fs.claimed, ClaimedAt: timeOf(fs.claimedAt),
		CompletedAt: timeOf(fs.completedAt), AcceptedAt: timeOf(fs.acceptedAt),
	}
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// lockAssignment loads assignment id with its task's deadline and lead units,
// and locks its state row: every write to an assignment is serialised here.
func lockAssignment(ctx context.Context, tx pgx.Tx, id int64) (lockedAssignment, error) {
	var a lockedAssignment
	b := &pgx.Batch{}
	queueLock(b, id, &a, "")
	return a, mapErr(tx.SendBatch(ctx, b).Close(), "lock assignment %d", id)
}

// queueLock queues lockAssignment's query into b, to be scanned into a when b
// runs. extra adds columns to the query, scanned into dest.
func queueLock(b *pgx.Batch, id int64, a *lockedAssignment, extra string, dest ...any) {
	b.Queue(`
		SELECT a.id, a.task_id, a.unit_id, u.name, a.role, coalesce(v.name, ''), t.plan_id, t.number,
		       t.archived_at IS NOT NULL, a.archived_at IS NOT NULL, t.deadline_text, t.deadline_kind, t.due_on,
		       `+startExpr+`,
		       array(SELECT l.unit_id FROM assignments l WHERE l.task_id = t.id AND l.role = 'lead' AND l.archived_at IS NULL),
		       coalesce(s.last_report_id, 0), `+stateColumns+extra+`
		FROM assignments a
		JOIN assignment_state s ON s.assignment_id = a.id
		JOIN tasks t ON t.id = a.task_id
		JOIN plans p ON p.id = t.plan_id
		JOIN units u ON u.id = a.unit_id
		LEFT JOIN units v ON v.id = a.via_unit_id
		WHERE a.id = $1
		FOR UPDATE OF s`, id).QueryRow(func(row pgx.Row) error {
		var fs factsScan
		var due, start *time.Time
		var taskArchived, asgArchived bool
		var kind deadline.Kind
		err := row.Scan(append([]any{&a.ID, &a.TaskID, &a.UnitID, &a.UnitName, &a.Role, &a.Via, &a.PlanID, &a.TaskNumber,
			&taskArchived, &asgArchived, &a.Deadline.Text, &kind, &due, &start, &a.Leads, &a.State.LastReportID}, append(fs.dest(), dest...)...)...)
		if err != nil {
			return err
		}
		a.Deadline.Kind, a.Deadline.Due = kind, dateOf(due)
		a.Start = dateOf(start)
		a.Archived = taskArchived || asgArchived
		a.State.AssignmentID = id
		a.State.Version = fs.version
		a.State.Facts = fs.facts(a.Deadline, a.Start)
		return nil
	})
}

// eventRefs links an event to the row that caused it.
type eventRefs struct {
	reportID, reviewID, decisionID int64
}

// applyEvent appends e to the assignment's history and folds it into the
// maintained state, bumping the version: the one place state changes.
func applyEvent(ctx context.Context, tx pgx.Tx, a *lockedAssignment, e deadline.Event, refs eventRefs) error {
	b := &pgx.Batch{}
	queueEvent(b, a, e, refs)
	queueNotify(ctx, b, a.PlanID)
	return mapErr(tx.SendBatch(ctx, b).Close(), "apply event to assignment %d", a.ID)
}

// queueNotify queues the notification that plan planID's progress changed.
// Queued inside a transaction it is delivered at commit; but a transaction
// that notifies holds PostgreSQL's notification lock, one per database, from
// its commit until the commit is durable, so that such commits cannot share
// a WAL flush. The busiest write (FileReport) queues it just after its
// COMMIT instead, as a transaction of its own that writes nothing.
func queueNotify(ctx context.Context, b *pgx.Batch, planID int64) {
	b.Queue(`SELECT pg_notify($1, $2)`, changeChannel, progressPayload(ctx, planID))
}

// queueEvent queues applyEvent's statements into b (the event and the
// state) and updates a as they will, once b has run. A failure of any of
// them fails the transaction. The caller queues the change notification.
func queueEvent(b *pgx.Batch, a *lockedAssignment, e deadline.Event, refs eventRefs) {
	id := a.ID
	b.Queue(`
		INSERT INTO assignment_events (assignment_id, kind, at, percent, claims, report_at, new_due, report_id, review_id, extension_decision_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		id, e.Kind, e.At, percentArg(e), e.Claims, timeArg(e.ReportAt), dateArg(e.NewDue),
		nullID(refs.reportID), nullID(refs.reviewID), nullID(refs.decisionID))
	f := a.State.Facts.Apply(e)
	if refs.reportID != 0 && e.Kind == deadline.EventReport {
		a.State.LastReportID = refs.reportID
	}
	b.Queue(`
		UPDATE assignment_state SET version = version + 1, reports = $2, first_report_at = $3, last_report_at = $4,
		       percent = $5, claimed = $6, claimed_at = $7, completed_at = $8, accepted_at = $9, extended_due = $10,
		       last_report_id = $11, updated_at = $12
		WHERE assignment_id = $1`,
		id, f.Reports, timeArg(f.FirstReportAt), timeArg(f.LastReportAt), f.Percent, f.Claimed, timeArg(f.ClaimedAt),
		timeArg(f.CompletedAt), timeArg(f.AcceptedAt), dateArg(f.ExtendedDue), nullID(a.State.LastReportID), e.At)
	a.State.Facts = f
	a.State.Version++
}

func percentArg(e deadline.Event) any {
	if e.Kind != deadline.EventReport {
		return nil
	}
	return e.Percent
}

// now returns the store's clock at PostgreSQL's precision, so that times held
// in memory compare equal to the same times read back.
func (db *DB) now() time.Time { return db.Now().Truncate(time.Microsecond) }

// stateSummary is the audit trail's view of an assignment's state.
func stateSummary(s workplan.AssignmentState) map[string]any {
	f := s.Facts
	return map[string]any{
		"version": s.Version, "reports": f.Reports, "percent": f.Percent, "claimed": f.Claimed,
		"completed_at": timeArg(f.CompletedAt), "extended_due": f.ExtendedDue.String(),
	}
}

// conflict builds the error for a write that started from a stale version:
// nothing is written, and the page shows what changed meanwhile.
func (db *DB) conflict(ctx context.Context, tx querier, a lockedAssignment, base int) error {
	c := workplan.AssignmentConflict{BaseVersion: base, State: a.State}
	rows, err := tx.Query(ctx, `
		SELECT e.kind, e.at, coalesce(r.author_name, rv.reviewer_name, d.decider_name, ''), coalesce(e.percent, 0), e.claims,
		       coalesce(rv.reason, d.reason, ''), coalesce(e.new_due::text, '')
		FROM assignment_events e
		LEFT JOIN reports r ON r.id = e.report_id
		LEFT JOIN reviews rv ON rv.id = e.review_id
		LEFT JOIN extension_decisions d ON d.id = e.extension_decision_id
		WHERE e.assignment_id = $1 ORDER BY e.at DESC, e.id DESC LIMIT $2`, a.ID, max(a.State.Version-base, 1))
	if err != nil {
		return mapErr(err, "conflict details")
	}
	for rows.Next() {
		var ch workplan.AssignmentChange
		if err := rows.Scan(&ch.Kind, &ch.At, &ch.By, &ch.Percent, &ch.Claims, &ch.Reason, &ch.NewDue); err != nil {
			return mapErr(err, "conflict details")
		}
		c.Changes = append(c.Changes, ch)
	}
	if err := rows.Err(); err != nil {
		return mapErr(err, "conflict details")
	}
	return &workplan.ConflictError{Current: c}
}

// FileReport files a progress report for an assignment on behalf of actor,
// who must be staff of the assignment's unit. The report, its indicator values
// and evidence, the history event, the maintained state and the audit entry
// are written in one transaction; a stale BaseVersion writes nothing and
// returns a *workplan.ConflictError.
//
// It is the write of the busiest morning, so it takes two round trips: the
// transaction begins with the lock, and every row is written in one batch
// that ends with the commit.
func (db *DB) FileReport(ctx context.Context, actor workplan.Actor, in workplan.ReportInput) (workplan.Report, error) {
	if err := in.Validate(); err != nil {
		return workplan.Report{}, err
	}
	rep, err := func() (workplan.Report, error) {
		c, err := db.Pool.Acquire(ctx)
		if err != nil {
			return workplan.Report{}, mapErr(err, "connect")
		}
		defer c.Release()
		return db.fileReport(ctx, c.Conn(), true, actor, in)
	}()
	if err != nil {
		return workplan.Report{}, fmt.Errorf("postgres: file report for assignment %d: %w", in.AssignmentID, err)
	}
	return rep, nil
}

// fileReport is FileReport on conn: in a transaction of its own when own,
// else inside the caller's (the spreadsheet import files several reports in
// one). in must be valid.
func (db *DB) fileReport(ctx context.Context, conn *pgx.Conn, own bool, actor workplan.Actor, in workplan.ReportInput) (rep workplan.Report, err error) {
	if own {
		defer func() {
			// A failed write leaves the transaction open or aborted: end it
			// before the connection goes back to the pool (which would close
			// a connection still in a transaction).
			if err != nil && conn.PgConn().TxStatus() != 'I' {
				_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
			}
		}()
	}
	var a lockedAssignment
	var reportID int64
	var indicators []int64
	b := &pgx.Batch{}
	if own {
		b.Queue("BEGIN")
	}
	queueLock(b, in.AssignmentID, &a, `, nextval(pg_get_serial_sequence('reports', 'id')),
		array(SELECT i.id FROM indicators i WHERE i.task_id = t.id AND i.archived_at IS NULL)`, &reportID, &indicators)
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return rep, mapErr(err, "lock assignment %d", in.AssignmentID)
	}
	if !actor.CanFileReport(a.Assignment) {
		return rep, workplan.ErrNotOwnUnit
	}
	if a.Archived {
		return rep, workplan.E(workplan.EInvalid, "err.report.archived")
	}
	for _, iv := range in.Indicators {
		if !slices.Contains(indicators, iv.IndicatorID) {
			return rep, workplan.E(workplan.EInvalid, "err.report.indicator_task", iv.IndicatorID)
		}
	}
	if a.State.Version != in.BaseVersion {
		return rep, db.conflict(ctx, conn, a, in.BaseVersion)
	}
	before := stateSummary(a.State)
	now := db.now()
	var authorID *int64
	if actor.UserID != 0 {
		authorID = &actor.UserID
	}
	rep = workplan.Report{ID: reportID, AssignmentID: a.ID, AuthorID: actor.UserID, AuthorName: actor.Name, SubmittedAt: now,
		Percent: in.Percent, Progress: in.Progress, Problems: in.Problems, NextSteps: in.NextSteps,
		ClaimsCompletion: in.ClaimsCompletion, Indicators: in.Indicators}
	b = &pgx.Batch{}
	b.Queue(`
		INSERT INTO reports (id, assignment_id, author_id, author_name, submitted_at, percent, progress, problems, next_steps, claims_completion)
		OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		reportID, a.ID, authorID, actor.Name, now, in.Percent, in.Progress, in.Problems, in.NextSteps, in.ClaimsCompletion)
	for _, iv := range in.Indicators {
		b.Queue(`INSERT INTO report_indicator_values (report_id, indicator_id, value) VALUES ($1, $2, $3)`, reportID, iv.IndicatorID, iv.Value)
	}
	if len(in.Indicators) > 0 {
		b.Queue(upsertIndicatorLatest, []int64{reportID})
	}
	for _, f := range in.Evidence {
		sum := sha256.Sum256(f.Content)
		b.Queue(`
			INSERT INTO evidence_files (report_id, filename, content_type, size, sha256, content, uploaded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			reportID, f.Filename, f.ContentType, len(f.Content), sum[:], f.Content, now).QueryRow(func(row pgx.Row) error {
			var id int64
			if err := row.Scan(&id); err != nil {
				return err
			}
			rep.Evidence = append(rep.Evidence, workplan.EvidenceMeta{ID: id, ReportID: reportID, Filename: f.Filename, ContentType: f.ContentType, Size: len(f.Content)})
			return nil
		})
	}
	ev := deadline.Event{Kind: deadline.EventReport, At: now, Percent: in.Percent, Claims: in.ClaimsCompletion}
	queueEvent(b, &a, ev, eventRefs{reportID: reportID})
	after := stateSummary(a.State)
	after["report_id"] = reportID
	after["evidence"] = len(in.Evidence)
	args, err := auditArgs(actor, "report.file", "assignment", a.ID, before, after)
	if err != nil {
		return rep, err
	}
	b.Queue(auditInsert, args...)
	if own {
		b.Queue("COMMIT")
	}
	queueNotify(ctx, b, a.PlanID)
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return rep, mapErr(err, "write report")
	}
	if own && conn.PgConn().TxStatus() != 'I' {
		// COMMIT answered without ending the transaction: it cannot have
		// committed.
		return rep, fmt.Errorf("postgres: write report: the transaction did not end (status %q)", conn.PgConn().TxStatus())
	}
	return rep, nil
}

// ReviewReport records a reviewer's decision on a report: supervisors and
// staff of the task's lead units may review, but not a report of their own
// unit. Accepting a report that claims completion makes the completion count;
// returning it (with a reason) sends it back. A decision is taken only where
// it means what it says: only the pending completion claim can be accepted,
// only the pending or the accepted claim returned. A report that claims
// nothing, or a claim superseded by a later report, is refused with EInvalid
// rather than recorded as "通过" while the unit is not done.
func (db *DB) ReviewReport(ctx context.Context, actor workplan.Actor, in workplan.ReviewInput) (workplan.Review, error) {
	if err := in.Validate(); err != nil {
		return workplan.Review{}, err
	}
	var rv workplan.Review
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var asgID int64
		var submitted time.Time
		var claims bool
		if err := tx.QueryRow(ctx, `SELECT assignment_id, submitted_at, claims_completion FROM reports WHERE id = $1`, in.ReportID).
			Scan(&asgID, &submitted, &claims); err != nil {
			return mapErr(err, "find report %d", in.ReportID)
		}
		a, err := lockAssignment(ctx, tx, asgID)
		if err != nil {
			return err
		}
		if !actor.CanReview(a.Leads) {
			return workplan.E(workplan.EForbidden, "err.review.forbidden")
		}
		if actor.Role == workplan.UserStaff && actor.UnitID == a.UnitID {
			return workplan.E(workplan.EForbidden, "err.review.own_unit")
		}
		if a.State.Version != in.BaseVersion {
			return db.conflict(ctx, tx, a, in.BaseVersion)
		}
		var last workplan.Decision
		err = tx.QueryRow(ctx, `SELECT decision FROM reviews WHERE report_id = $1 ORDER BY reviewed_at DESC, id DESC LIMIT 1`, in.ReportID).Scan(&last)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return mapErr(err, "previous review")
		}
		if last == in.Decision {
			return workplan.E(workplan.EInvalid, "err.review.already", decisionLabel(last))
		}
		if last == workplan.DecisionAccept && actor.Role != workplan.UserSupervisor {
			return workplan.E(workplan.EForbidden, "err.review.return_accepted")
		}
		// A later claim of a unit whose completion was accepted already can
		// be accepted too: it completes nothing new, but the unit is done.
		f := a.State.Facts
		pending := f.Claimed && f.ClaimedAt.Equal(submitted)
		accepted := !f.CompletedAt.IsZero() && f.CompletedAt.Equal(submitted)
		switch {
		case !claims:
			return ErrNothingClaimed
		case in.Decision == workplan.DecisionAccept && !pending, in.Decision == workplan.DecisionReturn && !pending && !accepted:
			return ErrClaimSuperseded
		}
		before := stateSummary(a.State)
		now := db.now()
		var reviewerID *int64
		if actor.UserID != 0 {
			reviewerID = &actor.UserID
		}
		rv = workplan.Review{ReportID: in.ReportID, ReviewerID: actor.UserID, ReviewerName: actor.Name, Decision: in.Decision, Reason: in.Reason, ReviewedAt: now}
		err = tx.QueryRow(ctx, `
			INSERT INTO reviews (report_id, assignment_id, reviewer_id, reviewer_name, decision, reason, reviewed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			in.ReportID, a.ID, reviewerID, actor.Name, in.Decision, in.Reason, now).Scan(&rv.ID)
		if err != nil {
			return mapErr(err, "insert review")
		}
		kind := deadline.EventAccept
		if in.Decision == workplan.DecisionReturn {
			kind = deadline.EventReturn
		}
		if err := applyEvent(ctx, tx, &a, deadline.Event{Kind: kind, At: now, ReportAt: submitted}, eventRefs{reviewID: rv.ID}); err != nil {
			return err
		}
		after := stateSummary(a.State)
		after["report_id"], after["decision"], after["reason"] = in.ReportID, in.Decision, in.Reason
		if err := audit(ctx, tx, actor, "report.review", "assignment", a.ID, before, after); err != nil {
			return err
		}
		return noticeReview(ctx, tx, now, a.ID, actor, in)
	})
	if err != nil {
		return workplan.Review{}, fmt.Errorf("postgres: review report %d: %w", in.ReportID, err)
	}
	return rv, nil
}

// The refusals of review decisions that would not mean what they say.
var (
	// ErrNothingClaimed refuses a review of a report that claims nothing:
	// "通过" would read as if the unit were done.
	ErrNothingClaimed = workplan.E(workplan.EInvalid, "review.err.nothing_claimed")
	// ErrClaimSuperseded refuses a review of a claim that a later report
	// withdrew, or that was returned already.
	ErrClaimSuperseded = workplan.E(workplan.EInvalid, "review.err.superseded")
)

// decisionLabel names a review decision, in the reader's language.
func decisionLabel(d workplan.Decision) workplan.Msg {
	if d == workplan.DecisionAccept {
		return workplan.M("audit.value.decision.accept")
	}
	return workplan.M("audit.value.decision.return")
}

// RequestExtension files an extension request (延期申请) for an assignment:
// staff of its unit only, before the (possibly already extended) due date,
// for a later date.
func (db *DB) RequestExtension(ctx context.Context, actor workplan.Actor, assignmentID int64, newDue deadline.Date, reason string) (workplan.ExtensionRequest, error) {
	var req workplan.ExtensionRequest
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		a, err := lockAssignment(ctx, tx, assignmentID)
		if err != nil {
			return err
		}
		if !actor.CanFileReport(a.Assignment) {
			return workplan.E(workplan.EForbidden, "err.extension.own_unit")
		}
		if !a.Deadline.Kind.HasDue() {
			return workplan.E(workplan.EInvalid, "err.extension.no_due")
		}
		due := a.Deadline.Due
		if !a.State.Facts.ExtendedDue.IsZero() {
			due = a.State.Facts.ExtendedDue
		}
		now := db.now()
		// After the due date the request is a late one (逾期申请): still
		// possible, for a date after today.
		late := !now.Before(due.End(deadline.Shanghai))
		if late && !newDue.After(deadline.DateOf(now, deadline.Shanghai)) {
			return workplan.E(workplan.EInvalid, "err.extension.after_today", newDue.String())
		}
		if !newDue.After(due) {
			return workplan.E(workplan.EInvalid, "err.extension.after_due", newDue.String(), due.String())
		}
		if reason == "" || len([]rune(reason)) > workplan.MaxReasonText {
			return workplan.E(workplan.EInvalid, "err.extension.reason", workplan.MaxReasonText)
		}
		var pending bool
		if err := tx.QueryRow(ctx, `
			SELECT EXISTS (SELECT 1 FROM extension_requests r WHERE r.assignment_id = $1
			               AND NOT EXISTS (SELECT 1 FROM extension_decisions d WHERE d.request_id = r.id))`, a.ID).Scan(&pending); err != nil {
			return mapErr(err, "pending extension")
		}
		if pending {
			return workplan.E(workplan.EInvalid, "err.extension.pending")
		}
		var by *int64
		if actor.UserID != 0 {
			by = &actor.UserID
		}
		req = workplan.ExtensionRequest{AssignmentID: a.ID, RequestedBy: actor.UserID, RequesterName: actor.Name, RequestedAt: now, RequestedDue: newDue, Reason: reason}
		if err := tx.QueryRow(ctx, `
			INSERT INTO extension_requests (assignment_id, requested_by, requester_name, requested_at, requested_due, reason)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, a.ID, by, actor.Name, now, dateArg(newDue), reason).Scan(&req.ID); err != nil {
			return mapErr(err, "insert extension request")
		}
		if err := audit(ctx, tx, actor, "extension.request", "assignment", a.ID, nil, map[string]any{"request_id": req.ID, "requested_due": newDue.String(), "reason": reason, "late": late}); err != nil {
			return err
		}
		// The assignment's page and the review queue show the request.
		return notify(ctx, tx, progressPayload(ctx, a.PlanID))
	})
	if err != nil {
		return req, fmt.Errorf("postgres: request extension for assignment %d: %w", assignmentID, err)
	}
	return req, nil
}

// ExtensionAssignment returns the assignment of extension request id.
func (db *DB) ExtensionAssignment(ctx context.Context, id int64) (int64, error) {
	var asgID int64
	err := db.Pool.QueryRow(ctx, `SELECT assignment_id FROM extension_requests WHERE id = $1`, id).Scan(&asgID)
	return asgID, mapErr(err, "find extension request %d", id)
}

// DecideExtension approves or rejects a pending extension request; only
// supervisors decide. An approval moves the assignment's due date (the
// original stays on the task) through an extension event.
func (db *DB) DecideExtension(ctx context.Context, actor workplan.Actor, requestID int64, approve bool, reason string) error {
	if !actor.CanDecideExtension() {
		return fmt.Errorf("postgres: decide extension %d: %w", requestID, workplan.E(workplan.EForbidden, "err.extension.forbidden"))
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var asgID int64
		var newDue time.Time
		if err := tx.QueryRow(ctx, `SELECT assignment_id, requested_due FROM extension_requests WHERE id = $1`, requestID).Scan(&asgID, &newDue); err != nil {
			return mapErr(err, "find extension request %d", requestID)
		}
		a, err := lockAssignment(ctx, tx, asgID)
		if err != nil {
			return err
		}
		if !approve && reason == "" {
			return workplan.E(workplan.EInvalid, "err.extension.reject_reason")
		}
		if len([]rune(reason)) > workplan.MaxReasonText {
			return workplan.E(workplan.EInvalid, "err.reason.too_long", workplan.MaxReasonText)
		}
		now := db.now()
		var by *int64
		if actor.UserID != 0 {
			by = &actor.UserID
		}
		var decisionID int64
		err = tx.QueryRow(ctx, `
			INSERT INTO extension_decisions (request_id, decided_by, decider_name, decided_at, approved, reason)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (request_id) DO NOTHING RETURNING id`,
			requestID, by, actor.Name, now, approve, reason).Scan(&decisionID)
		if errors.Is(err, pgx.ErrNoRows) {
			return workplan.E(workplan.EInvalid, "err.extension.decided")
		}
		if err != nil {
			return mapErr(err, "insert extension decision")
		}
		before := stateSummary(a.State)
		if approve {
			ev := deadline.Event{Kind: deadline.EventExtension, At: now, NewDue: dateOf(&newDue)}
			if err := applyEvent(ctx, tx, &a, ev, eventRefs{decisionID: decisionID}); err != nil {
				return err
			}
		}
		after := stateSummary(a.State)
		after["request_id"], after["approved"], after["reason"] = requestID, approve, reason
		if err := audit(ctx, tx, actor, "extension.decide", "assignment", a.ID, before, after); err != nil {
			return err
		}
		if err := noticeExtension(ctx, tx, now, a.ID, actor, approve, dateOf(&newDue).String(), reason); err != nil {
			return err
		}
		// A rejection changes no state but the pages that show the
		// request (an approval's event announced it already; PostgreSQL
		// sends the two as one).
		return notify(ctx, tx, progressPayload(ctx, a.PlanID))
	})
	if err != nil {
		return fmt.Errorf("postgres: decide extension %d: %w", requestID, err)
	}
	return nil
}
