package postgres

// Plan history (migration 000010): every applied document is a plan version
// that takes effect at a moment. task_revisions hold what the plan said of
// each task over each stretch of time; assignment_periods when each unit was
// accountable for a task, and in which role. The tasks and assignments
// tables hold what is in force now. PlanAt reads a plan as it stood at any
// instant from the history, so that "as of" views answer with the plan of
// that day, not today's.

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// startExpr is where an assignment's clock starts: the later of its task's
// start (the plan's issue date unless the task was added later) and the day
// the unit joined the task.
const startExpr = `greatest(coalesce(t.start_on, p.issued_on), a.start_on)`

// PlanAt returns plan planID as it stood at instant at: the version in
// force, the tasks in force with the revision of that moment, the
// accountable assignments in force with their facts as of at, and the
// collective designations the tasks named. With current set the facts come
// from the maintained state (the present); otherwise they are rebuilt from
// snapshots and events as of at.
func (db *DB) PlanAt(ctx context.Context, planID int64, at time.Time, current bool) (workplan.PlanAt, error) {
	p, err := db.planAt(ctx, planID, at, current, 0)
	if err != nil {
		return p, fmt.Errorf("postgres: plan %d as of %s: %w", planID, at.Format(time.RFC3339), err)
	}
	return p, nil
}

// TaskAt is PlanAt restricted to one task: the task as it stood at at (nil
// Tasks when it was not in force then).
func (db *DB) TaskAt(ctx context.Context, planID, taskID int64, at time.Time, current bool) (workplan.PlanAt, error) {
	p, err := db.planAt(ctx, planID, at, current, taskID)
	if err != nil {
		return p, fmt.Errorf("postgres: task %d as of %s: %w", taskID, at.Format(time.RFC3339), err)
	}
	return p, nil
}

// inForce is the condition that a history row (alias x) covers instant $2.
func inForce(x string) string {
	return `(` + x + `.valid_from IS NULL OR ` + x + `.valid_from <= $2) AND (` + x + `.valid_to IS NULL OR ` + x + `.valid_to > $2)`
}

func (db *DB) planAt(ctx context.Context, planID int64, at time.Time, current bool, taskID int64) (workplan.PlanAt, error) {
	out := workplan.PlanAt{At: at}
	var err error
	if out.Plan, err = scanPlan(db.Pool.QueryRow(ctx, `SELECT `+planColumns+` FROM plans p WHERE p.id = $1`, planID)); err != nil {
		return out, mapErr(err, "plan")
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT coalesce(max(version), 0) FROM plan_versions WHERE plan_id = $1 AND (version = 1 OR effective_at <= $2)`, planID, at).
		QueryRow(func(row pgx.Row) error { return row.Scan(&out.Version) })
	taskCond := ``
	args := []any{planID, at}
	if taskID != 0 {
		taskCond = ` AND t.id = $3`
		args = append(args, taskID)
	}
	var lists map[int64]map[workplan.Role][]string
	b.Queue(`
		SELECT t.id, t.plan_id, t.number, coalesce(sec.id, 0), coalesce(sec.position, 0), coalesce(sec.numeral, ''),
		       coalesce(sec.title, ''), coalesce(g.id, 0), coalesce(g.position, 0), coalesce(g.title, ''), r.title, r.body,
		       r.deadline_text, r.deadline_kind, r.due_on, coalesce(r.start_on, p.issued_on),
		       (SELECT r0.valid_from FROM task_revisions r0 WHERE r0.task_id = t.id ORDER BY r0.valid_from NULLS FIRST LIMIT 1),
		       CASE WHEN t.archived_at <= $2 THEN t.archived_at END, CASE WHEN t.archived_at <= $2 THEN coalesce(t.archived_version, 0) ELSE 0 END,
		       t.version, r.lead_units, r.responsible_units, r.cooperating_units
		FROM task_revisions r
		JOIN tasks t ON t.id = r.task_id
		JOIN plans p ON p.id = t.plan_id
		LEFT JOIN sections sec ON sec.id = r.section_id
		LEFT JOIN task_groups g ON g.id = r.group_id
		WHERE t.plan_id = $1 AND `+inForce("r")+taskCond+`
		ORDER BY t.number`, args...).Query(func(rows pgx.Rows) error {
		lists = map[int64]map[workplan.Role][]string{}
		for rows.Next() {
			var t workplan.Task
			var due, start, added *time.Time
			var lead, resp, coop []string
			if err := rows.Scan(&t.ID, &t.PlanID, &t.Number, &t.Section.ID, &t.Section.Position, &t.Section.Numeral, &t.Section.Title,
				&t.Group.ID, &t.Group.Position, &t.Group.Title, &t.Title, &t.Body, &t.Deadline.Text, &t.Deadline.Kind, &due, &start,
				&added, &t.ArchivedAt, &t.ArchivedVersion, &t.Version, &lead, &resp, &coop); err != nil {
				return err
			}
			t.Deadline.Due, t.Start, t.AddedAt = dateOf(due), dateOf(start), timeOf(added)
			t.Section.PlanID, t.Group.SectionID = t.PlanID, t.Section.ID
			out.Tasks = append(out.Tasks, t)
			lists[t.ID] = map[workplan.Role][]string{workplan.RoleLead: lead, workplan.RoleResponsible: resp, workplan.RoleCooperating: coop}
		}
		return rows.Err()
	})
	// Every assignment in force; those whose task was not in force are
	// dropped below. Facts are the maintained state, replaced as of at
	// unless current.
	b.Queue(`
		SELECT a.id, a.task_id, a.unit_id, u.name, u.short_name, u.kind, ap.role, coalesce(v.name, ''), coalesce(v.id, 0), t.number,
		       a.start_on, `+stateColumns+`
		FROM assignment_periods ap
		JOIN assignments a ON a.id = ap.assignment_id
		JOIN tasks t ON t.id = a.task_id
		JOIN units u ON u.id = a.unit_id
		LEFT JOIN units v ON v.id = ap.via_unit_id
		JOIN assignment_state s ON s.assignment_id = a.id
		WHERE t.plan_id = $1 AND `+inForce("ap")+taskCond+`
		ORDER BY t.number, ap.role, u.name, a.id`, args...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var af workplan.AssignmentFacts
			var fs factsScan
			var start *time.Time
			if err := rows.Scan(append([]any{&af.ID, &af.TaskID, &af.UnitID, &af.UnitName, &af.UnitShort, &af.UnitKind, &af.Role,
				&af.Via, &af.ViaID, &af.TaskNumber, &start}, fs.dest()...)...); err != nil {
				return err
			}
			af.Version = fs.version
			af.Facts = fs.facts(deadline.Deadline{}, dateOf(start))
			out.Assignments = append(out.Assignments, af)
		}
		return rows.Err()
	})
	if err := db.Pool.SendBatch(ctx, b).Close(); err != nil {
		return out, mapErr(err, "read")
	}
	byTask := make(map[int64]workplan.Task, len(out.Tasks))
	for _, t := range out.Tasks {
		byTask[t.ID] = t
	}
	kept := out.Assignments[:0]
	for _, af := range out.Assignments {
		t, ok := byTask[af.TaskID]
		if !ok {
			continue
		}
		// The assignment's own start (when its unit joined) counts when it
		// is later than the task's.
		start := t.Start
		if af.Facts.Start.After(start) {
			start = af.Facts.Start
		}
		af.Facts.Deadline, af.Facts.Start = t.Deadline, start
		kept = append(kept, af)
	}
	out.Assignments = kept
	if !current && len(kept) > 0 {
		if out.Assignments, err = db.rebuild(ctx, kept, at); err != nil {
			return out, err
		}
	}
	out.Designations, err = designations(ctx, db.Pool, out, lists)
	return out, err
}

// designations lists the collective designations named by the tasks of p,
// whose unit lists (by task) are lists: each with its members in force at
// p.At (the assignments reached through it) and where its meaning comes from
// (a decision for the task, the registry's members, or nobody yet).
func designations(ctx context.Context, q querier, p workplan.PlanAt, lists map[int64]map[workplan.Role][]string) ([]workplan.Designation, error) {
	var names []string
	seen := map[string]bool{}
	for _, l := range lists {
		for _, ns := range l {
			for _, n := range ns {
				if !seen[n] {
					seen[n] = true
					names = append(names, n)
				}
			}
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	// Collective designations among the names, by name or alias, with
	// whether the registry gives them members.
	rows, err := q.Query(ctx, `
		SELECT n.name, u.id, EXISTS (SELECT 1 FROM unit_members m WHERE m.collective_id = u.id)
		FROM unnest($1::text[]) AS n(name)
		JOIN LATERAL (SELECT id FROM units WHERE name = n.name UNION ALL SELECT unit_id FROM unit_aliases WHERE alias = n.name LIMIT 1) x ON true
		JOIN units u ON u.id = x.id
		WHERE u.kind = 'collective'`, names)
	if err != nil {
		return nil, mapErr(err, "designations")
	}
	type coll struct {
		id       int64
		registry bool
	}
	colls := map[string]coll{}
	var ids []int64
	for rows.Next() {
		var name string
		var c coll
		if err := rows.Scan(&name, &c.id, &c.registry); err != nil {
			rows.Close()
			return nil, mapErr(err, "designations")
		}
		colls[name] = c
		ids = append(ids, c.id)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "designations")
	}
	if len(colls) == 0 {
		return nil, nil
	}
	taskIDs := make([]int64, 0, len(p.Tasks))
	for _, t := range p.Tasks {
		taskIDs = append(taskIDs, t.ID)
	}
	own := map[[2]int64]bool{}
	rows, err = q.Query(ctx, `SELECT task_id, collective_id FROM task_designations WHERE task_id = ANY($1) AND collective_id = ANY($2) AND decided_at <= $3`,
		taskIDs, ids, p.At)
	if err != nil {
		return nil, mapErr(err, "task designations")
	}
	for rows.Next() {
		var k [2]int64
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			rows.Close()
			return nil, mapErr(err, "task designations")
		}
		own[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "task designations")
	}
	members := map[[2]int64][]workplan.UnitRef{}
	for _, a := range p.Assignments {
		if a.ViaID != 0 {
			k := [2]int64{a.TaskID, a.ViaID}
			members[k] = append(members[k], workplan.UnitRef{ID: a.UnitID, Name: a.UnitName, Short: a.UnitShort})
		}
	}
	var out []workplan.Designation
	for _, t := range p.Tasks {
		done := map[int64]bool{}
		for _, role := range workplan.Roles {
			for _, name := range lists[t.ID][role] {
				c, ok := colls[name]
				if !ok || done[c.id] {
					continue
				}
				done[c.id] = true
				k := [2]int64{t.ID, c.id}
				d := workplan.Designation{TaskID: t.ID, UnitID: c.id, Text: name, Role: role, Members: members[k]}
				switch {
				case own[k]:
					d.Scope = workplan.ScopeTask
				case c.registry:
					d.Scope = workplan.ScopeRegistry
				}
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// closeRevision ends task taskID's revision in force at instant at. A
// revision that began at that very instant was superseded before it was
// ever in force and is removed, so that no stretch of history is empty.
func closeRevision(ctx context.Context, tx pgx.Tx, taskID int64, at time.Time) error {
	if _, err := tx.Exec(ctx, `DELETE FROM task_revisions WHERE task_id = $1 AND valid_to IS NULL AND valid_from >= $2`, taskID, at); err != nil {
		return mapErr(err, "supersede revision of task %d", taskID)
	}
	_, err := tx.Exec(ctx, `UPDATE task_revisions SET valid_to = $2 WHERE task_id = $1 AND valid_to IS NULL`, taskID, at)
	return mapErr(err, "close revision of task %d", taskID)
}

// taskRevision is what a plan version says of a task.
type taskRevision struct {
	version            int
	sectionID, groupID int64
	title, body        string
	deadline           deadline.Deadline
	start              deadline.Date
	lists              map[workplan.Role][]string
}

// reviseTask records rev as task taskID's revision from instant from (nil:
// from the plan's beginning), ending the one in force before.
func reviseTask(ctx context.Context, tx pgx.Tx, taskID int64, rev taskRevision, from *time.Time) error {
	if from != nil {
		if err := closeRevision(ctx, tx, taskID, *from); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO task_revisions (task_id, version, valid_from, section_id, group_id, title, body, deadline_text, deadline_kind,
		                            due_on, start_on, lead_units, responsible_units, cooperating_units)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		taskID, rev.version, from, nullID(rev.sectionID), nullID(rev.groupID), rev.title, rev.body, rev.deadline.Text, rev.deadline.Kind,
		dateArg(rev.deadline.Due), dateArg(rev.start), nonNilStrings(rev.lists[workplan.RoleLead]),
		nonNilStrings(rev.lists[workplan.RoleResponsible]), nonNilStrings(rev.lists[workplan.RoleCooperating]))
	return mapErr(err, "record revision of task %d", taskID)
}

// closePeriod ends assignment id's period in force at instant at (see
// closeRevision for a period that began at that instant).
func closePeriod(ctx context.Context, tx pgx.Tx, id int64, at time.Time) error {
	if _, err := tx.Exec(ctx, `DELETE FROM assignment_periods WHERE assignment_id = $1 AND valid_to IS NULL AND valid_from >= $2`, id, at); err != nil {
		return mapErr(err, "supersede period of assignment %d", id)
	}
	_, err := tx.Exec(ctx, `UPDATE assignment_periods SET valid_to = $2 WHERE assignment_id = $1 AND valid_to IS NULL`, id, at)
	return mapErr(err, "close period of assignment %d", id)
}

// openPeriod records that assignment id is accountable in role (through
// designation via, or 0) from instant from (nil: from the plan's
// beginning), ending the period in force before.
func openPeriod(ctx context.Context, tx pgx.Tx, id int64, role workplan.Role, via int64, from *time.Time) error {
	if from != nil {
		if err := closePeriod(ctx, tx, id, *from); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO assignment_periods (assignment_id, valid_from, role, via_unit_id) VALUES ($1, $2, $3, $4)`,
		id, from, role, nullID(via))
	return mapErr(err, "record period of assignment %d", id)
}

// PlanHistory returns plan planID over the period (from, to]: every
// assignment in force at some moment of it, with its facts as of from, the
// events after from up to to, and its spans (each stretch with one role and
// one revision of its task), from which rankings judge each day by the plan
// as it stood that day.
func (db *DB) PlanHistory(ctx context.Context, planID int64, from, to time.Time) (workplan.PlanHistory, error) {
	h, err := db.planHistory(ctx, planID, from, to)
	if err != nil {
		return h, fmt.Errorf("postgres: plan %d history %s–%s: %w", planID, from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return h, nil
}

func (db *DB) planHistory(ctx context.Context, planID int64, from, to time.Time) (workplan.PlanHistory, error) {
	h := workplan.PlanHistory{From: from, To: to}
	var err error
	if h.Plan, err = scanPlan(db.Pool.QueryRow(ctx, `SELECT `+planColumns+` FROM plans p WHERE p.id = $1`, planID)); err != nil {
		return h, mapErr(err, "plan")
	}
	type period struct {
		from, to time.Time
		role     workplan.Role
	}
	type revision struct {
		from, to time.Time
		deadline deadline.Deadline
		start    deadline.Date
	}
	periods := map[int64][]period{}
	revisions := map[int64][]revision{}
	byID := map[int64]*workplan.AssignmentHistory{}
	var order []int64
	overlaps := func(x string) string {
		return `(` + x + `.valid_from IS NULL OR ` + x + `.valid_from <= $3) AND (` + x + `.valid_to IS NULL OR ` + x + `.valid_to > $2)`
	}
	b := &pgx.Batch{}
	b.Queue(`
		SELECT a.id, ap.valid_from, ap.valid_to, ap.role, a.task_id, a.unit_id, u.name, u.short_name, u.kind,
		       coalesce(v.name, ''), coalesce(v.id, 0), t.number, a.start_on
		FROM assignment_periods ap
		JOIN assignments a ON a.id = ap.assignment_id
		JOIN tasks t ON t.id = a.task_id
		JOIN units u ON u.id = a.unit_id
		LEFT JOIN units v ON v.id = ap.via_unit_id
		WHERE t.plan_id = $1 AND `+overlaps("ap")+`
		ORDER BY t.number, u.name, a.id, ap.valid_from NULLS FIRST`, planID, from, to).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var a workplan.AssignmentFacts
			var p period
			var vf, vt, start *time.Time
			if err := rows.Scan(&a.ID, &vf, &vt, &p.role, &a.TaskID, &a.UnitID, &a.UnitName, &a.UnitShort, &a.UnitKind,
				&a.Via, &a.ViaID, &a.TaskNumber, &start); err != nil {
				return err
			}
			p.from, p.to = timeOf(vf), timeOf(vt)
			if byID[a.ID] == nil {
				a.Role = p.role
				a.Facts.Start = dateOf(start)
				byID[a.ID] = &workplan.AssignmentHistory{AssignmentFacts: a}
				order = append(order, a.ID)
			}
			periods[a.ID] = append(periods[a.ID], p)
		}
		return rows.Err()
	})
	b.Queue(`
		SELECT r.task_id, r.valid_from, r.valid_to, r.deadline_text, r.deadline_kind, r.due_on, coalesce(r.start_on, p.issued_on)
		FROM task_revisions r JOIN tasks t ON t.id = r.task_id JOIN plans p ON p.id = t.plan_id
		WHERE t.plan_id = $1 AND `+overlaps("r")+`
		ORDER BY r.task_id, r.valid_from NULLS FIRST`, planID, from, to).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id int64
			var r revision
			var vf, vt, due, start *time.Time
			if err := rows.Scan(&id, &vf, &vt, &r.deadline.Text, &r.deadline.Kind, &due, &start); err != nil {
				return err
			}
			r.from, r.to = timeOf(vf), timeOf(vt)
			r.deadline.Due, r.start = dateOf(due), dateOf(start)
			revisions[id] = append(revisions[id], r)
		}
		return rows.Err()
	})
	if err := db.Pool.SendBatch(ctx, b).Close(); err != nil {
		return h, mapErr(err, "read")
	}
	// later is the later of two bounds where zero is -∞ (for starts) or +∞
	// (for ends, with ends set).
	later := func(a, b time.Time) time.Time {
		if a.IsZero() || (!b.IsZero() && b.After(a)) {
			return b
		}
		return a
	}
	earlier := func(a, b time.Time) time.Time {
		if a.IsZero() || (!b.IsZero() && b.Before(a)) {
			return b
		}
		return a
	}
	list := make([]workplan.AssignmentFacts, 0, len(order))
	for _, id := range order {
		ah := byID[id]
		own := ah.Facts.Start
		for _, p := range periods[id] {
			for _, r := range revisions[ah.TaskID] {
				s := workplan.Span{From: later(p.from, r.from), To: earlier(p.to, r.to), Role: p.role, Deadline: r.deadline, Start: r.start}
				if own.After(s.Start) {
					s.Start = own
				}
				if !s.From.IsZero() && !s.To.IsZero() && !s.To.After(s.From) {
					continue
				}
				ah.Spans = append(ah.Spans, s)
			}
		}
		if len(ah.Spans) == 0 {
			continue
		}
		list = append(list, ah.AssignmentFacts)
	}
	if len(list) == 0 {
		return h, nil
	}
	if list, err = db.rebuild(ctx, list, from); err != nil {
		return h, err
	}
	ids := make([]int64, len(list))
	for i, af := range list {
		ids[i] = af.ID
	}
	events := map[int64][]deadline.Event{}
	err = foldEvents(ctx, db.Pool, `WHERE a.id = ANY($3)`, []any{ids}, from.Add(time.Microsecond), to,
		func(id int64, e deadline.Event) { events[id] = append(events[id], e) })
	if err != nil {
		return h, err
	}
	h.Assignments = make([]workplan.AssignmentHistory, 0, len(list))
	for _, af := range list {
		ah := byID[af.ID]
		ah.AssignmentFacts = af
		ah.Events = events[af.ID]
		h.Assignments = append(h.Assignments, *ah)
	}
	return h, nil
}
