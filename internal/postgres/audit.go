package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// audit appends one entry to the audit trail inside tx: who (actor), what
// (action on entity id), and the state before and after (any JSON-encodable
// values; nil for none). Every write that matters calls it in the same
// transaction as the write itself.
func audit(ctx context.Context, tx pgx.Tx, actor workplan.Actor, action, entity string, id any, before, after any) error {
	b, err := jsonOrNil(before)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	a, err := jsonOrNil(after)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	var actorID *int64
	if actor.UserID != 0 {
		actorID = &actor.UserID
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO audit_log (actor_id, actor_name, action, entity, entity_id, before, after, request_id, client_addr)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		actorID, actor.Name, action, entity, fmt.Sprint(id), b, a, actor.RequestID, actor.ClientAddr)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

func jsonOrNil(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}
