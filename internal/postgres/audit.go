package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// audit appends one entry to the audit trail inside tx: who (actor), what
// (action on entity id), and the state before and after (any JSON-encodable
// values; nil for none). Every write that matters calls it in the same
// transaction as the write itself.
func audit(ctx context.Context, tx pgx.Tx, actor workplan.Actor, action, entity string, id any, before, after any) error {
	args, err := auditArgs(actor, action, entity, id, before, after)
	if err != nil {
		return err
	}
	if _, err = tx.Exec(ctx, auditInsert, args...); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// auditInsert appends an entry to the audit trail, with auditArgs's values.
const auditInsert = `
	INSERT INTO audit_log (actor_id, actor_name, action, entity, entity_id, before, after, request_id, client_addr)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`

// auditArgs are the values of auditInsert: before and after are encoded as
// JSON.
func auditArgs(actor workplan.Actor, action, entity string, id any, before, after any) ([]any, error) {
	b, err := jsonOrNil(before)
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", action, err)
	}
	a, err := jsonOrNil(after)
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", action, err)
	}
	var actorID *int64
	if actor.UserID != 0 {
		actorID = &actor.UserID
	}
	return []any{actorID, actor.Name, action, entity, fmt.Sprint(id), b, a, actor.RequestID, actor.ClientAddr}, nil
}

func jsonOrNil(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

// AuditLog returns one page of the audit trail matching f, newest first,
// and whether there are more (the next page has BeforeID set to the last
// entry's ID). Paging is by keyset on id, so a page costs the same however
// deep it is.
func (db *DB) AuditLog(ctx context.Context, f workplan.AuditFilter) ([]workplan.AuditEntry, bool, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Actor != "" {
		p := arg(f.Actor)
		where = append(where, `(a.actor_name = `+p+` OR a.actor_id IN (SELECT id FROM users WHERE username = lower(`+p+`) OR display_name = `+p+`))`)
	}
	if f.Action != "" {
		where = append(where, `a.action = `+arg(f.Action))
	}
	if f.Entity != "" {
		where = append(where, `a.entity = `+arg(f.Entity))
	}
	if f.EntityID != "" {
		where = append(where, `a.entity_id = `+arg(f.EntityID))
	}
	if !f.From.IsZero() {
		where = append(where, `a.at >= `+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, `a.at < `+arg(f.To))
	}
	if f.BeforeID > 0 {
		where = append(where, `a.id < `+arg(f.BeforeID))
	}
	q := `SELECT a.id, a.at, COALESCE(a.actor_id, 0), a.actor_name, a.action, a.entity, a.entity_id, a.before, a.after, a.request_id, a.client_addr
		FROM audit_log a`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY a.id DESC LIMIT ` + arg(f.Limit+1)
	rows, err := db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, false, mapErr(err, "read audit log")
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.AuditEntry, error) {
		var e workplan.AuditEntry
		err := row.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.RequestID, &e.ClientAddr)
		return e, err
	})
	if err != nil {
		return nil, false, mapErr(err, "read audit log")
	}
	more := len(list) > f.Limit
	if more {
		list = list[:f.Limit]
	}
	return list, more, nil
}

// AuditActions returns the distinct actions in the audit trail, for the
// filter form. It skips through the action index (a loose index scan), so
// it reads one index entry per distinct action, not the whole trail.
func (db *DB) AuditActions(ctx context.Context) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `
		WITH RECURSIVE t(a) AS (
			SELECT min(action) FROM audit_log
			UNION ALL
			SELECT (SELECT min(action) FROM audit_log WHERE action > t.a) FROM t WHERE t.a IS NOT NULL
		)
		SELECT a FROM t WHERE a IS NOT NULL`)
	if err != nil {
		return nil, mapErr(err, "list audit actions")
	}
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return list, mapErr(err, "list audit actions")
}
