package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// SyncRegistry adds the registry's units, aliases and collective memberships
// that the database lacks. It never changes what an administrator has edited:
// an existing unit keeps its kind, and a collective that already has members
// keeps them. Units that a plan created unconfirmed become confirmed when the
// registry names them. It returns the number of units added.
func (db *DB) SyncRegistry(ctx context.Context, actor workplan.Actor, reg workplan.Registry) (int, error) {
	added := 0
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		ids := map[string]int64{}
		for _, u := range reg.Units {
			id, ok, err := findUnit(ctx, tx, u.Name)
			if err != nil {
				return err
			}
			if !ok {
				for _, a := range u.Aliases {
					if id, ok, err = findUnit(ctx, tx, a); err != nil {
						return err
					} else if ok {
						break
					}
				}
			}
			switch {
			case !ok:
				err = tx.QueryRow(ctx, `INSERT INTO units (name, kind, confirmed) VALUES ($1, $2, true) RETURNING id`,
					u.Name, u.Kind).Scan(&id)
				if err != nil {
					return mapErr(err, "add unit %q", u.Name)
				}
				added++
				if err := audit(ctx, tx, actor, "unit.create", "unit", id, nil, u); err != nil {
					return err
				}
			default:
				tag, err := tx.Exec(ctx, `UPDATE units SET confirmed = true, kind = $2, version = version + 1, updated_at = now()
					WHERE id = $1 AND NOT confirmed`, id, u.Kind)
				if err != nil {
					return mapErr(err, "confirm unit %q", u.Name)
				}
				if tag.RowsAffected() > 0 {
					if err := audit(ctx, tx, actor, "unit.confirm", "unit", id, nil, u); err != nil {
						return err
					}
				}
			}
			ids[u.Name] = id
			if u.Short != "" {
				if _, err := tx.Exec(ctx, `UPDATE units SET short_name = $2 WHERE id = $1 AND short_name = ''`, id, u.Short); err != nil {
					return mapErr(err, "short name of %q", u.Name)
				}
			}
			for _, a := range u.Aliases {
				if _, err := tx.Exec(ctx, `INSERT INTO unit_aliases (alias, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, a, id); err != nil {
					return mapErr(err, "add alias %q", a)
				}
			}
		}
		for _, u := range reg.Units {
			if len(u.Members) == 0 {
				continue
			}
			var has bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM unit_members WHERE collective_id = $1)`, ids[u.Name]).Scan(&has); err != nil {
				return mapErr(err, "members of %q", u.Name)
			}
			if has {
				continue
			}
			for _, m := range u.Members {
				if _, err := tx.Exec(ctx, `INSERT INTO unit_members (collective_id, member_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
					ids[u.Name], ids[m]); err != nil {
					return mapErr(err, "add member %q to %q", m, u.Name)
				}
			}
			if err := audit(ctx, tx, actor, "unit.members", "unit", ids[u.Name], nil, u.Members); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: sync registry: %w", err)
	}
	return added, nil
}

// findUnit looks a unit up by name or alias, and failing that by the other
// spellings of the name (workplan.UnitNameVariants: 财政局 for 市财政局,
// 市发展和改革委员会 for 市发展改革委) when they lead to exactly one unit.
func findUnit(ctx context.Context, q querier, name string) (int64, bool, error) {
	var id int64
	err := q.QueryRow(ctx, `
		SELECT id FROM units WHERE name = $1
		UNION ALL
		SELECT unit_id FROM unit_aliases WHERE alias = $1
		LIMIT 1`, name).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if err != pgx.ErrNoRows {
		return 0, false, mapErr(err, "find unit %q", name)
	}
	variants := workplan.UnitNameVariants(name)
	if len(variants) == 0 {
		return 0, false, nil
	}
	var ids []int64
	err = q.QueryRow(ctx, `
		SELECT coalesce(array_agg(DISTINCT id), '{}') FROM (
			SELECT id FROM units WHERE name = ANY($1)
			UNION ALL
			SELECT unit_id FROM unit_aliases WHERE alias = ANY($1)) found`, variants).Scan(&ids)
	if err != nil {
		return 0, false, mapErr(err, "find unit %q", name)
	}
	if len(ids) != 1 {
		return 0, false, nil
	}
	return ids[0], true, nil
}

// querier is what a pool, a connection and a transaction have in common.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// ListUnits returns every unit with its collective members, by kind and name.
func (db *DB) ListUnits(ctx context.Context) ([]workplan.Unit, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT u.id, u.name, u.kind, u.confirmed,
		       coalesce(array_agg(m.member_id ORDER BY m.member_id) FILTER (WHERE m.member_id IS NOT NULL), '{}')
		FROM units u LEFT JOIN unit_members m ON m.collective_id = u.id
		GROUP BY u.id ORDER BY u.kind, u.name`)
	if err != nil {
		return nil, mapErr(err, "list units")
	}
	units, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.Unit, error) {
		var u workplan.Unit
		err := row.Scan(&u.ID, &u.Name, &u.Kind, &u.Confirmed, &u.Members)
		return u, err
	})
	return units, mapErr(err, "list units")
}
