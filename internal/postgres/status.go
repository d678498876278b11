package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// assignmentFactsQuery selects active assignments with their task's deadline
// and their maintained state; callers add the WHERE condition on t or a.
const assignmentFactsQuery = `
	SELECT a.id, a.task_id, a.unit_id, u.name, u.kind, a.role, coalesce(v.name, ''), t.number,
	       t.deadline_text, t.deadline_kind, t.due_on, ` + startExpr + `, ` + stateColumns + `
	FROM assignments a
	JOIN tasks t ON t.id = a.task_id
	JOIN plans p ON p.id = t.plan_id
	JOIN units u ON u.id = a.unit_id
	LEFT JOIN units v ON v.id = a.via_unit_id
	JOIN assignment_state s ON s.assignment_id = a.id
	WHERE t.archived_at IS NULL AND a.archived_at IS NULL AND `

// collectAssignmentFacts scans the rows of assignmentFactsQuery.
func collectAssignmentFacts(rows pgx.Rows) ([]workplan.AssignmentFacts, error) {
	defer rows.Close()
	var out []workplan.AssignmentFacts
	for rows.Next() {
		var af workplan.AssignmentFacts
		var fs factsScan
		var kind deadline.Kind
		var due, start *time.Time
		if err := rows.Scan(append([]any{&af.ID, &af.TaskID, &af.UnitID, &af.UnitName, &af.UnitKind, &af.Role, &af.Via,
			&af.TaskNumber, &af.Facts.Deadline.Text, &kind, &due, &start}, fs.dest()...)...); err != nil {
			return nil, mapErr(err, "scan")
		}
		dl := deadline.Deadline{Text: af.Facts.Deadline.Text, Kind: kind, Due: dateOf(due)}
		af.Version = fs.version
		af.Facts = fs.facts(dl, dateOf(start))
		out = append(out, af)
	}
	return out, mapErr(rows.Err(), "query")
}

// rebuild replaces the facts of as with their state at asOf: each
// assignment starts from its latest snapshot on or before the last complete
// snapshot day before asOf (one index probe each), then the events after that
// day's end are folded in.
func (db *DB) rebuild(ctx context.Context, as []workplan.AssignmentFacts, asOf time.Time) ([]workplan.AssignmentFacts, error) {
	byID := make(map[int64]*workplan.AssignmentFacts, len(as))
	ids := make([]int64, len(as))
	for i := range as {
		a := &as[i]
		byID[a.ID] = a
		ids[i] = a.ID
		a.Facts = deadline.Facts{Deadline: a.Facts.Deadline, Start: a.Facts.Start}
		a.Version = 0
	}
	day, ok, err := snapshotBefore(ctx, db.Pool, asOf)
	if err != nil {
		return nil, err
	}
	from := time.Time{}
	if ok {
		from = day.End(deadline.Shanghai)
		err := latestSnapshots(ctx, db.Pool, ids, day, func(id int64, fs *factsScan) {
			a := byID[id]
			a.Facts = fs.facts(a.Facts.Deadline, a.Facts.Start)
			a.Version = fs.version
		})
		if err != nil {
			return nil, err
		}
	}
	err = foldEvents(ctx, db.Pool, `WHERE e.assignment_id = ANY($3)`, []any{ids}, from, asOf, func(id int64, e deadline.Event) {
		if a := byID[id]; a != nil {
			a.Facts = a.Facts.Apply(e)
			a.Version++
		}
	})
	return as, err
}

// latestSnapshots calls fn with the latest snapshot on or before day of each
// of the assignments ids that has one. Snapshots hold only assignments that
// changed that day, so the latest one on or before day is the state at the
// end of day.
func latestSnapshots(ctx context.Context, q querier, ids []int64, day deadline.Date, fn func(int64, *factsScan)) error {
	rows, err := q.Query(ctx, `
		SELECT a.id, `+stateColumns+`
		FROM unnest($1::bigint[]) AS a(id)
		JOIN LATERAL (SELECT * FROM assignment_snapshots s WHERE s.assignment_id = a.id AND s.day <= $2
		              ORDER BY s.day DESC LIMIT 1) s ON true`, ids, dateArg(day))
	if err != nil {
		return mapErr(err, "load snapshots of %s", day)
	}
	for rows.Next() {
		var id int64
		var fs factsScan
		if err := rows.Scan(append([]any{&id}, fs.dest()...)...); err != nil {
			return mapErr(err, "scan snapshot")
		}
		fn(id, &fs)
	}
	return mapErr(rows.Err(), "load snapshots of %s", day)
}

// snapshotBefore returns the latest complete snapshot day whose end is at or
// before t.
func snapshotBefore(ctx context.Context, q querier, t time.Time) (deadline.Date, bool, error) {
	limit := deadline.DateOf(t, deadline.Shanghai).AddDays(-1)
	var day *time.Time
	if err := q.QueryRow(ctx, `SELECT max(day) FROM snapshot_days WHERE day <= $1`, dateArg(limit)).Scan(&day); err != nil {
		return deadline.Date{}, false, mapErr(err, "latest snapshot")
	}
	if day == nil {
		return deadline.Date{}, false, nil
	}
	return dateOf(day), true, nil
}

// foldEvents streams the events with from <= at <= to of the assignments
// selected by where (a SQL fragment after "FROM assignment_events e JOIN
// assignments a ON a.id = e.assignment_id", whose parameters start at $3), in
// history order, to fn.
func foldEvents(ctx context.Context, q querier, where string, args []any, from, to time.Time, fn func(int64, deadline.Event)) error {
	var fromArg any = from
	if from.IsZero() {
		fromArg = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	rows, err := q.Query(ctx, `
		SELECT e.assignment_id, e.kind, e.at, coalesce(e.percent, 0), e.claims, e.report_at, e.new_due
		FROM assignment_events e JOIN assignments a ON a.id = e.assignment_id `+where+`
		  AND e.at >= $1 AND e.at <= $2
		ORDER BY e.at, e.id`, append([]any{fromArg, to}, args...)...)
	if err != nil {
		return mapErr(err, "events")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var e deadline.Event
		var reportAt, newDue *time.Time
		if err := rows.Scan(&id, &e.Kind, &e.At, &e.Percent, &e.Claims, &reportAt, &newDue); err != nil {
			return mapErr(err, "scan event")
		}
		e.ReportAt, e.NewDue = timeOf(reportAt), dateOf(newDue)
		fn(id, e)
	}
	return mapErr(rows.Err(), "events")
}

// AssignmentEvents returns the whole history of an assignment, in order.
func (db *DB) AssignmentEvents(ctx context.Context, assignmentID int64) ([]deadline.Event, error) {
	var out []deadline.Event
	err := foldEvents(ctx, db.Pool, `WHERE a.id = $3`, []any{assignmentID}, time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
		func(_ int64, e deadline.Event) { out = append(out, e) })
	if err != nil {
		return nil, fmt.Errorf("postgres: events of assignment %d: %w", assignmentID, err)
	}
	return out, nil
}

// AssignmentState returns the maintained state of an assignment.
func (db *DB) AssignmentState(ctx context.Context, assignmentID int64) (workplan.AssignmentState, error) {
	var fs factsScan
	var last *int64
	err := db.Pool.QueryRow(ctx, `SELECT s.last_report_id, `+stateColumns+` FROM assignment_state s WHERE s.assignment_id = $1`,
		assignmentID).Scan(append([]any{&last}, fs.dest()...)...)
	if err != nil {
		return workplan.AssignmentState{}, fmt.Errorf("postgres: state of assignment %d: %w", assignmentID, mapErr(err, "query"))
	}
	st := workplan.AssignmentState{AssignmentID: assignmentID, Version: fs.version, Facts: fs.facts(deadline.Deadline{}, deadline.Date{})}
	if last != nil {
		st.LastReportID = *last
	}
	return st, nil
}

// snapshotLockKey serialises snapshot jobs across replicas.
const snapshotLockKey = 0x6475_6261_6e02

// snapshotMargin is how long after a day ends its snapshot may be taken: no
// transaction of that day can still be open (requests time out long before).
const snapshotMargin = 2 * time.Minute

// ErrSnapshotTooEarly means a snapshot was asked for a day that has not ended.
var ErrSnapshotTooEarly = errors.New("postgres: the day has not ended yet")

// TakeSnapshots records the state of every assignment at the end of each day
// from the day after the last snapshot up to and including day, one
// transaction per day under an advisory lock. It is idempotent: days already
// taken are skipped, so several replicas may run it at once. It returns the
// number of days taken.
func (db *DB) TakeSnapshots(ctx context.Context, through deadline.Date) (int, error) {
	if db.Now().Before(through.End(deadline.Shanghai).Add(snapshotMargin)) {
		return 0, fmt.Errorf("postgres: snapshot %s: %w", through, ErrSnapshotTooEarly)
	}
	for taken := 0; ; taken++ {
		done, err := db.snapshotNext(ctx, through)
		if err != nil {
			return taken, fmt.Errorf("postgres: snapshot: %w", err)
		}
		if done {
			return taken, nil
		}
	}
}

// snapshotNext takes the snapshot of the first missing day up to through, or
// reports that there is none left.
func (db *DB) snapshotNext(ctx context.Context, through deadline.Date) (bool, error) {
	var day deadline.Date
	done := false
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(snapshotLockKey)); err != nil {
			return mapErr(err, "lock")
		}
		var last, first *time.Time
		if err := tx.QueryRow(ctx, `SELECT max(day) FROM snapshot_days`).Scan(&last); err != nil {
			return mapErr(err, "last snapshot")
		}
		if last != nil {
			day = dateOf(last).AddDays(1)
		} else {
			// Snapshot days are contiguous from the day of the first event.
			if err := tx.QueryRow(ctx, `SELECT min(at) FROM assignment_events`).Scan(&first); err != nil {
				return mapErr(err, "first event")
			}
			day = through
			if first != nil {
				day = deadline.DateOf(*first, deadline.Shanghai)
			}
		}
		if day.After(through) {
			done = true
			return nil
		}
		return takeSnapshot(ctx, tx, day)
	})
	return done, err
}

// takeSnapshot records the state at the end of day of every assignment that
// changed that day: its latest earlier snapshot with the day's events folded
// in. Unchanged assignments get no row, so snapshots grow with activity, not
// with days times assignments.
func takeSnapshot(ctx context.Context, tx pgx.Tx, day deadline.Date) error {
	start, end := day.Time(deadline.Shanghai), day.End(deadline.Shanghai).Add(-time.Microsecond)
	rows, err := tx.Query(ctx, `SELECT DISTINCT assignment_id FROM assignment_events WHERE at >= $1 AND at <= $2`, start, end)
	if err != nil {
		return mapErr(err, "changed assignments")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return mapErr(err, "changed assignments")
	}
	facts := make(map[int64]*deadline.Facts, len(ids))
	versions := make(map[int64]int, len(ids))
	for _, id := range ids {
		facts[id] = &deadline.Facts{}
	}
	err = latestSnapshots(ctx, tx, ids, day.AddDays(-1), func(id int64, fs *factsScan) {
		f := fs.facts(deadline.Deadline{}, deadline.Date{})
		facts[id] = &f
		versions[id] = fs.version
	})
	if err != nil {
		return err
	}
	err = foldEvents(ctx, tx, `WHERE a.id = ANY($3)`, []any{ids}, start, end, func(id int64, e deadline.Event) {
		*facts[id] = facts[id].Apply(e)
		versions[id]++
	})
	if err != nil {
		return err
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"assignment_snapshots"},
		[]string{"day", "assignment_id", "version", "reports", "first_report_at", "last_report_at", "percent", "claimed",
			"claimed_at", "completed_at", "accepted_at", "extended_due"},
		pgx.CopyFromSlice(len(ids), func(i int) ([]any, error) {
			id := ids[i]
			f := facts[id]
			return []any{dateArg(day), id, versions[id], f.Reports, timeArg(f.FirstReportAt), timeArg(f.LastReportAt), f.Percent,
				f.Claimed, timeArg(f.ClaimedAt), timeArg(f.CompletedAt), timeArg(f.AcceptedAt), dateArg(f.ExtendedDue)}, nil
		}))
	if err != nil {
		return mapErr(err, "write snapshot %s", day)
	}
	_, err = tx.Exec(ctx, `INSERT INTO snapshot_days (day, rows) VALUES ($1, $2)`, dateArg(day), n)
	return mapErr(err, "record snapshot %s", day)
}
