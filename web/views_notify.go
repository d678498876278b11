package web

// NotificationsPage lists the signed-in user's notifications.
type NotificationsPage struct {
	Rows     []NotificationRow
	Unread   int
	ReadAll  string
	CSRF     string
	MoreHref string
	Notice   string
	Settings string
}

// NotificationRow is one notification: its subject and lines, with the
// link that marks it read and leads where the reader acts.
type NotificationRow struct {
	Href    string
	Subject string
	Lines   []string
	At      string
	Unread  bool
}

// NotifySettingsPage is a user's notification settings: email, unit head
// (administrators only) and the kinds turned off.
type NotifySettingsPage struct {
	For      string
	Action   string
	CSRF     string
	Email    string
	Admin    bool
	UnitHead bool
	Kinds    []KindOption
	Error    string
	Notice   string
	Back     string
}

// KindOption is one kind of notification in the settings form; Locked
// kinds (escalations) cannot be turned off.
type KindOption struct {
	Value  string
	Label  string
	Muted  bool
	Locked bool
}

// UnitChannelsPage is a unit's group robot and leader in charge.
type UnitChannelsPage struct {
	Unit       string
	Action     string
	TestAction string
	CSRF       string
	Robots     []Option
	URL        string
	HasSecret  bool
	Leaders    []Option
	Error      string
	Notice     string
	Back       string
}

// DeliveriesPage is the delivery log of the outbox.
type DeliveriesPage struct {
	Rows     []DeliveryRow
	Statuses []Option
	Channels []Option
	MoreHref string
}

// DeliveryRow is one message with its attempts.
type DeliveryRow struct {
	ID          int64
	Channel     string
	Recipient   string
	Subject     string
	Status      string
	StatusClass string
	Created     string
	Next        string
	Attempts    []AttemptRow
}

// AttemptRow is one attempt to deliver a message.
type AttemptRow struct {
	At    string
	OK    bool
	Error string
	Took  string
}

// CalendarPage is a year of the working-day calendar.
type CalendarPage struct {
	Year    int
	Prev    string
	Next    string
	Source  string
	Months  []CalendarMonth
	Action  string
	CSRF    string
	Error   string
	Notice  string
	Weekday []string
}

// CalendarMonth is one month of the calendar; Lead blank cells come first.
type CalendarMonth struct {
	Label string
	Lead  []int
	Days  []CalendarDay
}

// CalendarDay is one day: working or not, and why when it differs from
// the plain week.
type CalendarDay struct {
	Day     int
	Date    string
	Working bool
	Special bool
	Admin   bool
	Note    string
}

// OrdersBlock is the 督办单 section of an assignment page.
type OrdersBlock struct {
	Orders      []OrderView
	CanIssue    bool
	IssueAction string
	MinReply    string
	CSRF        string
}

// OrderView is one 督办单 on an assignment page.
type OrderView struct {
	Anchor       string
	Number       string
	Level        int
	LevelLabel   string
	Reason       string
	ReplyBy      string
	IssuedBy     string
	IssuedAt     string
	Automatic    bool
	Answer       string
	AnsweredBy   string
	AnsweredAt   string
	PrintHref    string
	AnswerAction string
}

// OrderPrintPage is a 督办单 as printed on A4.
type OrderPrintPage struct {
	Number     string
	Office     string
	Date       string
	Level      string
	Unit       string
	Task       string
	Deadline   string
	Reason     string
	ReplyBy    string
	Answer     string
	AnsweredBy string
	AnsweredAt string
	Back       string
}

// InterviewRow is an assignment listed on the dashboard as 需约谈: a 督办单
// of level 3 while it is still overdue.
type InterviewRow struct {
	Number      int
	Title       string
	Unit        string
	Href        string
	Order       string
	OrderHref   string
	DaysOverdue int
}

// PendingExtensionRow is an extension request on the review page.
type PendingExtensionRow struct {
	ID         int64
	TaskNumber int
	TaskTitle  string
	Href       string
	Unit       string
	By         string
	At         string
	CurrentDue string
	NewDue     string
	Reason     string
	Late       bool
	Decide     string
}
