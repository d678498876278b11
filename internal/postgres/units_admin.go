package postgres

// The administrator's side of the unit registry: editing names, kinds and
// confirmation, and mapping collective designations to member units. Seeding
// the registry from a plan lives in units.go.

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

const registryUnitColumns = `u.id, u.name, u.short_name, u.kind, u.confirmed, u.version,
	COALESCE((SELECT array_agg(m.member_id ORDER BY m.member_id) FROM unit_members m WHERE m.collective_id = u.id), '{}')`

func scanRegistryUnit(row pgx.Row) (workplan.Unit, error) {
	var u workplan.Unit
	var kind string
	err := row.Scan(&u.ID, &u.Name, &u.Short, &kind, &u.Confirmed, &u.Version, &u.Members)
	u.Kind = workplan.UnitKind(kind)
	return u, err
}

// unitAudit is what the audit trail records of a unit.
type unitAudit struct {
	Name      string  `json:"name"`
	Short     string  `json:"short,omitempty"`
	Kind      string  `json:"kind"`
	Confirmed bool    `json:"confirmed"`
	Members   []int64 `json:"members,omitempty"`
	Version   int     `json:"version"`
}

func auditUnit(u workplan.Unit) unitAudit {
	return unitAudit{u.Name, u.Short, string(u.Kind), u.Confirmed, u.Members, u.Version}
}

// RegistryUnits returns every unit with its members and version, collective
// designations last, each group by name.
func (db *DB) RegistryUnits(ctx context.Context) ([]workplan.Unit, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+registryUnitColumns+` FROM units u ORDER BY u.kind = 'collective', u.confirmed, u.name`)
	if err != nil {
		return nil, mapErr(err, "list units")
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.Unit, error) { return scanRegistryUnit(row) })
	return list, mapErr(err, "list units")
}

// RegistryUnit returns unit id with its members and version.
func (db *DB) RegistryUnit(ctx context.Context, id int64) (workplan.Unit, error) {
	u, err := scanRegistryUnit(db.Pool.QueryRow(ctx, `SELECT `+registryUnitColumns+` FROM units u WHERE u.id = $1`, id))
	return u, mapErr(err, "find unit %d", id)
}

func validateUnit(e *workplan.UnitEdit) error {
	e.Name = strings.TrimSpace(e.Name)
	e.Short = strings.TrimSpace(e.Short)
	if e.Name == "" {
		return workplan.E(workplan.EInvalid, "err.unit.name_required")
	}
	if utf8.RuneCountInString(e.Name) > workplan.MaxUnitName {
		return workplan.E(workplan.EInvalid, "err.unit.name_long", workplan.MaxUnitName)
	}
	if len([]rune(e.Short)) > workplan.MaxShortName {
		return workplan.E(workplan.EInvalid, "err.unit.short_long", workplan.MaxShortName)
	}
	if !e.Kind.Valid() {
		return workplan.E(workplan.EInvalid, "err.unit.kind")
	}
	return nil
}

// CreateRegistryUnit adds a unit to the registry. A taken name is a conflict.
func (db *DB) CreateRegistryUnit(ctx context.Context, actor workplan.Actor, e workplan.UnitEdit) (workplan.Unit, error) {
	if err := validateUnit(&e); err != nil {
		return workplan.Unit{}, err
	}
	var u workplan.Unit
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO units (name, short_name, kind, confirmed) VALUES ($1, $2, $3, $4) RETURNING id`,
			e.Name, e.Short, string(e.Kind), e.Confirmed).Scan(&id); err != nil {
			return err
		}
		var err error
		if u, err = scanRegistryUnit(tx.QueryRow(ctx, `SELECT `+registryUnitColumns+` FROM units u WHERE u.id = $1`, id)); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "unit.create", "unit", id, nil, auditUnit(u))
	})
	if err != nil {
		return workplan.Unit{}, mapErr(err, "create unit %q", e.Name)
	}
	return u, nil
}

// lockUnit locks unit id and checks it is at version; a stale version is a
// *workplan.ConflictError holding the current unit.
func lockUnit(ctx context.Context, tx pgx.Tx, id int64, version int) (workplan.Unit, error) {
	u, err := scanRegistryUnit(tx.QueryRow(ctx, `SELECT `+registryUnitColumns+` FROM units u WHERE u.id = $1 FOR UPDATE OF u`, id))
	if err != nil {
		return u, err
	}
	if u.Version != version {
		return u, &workplan.ConflictError{Current: u}
	}
	return u, nil
}

// UpdateRegistryUnit changes a unit's name, kind and confirmation if it is
// still at version; otherwise it writes nothing and returns a
// *workplan.ConflictError with the current unit. A unit with members must
// stay collective, and one that people belong to cannot become collective.
func (db *DB) UpdateRegistryUnit(ctx context.Context, actor workplan.Actor, id int64, version int, e workplan.UnitEdit) (workplan.Unit, error) {
	if err := validateUnit(&e); err != nil {
		return workplan.Unit{}, err
	}
	var after workplan.Unit
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockUnit(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if e.Kind != workplan.UnitCollective && len(before.Members) > 0 {
			return workplan.E(workplan.EInvalid, "err.unit.has_members")
		}
		if e.Kind == workplan.UnitCollective && before.Kind != workplan.UnitCollective {
			var n int
			if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM users WHERE unit_id = $1) + (SELECT count(*) FROM unit_members WHERE member_id = $1)`, id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return workplan.E(workplan.EInvalid, "err.unit.in_use")
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE units SET name = $2, short_name = $5, kind = $3, confirmed = $4, version = version + 1, updated_at = now() WHERE id = $1`,
			id, e.Name, string(e.Kind), e.Confirmed, e.Short); err != nil {
			return err
		}
		if after, err = scanRegistryUnit(tx.QueryRow(ctx, `SELECT `+registryUnitColumns+` FROM units u WHERE u.id = $1`, id)); err != nil {
			return err
		}
		// Unit names and kinds show on every plan's pages.
		if err := notifyStructure(ctx, tx, 0); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "unit.update", "unit", id, auditUnit(before), auditUnit(after))
	})
	if err != nil {
		return workplan.Unit{}, userErr(err, "update unit %d", id)
	}
	return after, nil
}

// SetUnitMembers replaces the registry members of collective designation
// id, if it is still at version, and brings the assignments of every task in
// force that names it (and has no decision of its own) in line at once:
// members that join start their clocks today, those that leave keep their
// history. Members must be concrete (not collective) units. With dryRun
// nothing is written: the change is what applying would do (the preview).
// The change bumps the unit's version and is audited with the lists before
// and after.
func (db *DB) SetUnitMembers(ctx context.Context, actor workplan.Actor, id int64, version int, members []int64, dryRun bool) (workplan.Unit, workplan.MappingChange, error) {
	var after workplan.Unit
	var change workplan.MappingChange
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(seedLockKey)); err != nil {
			return err
		}
		before, err := lockUnit(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if before.Kind != workplan.UnitCollective {
			return workplan.E(workplan.EInvalid, "err.unit.members_collective")
		}
		if members, err = concreteMembers(ctx, tx, id, members); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM unit_members WHERE collective_id = $1 AND NOT (member_id = ANY($2))`, id, members); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO unit_members (collective_id, member_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, id, members); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE units SET version = version + 1, updated_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		if after, err = scanRegistryUnit(tx.QueryRow(ctx, `SELECT `+registryUnitColumns+` FROM units u WHERE u.id = $1`, id)); err != nil {
			return err
		}
		change.Designation = after.Name
		if change.Tasks, err = db.applyDesignation(ctx, tx, id, 0); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		if err := notifyStructure(ctx, tx, 0); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "unit.members", "unit", id, auditUnit(before), map[string]any{"unit": auditUnit(after), "tasks": change.Tasks})
	})
	if errors.Is(err, errDryRun) {
		return after, change, nil
	}
	if err != nil {
		return workplan.Unit{}, workplan.MappingChange{}, userErr(err, "set members of unit %d", id)
	}
	return after, change, nil
}

// UnitIDByName returns the ID of the concrete (not collective) unit named
// name, for the command line.
func (db *DB) UnitIDByName(ctx context.Context, name string) (int64, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `SELECT id FROM units WHERE name = $1 AND kind <> 'collective'`, strings.TrimSpace(name)).Scan(&id)
	return id, mapErr(err, "find unit %q", name)
}
