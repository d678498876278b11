package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// AuditNames names the things one page of the audit trail refers to: users,
// units, tasks, assignments and bulletins by ID, and every plan. What is not
// found is left out. One query per kind, whatever the page holds.
func (db *DB) AuditNames(ctx context.Context, refs workplan.AuditRefs) (workplan.AuditNames, error) {
	n := workplan.AuditNames{Users: map[int64]workplan.User{}, Units: map[int64]string{}, Tasks: map[int64]workplan.AuditTask{},
		Assignments: map[int64]workplan.AuditTask{}, Bulletins: map[int64]int{}}
	each := func(ids []int64, q string, scan func(pgx.Rows) error) error {
		if len(ids) == 0 {
			return nil
		}
		rows, err := db.Pool.Query(ctx, q, ids)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	err := each(refs.Users, `SELECT id, username, display_name FROM users WHERE id = ANY($1)`, func(r pgx.Rows) error {
		var u workplan.User
		if err := r.Scan(&u.ID, &u.Username, &u.DisplayName); err != nil {
			return err
		}
		n.Users[u.ID] = u
		return nil
	})
	if err == nil {
		err = each(refs.Units, `SELECT id, name FROM units WHERE id = ANY($1)`, func(r pgx.Rows) error {
			var id int64
			var name string
			if err := r.Scan(&id, &name); err != nil {
				return err
			}
			n.Units[id] = name
			return nil
		})
	}
	if err == nil {
		err = each(refs.Tasks, `SELECT t.id, p.slug, t.number, t.title FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE t.id = ANY($1)`, func(r pgx.Rows) error {
			var id int64
			var t workplan.AuditTask
			if err := r.Scan(&id, &t.PlanSlug, &t.Number, &t.Title); err != nil {
				return err
			}
			n.Tasks[id] = t
			return nil
		})
	}
	if err == nil {
		err = each(refs.Assignments, `
			SELECT a.id, p.slug, t.number, t.title, u.name
			FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = a.unit_id
			WHERE a.id = ANY($1)`, func(r pgx.Rows) error {
			var id int64
			var t workplan.AuditTask
			if err := r.Scan(&id, &t.PlanSlug, &t.Number, &t.Title, &t.UnitName); err != nil {
				return err
			}
			n.Assignments[id] = t
			return nil
		})
	}
	if err == nil {
		err = each(refs.Bulletins, `SELECT id, number FROM bulletins WHERE id = ANY($1)`, func(r pgx.Rows) error {
			var id int64
			var number int
			if err := r.Scan(&id, &number); err != nil {
				return err
			}
			n.Bulletins[id] = number
			return nil
		})
	}
	if err == nil {
		var rows pgx.Rows
		if rows, err = db.Pool.Query(ctx, `SELECT id, slug, title FROM plans ORDER BY id`); err == nil {
			n.Plans, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (workplan.Plan, error) {
				var p workplan.Plan
				err := r.Scan(&p.ID, &p.Slug, &p.Title)
				return p, err
			})
		}
	}
	if err != nil {
		return n, mapErr(err, "audit names")
	}
	return n, nil
}
