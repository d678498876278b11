// Package notify holds the rules of 催办: which reminders, escalations
// (督办单) and digests are due on a day, from how each plan stands then
// (status.Picture: the one evaluation of every light), the working-day
// calendar and the policy; and the shape of a notification (its kind and
// arguments) that the store keeps and the pages and channels render.
//
// The package is pure: no database, no clock, no network. The daily pass
// (internal/remind) reads the pictures, asks Assess what is due, and keeps a
// key for each item, so that an item goes out once per rule, assignment and
// period however often the pass runs.
package notify

import (
	"slices"
	"strconv"
)

// Kind is what a notification is about. Users may turn off every kind for
// outside channels except Escalation.
type Kind string

// The kinds of notification.
const (
	// ReviewReturned: a reviewer returned the unit's report, with a reason.
	ReviewReturned Kind = "review_returned"
	// ReviewAccepted: a reviewer accepted the unit's completion claim.
	ReviewAccepted Kind = "review_accepted"
	// ExtensionDecided: the supervision office approved or rejected an
	// extension request of the unit.
	ExtensionDecided Kind = "extension_decided"
	// Comment: a leader's or supervisor's 批示 on a task the unit works on.
	Comment Kind = "comment"
	// Assigned: the unit was given a task (a reseed or a designation mapping).
	Assigned Kind = "assigned"
	// Escalation: a 督办单 was issued to the unit (or to its head, its lead
	// unit, its leader in charge), or a pass's message holds one. It cannot
	// be turned off.
	Escalation Kind = "escalation"
	// OrderAnswered: the unit answered a 督办单 the recipient issued.
	OrderAnswered Kind = "order_answered"
	// Reminder: the daily pass's grouped reminders (due soon, overdue, not
	// reported, returned report not refiled).
	Reminder Kind = "reminder"
	// Digest: a leader's daily or a unit head's weekly summary.
	Digest Kind = "digest"
)

// Kinds lists every kind, in the order of the settings form.
var Kinds = []Kind{Reminder, ReviewReturned, ReviewAccepted, ExtensionDecided, Comment, Assigned, OrderAnswered, Digest, Escalation}

// Valid reports whether k is a defined kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Mutable reports whether users may turn k off: every kind but escalations.
func (k Kind) Mutable() bool { return k.Valid() && k != Escalation }

// Args are the facts a notification states, stored as JSON and rendered in
// the reader's language (web.Notice). Only the fields of its kind are set.
type Args struct {
	Plan      string `json:"plan,omitempty"`
	Task      int    `json:"task,omitempty"`
	TaskTitle string `json:"title,omitempty"`
	Unit      string `json:"unit,omitempty"`
	// By is who did it (reviewer, decider, commenter, issuer, answerer).
	By       string `json:"by,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Approved bool   `json:"approved,omitempty"`
	NewDue   string `json:"new_due,omitempty"`
	// Text is a comment's or an answer's text.
	Text string `json:"text,omitempty"`
	// Order is a 督办单: its number, level and reply deadline.
	Order *OrderRef `json:"order,omitempty"`
	// Items are a pass's reminders and escalations; Digest its summary.
	Items  []Item      `json:"items,omitempty"`
	Digest *DigestPart `json:"digest,omitempty"`
	// More counts the items left out after the first MaxItems.
	More int `json:"more,omitempty"`
	// Test marks the test message of a unit's robot.
	Test bool `json:"test,omitempty"`
}

// OrderRef names a 督办单.
type OrderRef struct {
	ID      int64  `json:"id"`
	Number  string `json:"number"`
	Level   int    `json:"level"`
	ReplyBy string `json:"reply_by"`
	Reason  string `json:"reason,omitempty"`
}

// OrderNumber formats the number of the n-th 督办单 of a year: 督办〔2026〕7号.
func OrderNumber(year, n int) string {
	return "督办〔" + strconv.Itoa(year) + "〕" + strconv.Itoa(n) + "号"
}

// Rule names a reminder rule of the daily pass.
type Rule string

// The rules.
const (
	// RuleDueSoon: the due date is DueSoon days away (7 and 1 by default).
	RuleDueSoon Rule = "due_soon"
	// RuleOverdue: overdue; on the first working day after the due day, then
	// every OverdueEvery days.
	RuleOverdue Rule = "overdue"
	// RuleStale: ongoing work not reported within its cadence.
	RuleStale Rule = "stale"
	// RuleRefile: a returned report not refiled within RefileWorkingDays.
	RuleRefile Rule = "refile"
	// RuleEscalate: overdue long enough to climb the ladder: a 督办单.
	RuleEscalate Rule = "escalate"
	// RuleLeaderDigest and RuleHeadDigest key the digests (per user).
	RuleLeaderDigest Rule = "digest_leader"
	RuleHeadDigest   Rule = "digest_head"
)

// Item is one thing a pass tells a unit: a reminder or an escalation about
// one assignment.
type Item struct {
	Rule         Rule   `json:"rule"`
	AssignmentID int64  `json:"asg"`
	UnitID       int64  `json:"unit_id"`
	Unit         string `json:"unit"`
	Plan         string `json:"plan"`
	Task         int    `json:"task"`
	TaskTitle    string `json:"title"`
	// Due is the effective due date ("" for ongoing work).
	Due string `json:"due,omitempty"`
	// Days: days to the due date (due soon), days overdue, days since the
	// last report (stale), working days since the return (refile).
	Days int `json:"days"`
	// Level is the ladder's level of an escalation (1 to 3).
	Level int `json:"level,omitempty"`
	// Reason is a returned report's reason (refile).
	Reason string `json:"reason,omitempty"`
	// Order is the 督办单 issued for an escalation (set when it is issued).
	Order *OrderRef `json:"order,omitempty"`
	// Keys are what the pass records for the item; the item is sent only
	// when its first key was not recorded before.
	Keys []Key `json:"-"`
	// Leads are the task's lead units other than the item's unit (level 2
	// escalations go to them too).
	Leads []int64 `json:"-"`
}

// Link is where the unit acts on the item: the assignment's page.
func (it Item) Link() string { return "/assignments/" + strconv.FormatInt(it.AssignmentID, 10) }

// Key identifies a reminder once per rule, subject (assignment or user) and
// period.
type Key struct {
	Rule    Rule
	Subject int64
	Period  string
}

// DigestPart is a digest's content: counts and the first few lines of each
// kind of change or open item.
type DigestPart struct {
	// Weekly marks a unit head's weekly digest (else a leader's daily one).
	Weekly bool   `json:"weekly,omitempty"`
	Since  string `json:"since,omitempty"`
	// Lines are the changes or open items, each with what it is.
	Lines []DigestLine `json:"lines"`
	// More counts the lines left out after the first MaxDigestLines.
	More int `json:"more,omitempty"`
}

// DigestLine is one line of a digest.
type DigestLine struct {
	// What: newly_overdue, newly_completed, escalated, bulletin (leaders);
	// overdue, lagging, due_soon, order_open (unit heads).
	What  string `json:"what"`
	Plan  string `json:"plan,omitempty"`
	Task  int    `json:"task,omitempty"`
	Title string `json:"title"`
	Unit  string `json:"unit,omitempty"`
	Days  int    `json:"days,omitempty"`
	Link  string `json:"link"`
}

// MaxItems bounds the items one message lists: the rest are counted, and
// the link leads to all of them.
const MaxItems = 50

// MaxDigestLines bounds a digest: a leader reads the first lines and the
// counts, and follows the link for the rest.
const MaxDigestLines = 30
