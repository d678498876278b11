package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

const planColumns = `p.id, p.slug, p.title, p.issued_by, p.issued_on, p.addressees, p.version, p.created_at`

func scanPlan(row pgx.Row) (workplan.Plan, error) {
	var p workplan.Plan
	var issued *time.Time
	err := row.Scan(&p.ID, &p.Slug, &p.Title, &p.IssuedBy, &issued, &p.Addressees, &p.Version, &p.CreatedAt)
	p.IssuedOn = dateOf(issued)
	return p, err
}

// PlanBySlug returns the plan with the given slug.
func (db *DB) PlanBySlug(ctx context.Context, slug string) (workplan.Plan, error) {
	p, err := scanPlan(db.Pool.QueryRow(ctx, `SELECT `+planColumns+` FROM plans p WHERE p.slug = $1`, slug))
	if err != nil {
		return p, fmt.Errorf("postgres: plan %q: %w", slug, mapErr(err, "query"))
	}
	return p, nil
}

// LatestPlan returns the most recently created plan.
func (db *DB) LatestPlan(ctx context.Context) (workplan.Plan, error) {
	p, err := scanPlan(db.Pool.QueryRow(ctx, `SELECT `+planColumns+` FROM plans p ORDER BY p.created_at DESC, p.id DESC LIMIT 1`))
	if err != nil {
		return p, fmt.Errorf("postgres: latest plan: %w", mapErr(err, "query"))
	}
	return p, nil
}

const taskColumns = `t.id, t.plan_id, t.number, coalesce(sec.id, 0), coalesce(sec.position, 0), coalesce(sec.numeral, ''),
	coalesce(sec.title, ''), coalesce(g.id, 0), coalesce(g.position, 0), coalesce(g.title, ''), t.title, t.body,
	t.deadline_text, t.deadline_kind, t.due_on, coalesce(t.start_on, p.issued_on), t.archived_at, coalesce(t.archived_version, 0), t.version,
	(SELECT r0.valid_from FROM task_revisions r0 WHERE r0.task_id = t.id ORDER BY r0.valid_from NULLS FIRST LIMIT 1)`

const taskFrom = ` FROM tasks t JOIN plans p ON p.id = t.plan_id
	LEFT JOIN sections sec ON sec.id = t.section_id LEFT JOIN task_groups g ON g.id = t.group_id `

func scanTask(row pgx.Row) (workplan.Task, error) {
	var t workplan.Task
	var due, start, added *time.Time
	err := row.Scan(&t.ID, &t.PlanID, &t.Number, &t.Section.ID, &t.Section.Position, &t.Section.Numeral, &t.Section.Title,
		&t.Group.ID, &t.Group.Position, &t.Group.Title, &t.Title, &t.Body, &t.Deadline.Text, &t.Deadline.Kind, &due, &start,
		&t.ArchivedAt, &t.ArchivedVersion, &t.Version, &added)
	t.AddedAt = timeOf(added)
	t.Deadline.Due = dateOf(due)
	t.Start = dateOf(start)
	t.Section.PlanID = t.PlanID
	t.Group.SectionID = t.Section.ID
	return t, err
}

// TaskByNumber returns task number n of a plan, archived or not.
func (db *DB) TaskByNumber(ctx context.Context, planID int64, n int) (workplan.Task, error) {
	t, err := scanTask(db.Pool.QueryRow(ctx, `SELECT `+taskColumns+taskFrom+`WHERE t.plan_id = $1 AND t.number = $2`, planID, n))
	if err != nil {
		return t, fmt.Errorf("postgres: task %d of plan %d: %w", n, planID, mapErr(err, "query"))
	}
	return t, nil
}

// TaskIndicators returns the active indicators of a task with their latest values.
func (db *DB) TaskIndicators(ctx context.Context, taskID int64) ([]workplan.TaskIndicator, error) {
	out, err := queryIndicators(ctx, db.Pool, time.Time{}, `i.task_id = $2 ORDER BY i.position`, taskID)
	if err != nil {
		return nil, fmt.Errorf("postgres: indicators of task %d: %w", taskID, err)
	}
	return out, nil
}

// queryIndicators returns the active indicators of active tasks that meet
// condition (parameters from $2), each with its latest value reported at or
// before at (zero: ever). "Latest" is the newest report: report IDs are
// given as reports arrive, so the index on (indicator_id, report_id DESC)
// finds it without sorting an indicator's whole history.
// indicatorColumns are an indicator's columns (table alias i), scanned into
// indicatorDest.
const indicatorColumns = `i.id, i.task_id, i.position, i.text, i.comparator, i.value::float8, i.unit, coalesce(i.combine, '')`

func indicatorDest(i *workplan.Indicator) []any {
	return []any{&i.ID, &i.TaskID, &i.Position, &i.Text, &i.Comparator, &i.Value, &i.Unit, &i.Combine}
}

// reportColumns are a report's own columns (table alias r), scanned into
// reportDest.
const reportColumns = `r.id, r.assignment_id, coalesce(r.author_id, 0), r.author_name, r.submitted_at, r.percent, r.progress,
	r.problems, r.next_steps, r.claims_completion`

func reportDest(r *workplan.Report) []any {
	return []any{&r.ID, &r.AssignmentID, &r.AuthorID, &r.AuthorName, &r.SubmittedAt, &r.Percent, &r.Progress,
		&r.Problems, &r.NextSteps, &r.ClaimsCompletion}
}

func queryIndicators(ctx context.Context, q querier, at time.Time, condition string, args ...any) ([]workplan.TaskIndicator, error) {
	if at.IsZero() {
		at = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	rows, err := q.Query(ctx, `
		SELECT `+indicatorColumns+`,
		       lv.value IS NOT NULL, coalesce(lv.value, 0)::float8, coalesce(lv.unit_name, ''), coalesce(lv.submitted_at, 'epoch')
		FROM indicators i
		JOIN tasks t ON t.id = i.task_id
		LEFT JOIN LATERAL (
			SELECT v.value, u.name AS unit_name, r.submitted_at
			FROM report_indicator_values v JOIN reports r ON r.id = v.report_id
			JOIN assignments a ON a.id = r.assignment_id JOIN units u ON u.id = a.unit_id
			WHERE v.indicator_id = i.id AND r.submitted_at <= $1 ORDER BY v.report_id DESC LIMIT 1) lv ON true
		WHERE t.archived_at IS NULL AND i.archived_at IS NULL AND `+condition, append([]any{at}, args...)...)
	if err != nil {
		return nil, mapErr(err, "query")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.TaskIndicator, error) {
		var ti workplan.TaskIndicator
		err := row.Scan(append(indicatorDest(&ti.Indicator), &ti.HasLatest, &ti.Latest, &ti.LatestUnit, &ti.LatestAt)...)
		return ti, err
	})
	return out, mapErr(err, "scan")
}

// AssignmentByID returns an assignment with its unit's name, archived or
// not (ArchivedAt says when it stopped being in force).
func (db *DB) AssignmentByID(ctx context.Context, id int64) (workplan.Assignment, error) {
	var a workplan.Assignment
	err := db.Pool.QueryRow(ctx, `
		SELECT a.id, a.task_id, a.unit_id, u.name, u.short_name, a.role, coalesce(v.name, ''), coalesce(v.id, 0),
		       CASE WHEN a.archived_at IS NULL THEN t.archived_at WHEN t.archived_at IS NULL THEN a.archived_at
		            ELSE least(a.archived_at, t.archived_at) END
		FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN units u ON u.id = a.unit_id LEFT JOIN units v ON v.id = a.via_unit_id
		WHERE a.id = $1`, id).Scan(&a.ID, &a.TaskID, &a.UnitID, &a.UnitName, &a.UnitShort, &a.Role, &a.Via, &a.ViaID, &a.ArchivedAt)
	if err != nil {
		return a, fmt.Errorf("postgres: assignment %d: %w", id, mapErr(err, "query"))
	}
	return a, nil
}

// TaskLeads returns the unit IDs of a task's active lead assignments.
func (db *DB) TaskLeads(ctx context.Context, taskID int64) ([]int64, error) {
	rows, err := db.Pool.Query(ctx, `SELECT unit_id FROM assignments WHERE task_id = $1 AND role = 'lead' AND archived_at IS NULL`, taskID)
	if err != nil {
		return nil, fmt.Errorf("postgres: leads of task %d: %w", taskID, mapErr(err, "query"))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: leads of task %d: %w", taskID, mapErr(err, "scan"))
	}
	return ids, nil
}

// Reports returns up to limit reports of the given assignments, newest
// first, with their reviews, indicator values and evidence (without
// content): the newest ones, or with before set those that come after report
// before in that order (the next page of a timeline). With asOf set, only
// what existed at that instant.
func (db *DB) Reports(ctx context.Context, assignmentIDs []int64, asOf time.Time, before int64, limit int) ([]workplan.Report, error) {
	if asOf.IsZero() {
		asOf = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	// Each assignment's newest reports are read along its index, at most
	// limit of them, and the page is the newest of those: an assignment with
	// thousands of reports costs no more than one with thirty.
	rows, err := db.Pool.Query(ctx, `
		SELECT `+reportColumns+`
		FROM unnest($1::bigint[]) AS x(id)
		CROSS JOIN LATERAL (
			SELECT * FROM reports r
			WHERE r.assignment_id = x.id AND r.submitted_at <= $2
			  AND ($3::bigint = 0 OR (r.submitted_at, r.id) < (SELECT b.submitted_at, b.id FROM reports b WHERE b.id = $3))
			ORDER BY r.submitted_at DESC, r.id DESC LIMIT $4) r
		ORDER BY r.submitted_at DESC, r.id DESC LIMIT $4`, assignmentIDs, asOf, before, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: reports: %w", mapErr(err, "query"))
	}
	reps, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.Report, error) {
		var r workplan.Report
		err := row.Scan(reportDest(&r)...)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: reports: %w", mapErr(err, "scan"))
	}
	if len(reps) == 0 {
		return reps, nil
	}
	byID := make(map[int64]*workplan.Report, len(reps))
	ids := make([]int64, len(reps))
	for i := range reps {
		byID[reps[i].ID] = &reps[i]
		ids[i] = reps[i].ID
	}
	rows, err = db.Pool.Query(ctx, `
		SELECT id, report_id, coalesce(reviewer_id, 0), reviewer_name, decision, reason, reviewed_at
		FROM reviews WHERE report_id = ANY($1) AND reviewed_at <= $2 ORDER BY reviewed_at, id`, ids, asOf)
	if err != nil {
		return nil, fmt.Errorf("postgres: reviews: %w", mapErr(err, "query"))
	}
	for rows.Next() {
		var rv workplan.Review
		if err := rows.Scan(&rv.ID, &rv.ReportID, &rv.ReviewerID, &rv.ReviewerName, &rv.Decision, &rv.Reason, &rv.ReviewedAt); err != nil {
			return nil, fmt.Errorf("postgres: reviews: %w", mapErr(err, "scan"))
		}
		byID[rv.ReportID].Reviews = append(byID[rv.ReportID].Reviews, rv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: reviews: %w", mapErr(err, "scan"))
	}
	rows, err = db.Pool.Query(ctx, `SELECT id, report_id, filename, content_type, size FROM evidence_files WHERE report_id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: evidence: %w", mapErr(err, "query"))
	}
	for rows.Next() {
		var e workplan.EvidenceMeta
		if err := rows.Scan(&e.ID, &e.ReportID, &e.Filename, &e.ContentType, &e.Size); err != nil {
			return nil, fmt.Errorf("postgres: evidence: %w", mapErr(err, "scan"))
		}
		byID[e.ReportID].Evidence = append(byID[e.ReportID].Evidence, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: evidence: %w", mapErr(err, "scan"))
	}
	rows, err = db.Pool.Query(ctx, `SELECT report_id, indicator_id, value::float8 FROM report_indicator_values WHERE report_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: indicator values: %w", mapErr(err, "query"))
	}
	for rows.Next() {
		var rid int64
		var v workplan.IndicatorValue
		if err := rows.Scan(&rid, &v.IndicatorID, &v.Value); err != nil {
			return nil, fmt.Errorf("postgres: indicator values: %w", mapErr(err, "scan"))
		}
		byID[rid].Indicators = append(byID[rid].Indicators, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: indicator values: %w", mapErr(err, "scan"))
	}
	return reps, nil
}

// Evidence returns an evidence file with its content and the assignment it
// belongs to, for the access check.
func (db *DB) Evidence(ctx context.Context, id int64) (workplan.EvidenceMeta, []byte, int64, error) {
	var e workplan.EvidenceMeta
	var content []byte
	var asg int64
	err := db.Pool.QueryRow(ctx, `
		SELECT f.id, f.report_id, f.filename, f.content_type, f.size, f.content, r.assignment_id
		FROM evidence_files f JOIN reports r ON r.id = f.report_id WHERE f.id = $1`, id).
		Scan(&e.ID, &e.ReportID, &e.Filename, &e.ContentType, &e.Size, &content, &asg)
	if err != nil {
		return e, nil, 0, fmt.Errorf("postgres: evidence %d: %w", id, mapErr(err, "query"))
	}
	return e, content, asg, nil
}

// ExtensionRequests returns the extension requests of the given assignments
// with their decisions, newest first.
func (db *DB) ExtensionRequests(ctx context.Context, assignmentIDs []int64) ([]workplan.ExtensionRequest, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT r.id, r.assignment_id, coalesce(r.requested_by, 0), r.requester_name, r.requested_at, r.requested_due, r.reason,
		       d.id IS NOT NULL, coalesce(d.decided_by, 0), coalesce(d.decider_name, ''), coalesce(d.decided_at, 'epoch'),
		       coalesce(d.approved, false), coalesce(d.reason, '')
		FROM extension_requests r LEFT JOIN extension_decisions d ON d.request_id = r.id
		WHERE r.assignment_id = ANY($1) ORDER BY r.requested_at DESC, r.id DESC`, assignmentIDs)
	if err != nil {
		return nil, fmt.Errorf("postgres: extension requests: %w", mapErr(err, "query"))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.ExtensionRequest, error) {
		var r workplan.ExtensionRequest
		var due time.Time
		var decided bool
		var d workplan.ExtensionDecision
		err := row.Scan(&r.ID, &r.AssignmentID, &r.RequestedBy, &r.RequesterName, &r.RequestedAt, &due, &r.Reason,
			&decided, &d.DecidedBy, &d.DeciderName, &d.DecidedAt, &d.Approved, &d.Reason)
		r.RequestedDue = dateOf(&due)
		if decided {
			r.Decision = &d
		}
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: extension requests: %w", mapErr(err, "scan"))
	}
	return out, nil
}

// PendingReviews returns the latest reports that claim completion and have no
// decision yet, on tasks led by unitID (0: on every task, for supervisors).
func (db *DB) PendingReviews(ctx context.Context, unitID int64) ([]workplan.PendingReview, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT r.id, r.assignment_id, r.author_name, r.submitted_at, r.percent, r.progress, r.claims_completion,
		       a.unit_id, u.name, a.role, t.number, t.title, p.slug, s.version
		FROM assignment_state s
		JOIN reports r ON r.id = s.last_report_id
		JOIN assignments a ON a.id = s.assignment_id
		JOIN units u ON u.id = a.unit_id
		JOIN tasks t ON t.id = a.task_id
		JOIN plans p ON p.id = t.plan_id
		WHERE s.claimed AND s.completed_at IS NULL AND a.archived_at IS NULL AND t.archived_at IS NULL
		  AND NOT EXISTS (SELECT 1 FROM reviews rv WHERE rv.report_id = r.id)
		  AND ($1 = 0 OR (a.unit_id <> $1 AND EXISTS (SELECT 1 FROM assignments l WHERE l.task_id = t.id AND l.role = 'lead'
		                                             AND l.unit_id = $1 AND l.archived_at IS NULL)))
		ORDER BY r.submitted_at LIMIT 500`, unitID)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending reviews: %w", mapErr(err, "query"))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.PendingReview, error) {
		var p workplan.PendingReview
		err := row.Scan(&p.Report.ID, &p.Report.AssignmentID, &p.Report.AuthorName, &p.Report.SubmittedAt, &p.Report.Percent,
			&p.Report.Progress, &p.Report.ClaimsCompletion, &p.Assignment.UnitID, &p.Assignment.UnitName, &p.Assignment.Role,
			&p.TaskNumber, &p.TaskTitle, &p.PlanSlug, &p.Version)
		p.Assignment.ID = p.Report.AssignmentID
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: pending reviews: %w", mapErr(err, "scan"))
	}
	return out, nil
}

// TaskByID returns a task with the plan it belongs to.
func (db *DB) TaskByID(ctx context.Context, id int64) (workplan.Task, workplan.Plan, error) {
	t, err := scanTask(db.Pool.QueryRow(ctx, `SELECT `+taskColumns+taskFrom+`WHERE t.id = $1`, id))
	if err != nil {
		return t, workplan.Plan{}, fmt.Errorf("postgres: task %d: %w", id, mapErr(err, "query"))
	}
	p, err := scanPlan(db.Pool.QueryRow(ctx, `SELECT `+planColumns+` FROM plans p WHERE p.id = $1`, t.PlanID))
	if err != nil {
		return t, p, fmt.Errorf("postgres: plan of task %d: %w", id, mapErr(err, "query"))
	}
	return t, p, nil
}

// UnitPlans returns the IDs of the plans in which unit unitID has, or once
// had, an assignment, in no order: which of them were in force at an instant
// is for the plan's state to say.
func (db *DB) UnitPlans(ctx context.Context, unitID int64) ([]int64, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT DISTINCT t.plan_id FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE a.unit_id = $1`, unitID)
	if err != nil {
		return nil, fmt.Errorf("postgres: plans of unit %d: %w", unitID, mapErr(err, "query"))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: plans of unit %d: %w", unitID, mapErr(err, "scan"))
	}
	return ids, nil
}
