package web

// WeeklyPage is the weekly comparison (周调度) between the ends of two days.
type WeeklyPage struct {
	PlanTitle string
	PlanSlug  string
	From, To  string
	Today     string
	// Lights compares the number of assignments per light at both ends.
	Lights []LightDelta
	// Reports are the newest reports of the period, ReportsTotal all of
	// them: the list stops at a few hundred.
	Reports      []WeeklyReport
	ReportsTotal int
	Completed    []WeeklyChange
	NewlyOverdue []WeeklyChange
	BackOnTrack  []WeeklyChange
	StillOverdue []WeeklyChange
	Missed       []WeeklyMiss
	Cadence      int
}

// LightDelta is the number of assignments with a light at both ends.
type LightDelta struct {
	Light         LightView
	Before, After int
	Delta         string
}

// WeeklyReport is a report filed in the period.
type WeeklyReport struct {
	At      string
	Task    string
	Href    string
	Unit    string
	Author  string
	Percent int
	Claims  bool
}

// WeeklyChange is an assignment whose status changed.
type WeeklyChange struct {
	Task   string
	Href   string
	Unit   string
	Role   string
	Before LightView
	After  LightView
}

// WeeklyMiss is a unit whose ongoing work reports late.
type WeeklyMiss struct {
	Unit  string
	Tasks []UnitDays
}

// RankingPage is the monthly ranking (月排序).
type RankingPage struct {
	PlanTitle string
	PlanSlug  string
	Month     string
	MaxMonth  string
	Period    string
	Partial   bool
	Formula   string
	Weights   []string
	Days      int
	Groups    []RankGroup
}

// RankGroup is one ranked (or unranked) group of units.
type RankGroup struct {
	Title  string
	TestID string
	Ranked bool
	Rows   []RankRow
}

// RankRow is one unit's figures and rank.
type RankRow struct {
	Rank        string
	Unit        string
	Assignments int
	Rate        string
	OverdueDays int
	PaceLag     string
	// Reporting is the share of open assignment-days reported within the
	// cadence; Silent marks a unit that filed nothing with work open.
	Reporting string
	Silent    bool
	Points    string
	Score     string
}

// BulletinsPage lists the published issues and, for supervisors, the form
// to preview and publish the next one.
type BulletinsPage struct {
	PlanTitle  string
	PlanSlug   string
	Title      string
	Issues     []BulletinRow
	CanPublish bool
	Next       int
	Start, End string
	Today      string
	CSRF       string
	// Published confirms the issue just published.
	Published string
}

// BulletinRow is a published issue.
type BulletinRow struct {
	Number    string
	Title     string
	Period    string
	Published string
	By        string
	Href      string
	DocxHref  string
	SHA256    string
}

// BulletinDoc is the standalone page of one issue of the bulletin: the
// page that is stored when the issue is published.
type BulletinDoc struct {
	Title     string
	Number    string
	Publisher string
	Date      string
	Preview   bool
	Sections  []DocSection
	BackHref  string
	DocxHref  string
	// PublishForm is set on a preview a supervisor may publish.
	PublishForm *PublishForm
}

// PublishForm posts a previewed period for publication.
type PublishForm struct {
	Action     string
	CSRF       string
	Start, End string
}

// DocSection is a numbered part of the bulletin.
type DocSection struct {
	Heading    string
	Paragraphs []string
	Tables     []DocTable
}

// DocTable is a table of the bulletin; Widths are percentages.
type DocTable struct {
	Caption string
	TestID  string
	Header  []string
	Widths  []int
	Rows    [][]string
}

// ImportPage is the upload form of a filled-in ledger sheet.
type ImportPage struct {
	PlanTitle  string
	PlanSlug   string
	Unit       string
	Action     string
	ExportHref string
	CSRF       string
	Error      string
}

// ImportPreviewPage shows the verdict on every row of an upload.
type ImportPreviewPage struct {
	PlanTitle  string
	PlanSlug   string
	Filename   string
	Expires    string
	Rows       []ImportRow
	Changes    int
	Unchanged  int
	Ignored    int
	Errors     int
	CanApply   bool
	Applied    string
	Action     string
	CSRF       string
	UploadHref string
}

// ImportRow is one uploaded row with its verdict.
type ImportRow struct {
	Row    int
	Task   string
	Unit   string
	Status string
	Class  string
	Errors []string
	// Diffs lists the changed fields: name, before, after.
	Diffs [][3]string
}
