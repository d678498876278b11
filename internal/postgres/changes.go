package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

// changeChannel is the NOTIFY channel on which writes announce that a plan's
// data changed, so that every replica can drop what it computed from it.
const changeChannel = "duban_changes"

// parseChange reads a notification's payload: "s:<plan>" progress,
// "p:<plan>" structure, "a:<user>" accounts, "n:<user>" notifications,
// each followed by "~<write>" when a write named itself (workplan.WithWrite).
// Anything else is taken as a structure change of every plan, the change
// that drops the most.
func parseChange(payload string) workplan.Change {
	payload, write, _ := strings.Cut(payload, "~")
	ch := changeOf(payload)
	ch.Write = write
	return ch
}

func changeOf(payload string) workplan.Change {
	kind, num, _ := strings.Cut(payload, ":")
	id, err := strconv.ParseInt(num, 10, 64)
	switch {
	case err != nil:
		return workplan.Change{Structure: true}
	case kind == "s":
		return workplan.Change{Plan: id}
	case kind == "a":
		return workplan.Change{Accounts: true, User: id}
	case kind == "n":
		return workplan.Change{Notices: true, User: id}
	case kind == "p":
		return workplan.Change{Plan: id, Structure: true}
	}
	return workplan.Change{Structure: true}
}

// writeSuffix is what the payloads of a change announced in ctx end with:
// "~" and the write's name, or nothing.
func writeSuffix(ctx context.Context) string {
	if w := workplan.WriteOf(ctx); w != "" {
		return "~" + w
	}
	return ""
}

// progressPayload announces that the progress of plan planID changed
// (queueNotify sends it with every event). PostgreSQL delivers notifications
// only after commit, and merges duplicates within a transaction.
func progressPayload(ctx context.Context, planID int64) string {
	return "s:" + strconv.FormatInt(planID, 10) + writeSuffix(ctx)
}

// notifyStructure announces, when tx commits, that plan planID itself
// changed (0: every plan).
func notifyStructure(ctx context.Context, tx pgx.Tx, planID int64) error {
	return notify(ctx, tx, "p:"+strconv.FormatInt(planID, 10)+writeSuffix(ctx))
}

// notify announces payload (with the write's suffix) when tx commits.
func notify(ctx context.Context, tx pgx.Tx, payload string) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, changeChannel, payload)
	return mapErr(err, "notify %s", payload)
}

// WatchChanges listens for change notifications until ctx ends, on a
// connection of its own. changed receives each Change. listening(true) is called once the watch is in place
// and listening(false) when the connection is lost: notifications may have
// been missed meanwhile, so whoever caches must stop trusting the cache until
// the next listening(true). It reconnects with a back-off.
func (db *DB) WatchChanges(ctx context.Context, changed func(workplan.Change), listening func(bool)) {
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

func (db *DB) watch(ctx context.Context, changed func(workplan.Change), listening func(bool)) error {
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
