package web

// LightView is a traffic light ready to show: a CSS class (green, yellow, red,
// done, grey), its label and the one-line reason behind it.
type LightView struct {
	Class  string
	Label  string
	Reason string
}

// DashboardPage is the view model of the supervision dashboard (督办看板).
type DashboardPage struct {
	PlanTitle string
	PlanSlug  string
	// AsOf is the date shown ("" for now); Today bounds the date control.
	AsOf     string
	Today    string
	StatusAt string
	// Version is the plan version in force at the instant shown.
	Version int
	// NotIssued is set before the plan's issue date (IssuedOn): nothing is
	// judged then.
	NotIssued  bool
	IssuedOn   string
	TotalTasks int
	// Cards count tasks (and scored assignments) per category, worst first.
	Cards []CategoryCard
	// Overdue lists the tasks with overdue units; OverdueUnits every unit
	// with overdue work.
	Overdue      []OverdueRow
	OverdueUnits UnitList
	// Lagging lists the tasks with units behind pace or late reporting;
	// LaggingUnits every such unit.
	Lagging      []LagRow
	LaggingUnits UnitList
	DueSoon      []DueRow
	// Unmapped are collective designations nobody has mapped to units: the
	// to-do of supervisors and administrators. They count nowhere.
	Unmapped []UnmappedRow
	// Interviews are the assignments that reached level 3 of the escalation
	// ladder and are still overdue: 需约谈.
	Interviews []InterviewRow
	Sections   []SectionBar
	Matrix     Matrix
	LedgerHref string
	// Indicators count the plan's indicators met, not met and without data.
	Indicators IndicatorCounts
}

// CategoryCard is the number of tasks in one category (超期, 滞后 …) and of
// the scored assignments (项次) in it.
type CategoryCard struct {
	Class       string
	Label       string
	Hint        string
	Count       int
	Assignments int
	Href        string
}

// UnitList is a list of units with its total: Units are the first few,
// Total all of them ("共 14 个单位").
type UnitList struct {
	Total int
	Units []UnitDays
}

// UnitDays is a unit with a number of days (overdue, or since its last
// report) and, for lists of units, of tasks.
type UnitDays struct {
	Name  string
	Days  int
	Tasks int
	Href  string
}

// OverdueRow is an overdue task with the units that are late (the first
// few; Total counts them all).
type OverdueRow struct {
	Number      int
	Title       string
	Href        string
	Due         string
	DaysOverdue int
	Units       []UnitDays
	Total       int
}

// LagRow is a task with units behind pace or late with their reports.
type LagRow struct {
	Number int
	Title  string
	Href   string
	Units  []UnitDays
	Total  int
}

// DueRow is a task close to its due date with the units not done yet.
type DueRow struct {
	Number    int
	Title     string
	Href      string
	Due       string
	DaysToDue int
	Units     []string
}

// UnmappedRow is a collective designation not mapped on some tasks.
type UnmappedRow struct {
	Text  string
	Tasks []TaskLink
}

// TaskLink links to a task (or to the place where something about it is
// done).
type TaskLink struct {
	Number int
	Href   string
}

// SectionStat is one section's progress: tasks done of its total and the
// mean percent complete of its scored units.
type SectionStat struct {
	Label      string
	Done       int
	Total      int
	AvgPercent int
}

// SectionBar is one bar of the progress-by-section chart, laid out in pixels.
type SectionBar struct {
	SectionStat
	Y         int
	DoneWidth int
	AvgWidth  int
}

// The chart's geometry: each section takes rowHeight pixels, its bars are
// barWidth pixels at 100%.
const (
	chartRowHeight = 44
	chartBarWidth  = 300
)

// SectionBars lays out the progress-by-section chart (SectionChart): the
// view's pixels belong with the view, not with the handler.
func SectionBars(stats []SectionStat) []SectionBar {
	out := make([]SectionBar, len(stats))
	for i, s := range stats {
		out[i] = SectionBar{SectionStat: s, Y: 8 + i*chartRowHeight, AvgWidth: s.AvgPercent * chartBarWidth / 100,
			DoneWidth: s.Done * chartBarWidth / max(s.Total, 1)}
	}
	return out
}

// Matrix is the tasks × units grid coloured by light.
type Matrix struct {
	Units []MatrixUnit
	Rows  []MatrixRow
}

// MatrixUnit is a column of the matrix.
type MatrixUnit struct {
	Name string
	// Label is the registry's short name, or the full name: never a cut one.
	Label string
	Group string
}

// MatrixRow is a task in the matrix.
type MatrixRow struct {
	Number int
	Title  string
	Href   string
	Light  LightView
	Cells  []MatrixCell
}

// MatrixCell is one unit's part in one task; Has is false where the unit has none.
type MatrixCell struct {
	Has   bool
	Light LightView
	Href  string
	Title string
	Role  string
}

// LedgerPage is the view model of the task ledger (任务台账).
type LedgerPage struct {
	PlanTitle  string
	PlanSlug   string
	Filter     LedgerFilter
	Today      string
	Sections   []Option
	Units      []Option
	Lights     []Option
	Categories []Option
	Kinds      []Option
	Sorts      []Option
	Rows       []LedgerRow
	Total      int
	ExportXLSX string
	ExportCSV  string
}

// LedgerFilter is the ledger's query, kept in the URL.
type LedgerFilter struct {
	Section string
	// Unit, when set, makes each row that unit's part in a task: the light
	// and category filters then select the unit's assignments.
	Unit     string
	Light    string
	Category string
	Kind     string
	Query    string
	Sort     string
	// AsOf is the date asked for ("" for now).
	AsOf string
}

// Option is a choice in a select control.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// LedgerRow is one task in the ledger.
type LedgerRow struct {
	Number   int
	Title    string
	Href     string
	Section  string
	Deadline string
	Meaning  string
	Light    LightView
	// Category is the row's category (超期, 滞后 …), as text.
	Category  string
	Reported  string
	Completed string
	Leads     string
	Others    string
	// Unit and Role are set on a row that shows one unit's part (the unit
	// filter); Percent is then its percent complete.
	Unit    string
	Role    string
	Percent int
}

// DesignationRow is a collective designation named by a task: the plan's
// wording, with the units it means on the task.
type DesignationRow struct {
	Text    string
	Role    string
	Mapping string
	Members string
	// MapHref is the mapping form, for those who may map it; "" otherwise.
	MapHref  string
	Unmapped bool
}

// Pager links a timeline's page to the older reports and back to the
// newest; empty when there is no such page.
type Pager struct {
	Older, Newest string
}

// TaskPage is the view model of one task.
type TaskPage struct {
	PlanTitle string
	PlanSlug  string
	Number    int
	Section   string
	Group     string
	Title     string
	Body      string
	Deadline  string
	Meaning   string
	Archived  bool
	// State explains where the task stands in the plan's history: archived
	// (when, by which version), not yet added at the date asked for, or
	// added by a later version (its clock starting then); "" otherwise.
	State       string
	Light       LightView
	Reported    string
	Completed   string
	AsOf        string
	Assignments []AssignmentRow
	// Designations are the collective designations the task names.
	Designations []DesignationRow
	Indicators   []IndicatorRow
	Timeline     []ReportView
	Pager        Pager
	Comments     []CommentView
	CanComment   bool
	CSRF         string
	CommentPost  string
}

// AssignmentRow is one unit's part in a task.
type AssignmentRow struct {
	ID         int64
	Href       string
	Unit       string
	Role       string
	Via        string
	Light      LightView
	Percent    int
	LastReport string
	Due        string
	Extended   string
}

// IndicatorRow is a target with its latest value.
type IndicatorRow struct {
	Text   string
	Target string
	Latest string
	By     string
	Met    bool
	Has    bool
}

// ReportView is one report in a timeline.
type ReportView struct {
	ID          int64
	Anchor      string
	Unit        string
	Author      string
	At          string
	Percent     int
	Progress    string
	Problems    string
	NextSteps   string
	Claims      bool
	Evidence    []EvidenceView
	Indicators  []string
	Reviews     []ReviewView
	Status      string
	StatusClass string
	// Review is set when the viewer may accept or return this report now.
	Review *ReviewForm
}

// EvidenceView is a link to an evidence file.
type EvidenceView struct {
	Name string
	Href string
	Size string
}

// ReviewView is a decision on a report.
type ReviewView struct {
	Decision string
	Class    string
	By       string
	At       string
	Reason   string
}

// ReviewForm is what the accept/return form posts.
type ReviewForm struct {
	Action  string
	Version int
	CSRF    string
	// Warnings say which of the task's indicators are reported below
	// target, so that the reviewer of a completion claim decides knowingly.
	Warnings []string
}

// CommentView is a leader's comment (批示) on a task.
type CommentView struct {
	By   string
	At   string
	Text string
}

// AssignmentPage is one unit's part in one task: status, reports, actions.
type AssignmentPage struct {
	// Notice confirms the report just filed.
	Notice string
	// State says the assignment is archived (read-only) or not yet in
	// force at the date asked for; "" otherwise.
	State      string
	TaskHref   string
	TaskNumber int
	TaskTitle  string
	Unit       string
	Role       string
	Deadline   string
	Meaning    string
	Light      LightView
	Percent    int
	Version    int
	CanReport  bool
	ReportHref string
	Timeline   []ReportView
	Pager      Pager
	Extensions []ExtensionView
	CanExtend  bool
	ExtendPost string
	MinDue     string
	CSRF       string
	AsOf       string
	// LateRequest labels the extension form 逾期申请: the due date passed.
	LateRequest bool
	// Orders are the 督办单 on the assignment.
	Orders OrdersBlock
}

// ExtensionView is an extension request with its decision.
type ExtensionView struct {
	ID        int64
	By        string
	At        string
	NewDue    string
	Reason    string
	Decision  string
	Class     string
	DecidedBy string
	Note      string
	// Decide is set when the viewer may approve or reject it now.
	Decide string
}

// MyTasksPage lists the signed-in staff member's assignments, most urgent first.
type MyTasksPage struct {
	Unit  string
	Rows  []MyTaskRow
	Empty bool
	// AsOf is the date asked for ("" for now): the unit's tasks as they
	// stood then, read-only.
	AsOf string
}

// MyTaskRow is one of my unit's assignments.
type MyTaskRow struct {
	Number     int
	Title      string
	TaskHref   string
	Role       string
	Deadline   string
	Light      LightView
	Percent    int
	LastReport string
	ReportHref string
	ViewHref   string
	// Returned is the reason the latest report was returned ("": it was not).
	Returned string
}

// ReportFormPage is the progress report form, pre-filled from the last report.
type ReportFormPage struct {
	Action     string
	TaskNumber int
	TaskTitle  string
	TaskHref   string
	Unit       string
	Deadline   string
	Light      LightView
	Version    int
	Percent    int
	Progress   string
	Problems   string
	NextSteps  string
	Claims     bool
	Indicators []IndicatorInput
	CSRF       string
	MaxFiles   int
	MaxFileMB  int
	MaxTotalMB int
	Accept     string
}

// IndicatorInput is one indicator value field of the report form.
type IndicatorInput struct {
	ID     int64
	Name   string
	Label  string
	Target string
	Value  string
}

// ReviewQueuePage lists the reports awaiting the viewer's review.
type ReviewQueuePage struct {
	// Notice confirms the decision just recorded.
	Notice string
	Rows   []ReviewQueueRow
	// Extensions are the pending extension requests, for supervisors
	// (CanDecideExtensions).
	Extensions          []PendingExtensionRow
	CanDecideExtensions bool
	CSRF                string
}

// ReviewQueueRow is one report awaiting review.
type ReviewQueueRow struct {
	TaskNumber int
	TaskTitle  string
	Href       string
	Unit       string
	Author     string
	At         string
	Percent    int
	Progress   string
	Problems   string
	NextSteps  string
	Evidence   []EvidenceView
	Review     ReviewForm
}
