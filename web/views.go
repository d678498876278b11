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
	AsOf       string
	Today      string
	StatusAt   string
	TotalTasks int
	Counts     []LightCount
	Overdue    []OverdueRow
	DueSoon    []DueRow
	Stale      []StaleRow
	Sections   []SectionBar
	Matrix     Matrix
	LedgerHref string
}

// LightCount is the number of tasks with one light.
type LightCount struct {
	Light LightView
	Count int
	Href  string
}

// UnitDays is a unit with a number of days (overdue, or since its last report).
type UnitDays struct {
	Name string
	Days int
	Href string
}

// OverdueRow is an overdue task with the units that are late (the first
// few; More counts the rest).
type OverdueRow struct {
	Number      int
	Title       string
	Href        string
	Due         string
	DaysOverdue int
	Units       []UnitDays
	More        int
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

// StaleRow is an ongoing task whose reports are late: how many units, the
// longest silence, and the first few units.
type StaleRow struct {
	Number  int
	Title   string
	Href    string
	Count   int
	MaxDays int
	Units   []UnitDays
	More    int
}

// SectionBar is one bar of the progress-by-section chart, laid out in pixels.
type SectionBar struct {
	Label      string
	Done       int
	Total      int
	AvgPercent int
	Y          int
	DoneWidth  int
	AvgWidth   int
}

// Matrix is the tasks × units grid coloured by light.
type Matrix struct {
	Units []MatrixUnit
	Rows  []MatrixRow
}

// MatrixUnit is a column of the matrix.
type MatrixUnit struct {
	Name  string
	Short string
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
	Sections   []Option
	Units      []Option
	Lights     []Option
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
	Unit    string
	Light   string
	Kind    string
	Query   string
	Sort    string
}

// Option is a choice in a select control.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// LedgerRow is one task in the ledger.
type LedgerRow struct {
	Number    int
	Title     string
	Href      string
	Section   string
	Deadline  string
	Meaning   string
	Light     LightView
	Reported  string
	Completed string
	Leads     string
	Others    string
}

// Pager links a timeline's page to the older reports and back to the
// newest; empty when there is no such page.
type Pager struct {
	Older, Newest string
}

// TaskPage is the view model of one task.
type TaskPage struct {
	PlanTitle   string
	PlanSlug    string
	Number      int
	Section     string
	Group       string
	Title       string
	Body        string
	Deadline    string
	Meaning     string
	Archived    bool
	Light       LightView
	Reported    string
	Completed   string
	AsOf        string
	Assignments []AssignmentRow
	Indicators  []IndicatorRow
	Timeline    []ReportView
	Pager       Pager
	Comments    []CommentView
	CanComment  bool
	CSRF        string
	CommentPost string
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
	Notice     string
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
	Error      string
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
	Review     ReviewForm
}
