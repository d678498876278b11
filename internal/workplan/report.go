package workplan

import (
	"strings"
	"time"

	"duban/internal/deadline"
)

// Report is one progress report (进展报送) of a unit on a task. Reports are
// append-only: a correction is a new report.
type Report struct {
	ID           int64
	AssignmentID int64
	AuthorID     int64
	AuthorName   string
	SubmittedAt  time.Time
	Percent      int
	Progress     string // 进展
	Problems     string // 问题
	NextSteps    string // 下一步
	// ClaimsCompletion says the unit reports the work done; it counts only
	// once a reviewer accepts it.
	ClaimsCompletion bool
	Indicators       []IndicatorValue
	Evidence         []EvidenceMeta
	// Reviews are the decisions on this report, oldest first.
	Reviews []Review
}

// IndicatorValue is a reported value of an indicator.
type IndicatorValue struct {
	IndicatorID int64
	Value       float64
}

// EvidenceMeta describes an evidence file (佐证材料) without its content.
type EvidenceMeta struct {
	ID          int64
	ReportID    int64
	Filename    string
	ContentType string
	Size        int
}

// EvidenceFile is an uploaded evidence file.
type EvidenceFile struct {
	Filename    string
	ContentType string
	Content     []byte
}

// Decision is a reviewer's verdict on a report.
type Decision string

// The decisions a reviewer can give.
const (
	DecisionAccept Decision = "accept"
	DecisionReturn Decision = "return"
)

// Review is a reviewer's decision on a report.
type Review struct {
	ID           int64
	ReportID     int64
	ReviewerID   int64
	ReviewerName string
	Decision     Decision
	Reason       string
	ReviewedAt   time.Time
}

// ReportInput is a report to file. BaseVersion is the assignment's version
// the form was loaded with: if anything was filed or reviewed since, the
// report is refused with a ConflictError rather than silently layered on top.
type ReportInput struct {
	AssignmentID     int64
	BaseVersion      int
	Percent          int
	Progress         string
	Problems         string
	NextSteps        string
	ClaimsCompletion bool
	Indicators       []IndicatorValue
	Evidence         []EvidenceFile
}

// Limits on report input, in characters.
const (
	MaxReportText    = 5000
	MaxEvidenceFiles = 10
	// MaxReasonText bounds the reason of a review or of an extension
	// request or decision.
	MaxReasonText = 2000
)

// Validate checks the input and returns an EInvalid error naming the field.
func (in ReportInput) Validate() error {
	switch {
	case in.Percent < 0 || in.Percent > 100:
		return E(EInvalid, "err.report.percent_range", in.Percent)
	case in.ClaimsCompletion && in.Percent != 100:
		return E(EInvalid, "err.report.claim_percent", in.Percent)
	case len([]rune(in.Progress)) > MaxReportText:
		return E(EInvalid, "err.report.progress_long", MaxReportText)
	case len([]rune(in.Problems)) > MaxReportText:
		return E(EInvalid, "err.report.problems_long", MaxReportText)
	case len([]rune(in.NextSteps)) > MaxReportText:
		return E(EInvalid, "err.report.next_long", MaxReportText)
	case strings.ContainsRune(in.Progress+in.Problems+in.NextSteps, 0):
		return E(EInvalid, "err.report.nul")
	case in.Progress == "" && !in.ClaimsCompletion:
		return E(EInvalid, "err.report.progress_required")
	case len(in.Evidence) > MaxEvidenceFiles:
		return E(EInvalid, "err.report.evidence_count", MaxEvidenceFiles)
	}
	return nil
}

// ReviewInput is a reviewer's decision to record.
type ReviewInput struct {
	ReportID    int64
	Decision    Decision
	Reason      string
	BaseVersion int
}

// Validate checks the input: a return needs a reason.
func (in ReviewInput) Validate() error {
	switch {
	case in.Decision != DecisionAccept && in.Decision != DecisionReturn:
		return E(EInvalid, "err.review.decision", string(in.Decision))
	case in.Decision == DecisionReturn && in.Reason == "":
		return E(EInvalid, "err.review.reason_required")
	case len([]rune(in.Reason)) > MaxReasonText:
		return E(EInvalid, "err.reason.too_long", MaxReasonText)
	}
	return nil
}

// ExtensionRequest is a unit's request (延期申请) to move its due date.
type ExtensionRequest struct {
	ID            int64
	AssignmentID  int64
	RequestedBy   int64
	RequesterName string
	RequestedAt   time.Time
	RequestedDue  deadline.Date
	Reason        string
	// Decision is nil while the request is pending.
	Decision *ExtensionDecision
}

// ExtensionDecision is a supervisor's decision on an extension request.
type ExtensionDecision struct {
	DecidedBy   int64
	DeciderName string
	DecidedAt   time.Time
	Approved    bool
	Reason      string
}

// AssignmentState is the maintained state of an assignment: the fold of its
// history (deadline.Facts without the deadline and start, which come from
// the task and the plan) and its version.
type AssignmentState struct {
	AssignmentID int64
	Version      int
	LastReportID int64
	Facts        deadline.Facts
}

// AssignmentConflict is the ConflictError.Current of a write to an
// assignment that started from a stale version: the current state and the
// changes made since the writer's version, newest first.
type AssignmentConflict struct {
	BaseVersion int
	State       AssignmentState
	Changes     []AssignmentChange
}

// AssignmentChange is one event in an assignment's history, described for a
// person: who did what when.
type AssignmentChange struct {
	Kind    string // report, accept, return, extension
	At      time.Time
	By      string
	Percent int
	Claims  bool
	Reason  string
	NewDue  string
}

// AssignmentFacts is one assignment with what the status engine needs to
// evaluate it: the facts as of some instant.
type AssignmentFacts struct {
	Assignment
	UnitKind   UnitKind
	TaskNumber int
	// Version is the assignment's current version (for edit forms); as of a
	// past instant it is the version then.
	Version int
	Facts   deadline.Facts
}

// ReportTarget is what the report form shows of an active assignment: its
// facts, task, plan, the task's active indicators (by position) and the
// latest report (nil when there is none) with its indicator values.
type ReportTarget struct {
	Facts      AssignmentFacts
	Task       Task
	Plan       Plan
	Indicators []Indicator
	Last       *Report
}

// TaskIndicator is an indicator with its latest reported value.
type TaskIndicator struct {
	Indicator
	// HasLatest says a value was reported; Latest is the most recent one, with
	// the unit that reported it and when.
	HasLatest  bool
	Latest     float64
	LatestUnit string
	LatestAt   time.Time
}

// Met reports whether the latest value meets the target.
func (ti TaskIndicator) Met() bool {
	if !ti.HasLatest {
		return false
	}
	switch ti.Comparator {
	case ">=":
		return ti.Latest >= ti.Value
	case "<=":
		return ti.Latest <= ti.Value
	}
	return ti.Latest == ti.Value
}

// PendingReview is a report that awaits a reviewer's decision.
type PendingReview struct {
	Report     Report
	Assignment Assignment
	TaskNumber int
	TaskTitle  string
	PlanSlug   string
	Version    int
}

// Comment is a leader's or supervisor's comment (批示) on a task.
type Comment struct {
	ID         int64
	TaskID     int64
	AuthorID   int64
	AuthorName string
	CreatedAt  time.Time
	Text       string
}

// MaxCommentText is the longest comment, in characters.
const MaxCommentText = 2000

// CanComment reports whether a may comment on tasks: leaders and supervisors.
func (a Actor) CanComment() bool { return a.Role == UserLeader || a.Role == UserSupervisor }
