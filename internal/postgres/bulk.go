package postgres

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// This file holds the bulk writes of `duban-dev gen` (internal/gen), which fills a
// database with synthetic history for benchmarks and load tests. They write
// with COPY, many rows per statement, and skip the per-row audit entries of
// the interactive paths (FileReport, ReviewReport …): the generator computes
// each assignment's state in Go with deadline.Facts.Apply, exactly as
// applyEvent does, and hands over rows that already agree with each other.

// Bulk is the store's door for the generator: the bulk writes and checks
// above, kept off the store's own surface, which serves the product. It is
// the store (DB) too.
type Bulk struct{ *DB }

// NewBulk opens the bulk door of db.
func NewBulk(db *DB) *Bulk { return &Bulk{db} }

// IDTable names a table whose identity values the generator reserves before
// writing, because other rows refer to them.
type IDTable string

// The tables whose IDs can be reserved.
const (
	IDUsers              IDTable = "users"
	IDReports            IDTable = "reports"
	IDReviews            IDTable = "reviews"
	IDExtensionRequests  IDTable = "extension_requests"
	IDExtensionDecisions IDTable = "extension_decisions"
)

// maxReserve bounds one reservation (a week of a province needs ~100,000).
const maxReserve = 10_000_000

// historyTempStateTable receives generated states before they replace the
// initial ones.
const historyTempStateTable = "gen_state"

// ReserveIDs takes n values from the identity sequence of table and returns
// them in increasing order. Rows written with these IDs (COPY accepts explicit
// values for identity columns) never collide with rows the application
// inserts meanwhile, since both draw from the same sequence.
func (db *Bulk) ReserveIDs(ctx context.Context, table IDTable, n int) ([]int64, error) {
	switch table {
	case IDUsers, IDReports, IDReviews, IDExtensionRequests, IDExtensionDecisions:
	default:
		return nil, fmt.Errorf("postgres: reserve ids: unknown table %q", table)
	}
	if n <= 0 {
		return nil, nil
	}
	if n > maxReserve {
		return nil, fmt.Errorf("postgres: reserve %d ids of %s: at most %d at once", n, table, maxReserve)
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2) ORDER BY 1`, string(table), n)
	if err != nil {
		return nil, mapErr(err, "reserve %d ids of %s", n, table)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, mapErr(err, "reserve %d ids of %s", n, table)
	}
	return ids, nil
}

// PlanAssignment is an active assignment of a plan with what the generator
// needs to invent its history: the task's deadline and start, the lead units
// (who may review), and the task's indicators.
type PlanAssignment struct {
	workplan.Assignment
	UnitKind   workplan.UnitKind
	TaskNumber int
	TaskTitle  string
	Deadline   deadline.Deadline
	Start      deadline.Date
	// Leads are the unit IDs of the task's active lead assignments.
	Leads      []int64
	Indicators []workplan.Indicator
}

// PlanAssignments returns the active assignments of the active tasks of plan
// planID, by task number and unit name.
func (db *Bulk) PlanAssignments(ctx context.Context, planID int64) ([]PlanAssignment, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT a.id, a.task_id, a.unit_id, u.name, u.kind, a.role, coalesce(v.name, ''), t.number, t.title,
		       t.deadline_text, t.deadline_kind, t.due_on, `+startExpr+`,
		       array(SELECT l.unit_id FROM assignments l
		             WHERE l.task_id = t.id AND l.role = 'lead' AND l.archived_at IS NULL ORDER BY l.unit_id)
		FROM assignments a
		JOIN tasks t ON t.id = a.task_id
		JOIN plans p ON p.id = t.plan_id
		JOIN units u ON u.id = a.unit_id
		LEFT JOIN units v ON v.id = a.via_unit_id
		WHERE t.plan_id = $1 AND t.archived_at IS NULL AND a.archived_at IS NULL
		ORDER BY t.number, u.name`, planID)
	if err != nil {
		return nil, mapErr(err, "plan %d assignments", planID)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PlanAssignment, error) {
		var a PlanAssignment
		var due, start *time.Time
		err := row.Scan(&a.ID, &a.TaskID, &a.UnitID, &a.UnitName, &a.UnitKind, &a.Role, &a.Via, &a.TaskNumber, &a.TaskTitle,
			&a.Deadline.Text, &a.Deadline.Kind, &due, &start, &a.Leads)
		a.Deadline.Due, a.Start = dateOf(due), dateOf(start)
		return a, err
	})
	if err != nil {
		return nil, mapErr(err, "plan %d assignments", planID)
	}
	rows, err = db.Pool.Query(ctx, `
		SELECT `+indicatorColumns+`
		FROM indicators i JOIN tasks t ON t.id = i.task_id
		WHERE t.plan_id = $1 AND i.archived_at IS NULL ORDER BY i.task_id, i.position`, planID)
	if err != nil {
		return nil, mapErr(err, "plan %d indicators", planID)
	}
	inds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.Indicator, error) {
		var i workplan.Indicator
		err := row.Scan(indicatorDest(&i)...)
		return i, err
	})
	if err != nil {
		return nil, mapErr(err, "plan %d indicators", planID)
	}
	byTask := map[int64][]workplan.Indicator{}
	for _, i := range inds {
		byTask[i.TaskID] = append(byTask[i.TaskID], i)
	}
	for i := range out {
		out[i].Indicators = byTask[out[i].TaskID]
	}
	return out, nil
}

// UnitIDs returns the IDs of the units named (by name, not alias); names
// that are not units are missing from the map.
func (db *Bulk) UnitIDs(ctx context.Context, names []string) (map[string]int64, error) {
	rows, err := db.Pool.Query(ctx, `SELECT name, id FROM units WHERE name = ANY($1)`, names)
	if err != nil {
		return nil, mapErr(err, "unit ids")
	}
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var id int64
		if err := rows.Scan(&name, &id); err != nil {
			return nil, mapErr(err, "unit ids")
		}
		out[name] = id
	}
	return out, mapErr(rows.Err(), "unit ids")
}

// ExistingUsernames returns those of names that are taken.
func (db *Bulk) ExistingUsernames(ctx context.Context, names []string) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `SELECT username FROM users WHERE username = ANY($1) ORDER BY username`, names)
	if err != nil {
		return nil, mapErr(err, "existing usernames")
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, mapErr(err, "existing usernames")
}

// BulkUser is an account to insert with InsertUsers. ID comes from
// ReserveIDs(IDUsers). An empty PasswordHash is an account nobody can sign in
// to until an administrator sets a password.
type BulkUser struct {
	ID                 int64
	Username           string
	DisplayName        string
	UnitID             int64
	Role               workplan.UserRole
	PasswordHash       string
	MustChangePassword bool
	CreatedAt          time.Time
}

// InsertUsers writes users in one COPY. Usernames must be valid and free.
func (db *Bulk) InsertUsers(ctx context.Context, users []BulkUser) error {
	_, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"users"},
		[]string{"id", "username", "display_name", "unit_id", "role", "password_hash", "must_change_password", "created_at", "updated_at"},
		pgx.CopyFromSlice(len(users), func(i int) ([]any, error) {
			u := users[i]
			return []any{u.ID, u.Username, u.DisplayName, nullID(u.UnitID), string(u.Role), u.PasswordHash, u.MustChangePassword,
				u.CreatedAt, u.CreatedAt}, nil
		}))
	if err != nil {
		return mapErr(err, "insert %d users", len(users))
	}
	return nil
}

// BulkReview is a review with the assignment of its report.
type BulkReview struct {
	workplan.Review
	AssignmentID int64
}

// BulkExtension is an extension request and, when decided, its decision
// (Request.Decision non-nil) with the decision's ID.
type BulkExtension struct {
	Request    workplan.ExtensionRequest
	DecisionID int64
}

// BulkEvidence is an evidence file of a report.
type BulkEvidence struct {
	ReportID   int64
	File       workplan.EvidenceFile
	UploadedAt time.Time
}

// BulkEvent is one row of assignment_events: the event and the row that
// caused it (a report for EventReport, a review for EventAccept and
// EventReturn, an extension decision for EventExtension).
type BulkEvent struct {
	AssignmentID int64
	Event        deadline.Event
	ReportID     int64
	ReviewID     int64
	DecisionID   int64
}

// BulkState is the maintained state of an assignment after its whole
// generated history: the fold of its events, their count as Version, the
// latest report and the time of the last event.
type BulkState struct {
	workplan.AssignmentState
	UpdatedAt time.Time
}

// History is a batch of generated history with every ID already set
// (ReserveIDs). Rows may refer to rows of earlier batches. Events of one
// assignment must be in At order with distinct times, so that the order of
// their identity values, which as-of queries use to break ties, is their
// order in the fold. States, written last, replace the initial states of
// their assignments.
type History struct {
	Reports    []workplan.Report // Indicators are written; Evidence is ignored (see Evidence)
	Evidence   []BulkEvidence
	Reviews    []BulkReview
	Extensions []BulkExtension
	Events     []BulkEvent
	States     []BulkState
}

// WriteOptions tune WriteHistory.
type WriteOptions struct {
	// SkipReferenceChecks writes without the per-row foreign key checks
	// (session_replication_role = replica, which needs a superuser; see
	// CanSkipReferenceChecks). They cost more than the writes themselves; the
	// caller must check the references afterwards with CheckReferences.
	SkipReferenceChecks bool
}

// CanSkipReferenceChecks reports whether the connection's role may write
// with WriteOptions.SkipReferenceChecks.
func (db *Bulk) CanSkipReferenceChecks(ctx context.Context) (bool, error) {
	var super bool
	err := db.Pool.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super)
	return super, mapErr(err, "role")
}

// WriteHistory writes h in one transaction: reports, indicator values,
// evidence, reviews, extension requests and decisions, events, and the
// assignments' states. It refuses (and writes nothing) if any of h.States
// belongs to an assignment that already has history (state version not 0):
// generated history is only ever the whole history of an assignment.
func (db *Bulk) WriteHistory(ctx context.Context, h History, opt WriteOptions) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return mapErr(err, "set synchronous_commit")
		}
		if opt.SkipReferenceChecks {
			if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
				return mapErr(err, "skip reference checks")
			}
		}
		if err := copyReports(ctx, tx, h.Reports); err != nil {
			return err
		}
		if err := copyEvidence(ctx, tx, h.Evidence); err != nil {
			return err
		}
		if len(h.Reviews) > 0 {
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"reviews"},
				[]string{"id", "report_id", "assignment_id", "reviewer_id", "reviewer_name", "decision", "reason", "reviewed_at"},
				pgx.CopyFromSlice(len(h.Reviews), func(i int) ([]any, error) {
					r := h.Reviews[i]
					return []any{r.ID, r.ReportID, r.AssignmentID, nullID(r.ReviewerID), r.ReviewerName, string(r.Decision), r.Reason, r.ReviewedAt}, nil
				}))
			if err != nil {
				return mapErr(err, "copy reviews")
			}
		}
		if err := copyExtensions(ctx, tx, h.Extensions); err != nil {
			return err
		}
		if len(h.Events) > 0 {
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"assignment_events"},
				[]string{"assignment_id", "kind", "at", "percent", "claims", "report_at", "new_due", "report_id", "review_id", "extension_decision_id"},
				pgx.CopyFromSlice(len(h.Events), func(i int) ([]any, error) {
					e := h.Events[i]
					return []any{e.AssignmentID, string(e.Event.Kind), e.Event.At, percentArg(e.Event), e.Event.Claims, timeArg(e.Event.ReportAt),
						dateArg(e.Event.NewDue), nullID(e.ReportID), nullID(e.ReviewID), nullID(e.DecisionID)}, nil
				}))
			if err != nil {
				return mapErr(err, "copy events")
			}
		}
		return writeStates(ctx, tx, h.States)
	})
	if err != nil {
		return fmt.Errorf("postgres: write history: %w", err)
	}
	return nil
}

func copyReports(ctx context.Context, tx pgx.Tx, reports []workplan.Report) error {
	if len(reports) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"reports"},
		[]string{"id", "assignment_id", "author_id", "author_name", "submitted_at", "percent", "progress", "problems", "next_steps", "claims_completion"},
		pgx.CopyFromSlice(len(reports), func(i int) ([]any, error) {
			r := reports[i]
			return []any{r.ID, r.AssignmentID, nullID(r.AuthorID), r.AuthorName, r.SubmittedAt, r.Percent, r.Progress, r.Problems, r.NextSteps, r.ClaimsCompletion}, nil
		}))
	if err != nil {
		return mapErr(err, "copy reports")
	}
	var values [][]any
	var withValues []int64
	for _, r := range reports {
		for _, iv := range r.Indicators {
			values = append(values, []any{r.ID, iv.IndicatorID, iv.Value})
		}
		if len(r.Indicators) > 0 {
			withValues = append(withValues, r.ID)
		}
	}
	if len(values) == 0 {
		return nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"report_indicator_values"}, []string{"report_id", "indicator_id", "value"}, pgx.CopyFromRows(values)); err != nil {
		return mapErr(err, "copy indicator values")
	}
	_, err = tx.Exec(ctx, upsertIndicatorLatest, withValues)
	return mapErr(err, "latest indicator values")
}

func copyEvidence(ctx context.Context, tx pgx.Tx, files []BulkEvidence) error {
	if len(files) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"evidence_files"},
		[]string{"report_id", "filename", "content_type", "size", "sha256", "content", "uploaded_at"},
		pgx.CopyFromSlice(len(files), func(i int) ([]any, error) {
			f := files[i]
			sum := sha256.Sum256(f.File.Content)
			return []any{f.ReportID, f.File.Filename, f.File.ContentType, len(f.File.Content), sum[:], f.File.Content, f.UploadedAt}, nil
		}))
	return mapErr(err, "copy evidence")
}

func copyExtensions(ctx context.Context, tx pgx.Tx, exts []BulkExtension) error {
	if len(exts) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"extension_requests"},
		[]string{"id", "assignment_id", "requested_by", "requester_name", "requested_at", "requested_due", "reason"},
		pgx.CopyFromSlice(len(exts), func(i int) ([]any, error) {
			r := exts[i].Request
			return []any{r.ID, r.AssignmentID, nullID(r.RequestedBy), r.RequesterName, r.RequestedAt, dateArg(r.RequestedDue), r.Reason}, nil
		}))
	if err != nil {
		return mapErr(err, "copy extension requests")
	}
	var decisions [][]any
	for _, x := range exts {
		if d := x.Request.Decision; d != nil {
			decisions = append(decisions, []any{x.DecisionID, x.Request.ID, nullID(d.DecidedBy), d.DeciderName, d.DecidedAt, d.Approved, d.Reason})
		}
	}
	if len(decisions) == 0 {
		return nil
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"extension_decisions"},
		[]string{"id", "request_id", "decided_by", "decider_name", "decided_at", "approved", "reason"}, pgx.CopyFromRows(decisions))
	return mapErr(err, "copy extension decisions")
}

// writeStates replaces the initial (version 0) state of each assignment with
// its generated one, through a temporary table.
func writeStates(ctx context.Context, tx pgx.Tx, states []BulkState) error {
	if len(states) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE `+historyTempStateTable+` (LIKE assignment_state) ON COMMIT DROP`); err != nil {
		return mapErr(err, "state table")
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{historyTempStateTable},
		[]string{"assignment_id", "version", "reports", "first_report_at", "last_report_at", "last_report_id", "percent", "claimed",
			"claimed_at", "completed_at", "accepted_at", "extended_due", "updated_at"},
		pgx.CopyFromSlice(len(states), func(i int) ([]any, error) {
			s := states[i]
			f := s.Facts
			return []any{s.AssignmentID, s.Version, f.Reports, timeArg(f.FirstReportAt), timeArg(f.LastReportAt), nullID(s.LastReportID),
				f.Percent, f.Claimed, timeArg(f.ClaimedAt), timeArg(f.CompletedAt), timeArg(f.AcceptedAt), dateArg(f.ExtendedDue), s.UpdatedAt}, nil
		}))
	if err != nil {
		return mapErr(err, "copy states")
	}
	tag, err := tx.Exec(ctx, `
		UPDATE assignment_state s SET version = g.version, reports = g.reports, first_report_at = g.first_report_at,
		       last_report_at = g.last_report_at, last_report_id = g.last_report_id, percent = g.percent, claimed = g.claimed,
		       claimed_at = g.claimed_at, completed_at = g.completed_at, accepted_at = g.accepted_at,
		       extended_due = g.extended_due, updated_at = g.updated_at
		FROM `+historyTempStateTable+` g
		WHERE s.assignment_id = g.assignment_id AND s.version = 0`)
	if err != nil {
		return mapErr(err, "update states")
	}
	if n := tag.RowsAffected(); n != int64(len(states)) {
		return fmt.Errorf("postgres: update states: %d of %d assignments are missing or already have history", int64(len(states))-n, len(states))
	}
	return nil
}

// RecordGeneration appends one entry to the audit trail saying that
// synthetic data was generated, with what (summary is JSON-encoded).
func (db *Bulk) RecordGeneration(ctx context.Context, actor workplan.Actor, summary any) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		return audit(ctx, tx, actor, "data.generate", "database", "", nil, summary)
	})
}

// Analyze updates the planner's statistics of every table, as needed after
// a bulk load so that the first queries get good plans.
func (db *Bulk) Analyze(ctx context.Context) error {
	_, err := db.Pool.Exec(ctx, `ANALYZE`)
	return mapErr(err, "analyze")
}

// LastSnapshotDay returns the latest day with a complete snapshot; ok is
// false when none has been taken.
func (db *Bulk) LastSnapshotDay(ctx context.Context) (deadline.Date, bool, error) {
	var day *time.Time
	if err := db.Pool.QueryRow(ctx, `SELECT max(day) FROM snapshot_days`).Scan(&day); err != nil {
		return deadline.Date{}, false, mapErr(err, "last snapshot day")
	}
	return dateOf(day), day != nil, nil
}

// historyChecks are queries that count rows of the progress history that
// disagree with each other, each with what a non-zero count means.
var historyChecks = []struct{ what, sql string }{
	{"latest indicator values that are not each assignment's newest (indicator_latest)", `
		SELECT count(*) FROM (
			SELECT DISTINCT ON (v.indicator_id, r.assignment_id) v.indicator_id, r.assignment_id, r.id
			FROM report_indicator_values v JOIN reports r ON r.id = v.report_id
			ORDER BY v.indicator_id, r.assignment_id, r.submitted_at DESC, r.id DESC) w
		FULL JOIN indicator_latest l ON l.indicator_id = w.indicator_id AND l.assignment_id = w.assignment_id
		WHERE l.report_id IS DISTINCT FROM w.id`},
	{"report events that differ from their report", `
		SELECT count(*) FROM assignment_events e JOIN reports r ON r.id = e.report_id
		WHERE e.kind = 'report' AND (r.assignment_id <> e.assignment_id OR r.submitted_at <> e.at
		      OR r.percent <> e.percent OR r.claims_completion <> e.claims)`},
	{"reports without exactly one report event", `
		SELECT count(*) FROM reports r
		LEFT JOIN (SELECT report_id, count(*) AS n FROM assignment_events WHERE kind = 'report' GROUP BY report_id) e
		       ON e.report_id = r.id
		WHERE e.n IS DISTINCT FROM 1`},
	{"review events that differ from their review", `
		SELECT count(*) FROM assignment_events e JOIN reviews v ON v.id = e.review_id JOIN reports r ON r.id = v.report_id
		WHERE v.assignment_id <> e.assignment_id OR r.assignment_id <> e.assignment_id OR v.reviewed_at <> e.at
		   OR e.report_at <> r.submitted_at OR e.kind <> v.decision`},
	{"reviews without exactly one event", `
		SELECT count(*) FROM reviews v
		LEFT JOIN (SELECT review_id, count(*) AS n FROM assignment_events WHERE review_id IS NOT NULL GROUP BY review_id) e
		       ON e.review_id = v.id
		WHERE e.n IS DISTINCT FROM 1`},
	{"extension events that differ from an approved decision", `
		SELECT count(*) FROM assignment_events e
		LEFT JOIN extension_decisions d ON d.id = e.extension_decision_id
		LEFT JOIN extension_requests q ON q.id = d.request_id
		WHERE e.kind = 'extension' AND (d.id IS NULL OR NOT d.approved OR q.assignment_id <> e.assignment_id
		      OR d.decided_at <> e.at OR q.requested_due <> e.new_due)`},
	{"extension decisions without an event when approved, or with one when rejected", `
		SELECT count(*) FROM extension_decisions d
		LEFT JOIN (SELECT extension_decision_id AS id, count(*) AS n FROM assignment_events
		           WHERE extension_decision_id IS NOT NULL GROUP BY 1) e ON e.id = d.id
		WHERE coalesce(e.n, 0) <> CASE WHEN d.approved THEN 1 ELSE 0 END`},
	{"assignments without a state", `
		SELECT count(*) FROM assignments a WHERE NOT EXISTS (SELECT 1 FROM assignment_state s WHERE s.assignment_id = a.id)`},
	{"states whose version, report count or latest report disagree with the history", `
		SELECT count(*) FROM assignment_state s
		LEFT JOIN (SELECT assignment_id, count(*) AS n, count(*) FILTER (WHERE kind = 'report') AS reports
		           FROM assignment_events GROUP BY assignment_id) e ON e.assignment_id = s.assignment_id
		WHERE s.version <> coalesce(e.n, 0) OR s.reports <> coalesce(e.reports, 0)
		   OR s.last_report_id IS DISTINCT FROM (SELECT r.id FROM reports r WHERE r.assignment_id = s.assignment_id
		                                         ORDER BY r.submitted_at DESC, r.id DESC LIMIT 1)`},
}

// CheckHistory looks for rows of the progress history (reports, reviews,
// extension decisions, events, states) that disagree with each other, and
// returns one line per kind of disagreement found: none when the history is
// consistent. It reads every row, so it takes a while on a big database. That
// each state is the fold of its events is for the caller to check, with
// AssignmentEvents and deadline.Fold.
func (db *Bulk) CheckHistory(ctx context.Context) ([]string, error) {
	var out []string
	for _, c := range historyChecks {
		var n int64
		if err := db.Pool.QueryRow(ctx, c.sql).Scan(&n); err != nil {
			return nil, mapErr(err, "check history: %s", c.what)
		}
		if n > 0 {
			out = append(out, fmt.Sprintf("%d %s", n, c.what))
		}
	}
	return out, nil
}

// CheckReferences checks every single-column foreign key of the tables
// WriteHistory and InsertUsers write, as PostgreSQL would have row by row, and
// returns one line per key with rows that point nowhere: none when all is
// well. It is what makes WriteOptions.SkipReferenceChecks safe.
func (db *Bulk) CheckReferences(ctx context.Context) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT c.conname, c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
		FROM pg_constraint c
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
		WHERE c.contype = 'f' AND cardinality(c.conkey) = 1
		  AND c.conrelid::regclass::text = ANY($1)
		ORDER BY 2, 1`, []string{"users", "reports", "report_indicator_values", "evidence_files", "reviews",
		"extension_requests", "extension_decisions", "assignment_events", "assignment_state", "indicator_latest"})
	if err != nil {
		return nil, mapErr(err, "foreign keys")
	}
	type fk struct{ name, table, column, ref, refColumn string }
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (fk, error) {
		var k fk
		err := row.Scan(&k.name, &k.table, &k.column, &k.ref, &k.refColumn)
		return k, err
	})
	if err != nil {
		return nil, mapErr(err, "foreign keys")
	}
	var out []string
	for _, k := range keys {
		id := func(s string) string { return pgx.Identifier{s}.Sanitize() }
		var n int64
		err := db.Pool.QueryRow(ctx, fmt.Sprintf(`
			SELECT count(*) FROM %s t WHERE t.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s r WHERE r.%s = t.%s)`,
			id(k.table), id(k.column), id(k.ref), id(k.refColumn), id(k.column))).Scan(&n)
		if err != nil {
			return nil, mapErr(err, "check %s", k.name)
		}
		if n > 0 {
			out = append(out, fmt.Sprintf("%d rows of %s.%s point to no %s (%s)", n, k.table, k.column, k.ref, k.name))
		}
	}
	return out, nil
}
