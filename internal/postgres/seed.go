package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// seedLockKey serialises every seed of every replica.
const seedLockKey = 0x6475_6261_6e01

// errDryRun aborts the transaction of a preview.
var errDryRun = errors.New("dry run")

// Seed loads a parsed plan document into the plan in.Slug, or with DryRun
// shows what loading it would change without changing anything. It reads
// the plan as stored, computes the change with workplan.Diff (pure) and
// applies it, all in one transaction under an advisory lock: the preview is
// the same code rolled back, so what it shows is what applying does.
//
// Tasks are keyed by (plan, number). A task missing from the document is
// archived, never deleted, and keeps its reports; so do assignments of units
// that a task no longer names. The same document twice gives zero changes and
// writes no new version. Each applied document is kept whole as a plan
// version with its SHA-256, and takes effect when it is applied.
func (db *DB) Seed(ctx context.Context, in workplan.SeedInput) (workplan.SeedDiff, error) {
	return db.seed(ctx, in, nil)
}

// seed is Seed; also, when the document is applied, within its transaction.
func (db *DB) seed(ctx context.Context, in workplan.SeedInput, also func(pgx.Tx) error) (workplan.SeedDiff, error) {
	if in.Document == nil {
		return workplan.SeedDiff{}, fmt.Errorf("postgres: seed %q: no parsed document", in.SourceName)
	}
	if in.Slug == "" {
		in.Slug = in.Document.DefaultSlug()
	}
	sum := sha256.Sum256(in.Source)
	sha := hex.EncodeToString(sum[:])
	var diff workplan.SeedDiff
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(seedLockKey)); err != nil {
			return mapErr(err, "seed lock")
		}
		s := &seeder{tx: tx, doc: in.Document, in: in, now: db.Now()}
		stored, err := s.load(ctx)
		if err != nil {
			return err
		}
		if in.ExpectVersion != nil && *in.ExpectVersion != stored.Version {
			return workplan.E(workplan.EConflict, "err.seed.version", stored.Version, *in.ExpectVersion)
		}
		change := workplan.Diff(stored, in.Document, sha)
		diff = change.Report(in.Slug, sha, in.Document.Warnings)
		s.diff = &diff
		if err := s.apply(ctx, change, stored); err != nil {
			return err
		}
		if in.DryRun {
			return errDryRun
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return workplan.SeedDiff{}, fmt.Errorf("postgres: seed %s: %w", in.Slug, err)
	}
	return diff, nil
}

// seeder holds the state of one Seed transaction.
type seeder struct {
	tx     pgx.Tx
	doc    *workplan.Document
	in     workplan.SeedInput
	diff   *workplan.SeedDiff
	now    time.Time
	planID int64
	unitIndex
	// version is the version this document becomes; from is when its
	// changes take effect (nil for the plan's first version: from the
	// beginning); today is from's day, where the clocks of tasks and units
	// it adds start.
	version int
	from    *time.Time
	today   deadline.Date
}

// load reads the plan as stored, in the form the document is compared with.
func (s *seeder) load(ctx context.Context) (workplan.StoredPlan, error) {
	var p workplan.StoredPlan
	var lastSHA []byte
	var issued *time.Time
	err := s.tx.QueryRow(ctx, `
		SELECT p.id, p.version, p.title, p.issued_by, p.issued_on, p.addressees,
		       (SELECT v.sha256 FROM plan_versions v WHERE v.plan_id = p.id ORDER BY v.version DESC LIMIT 1)
		FROM plans p WHERE p.slug = $1 FOR UPDATE`, s.in.Slug).
		Scan(&s.planID, &p.Version, &p.Title, &p.IssuedBy, &issued, &p.Addressees, &lastSHA)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return p, nil
	case err != nil:
		return p, mapErr(err, "load plan")
	}
	p.Exists, p.SHA256, p.IssuedOn = true, hex.EncodeToString(lastSHA), dateOf(issued)
	p.Tasks, err = s.loadTasks(ctx)
	return p, err
}

// apply writes change: the plan, its structure, every task's revision and
// assignments, the archived tasks, and the version with its audit entry.
func (s *seeder) apply(ctx context.Context, change workplan.PlanChange, stored workplan.StoredPlan) error {
	s.version = stored.Version + 1
	if !change.NewPlan {
		at := s.now
		s.from = &at
		s.today = deadline.DateOf(at, deadline.Shanghai)
	}
	if change.NewPlan {
		err := s.tx.QueryRow(ctx, `
			INSERT INTO plans (slug, title, issued_by, issued_on, addressees) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			s.in.Slug, s.doc.Title, s.doc.IssuedBy, dateArg(s.doc.IssuedOn), nonNilStrings(s.doc.Addressees)).Scan(&s.planID)
		if err != nil {
			return mapErr(err, "create plan")
		}
	} else if len(change.Metadata) > 0 {
		_, err := s.tx.Exec(ctx, `UPDATE plans SET title = $2, issued_by = $3, issued_on = $4, addressees = $5, updated_at = now() WHERE id = $1`,
			s.planID, s.doc.Title, s.doc.IssuedBy, dateArg(s.doc.IssuedOn), nonNilStrings(s.doc.Addressees))
		if err != nil {
			return mapErr(err, "update plan")
		}
	}
	if err := s.resolveUnits(ctx); err != nil {
		return err
	}
	sections, groups, err := s.structure(ctx)
	if err != nil {
		return err
	}
	for _, p := range change.Tasks {
		if p.Action == workplan.ActionArchive {
			if err := s.archive(ctx, p); err != nil {
				return err
			}
			continue
		}
		if err := s.task(ctx, p, sections[p.Doc.SectionNumeral], groups[groupKey{p.Doc.SectionNumeral, p.Doc.GroupNumber}]); err != nil {
			return err
		}
	}
	if s.diff.Changes() == 0 && !s.diff.NewPlan {
		return nil
	}
	s.diff.Version = s.version
	summary := map[string]any{
		"added": len(s.diff.Added), "changed": len(s.diff.Changed), "archived": len(s.diff.Archived),
		"restored": len(s.diff.Restored), "unknown_units": s.diff.UnknownUnits,
	}
	var appliedBy *int64
	if s.in.Actor.UserID != 0 {
		appliedBy = &s.in.Actor.UserID
	}
	sum, _ := hex.DecodeString(s.diff.SHA256)
	if _, err := s.tx.Exec(ctx, `
		INSERT INTO plan_versions (plan_id, version, source_name, source, sha256, applied_by, applied_by_name, applied_at, effective_at, summary)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)`,
		s.planID, s.diff.Version, s.in.SourceName, s.in.Source, sum, appliedBy, s.in.Actor.Name, s.now, summary); err != nil {
		return mapErr(err, "save plan version")
	}
	if _, err := s.tx.Exec(ctx, `UPDATE plans SET version = $2, updated_at = now() WHERE id = $1`, s.planID, s.diff.Version); err != nil {
		return mapErr(err, "update plan version")
	}
	summary["version"] = s.diff.Version
	summary["sha256"] = s.diff.SHA256
	summary["source_name"] = s.in.SourceName
	if err := notifyStructure(ctx, s.tx, s.planID); err != nil {
		return err
	}
	return audit(ctx, s.tx, s.in.Actor, "plan.seed", "plan", s.in.Slug, nil, summary)
}

// archive archives a task the document no longer names: it leaves the plan
// from now, with its reports and assignments kept.
func (s *seeder) archive(ctx context.Context, p workplan.PlannedTask) error {
	if _, err := s.tx.Exec(ctx, `UPDATE tasks SET archived_at = $2, archived_version = $3, version = version + 1, updated_at = now() WHERE id = $1`,
		p.Stored.ID, s.now, s.version); err != nil {
		return mapErr(err, "archive task %d", p.Number)
	}
	return closeRevision(ctx, s.tx, p.Stored.ID, s.now)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// resolveUnits maps every unit name of the document to a unit, creating the
// names the registry lacks as unconfirmed units, and loads collective members.
func (s *seeder) resolveUnits(ctx context.Context) error {
	s.units = map[string]int64{}
	s.names = map[int64]string{}
	for _, name := range s.doc.UnitNames() {
		id, ok, err := findUnit(ctx, s.tx, name)
		if err != nil {
			return err
		}
		if !ok {
			err := s.tx.QueryRow(ctx, `INSERT INTO units (name, kind, confirmed) VALUES ($1, $2, false) RETURNING id`,
				name, workplan.GuessUnitKind(name)).Scan(&id)
			if err != nil {
				return mapErr(err, "add unit %q", name)
			}
			s.diff.UnknownUnits = append(s.diff.UnknownUnits, name)
			if err := audit(ctx, s.tx, s.in.Actor, "unit.create_unconfirmed", "unit", id, nil, map[string]any{"name": name, "plan": s.in.Slug}); err != nil {
				return err
			}
		} else {
			var confirmed bool
			if err := s.tx.QueryRow(ctx, `SELECT confirmed FROM units WHERE id = $1`, id).Scan(&confirmed); err != nil {
				return mapErr(err, "unit %q", name)
			}
			if !confirmed {
				s.diff.UnknownUnits = append(s.diff.UnknownUnits, name)
			}
		}
		s.units[name] = id
	}
	rows, err := s.tx.Query(ctx, `SELECT m.collective_id, m.member_id, u.name FROM unit_members m JOIN units u ON u.id = m.member_id ORDER BY m.collective_id, u.name`)
	if err != nil {
		return mapErr(err, "load members")
	}
	s.members = map[int64][]int64{}
	for rows.Next() {
		var c, m int64
		var name string
		if err := rows.Scan(&c, &m, &name); err != nil {
			return mapErr(err, "load members")
		}
		s.members[c] = append(s.members[c], m)
		s.names[m] = name
	}
	if err := rows.Err(); err != nil {
		return mapErr(err, "load members")
	}
	for name, id := range s.units {
		s.names[id] = name
	}
	ids := make([]int64, 0, len(s.units))
	for _, id := range s.units {
		ids = append(ids, id)
	}
	s.kinds = map[int64]workplan.UnitKind{}
	rows, err = s.tx.Query(ctx, `SELECT id, kind FROM units WHERE id = ANY($1)`, ids)
	if err != nil {
		return mapErr(err, "unit kinds")
	}
	for rows.Next() {
		var id int64
		var k workplan.UnitKind
		if err := rows.Scan(&id, &k); err != nil {
			return mapErr(err, "unit kinds")
		}
		s.kinds[id] = k
	}
	if err := rows.Err(); err != nil {
		return mapErr(err, "unit kinds")
	}
	s.own, err = ownDesignations(ctx, s.tx, `d.task_id IN (SELECT id FROM tasks WHERE plan_id = $1)`, s.planID)
	return err
}

// ownDesignations loads the per-task decisions of what designations mean
// (task_designations) that meet condition (on alias d, parameters from $1).
func ownDesignations(ctx context.Context, tx pgx.Tx, condition string, args ...any) (map[[2]int64][]int64, error) {
	rows, err := tx.Query(ctx, `SELECT d.task_id, d.collective_id, d.members FROM task_designations d WHERE `+condition, args...)
	if err != nil {
		return nil, mapErr(err, "task designations")
	}
	out := map[[2]int64][]int64{}
	for rows.Next() {
		var k [2]int64
		var ms []int64
		if err := rows.Scan(&k[0], &k[1], &ms); err != nil {
			return nil, mapErr(err, "task designations")
		}
		out[k] = ms
	}
	return out, mapErr(rows.Err(), "task designations")
}

type groupKey struct {
	section string
	number  int
}

// structure upserts the sections and groups of the document, by position.
func (s *seeder) structure(ctx context.Context) (map[string]int64, map[groupKey]int64, error) {
	sections := map[string]int64{}
	groups := map[groupKey]int64{}
	for i, sec := range s.doc.Sections {
		var id int64
		err := s.tx.QueryRow(ctx, `
			INSERT INTO sections (plan_id, position, numeral, title) VALUES ($1, $2, $3, $4)
			ON CONFLICT (plan_id, position) DO UPDATE SET numeral = EXCLUDED.numeral, title = EXCLUDED.title
			RETURNING id`, s.planID, i+1, sec.Numeral, sec.Title).Scan(&id)
		if err != nil {
			return nil, nil, mapErr(err, "save section %s", sec.Numeral)
		}
		sections[sec.Numeral] = id
		for _, g := range sec.Groups {
			var gid int64
			err := s.tx.QueryRow(ctx, `
				INSERT INTO task_groups (section_id, position, title) VALUES ($1, $2, $3)
				ON CONFLICT (section_id, position) DO UPDATE SET title = EXCLUDED.title
				RETURNING id`, id, g.Number, g.Title).Scan(&gid)
			if err != nil {
				return nil, nil, mapErr(err, "save group %s.%d", sec.Numeral, g.Number)
			}
			groups[groupKey{sec.Numeral, g.Number}] = gid
		}
	}
	return sections, groups, nil
}

// loadTasks reads the plan's tasks, archived ones included, keyed by number.
func (s *seeder) loadTasks(ctx context.Context) (map[int]workplan.StoredTask, error) {
	out := map[int]workplan.StoredTask{}
	byID := map[int64]int{}
	rows, err := s.tx.Query(ctx, `
		SELECT t.id, t.number, t.title, t.body, coalesce(sec.title, ''), coalesce(g.title, ''), t.deadline_text, t.start_on, t.archived_at IS NOT NULL
		FROM tasks t LEFT JOIN sections sec ON sec.id = t.section_id LEFT JOIN task_groups g ON g.id = t.group_id
		WHERE t.plan_id = $1`, s.planID)
	if err != nil {
		return nil, mapErr(err, "load tasks")
	}
	for rows.Next() {
		e := workplan.StoredTask{Units: map[workplan.Role][]string{}}
		var n int
		var start *time.Time
		if err := rows.Scan(&e.ID, &n, &e.Title, &e.Body, &e.Section, &e.Group, &e.Deadline, &start, &e.Archived); err != nil {
			return nil, mapErr(err, "load tasks")
		}
		e.Start = dateOf(start)
		out[n] = e
		byID[e.ID] = n
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "load tasks")
	}
	rows, err = s.tx.Query(ctx, `
		SELECT tu.task_id, tu.role, tu.name FROM task_units tu JOIN tasks t ON t.id = tu.task_id
		WHERE t.plan_id = $1 ORDER BY tu.task_id, tu.role, tu.position`, s.planID)
	if err != nil {
		return nil, mapErr(err, "load task units")
	}
	for rows.Next() {
		var id int64
		var role workplan.Role
		var name string
		if err := rows.Scan(&id, &role, &name); err != nil {
			return nil, mapErr(err, "load task units")
		}
		n := byID[id]
		out[n].Units[role] = append(out[n].Units[role], name)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "load task units")
	}
	rows, err = s.tx.Query(ctx, `
		SELECT i.task_id, i.text, i.comparator, i.value::float8, i.unit FROM indicators i JOIN tasks t ON t.id = i.task_id
		WHERE t.plan_id = $1 AND i.archived_at IS NULL ORDER BY i.task_id, i.position`, s.planID)
	if err != nil {
		return nil, mapErr(err, "load indicators")
	}
	for rows.Next() {
		var id int64
		var ind workplan.DocIndicator
		if err := rows.Scan(&id, &ind.Text, &ind.Comparator, &ind.Value, &ind.Unit); err != nil {
			return nil, mapErr(err, "load indicators")
		}
		n := byID[id]
		e := out[n]
		e.Indicators = append(e.Indicators, ind)
		out[n] = e
	}
	return out, mapErr(rows.Err(), "load indicators")
}

// task adds, updates or restores one task of the document, records its
// revision when it changes, and brings its assignments in line; a change
// of assignments alone (a registry mapping changed) shows as a change of the
// task's "assignments".
func (s *seeder) task(ctx context.Context, p workplan.PlannedTask, sectionID, groupID int64) error {
	t := p.Doc
	dl := t.Deadline
	rev := taskRevision{version: s.version, sectionID: sectionID, groupID: groupID, title: t.Title, body: t.Body, deadline: dl, lists: t.Units}
	var taskID int64
	switch p.Action {
	case workplan.ActionAdd:
		// A task added by a later version starts its clock (序时进度, reporting
		// cadence) on the day it is added, not on the plan's issue date.
		rev.start = s.today
		err := s.tx.QueryRow(ctx, `
			INSERT INTO tasks (plan_id, number, section_id, group_id, title, body, deadline_text, deadline_kind, due_on, start_on, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
			s.planID, t.Number, nullID(sectionID), nullID(groupID), t.Title, t.Body, dl.Text, dl.Kind, dateArg(dl.Due), dateArg(rev.start), s.now).Scan(&taskID)
		if err != nil {
			return mapErr(err, "add task %d", t.Number)
		}
	default:
		taskID, rev.start = p.Stored.ID, p.Stored.Start
		if p.Action != workplan.ActionKeep {
			_, err := s.tx.Exec(ctx, `
				UPDATE tasks SET section_id = $2, group_id = $3, title = $4, body = $5, deadline_text = $6, deadline_kind = $7,
				       due_on = $8, archived_at = NULL, archived_version = NULL, version = version + 1, updated_at = $9
				WHERE id = $1`,
				taskID, nullID(sectionID), nullID(groupID), t.Title, t.Body, dl.Text, dl.Kind, dateArg(dl.Due), s.now)
			if err != nil {
				return mapErr(err, "update task %d", t.Number)
			}
		}
	}
	if p.Revises() {
		if err := reviseTask(ctx, s.tx, taskID, rev, s.from); err != nil {
			return err
		}
		if err := s.saveTaskUnits(ctx, taskID, t); err != nil {
			return err
		}
	}
	if p.Stored == nil || !workplan.SameIndicators(p.Stored.Indicators, t.Indicators) {
		if err := s.saveIndicators(ctx, taskID, t.Indicators); err != nil {
			return err
		}
	}
	before, after, err := s.assignments(ctx, taskID, t.Units, p.Stored != nil)
	if err != nil {
		return err
	}
	if p.Stored != nil && before != after {
		s.diff.NoteAssignments(t.Number, t.Title, before, after)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (s *seeder) saveTaskUnits(ctx context.Context, taskID int64, t *workplan.DocTask) error {
	if _, err := s.tx.Exec(ctx, `DELETE FROM task_units WHERE task_id = $1`, taskID); err != nil {
		return mapErr(err, "replace units of task %d", t.Number)
	}
	for _, role := range workplan.Roles {
		for i, name := range t.Units[role] {
			if _, err := s.tx.Exec(ctx, `INSERT INTO task_units (task_id, role, position, name) VALUES ($1, $2, $3, $4)`,
				taskID, role, i+1, name); err != nil {
				return mapErr(err, "save units of task %d", t.Number)
			}
		}
	}
	return nil
}

// saveIndicators updates the task's indicators in place by position, so that
// values already reported against a target stay attached when its wording or
// figure is revised; positions the document no longer has are archived.
func (s *seeder) saveIndicators(ctx context.Context, taskID int64, inds []workplan.DocIndicator) error {
	for i, ind := range inds {
		_, err := s.tx.Exec(ctx, `
			INSERT INTO indicators (task_id, position, text, comparator, value, unit) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (task_id, position) DO UPDATE SET text = EXCLUDED.text, comparator = EXCLUDED.comparator,
			       value = EXCLUDED.value, unit = EXCLUDED.unit, archived_at = NULL`,
			taskID, i+1, ind.Text, ind.Comparator, ind.Value, ind.Unit)
		if err != nil {
			return mapErr(err, "save indicator %d of task %d", i+1, taskID)
		}
	}
	_, err := s.tx.Exec(ctx, `UPDATE indicators SET archived_at = $3 WHERE task_id = $1 AND position > $2 AND archived_at IS NULL`,
		taskID, len(inds), s.now)
	return mapErr(err, "archive indicators of task %d", taskID)
}

// assignments brings the task's assignments in line with its unit lists
// and returns a description of the active ones before and after. Units that
// join a task that existed before this version start their clocks today.
func (s *seeder) assignments(ctx context.Context, taskID int64, lists map[workplan.Role][]string, existed bool) (string, string, error) {
	start := deadline.Date{}
	if existed {
		start = s.today
	}
	r, err := reconcile(ctx, s.tx, &s.unitIndex, taskID, s.expand(taskID, lists), s.now, s.from, start)
	if err != nil {
		return "", "", err
	}
	return strings.Join(r.before, "、"), strings.Join(r.after, "、"), nil
}
