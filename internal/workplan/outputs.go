package workplan

import (
	"context"
	"time"

	"duban/internal/deadline"
)

// ReportRef is one report filed in a period, as the weekly comparison lists it.
type ReportRef struct {
	ReportID     int64
	AssignmentID int64
	TaskNumber   int
	UnitName     string
	Author       string
	At           time.Time
	Percent      int
	Claims       bool
}

// BulletinFiles is a rendered issue of the bulletin, ready to store.
type BulletinFiles struct {
	Title      string
	Start, End deadline.Date
	HTML, DOCX []byte
	// Data is the content as JSON.
	Data []byte
}

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
	// Notices is true when user User (0: any user) got notifications or read
	// them: only the unread counts depend on it. Plan is 0 then.
	Notices bool
	// Write names the write that announced the change (WithWrite), or is
	// empty: the replica that made it tells its caches at once after the
	// commit, and knows its own notification when it arrives.
	Write string
}

type writeKey struct{}

// WithWrite marks ctx as the context of write id (a request of one
// replica): the changes its transactions announce carry the id
// (Change.Write).
func WithWrite(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, writeKey{}, id)
}

// WriteOf returns the id of the write ctx belongs to, or "".
func WriteOf(ctx context.Context) string {
	id, _ := ctx.Value(writeKey{}).(string)
	return id
}
