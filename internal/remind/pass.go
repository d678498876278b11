// Package remind runs the daily reminder pass of 催办: it reads how every
// plan stands (status.Evaluate on each plan's PlanAt: the one evaluation of
// every light), asks the pure rules of internal/notify what is due today,
// and has the store record and send it in one transaction: the keys of what
// is due (only new ones are sent), the escalations' 督办单, and one grouped
// message per person (and per unit robot) listing all their items. Runner
// runs the pass once a day; several replicas may run it at once, and one of
// them does the work.
package remind

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"duban/internal/deadline"
	"duban/internal/notify"
	"duban/internal/postgres"
	"duban/internal/status"
)

// Pass is the daily reminder pass with its settings.
type Pass struct {
	DB *postgres.DB
	// Status is the status policy (the lights), Policy the reminders'.
	Status deadline.Policy
	Policy notify.Policy
	// Calendar is the bundled working-day calendar; the administrators'
	// changes are laid over it at every pass.
	Calendar notify.Calendar
	// Office is the supervision office that issues 督办单.
	Office string
	// Runner names who runs the pass (host, command), for the record.
	Runner string
}

// Result is what a pass did.
type Result struct {
	At       time.Time
	Day      deadline.Date
	Working  bool
	Plans    int
	Items    int
	Orders   int
	Sent     []Sent
	Outbox   int
	Duration time.Duration
	// Running is set when another replica was running the pass: this one
	// did nothing.
	Running bool
}

// Sent is one message of a pass: to whom, what kind, how many items.
type Sent struct {
	To     string
	UserID int64
	UnitID int64
	Kind   notify.Kind
	Items  int
	Digest int
}

// Run runs the pass as of instant at. With dryRun nothing is kept: the
// result says what would have been sent.
func (p *Pass) Run(ctx context.Context, at time.Time, dryRun bool) (Result, error) {
	began := time.Now()
	res := Result{At: at, Day: deadline.DateOf(at, deadline.Shanghai)}
	changes, err := p.DB.CalendarChanges(ctx)
	if err != nil {
		return res, err
	}
	cal := p.Calendar.With(changes)
	res.Working = cal.Working(res.Day)
	current := !at.Before(p.DB.Now().Add(-time.Minute))
	plans, err := p.DB.ListPlans(ctx)
	if err != nil {
		return res, err
	}
	var pics []*status.Picture
	for _, pl := range plans {
		pa, err := p.DB.PlanAt(ctx, pl.ID, at, current)
		if err != nil {
			return res, err
		}
		pics = append(pics, status.Evaluate(pa, p.Status))
	}
	res.Plans = len(pics)
	returns, err := p.DB.PendingReturns(ctx)
	if err != nil {
		return res, err
	}
	for id, x := range returns {
		if x.ReturnedAt.After(at) {
			delete(returns, id)
		}
	}
	var items []notify.Item
	for _, pic := range pics {
		items = append(items, notify.Assess(pic, returns, res.Day, cal, p.Policy)...)
	}
	rcpt, err := p.DB.PassRecipients(ctx)
	if err != nil {
		return res, err
	}
	weekly, week := notify.WeeklyDue(res.Day, cal)
	err = p.DB.ReminderPass(ctx, at, p.Runner, dryRun, func(tx *postgres.PassTx) error {
		var err error
		res.Sent, res.Orders, res.Outbox, res.Items, err = p.write(ctx, tx, at, res.Day, cal, pics, items, rcpt, weekly, week)
		if err != nil {
			return err
		}
		var ids []int64
		if res.Orders > 0 {
			for _, pl := range plans {
				ids = append(ids, pl.ID)
			}
		}
		return tx.Finish(res.Working, res.Items, len(res.Sent), ids)
	})
	res.Duration = time.Since(began)
	if errors.Is(err, postgres.ErrPassRunning) {
		res.Running = true
		return res, nil
	}
	return res, err
}

// write records and sends what is due, inside the pass's transaction.
func (p *Pass) write(ctx context.Context, tx *postgres.PassTx, at time.Time, today deadline.Date, cal notify.Calendar, pics []*status.Picture,
	items []notify.Item, rcpt postgres.Recipients, weekly bool, week string) (sent []Sent, orders, outbox, nItems int, err error) {
	var keys []notify.Key
	for _, it := range items {
		keys = append(keys, it.Keys...)
	}
	fresh, err := tx.Claim(keys)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	var due []notify.Item
	escalated := map[int64]bool{}
	for _, it := range items {
		if len(it.Keys) > 0 && fresh[it.Keys[0]] {
			due = append(due, it)
			if it.Rule == notify.RuleEscalate {
				escalated[it.AssignmentID] = true
			}
		}
	}
	// An escalation says the assignment is overdue: no second line for it.
	due = slices.DeleteFunc(due, func(it notify.Item) bool { return it.Rule == notify.RuleOverdue && escalated[it.AssignmentID] })
	var auto []postgres.AutoOrder
	for _, it := range due {
		if it.Rule == notify.RuleEscalate {
			d, _ := deadline.ParseDate(it.Due)
			auto = append(auto, postgres.AutoOrder{AssignmentID: it.AssignmentID, Level: it.Level, Due: d,
				Reason: "超期 " + strconv.Itoa(it.Days) + " 天未完成(逐级督办第 " + strconv.Itoa(it.Level) + " 级)"})
		}
	}
	issued, err := tx.IssueOrders(auto, p.Office, cal.AddWorking(today, p.Policy.ReplyWorkingDays))
	if err != nil {
		return nil, 0, 0, 0, err
	}
	for i := range due {
		if o, ok := issued[due[i].AssignmentID]; ok && due[i].Rule == notify.RuleEscalate {
			due[i].Order = o.Ref()
		}
	}

	// Group: one message per person, one per unit robot.
	type box struct {
		items  []notify.Item
		digest *notify.DigestPart
		seen   map[seenKey]bool
	}
	users := map[int64]*box{}
	units := map[int64]*box{}
	add := func(m map[int64]*box, id int64, it notify.Item) {
		b := m[id]
		if b == nil {
			b = &box{seen: map[seenKey]bool{}}
			m[id] = b
		}
		k := seenKey{it.AssignmentID, it.Rule}
		if !b.seen[k] {
			b.seen[k] = true
			b.items = append(b.items, it)
		}
	}
	for _, it := range due {
		add(units, it.UnitID, it)
		for _, u := range rcpt.Staff[it.UnitID] {
			add(users, u, it)
		}
		if it.Rule != notify.RuleEscalate || it.Level < 2 {
			continue
		}
		for _, u := range rcpt.Heads[it.UnitID] {
			add(users, u, it)
		}
		for _, lead := range it.Leads {
			for _, u := range rcpt.Staff[lead] {
				add(users, u, it)
			}
		}
		// Level 3 reaches the unit's leader in charge; without one, the
		// dashboard's 需约谈 list and the leaders' digest carry it.
		if l, ok := rcpt.LeaderOf[it.UnitID]; ok && it.Level >= 3 {
			add(users, l, it)
		}
	}

	// Digests: leaders daily when something changed; unit heads weekly.
	if cal.Working(today) {
		since, ok, err := tx.LastPassAt()
		if err != nil {
			return nil, 0, 0, 0, err
		}
		if !ok || since.After(at) {
			since = at.Add(-24 * time.Hour)
		}
		var lines []notify.DigestLine
		for _, pic := range pics {
			lines = append(lines, notify.LeaderLines(pic, since)...)
		}
		orderLines, err := p.DB.OrdersSince(ctx, since, at)
		if err != nil {
			return nil, 0, 0, 0, err
		}
		for _, o := range orderLines {
			lines = append(lines, notify.DigestLine{What: "escalated", Plan: o.Plan, Task: o.Task, Title: o.TaskTitle, Unit: o.Unit, Days: o.Level,
				Link: "/orders/" + strconv.FormatInt(o.ID, 10)})
		}
		for _, it := range due {
			if it.Order != nil {
				lines = append(lines, notify.DigestLine{What: "escalated", Plan: it.Plan, Task: it.Task, Title: it.TaskTitle, Unit: it.Unit, Days: it.Level,
					Link: "/orders/" + strconv.FormatInt(it.Order.ID, 10)})
			}
		}
		bl, err := p.DB.BulletinsSince(ctx, since, at)
		if err != nil {
			return nil, 0, 0, 0, err
		}
		lines = append(lines, bl...)
		seenLine := map[[2]string]bool{}
		lines = slices.DeleteFunc(lines, func(l notify.DigestLine) bool {
			k := [2]string{l.What, l.Link}
			dup := seenLine[k]
			seenLine[k] = true
			return dup
		})
		var dkeys []notify.Key
		if len(lines) > 0 {
			for _, l := range rcpt.Leaders {
				dkeys = append(dkeys, notify.Key{Rule: notify.RuleLeaderDigest, Subject: l, Period: today.String()})
			}
		}
		headLines := map[int64][]notify.DigestLine{}
		if weekly {
			for unit, heads := range rcpt.Heads {
				var hl []notify.DigestLine
				for _, pic := range pics {
					hl = append(hl, notify.HeadLines(pic, unit)...)
				}
				if len(hl) == 0 {
					continue
				}
				headLines[unit] = hl
				for _, h := range heads {
					dkeys = append(dkeys, notify.Key{Rule: notify.RuleHeadDigest, Subject: h, Period: week})
				}
			}
		}
		got, err := tx.Claim(dkeys)
		if err != nil {
			return nil, 0, 0, 0, err
		}
		capped, more := notify.Cap(lines)
		for _, l := range rcpt.Leaders {
			if got[notify.Key{Rule: notify.RuleLeaderDigest, Subject: l, Period: today.String()}] {
				b := users[l]
				if b == nil {
					b = &box{seen: map[seenKey]bool{}}
					users[l] = b
				}
				b.digest = &notify.DigestPart{Since: since.In(deadline.Shanghai).Format("2006-01-02 15:04"), Lines: capped, More: more}
			}
		}
		for unit, hl := range headLines {
			hc, hm := notify.Cap(hl)
			for _, h := range rcpt.Heads[unit] {
				if !got[notify.Key{Rule: notify.RuleHeadDigest, Subject: h, Period: week}] {
					continue
				}
				b := users[h]
				if b == nil {
					b = &box{seen: map[seenKey]bool{}}
					users[h] = b
				}
				if b.digest == nil {
					b.digest = &notify.DigestPart{Weekly: true, Lines: hc, More: hm}
				}
			}
		}
	}

	staff := map[int64]bool{}
	for _, us := range rcpt.Staff {
		for _, u := range us {
			staff[u] = true
		}
	}
	var msgs []postgres.Message
	for _, id := range sortedKeys(users) {
		b := users[id]
		m := message(b.items, b.digest, staff[id])
		m.UserID = id
		msgs = append(msgs, m)
		sent = append(sent, Sent{To: rcpt.Names[id], UserID: id, Kind: m.Kind, Items: len(b.items), Digest: digestLen(b.digest)})
	}
	for _, id := range sortedKeys(units) {
		b := units[id]
		m := message(b.items, nil, false)
		m.UnitID = id
		msgs = append(msgs, m)
		sent = append(sent, Sent{To: b.items[0].Unit + " (群机器人)", UnitID: id, Kind: m.Kind, Items: len(b.items)})
	}
	_, outbox, err = tx.Write(msgs)
	return sent, len(issued), outbox, len(due), err
}

// message is the grouped notification of items and a digest: an
// escalation when it holds a 督办单 (which cannot be turned off), else a
// reminder, else a digest; it links to the one assignment, or to where
// the person works through them all.
func message(items []notify.Item, digest *notify.DigestPart, isStaff bool) postgres.Message {
	slices.SortStableFunc(items, func(a, b notify.Item) int {
		return cmp.Or(cmp.Compare(ruleRank(a.Rule), ruleRank(b.Rule)), cmp.Compare(b.Days, a.Days), cmp.Compare(a.AssignmentID, b.AssignmentID))
	})
	m := postgres.Message{Kind: notify.Digest, Args: notify.Args{Items: items, Digest: digest}, Link: "/dashboard"}
	if len(items) > notify.MaxItems {
		m.Args.Items, m.Args.More = items[:notify.MaxItems], len(items)-notify.MaxItems
	}
	if len(items) > 0 {
		m.Kind = notify.Reminder
		switch {
		case len(items) == 1:
			m.Link, m.AssignmentID = items[0].Link(), items[0].AssignmentID
		case isStaff:
			m.Link = "/my"
		}
	} else if digest != nil && digest.Weekly {
		m.Link = "/my"
	}
	for _, it := range items {
		if it.Rule == notify.RuleEscalate {
			m.Kind = notify.Escalation
		}
	}
	return m
}

// seenKey keeps one line per assignment and rule in a message.
type seenKey struct {
	asg  int64
	rule notify.Rule
}

func ruleRank(r notify.Rule) int {
	return slices.Index([]notify.Rule{notify.RuleEscalate, notify.RuleOverdue, notify.RuleRefile, notify.RuleDueSoon, notify.RuleStale}, r)
}

func digestLen(d *notify.DigestPart) int {
	if d == nil {
		return 0
	}
	return len(d.Lines) + d.More
}

func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Summary is one line per message, for `duban notify run`.
func (r Result) Summary() []string {
	var out []string
	for _, s := range r.Sent {
		line := fmt.Sprintf("%s\t%s\t%d item(s)", s.To, s.Kind, s.Items)
		if s.Digest > 0 {
			line += fmt.Sprintf(", digest of %d line(s)", s.Digest)
		}
		out = append(out, line)
	}
	return out
}
