package postgres

// Collective designations (集合称谓) such as 市直有关部门 are the plan's
// wording, not accountable units: nobody can sign in for them. A task is
// assigned to the concrete units a designation is mapped to, on that task
// (task_designations) or registry-wide (unit_members); an unmapped one is
// assigned to nobody and shown as a to-do. Mapping takes effect at once: the
// units that join start their clocks that day, those that leave keep their
// history.

import (
	"context"
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// unitIndex resolves the unit names of tasks to assignments.
type unitIndex struct {
	// units maps every unit name met to its ID.
	units map[string]int64
	// members maps a collective unit's ID to its registry members' IDs.
	members map[int64][]int64
	names   map[int64]string
	// kinds are the kinds of the units in units.
	kinds map[int64]workplan.UnitKind
	// own holds the decisions of what a designation means on one task
	// (task ID, designation ID): they override the registry's members.
	own map[[2]int64][]int64
}

// wantAssignment is one assignment the plan calls for.
type wantAssignment struct {
	role workplan.Role
	via  int64
}

// expand turns a task's unit lists into assignments. A collective
// designation stands for the units it is mapped to on this task, else for
// its registry members, else for nobody (it is not an accountable unit; via
// records the designation). A unit named twice keeps its strongest role
// (lead, then responsible, then cooperating), and a unit named directly wins
// over the same unit reached through a designation.
func (x *unitIndex) expand(taskID int64, lists map[workplan.Role][]string) map[int64]wantAssignment {
	out := map[int64]wantAssignment{}
	put := func(unit int64, w wantAssignment) {
		old, ok := out[unit]
		if !ok || roleRank(w.role) < roleRank(old.role) || (w.role == old.role && old.via != 0 && w.via == 0) {
			out[unit] = w
		}
	}
	for _, role := range workplan.Roles {
		for _, name := range lists[role] {
			id, ok := x.units[name]
			if !ok {
				continue
			}
			if x.kinds[id] == workplan.UnitCollective {
				ms, decided := x.own[[2]int64{taskID, id}]
				if !decided {
					ms = x.members[id]
				}
				for _, m := range ms {
					put(m, wantAssignment{role, id})
				}
				continue
			}
			put(id, wantAssignment{role, 0})
		}
	}
	return out
}

func roleRank(r workplan.Role) int { return slices.Index(workplan.Roles, r) }

// haveAssignment is an assignment as stored.
type haveAssignment struct {
	id       int64
	role     workplan.Role
	via      int64
	archived bool
}

// reconciled is what reconcile did to a task's assignments.
type reconciled struct {
	// before and after describe the active assignments, "name(role)".
	before, after []string
	// added and removed name the units that joined or left.
	added, removed []string
}

// reconcile brings task taskID's assignments in line with want at instant
// now: new ones are created (their clock starting on start, when set),
// unwanted ones archived with their history, changed roles recorded. Their
// periods start at from (nil: the plan's beginning, for its first version).
func reconcile(ctx context.Context, tx pgx.Tx, x *unitIndex, taskID int64, want map[int64]wantAssignment, now time.Time,
	from *time.Time, start deadline.Date) (reconciled, error) {
	var r reconciled
	rows, err := tx.Query(ctx, `SELECT id, unit_id, role, coalesce(via_unit_id, 0), archived_at IS NOT NULL FROM assignments WHERE task_id = $1`, taskID)
	if err != nil {
		return r, mapErr(err, "load assignments of task %d", taskID)
	}
	current := map[int64]haveAssignment{}
	for rows.Next() {
		var h haveAssignment
		var unit int64
		if err := rows.Scan(&h.id, &unit, &h.role, &h.via, &h.archived); err != nil {
			return r, mapErr(err, "load assignments of task %d", taskID)
		}
		current[unit] = h
	}
	if err := rows.Err(); err != nil {
		return r, mapErr(err, "load assignments of task %d", taskID)
	}
	var missing []int64
	for unit := range current {
		missing = append(missing, unit)
	}
	for unit := range want {
		missing = append(missing, unit)
	}
	if err := x.loadNames(ctx, tx, missing); err != nil {
		return r, err
	}
	changeAt := now
	if from != nil {
		changeAt = *from
	}
	for unit, h := range current {
		if !h.archived {
			r.before = append(r.before, x.names[unit]+"("+h.role.Label()+")")
		}
		if _, ok := want[unit]; !ok && !h.archived {
			if _, err := tx.Exec(ctx, `UPDATE assignments SET archived_at = $2 WHERE id = $1`, h.id, now); err != nil {
				return r, mapErr(err, "archive assignment %d", h.id)
			}
			if err := closePeriod(ctx, tx, h.id, changeAt); err != nil {
				return r, err
			}
			r.removed = append(r.removed, x.names[unit])
		}
	}
	for unit, w := range want {
		r.after = append(r.after, x.names[unit]+"("+w.role.Label()+")")
		h, ok := current[unit]
		switch {
		case !ok:
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO assignments (task_id, unit_id, role, via_unit_id, start_on, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				taskID, unit, w.role, nullID(w.via), dateArg(start), now).Scan(&id)
			if err != nil {
				return r, mapErr(err, "add assignment of task %d", taskID)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO assignment_state (assignment_id) VALUES ($1)`, id); err != nil {
				return r, mapErr(err, "add assignment state of task %d", taskID)
			}
			if err := openPeriod(ctx, tx, id, w.role, w.via, from); err != nil {
				return r, err
			}
			if from != nil { // a later version or a mapping, not the plan's first
				if err := noticeAssigned(ctx, tx, now, id); err != nil {
					return r, err
				}
			}
			r.added = append(r.added, x.names[unit])
		case h.role != w.role || h.via != w.via || h.archived:
			if _, err := tx.Exec(ctx, `UPDATE assignments SET role = $2, via_unit_id = $3, archived_at = NULL WHERE id = $1`,
				h.id, w.role, nullID(w.via)); err != nil {
				return r, mapErr(err, "update assignment %d", h.id)
			}
			if err := openPeriod(ctx, tx, h.id, w.role, w.via, &changeAt); err != nil {
				return r, err
			}
			if h.archived {
				if err := noticeAssigned(ctx, tx, now, h.id); err != nil {
					return r, err
				}
				r.added = append(r.added, x.names[unit])
			}
		}
	}
	for _, l := range [][]string{r.before, r.after, r.added, r.removed} {
		sort.Strings(l)
	}
	return r, nil
}

// loadNames fills x.names for the units of ids it does not know yet.
func (x *unitIndex) loadNames(ctx context.Context, q querier, ids []int64) error {
	var missing []int64
	for _, id := range ids {
		if _, ok := x.names[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	rows, err := q.Query(ctx, `SELECT id, name FROM units WHERE id = ANY($1)`, missing)
	if err != nil {
		return mapErr(err, "unit names")
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return mapErr(err, "unit names")
		}
		x.names[id] = name
	}
	return mapErr(rows.Err(), "unit names")
}

// MapDesignation says which concrete units collective designation
// in.CollectiveID means on task in.TaskID (registry-wide mappings are the
// registry's members: SetUnitMembers), or with Clear lets the registry's
// members apply again, and brings the task's assignments in line at once: units that join start their clocks today, units that leave keep
// their reports. With DryRun nothing is written and the change is what
// applying would do. The mapping and its effect are audited in the same
// transaction.
func (db *DB) MapDesignation(ctx context.Context, actor workplan.Actor, in workplan.MappingInput) (workplan.MappingChange, error) {
	var out workplan.MappingChange
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(seedLockKey)); err != nil {
			return mapErr(err, "seed lock")
		}
		var kind workplan.UnitKind
		if err := tx.QueryRow(ctx, `SELECT name, kind FROM units WHERE id = $1`, in.CollectiveID).Scan(&out.Designation, &kind); err != nil {
			return mapErr(err, "designation %d", in.CollectiveID)
		}
		if kind != workplan.UnitCollective {
			return workplan.E(workplan.EInvalid, "err.designation.not_collective", out.Designation)
		}
		if in.TaskID == 0 {
			return workplan.E(workplan.EInvalid, "err.designation.task")
		}
		members, err := concreteMembers(ctx, tx, in.CollectiveID, in.Members)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM tasks WHERE id = $1 AND archived_at IS NULL`, in.TaskID).Scan(&n); err != nil {
			return mapErr(err, "task %d", in.TaskID)
		}
		if n == 0 {
			return workplan.E(workplan.ENotFound, "err.designation.task_gone")
		}
		if in.Clear {
			_, err = tx.Exec(ctx, `DELETE FROM task_designations WHERE task_id = $1 AND collective_id = $2`, in.TaskID, in.CollectiveID)
		} else {
			var by *int64
			if actor.UserID != 0 {
				by = &actor.UserID
			}
			_, err = tx.Exec(ctx, `
				INSERT INTO task_designations (task_id, collective_id, members, decided_by, decided_by_name, decided_at)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (task_id, collective_id) DO UPDATE SET members = EXCLUDED.members, decided_by = EXCLUDED.decided_by,
				       decided_by_name = EXCLUDED.decided_by_name, decided_at = EXCLUDED.decided_at`,
				in.TaskID, in.CollectiveID, members, by, actor.Name, db.Now())
		}
		if err != nil {
			return mapErr(err, "save decision")
		}
		out.Tasks, err = db.applyDesignation(ctx, tx, in.CollectiveID, in.TaskID)
		if err != nil {
			return err
		}
		if in.DryRun {
			return errDryRun
		}
		if err := notifyStructure(ctx, tx, 0); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "designation.map", "task", in.TaskID, nil, map[string]any{
			"designation": out.Designation, "collective_id": in.CollectiveID, "members": members, "clear": in.Clear, "tasks": out.Tasks})
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return workplan.MappingChange{}, userErr(err, "map designation %d", in.CollectiveID)
	}
	return out, nil
}

// concreteMembers checks that ids are concrete (not collective) units other
// than the designation itself and returns them sorted, without repeats,
// never nil (a nil array is NULL in SQL, and "= ANY(NULL)" keeps every row).
func concreteMembers(ctx context.Context, tx pgx.Tx, collective int64, ids []int64) ([]int64, error) {
	members := append([]int64{}, ids...)
	slices.Sort(members)
	members = slices.Compact(members)
	var bad int
	if err := tx.QueryRow(ctx, `
		SELECT count(*) FROM unnest($1::bigint[]) AS m(id)
		WHERE NOT EXISTS (SELECT 1 FROM units WHERE units.id = m.id AND units.kind <> 'collective')`, members).Scan(&bad); err != nil {
		return nil, mapErr(err, "check members")
	}
	if bad > 0 || slices.Contains(members, collective) {
		return nil, workplan.E(workplan.EInvalid, "err.designation.member")
	}
	return members, nil
}

// applyDesignation brings the assignments of the tasks in force that name
// designation collective (only taskID, when set; registry-wide, only the
// tasks with no decision of their own) in line with its current mapping, as
// of now.
func (db *DB) applyDesignation(ctx context.Context, tx pgx.Tx, collective, taskID int64) ([]workplan.MappingTaskChange, error) {
	now := db.Now()
	rows, err := tx.Query(ctx, `
		SELECT t.id, p.slug, t.number, r.title, r.lead_units, r.responsible_units, r.cooperating_units
		FROM task_revisions r JOIN tasks t ON t.id = r.task_id JOIN plans p ON p.id = t.plan_id
		WHERE r.valid_to IS NULL AND t.archived_at IS NULL
		  AND ($2 = 0 OR t.id = $2)
		  AND ($2 <> 0 OR NOT EXISTS (SELECT 1 FROM task_designations d WHERE d.task_id = t.id AND d.collective_id = $1))
		  AND EXISTS (SELECT 1 FROM unnest(r.lead_units || r.responsible_units || r.cooperating_units) n(name)
		              WHERE n.name IN (SELECT name FROM units WHERE id = $1 UNION ALL SELECT alias FROM unit_aliases WHERE unit_id = $1))
		ORDER BY p.id, t.number`, collective, taskID)
	if err != nil {
		return nil, mapErr(err, "tasks naming designation %d", collective)
	}
	type named struct {
		change workplan.MappingTaskChange
		lists  map[workplan.Role][]string
	}
	var tasks []named
	var names []string
	for rows.Next() {
		var n named
		var lead, resp, coop []string
		if err := rows.Scan(&n.change.TaskID, &n.change.PlanSlug, &n.change.Number, &n.change.Title, &lead, &resp, &coop); err != nil {
			return nil, mapErr(err, "tasks naming designation %d", collective)
		}
		n.lists = map[workplan.Role][]string{workplan.RoleLead: lead, workplan.RoleResponsible: resp, workplan.RoleCooperating: coop}
		names = append(names, slices.Concat(lead, resp, coop)...)
		tasks = append(tasks, n)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "tasks naming designation %d", collective)
	}
	if len(tasks) == 0 {
		return nil, nil
	}
	x, err := loadUnitIndex(ctx, tx, names)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(tasks))
	for i, t := range tasks {
		ids[i] = t.change.TaskID
	}
	if x.own, err = ownDesignations(ctx, tx, `d.task_id = ANY($1)`, ids); err != nil {
		return nil, err
	}
	today := deadline.DateOf(now, deadline.Shanghai)
	out := make([]workplan.MappingTaskChange, 0, len(tasks))
	for _, t := range tasks {
		r, err := reconcile(ctx, tx, x, t.change.TaskID, x.expand(t.change.TaskID, t.lists), now, &now, today)
		if err != nil {
			return nil, err
		}
		t.change.Added, t.change.Removed = r.added, r.removed
		out = append(out, t.change)
	}
	return out, nil
}

// loadUnitIndex resolves names (by name or alias) with their kinds and the
// registry members of the collective ones.
func loadUnitIndex(ctx context.Context, q querier, names []string) (*unitIndex, error) {
	x := &unitIndex{units: map[string]int64{}, members: map[int64][]int64{}, names: map[int64]string{}, kinds: map[int64]workplan.UnitKind{}}
	rows, err := q.Query(ctx, `
		SELECT n.name, u.id, u.name, u.kind,
		       coalesce((SELECT array_agg(m.member_id ORDER BY m.member_id) FROM unit_members m WHERE m.collective_id = u.id), '{}')
		FROM (SELECT DISTINCT unnest($1::text[]) AS name) n
		JOIN LATERAL (SELECT id FROM units WHERE name = n.name UNION ALL SELECT unit_id FROM unit_aliases WHERE alias = n.name LIMIT 1) x ON true
		JOIN units u ON u.id = x.id`, names)
	if err != nil {
		return nil, mapErr(err, "resolve units")
	}
	for rows.Next() {
		var name, unitName string
		var id int64
		var kind workplan.UnitKind
		var ms []int64
		if err := rows.Scan(&name, &id, &unitName, &kind, &ms); err != nil {
			return nil, mapErr(err, "resolve units")
		}
		x.units[name], x.names[id], x.kinds[id] = id, unitName, kind
		if len(ms) > 0 {
			x.members[id] = ms
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "resolve units")
	}
	return x, nil
}
