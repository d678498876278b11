package web

// IndicatorBoardPage is the view model of the indicator board (日监测):
// every indicator of a plan with its target, values and status.
type IndicatorBoardPage struct {
	PlanTitle string
	PlanSlug  string
	Filter    IndicatorFilter
	// Today bounds the date control.
	Today string
	// NotIssued is set before the plan's issue date (IssuedOn).
	NotIssued bool
	IssuedOn  string
	Sections  []Option
	Units     []Option
	Statuses  []Option
	// Counts are the indicators per status, of the whole plan.
	Counts []IndicatorCount
	// UnitName names the unit of the unit filter: rows then show its own
	// value, and the status filter selects by it.
	UnitName string
	Rows     []IndicatorBoardRow
	Total    int
	// ExportXLSX and ExportCSV are the ledger's exports as of the same date,
	// which carry the indicators (a sheet, and columns).
	ExportXLSX string
	ExportCSV  string
}

// IndicatorFilter is the board's query, kept in the URL.
type IndicatorFilter struct {
	Section string
	Unit    string
	Status  string
	// AsOf is the date asked for ("" for now).
	AsOf string
}

// IndicatorCount is the number of indicators in one status (Class: met,
// not_met, no_data), with the light class that colours it.
type IndicatorCount struct {
	Class string
	Light string
	Label string
	Count int
	Href  string
}

// IndicatorStatusView is an indicator's status ready to show: a light class
// (green met, red not met, grey no data) and its label.
type IndicatorStatusView struct {
	Class string
	Label string
}

// IndicatorBoardRow is one indicator on the board.
type IndicatorBoardRow struct {
	TaskNumber int
	TaskTitle  string
	TaskHref   string
	Text       string
	// Href is the indicator's own page.
	Href   string
	Target string
	// Rule names how unit values combine; RuleHint says what it means.
	Rule     string
	RuleHint string
	Status   IndicatorStatusView
	// Value is the task's value ("" without one), with ValueAt when it was
	// reported; Reported says how many counted units reported.
	Value    string
	ValueAt  string
	Reported string
	// LastAt is when any unit last reported it ("" never).
	LastAt string
	Units  []UnitValueView
	// MoreUnits counts units not listed on the board (see the indicator's page).
	MoreUnits int
	Trend     Sparkline
	// Own is the filtered unit's own value (the unit filter), nil otherwise.
	Own *UnitValueView
}

// UnitValueView is one unit's latest value of an indicator.
type UnitValueView struct {
	Unit  string
	Role  string
	Value string
	At    string
	// Status is met, not met or (without a value) no data.
	Status IndicatorStatusView
	// Counted says the rule counts the unit's value for the task.
	Counted bool
}

// Sparkline is a small trend chart laid out in pixels: the polyline of the
// values, the target's line and the last point. Empty when there is no
// value to draw.
type Sparkline struct {
	Empty         bool
	Width, Height int
	Points        string
	TargetY       int
	LastX, LastY  int
	// Label describes the trend in words, for screen readers and tooltips.
	Label string
}

// IndicatorPage is the view model of one indicator's page: the board's row
// with every unit, a larger trend, and for administrators the rule form.
type IndicatorPage struct {
	PlanTitle string
	PlanSlug  string
	AsOf      string
	Row       IndicatorBoardRow
	Trend     Sparkline
	BoardHref string
	// Rule is the form that sets the rule, for administrators; nil otherwise.
	Rule *RuleForm
	// Saved confirms a rule just set.
	Saved string
}

// RuleForm sets how an indicator's unit values combine.
type RuleForm struct {
	Action  string
	CSRF    string
	Options []Option
}

// IndicatorCounts is the dashboard's line of indicators met, not met and
// without data.
type IndicatorCounts struct {
	Total  int
	Counts []IndicatorCount
	Href   string
}

// ScreenPage is the view model of the operations centre's wall screen: a
// page of its own (no navigation), 1920×1080, that reloads itself.
type ScreenPage struct {
	PlanTitle string
	// Refresh is the reload interval in seconds (SCREEN_REFRESH); 0 does not
	// reload (?refresh=off).
	Refresh int
	// ToggleHref and ToggleLabel pause or resume the reloading.
	ToggleHref, ToggleLabel string
	// Dark selects the dark background (?theme=dark).
	Dark bool
	// StatusAt is when the picture was computed.
	StatusAt  string
	NotIssued bool
	IssuedOn  string
	// Cards count tasks per category, worst first, with the total.
	Cards      []ScreenCard
	TotalTasks int
	// Overdue lists the overdue tasks, most days first; OverdueMore counts
	// those not listed; OverdueUnits counts units with overdue work.
	Overdue      []ScreenOverdue
	OverdueMore  int
	OverdueUnits int
	// Sections are the lights by section.
	Sections []ScreenSection
	// Indicators count indicators per status; NotMet lists those not met.
	Indicators      []IndicatorCount
	IndicatorsTotal int
	NotMet          []ScreenIndicator
	NotMetMore      int
	// Week is what changed in the last seven days.
	Week ScreenWeek
}

// ScreenCard is a big number of the screen.
type ScreenCard struct {
	Class string
	Label string
	Count int
	Note  string
}

// ScreenOverdue is an overdue task on the screen.
type ScreenOverdue struct {
	Number int
	Title  string
	Days   int
	Units  string
}

// ScreenSection is one section's tasks by category, as a bar of segments
// laid out in thousandths of its width.
type ScreenSection struct {
	Label    string
	Total    int
	Segments []ScreenSegment
	// Summary says the counts in words (the bar's accessible name).
	Summary string
}

// ScreenSegment is one category's part of a section's bar.
type ScreenSegment struct {
	Class string
	Label string
	Count int
	// X and Width are in thousandths of the bar.
	X, Width int
}

// ScreenIndicator is an indicator not met, on the screen.
type ScreenIndicator struct {
	Task   int
	Text   string
	Value  string
	Target string
}

// ScreenWeek is the week's changes (周调度) on the screen: counts and the
// tasks and units behind them, never report text.
type ScreenWeek struct {
	From, To string
	// Completed, NewlyOverdue and BackOnTrack count assignments; the
	// …Units lists name the first few as "(task)unit".
	Completed, NewlyOverdue, BackOnTrack                int
	CompletedUnits, NewlyOverdueUnits, BackOnTrackUnits []string
	// Reports counts the reports filed, Units the units that filed them.
	Reports, Units int
}
