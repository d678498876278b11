package workplan

import "time"

// SeedDiff is what applying a plan document would change (a preview), or did
// change (after applying): the same value either way, because both run the
// same code in one transaction.
type SeedDiff struct {
	PlanSlug string
	// NewPlan is true when the plan does not exist yet.
	NewPlan bool
	// BaseVersion is the plan's version before the document (0: no plan yet);
	// a confirmation names it so that nothing applied meanwhile is overwritten.
	BaseVersion int
	// Version is the plan version the document becomes (0 when nothing changes).
	Version int
	// SHA256 is the hex digest of the document.
	SHA256 string
	// SameDocument is true when the document is byte-identical to the plan's
	// current version.
	SameDocument bool
	// Metadata lists changes to the plan's title, issuing office and date.
	Metadata []FieldChange
	Added    []TaskChange
	Changed  []TaskChange
	Archived []TaskChange
	// Restored are archived tasks that the document brings back.
	Restored  []TaskChange
	Unchanged []int
	// UnknownUnits are unit names not in the registry: they are created as
	// unconfirmed units for an administrator to confirm or map.
	UnknownUnits []string
	// Warnings are the parser's doubts, by line.
	Warnings []SeedWarning
}

// Changes counts what the document changes: tasks added, changed, archived
// and restored, and metadata fields.
func (d SeedDiff) Changes() int {
	return len(d.Metadata) + len(d.Added) + len(d.Changed) + len(d.Archived) + len(d.Restored)
}

// TaskChange is one task in a SeedDiff, with the fields that change.
type TaskChange struct {
	Number int
	Title  string
	Fields []FieldChange
}

// FieldChange is one field's value before and after.
type FieldChange struct {
	Field  string // title, body, section, group, lead_units, responsible_units, cooperating_units, deadline, indicators, assignments
	Before string
	After  string
}

// SeedWarning is a parser warning carried into the preview: its line, the
// message key and arguments for the interface's message table ("parse."+Key),
// and its Chinese text.
type SeedWarning struct {
	Line    int
	Key     string
	Args    []string
	Message string
}

// SeedUpload is a plan document an administrator uploaded, kept between the
// preview and the confirmation.
type SeedUpload struct {
	Token      string
	UserID     int64
	Slug       string
	SourceName string
	Source     []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time
	AppliedAt  *time.Time
}

// PlanVersion is one applied document of a plan.
type PlanVersion struct {
	Version       int
	SourceName    string
	SHA256        string
	Size          int
	AppliedByName string
	AppliedAt     time.Time
	// Summary counts what the version changed (added, changed, archived …).
	Summary map[string]any
}
