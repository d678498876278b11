package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// changeChannel is the NOTIFY channel on which writes announce that a plan's
// data changed, so that every replica can drop what it computed from it.
const changeChannel = "duban_changes"

// Change is what a notification announces: that the progress of a plan's
// assignments changed (reports, reviews, extensions), that the plan itself
// changed (a reseed; unit names and kinds, with Plan 0 for every plan), or
// that a user's sessions or account changed (Accounts; announced by
// triggers, migration 000009).
type Change struct {
	Plan int64
	// Structure is true when the plan's tasks, units or metadata changed,
	// not only the progress on them.
	Structure bool
	// Accounts is true when sessions of user User (0: of any user) may have
	// ended or carry stale facts about their user: a sign-out, a disabled
	// account, a new role or unit, a unit renamed. Plan is 0 then.
	Accounts bool
	User     int64
}

// parseChange reads a notification's payload: "s:<plan>" progress,
// "p:<plan>" structure, "a:<user>" accounts. Anything else is taken as a
// structure change of every plan, the change that drops the most.
func parseChange(payload string) Change {
	kind, num, _ := strings.Cut(payload, ":")
	id, err := strconv.ParseInt(num, 10, 64)
	switch {
	case err != nil:
		return Change{Structure: true}
	case kind == "s":
		return Change{Plan: id}
	case kind == "a":
		return Change{Accounts: true, User: id}
	case kind == "p":
		return Change{Plan: id, Structure: true}
	}
	return Change{Structure: true}
}

// progressPayload announces that the progress of plan planID changed
// (queueNotify sends it with every event). PostgreSQL delivers notifications
// only after commit, and merges duplicates within a transaction.
func progressPayload(planID int64) string { return "s:" + strconv.FormatInt(planID, 10) }

// notifyStructure announces, when tx commits, that plan planID itself
// changed (0: every plan).
func notifyStructure(ctx context.Context, tx pgx.Tx, planID int64) error {
	return notify(ctx, tx, "p:"+strconv.FormatInt(planID, 10))
}

func notify(ctx context.Context, tx pgx.Tx, payload string) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, changeChannel, payload)
	return mapErr(err, "notify %s", payload)
}

// WatchChanges listens for change notifications until ctx ends, on a
// connection of its own. changed receives each Change. listening(true) is called once the watch is in place
// and listening(false) when the connection is lost: notifications may have
// been missed meanwhile, so whoever caches must stop trusting the cache until
// the next listening(true). It reconnects with a back-off.
func (db *DB) WatchChanges(ctx context.Context, changed func(Change), listening func(bool)) {
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

func (db *DB) watch(ctx context.Context, changed func(Change), listening func(bool)) error {
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
		changed(parseChange(n.Payload))
	}
}
