package notify

import (
	"time"

	"duban/internal/deadline"
)

// Notification is one notification to one person.
type Notification struct {
	ID           int64
	UserID       int64
	Kind         Kind
	Args         Args
	Link         string
	CreatedAt    time.Time
	ReadAt       *time.Time
	AssignmentID int64
}

// Settings are a user's notification settings.
type Settings struct {
	UserID int64
	// Email is where email goes ("": none).
	Email string
	// UnitHead marks the head of the user's unit (单位负责人): 督办通知 of
	// level 2 and the weekly digest go to unit heads.
	UnitHead bool
	// Muted are the kinds the user turned off for outside channels; they
	// still appear in /notifications. Escalations cannot be muted.
	Muted []Kind
}

// Mutes reports whether s turned k off.
func (s Settings) Mutes(k Kind) bool {
	for _, m := range s.Muted {
		if m == k && k.Mutable() {
			return true
		}
	}
	return false
}

// Robot is a group robot's channel.
type Robot string

// The group robots a unit may have.
const (
	RobotNone     Robot = ""
	RobotWeCom    Robot = "wecom"
	RobotDingTalk Robot = "dingtalk"
	RobotFeishu   Robot = "feishu"
)

// Robots lists the robots, for forms.
var Robots = []Robot{RobotWeCom, RobotDingTalk, RobotFeishu}

// Valid reports whether r is a robot (or none).
func (r Robot) Valid() bool {
	return r == RobotNone || r == RobotWeCom || r == RobotDingTalk || r == RobotFeishu
}

// UnitChannels are a unit's group robot and its leader in charge.
type UnitChannels struct {
	UnitID int64
	Robot  Robot
	URL    string
	// Secret signs DingTalk's (and Feishu's) robot requests ("": unsigned).
	Secret string
	// LeaderID is the leader in charge of the unit (分管领导), who gets
	// 督办单 of level 3; 0: the supervision office gets them instead.
	LeaderID int64
}

// Order is a 督办单.
type Order struct {
	ID           int64
	Year, Serial int
	AssignmentID int64
	Level        int
	Automatic    bool
	Reason       string
	ReplyBy      deadline.Date
	Office       string
	IssuerName   string
	IssuedAt     time.Time
	Answer       string
	AnswererName string
	AnsweredAt   *time.Time
	// Unit, Plan, Task and TaskTitle name what it is about.
	UnitID    int64
	Unit      string
	Plan      string
	Task      int
	TaskTitle string
	Deadline  string
}

// Number is the order's number: 督办〔2026〕7号.
func (o Order) Number() string { return OrderNumber(o.Year, o.Serial) }

// Ref is o as a notification names it.
func (o Order) Ref() *OrderRef {
	return &OrderRef{ID: o.ID, Number: o.Number(), Level: o.Level, ReplyBy: o.ReplyBy.String(), Reason: o.Reason}
}

// OrderInput is a 督办单 to issue by hand (点对点督办).
type OrderInput struct {
	AssignmentID int64
	Level        int
	Reason       string
	ReplyBy      deadline.Date
}

// Delivery is one message of the outbox with its attempts: the delivery
// log administrators read.
type Delivery struct {
	ID        int64
	Channel   string
	Recipient string
	Kind      Kind
	Args      Args
	Link      string
	Status    string
	Attempts  int
	CreatedAt time.Time
	SentAt    *time.Time
	NextAt    time.Time
	LastError string
	Log       []Attempt
}

// Attempt is one try to deliver a message.
type Attempt struct {
	At       time.Time
	OK       bool
	Error    string
	Duration time.Duration
}

// Outgoing is a message claimed from the outbox for sending.
type Outgoing struct {
	ID       int64
	Channel  string
	Address  string
	UnitID   int64
	Robot    UnitChannels
	Kind     Kind
	Args     Args
	Link     string
	Attempts int
}
