package workplan

import (
	"time"

	"duban/internal/deadline"
)

// Bulletin is a published issue of the bulletin (专报), without its content.
// A published issue never changes.
type Bulletin struct {
	ID            int64
	PlanID        int64
	Number        int
	Title         string
	PeriodStart   deadline.Date
	PeriodEnd     deadline.Date
	PublishedAt   time.Time
	PublisherName string
	// SHA256 is the hash of the published HTML page.
	SHA256 []byte
}

// CanPublishBulletin reports whether a may publish bulletins: supervisors.
func (a Actor) CanPublishBulletin() bool { return a.Role == UserSupervisor }

// ImportRecord is an uploaded progress sheet awaiting confirmation.
type ImportRecord struct {
	Token     string
	UserID    int64
	PlanID    int64
	Filename  string
	CreatedAt time.Time
	ExpiresAt time.Time
	AppliedAt *time.Time
	// Preview is the verdict on every row, as JSON (outputs.ImportPreview).
	Preview []byte
}

// ImportRow is one change of a confirmed import: the sheet's row number and
// the report it files.
type ImportRow struct {
	Row   int
	Input ReportInput
}
