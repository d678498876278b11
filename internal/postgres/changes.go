package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// changeChannel is the NOTIFY channel on which writes announce that a plan's
// data changed, so that every replica can drop what it computed from it.
const changeChannel = "duban_changes"

// notifyPlan announces, when tx commits, that plan planID changed (0: every
// plan). PostgreSQL delivers notifications only after commit, and merges
// duplicates within a transaction.
func notifyPlan(ctx context.Context, tx pgx.Tx, planID int64) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, changeChannel, strconv.FormatInt(planID, 10))
	return mapErr(err, "notify change of plan %d", planID)
}

// WatchChanges listens for change notifications until ctx ends, on a
// connection of its own. changed receives the plan ID of each notification
// (0 for every plan). listening(true) is called once the watch is in place
// and listening(false) when the connection is lost: notifications may have
// been missed meanwhile, so whoever caches must stop trusting the cache until
// the next listening(true). It reconnects with a back-off.
func (db *DB) WatchChanges(ctx context.Context, changed func(int64), listening func(bool)) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		if err := db.watch(ctx, changed, listening); err == nil {
			backoff = 100 * time.Millisecond
		}
		listening(false)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (db *DB) watch(ctx context.Context, changed func(int64), listening func(bool)) error {
	cfg := db.Pool.Config().ConnConfig.Copy()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+changeChannel); err != nil {
		return err
	}
	listening(true)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		id, _ := strconv.ParseInt(n.Payload, 10, 64)
		changed(id)
	}
}
