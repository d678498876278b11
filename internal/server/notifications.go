package server

// 催办 in the pages (issue 14): the bell and the review counts in the
// header, /notifications, the notification settings (one's own, and an
// administrator's for any user), a unit's robot and leader in charge, the
// delivery log, the working-day calendar, and 督办单 (issued and answered on
// the assignment page, printed on A4).

import (
	"context"

	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"duban/internal/deadline"
	"duban/internal/notify"
	"duban/internal/postgres"
	"duban/internal/workplan"
	"duban/seeds"
	"duban/web"
)

// noticeStore is what the notification pages need.
type noticeStore interface {
	UnreadCount(ctx context.Context, userID int64) (int, error)
	ReviewCounts(ctx context.Context, unitID int64, extensions bool) (int, int, error)
	Notifications(ctx context.Context, userID, before int64, limit int) ([]notify.Notification, bool, error)
	MarkAllRead(ctx context.Context, userID int64) (int, error)
	MarkRead(ctx context.Context, userID, id int64) (notify.Notification, error)
	LatestReturns(ctx context.Context, ids []int64) (map[int64]notify.Extra, error)
	NotifySettings(ctx context.Context, userID int64) (notify.Settings, error)
	SetNotifySettings(ctx context.Context, actor workplan.Actor, s notify.Settings, head *bool) error
	UnitChannels(ctx context.Context, unitID int64) (notify.UnitChannels, error)
	SetUnitChannels(ctx context.Context, actor workplan.Actor, c notify.UnitChannels) error
	QueueRobotTest(ctx context.Context, actor workplan.Actor, unitID int64) (int64, error)
	Deliveries(ctx context.Context, f postgres.DeliveryFilter) ([]notify.Delivery, bool, error)
	CalendarChanges(ctx context.Context) (map[deadline.Date]notify.Day, error)
	SetCalendarDay(ctx context.Context, actor workplan.Actor, day deadline.Date, working bool, note string, clear bool) error
	IssueOrder(ctx context.Context, actor workplan.Actor, in notify.OrderInput, office string) (notify.Order, error)
	AnswerOrder(ctx context.Context, actor workplan.Actor, id int64, text string) (notify.Order, error)
	Order(ctx context.Context, id int64) (notify.Order, error)
	Orders(ctx context.Context, assignmentID int64) ([]notify.Order, error)
	InterviewOrders(ctx context.Context, planID int64, at time.Time) ([]notify.Order, error)
	PendingExtensions(ctx context.Context) ([]postgres.PendingExtension, error)
	ReportDetails(ctx context.Context, ids []int64) (map[int64]workplan.Report, error)
}

// RobotSender sends a queued outbox message at once (the robot's test
// button): deliver.Sender.
type RobotSender interface {
	SendNow(ctx context.Context, id int64) error
}

// WithRobotSender lets the robot's test button send at once; without it
// the test message waits for the outbox's sender.
func WithRobotSender(rs RobotSender) Option { return func(s *Server) { s.robots = rs } }

// counts keeps, per replica, the numbers every page's header shows: each
// user's unread notifications and each reviewer's pending reviews. They
// are trusted like the other caches, only while change notifications flow:
// "n:<user>" drops a user's unread count. The review counts (a supervisor's
// costs 12 ms at province scale) are kept a minute, and after a progress or
// structure change at most reviewGrace more: under a morning's reports a
// reviewer's count is read again every few seconds, not on every page.
type counts struct {
	// guard's lock (mu) guards every field.
	guard
	unread    map[int64]int
	reviews   map[int64]reviewCount
	reviewGen uint64
}

type reviewCount struct {
	claims, requests int
	at               time.Time
	gen              uint64
}

// reviewGrace is how long a review count stays shown after a change.
const reviewGrace = 5 * time.Second

func newCounts() *counts {
	return &counts{unread: map[int64]int{}, reviews: map[int64]reviewCount{}}
}

func (c *counts) setListening(on bool) {
	c.restart(on, func() { c.unread, c.reviews = map[int64]int{}, map[int64]reviewCount{} })
}

func (c *counts) changed(ch workplan.Change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case ch.Notices && ch.User != 0:
		c.heard()
		delete(c.unread, ch.User)
	case ch.Notices:
		c.heard()
		c.unread = map[int64]int{}
	case !ch.Accounts:
		c.reviewGen++
	}
}

func (c *counts) forgetUser(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.heard()
	delete(c.unread, id)
}

// unreadOf returns user id's unread count, from the cache or the store.
func (s *Server) unreadOf(ctx context.Context, id int64) int {
	c := s.counts
	c.mu.Lock()
	n, ok := c.unread[id]
	seen := c.changes
	c.mu.Unlock()
	if ok {
		return n
	}
	n, err := s.store.UnreadCount(ctx, id)
	if err != nil {
		return 0
	}
	c.keep(seen, func() {
		if len(c.unread) < 100_000 {
			c.unread[id] = n
		}
	})
	return n
}

// reviewsOf returns what awaits reviewer u: completion claims (and, for
// supervisors, extension requests).
func (s *Server) reviewsOf(ctx context.Context, u workplan.User) (int, int) {
	key := u.UnitID
	super := u.Role == workplan.UserSupervisor
	if super {
		key = 0
	}
	c := s.counts
	c.mu.Lock()
	v, ok := c.reviews[key]
	seen, gen := c.changes, c.reviewGen
	c.mu.Unlock()
	if age := time.Since(v.at); ok && age < time.Minute && (v.gen == gen || age < reviewGrace) {
		return v.claims, v.requests
	}
	claims, requests, err := s.store.ReviewCounts(ctx, key, super)
	if err != nil {
		return 0, 0
	}
	c.keep(seen, func() {
		if len(c.reviews) < 100_000 {
			c.reviews[key] = reviewCount{claims, requests, time.Now(), gen}
		}
	})
	return claims, requests
}

// headerCounts fills the layout's bell and review count.
func (s *Server) headerCounts(ctx context.Context, u workplan.User, p *web.Page) {
	if u.MustChangePassword {
		return
	}
	p.Bell = true
	p.Unread = s.unreadOf(ctx, u.ID)
	if u.Role == workplan.UserStaff || u.Role == workplan.UserSupervisor {
		claims, requests := s.reviewsOf(ctx, u)
		for i := range p.Links {
			if p.Links[i].Key == "review" {
				p.Links[i].Count = claims + requests
			}
		}
	}
}

// notificationsPage lists the signed-in user's notifications.
//
// Cached per user and generation of the user's notifications (a new one,
// or one read, changes it), language and query.
func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request) error {
	u, _ := userOf(r.Context())
	q := r.URL.Query()
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	readNotice := q.Get("read") != ""
	key, cacheable := s.cache.keyNotices(u.ID, langOf(r), strconv.FormatInt(before, 10), strconv.FormatBool(readNotice))
	userID := u.ID
	return s.cachedPage(w, r, "notifications", key, cacheable, func(ctx context.Context) (string, []byte, error) {
		list, more, err := s.store.Notifications(ctx, userID, before, 50)
		if err != nil {
			return "", nil, err
		}
		// From the store, not the header's count (counts), which hears
		// of changes after the page cache does.
		unread, err := s.store.UnreadCount(ctx, userID)
		if err != nil {
			return "", nil, err
		}
		m := web.NotificationsPage{ReadAll: "/notifications/read-all", CSRF: csrfTokenOf(ctx), Settings: "/account/notifications", Unread: unread}
		if readNotice {
			m.Notice = web.T(ctx, "notify.allread")
		}
		for _, n := range list {
			m.Rows = append(m.Rows, web.NotificationRow{Href: "/notifications/" + strconv.FormatInt(n.ID, 10), Subject: web.NoticeSubject(ctx, n.Kind, n.Args),
				Lines: web.NoticeLines(ctx, n.Kind, n.Args), At: fmtTime(n.CreatedAt), Unread: n.ReadAt == nil})
		}
		if more && len(list) > 0 {
			m.MoreHref = "/notifications?before=" + strconv.FormatInt(list[len(list)-1].ID, 10)
		}
		html, err := renderBody(ctx, web.Notifications(m))
		return web.T(ctx, "notify.title"), html, err
	})
}

// openNotification marks a notification read and follows its link.
func (s *Server) openNotification(w http.ResponseWriter, r *http.Request) error {
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	u, _ := userOf(r.Context())
	n, err := s.store.MarkRead(r.Context(), u.ID, id)
	if err != nil {
		return err
	}
	s.counts.forgetUser(u.ID)
	s.changedHere(r.Context(), workplan.Change{Notices: true, User: u.ID})
	http.Redirect(w, r, localPath(n.Link), http.StatusSeeOther)
	return nil
}

// readAll marks every notification of the user read.
func (s *Server) readAll(w http.ResponseWriter, r *http.Request) error {
	u, _ := userOf(r.Context())
	if _, err := s.store.MarkAllRead(r.Context(), u.ID); err != nil {
		return err
	}
	s.counts.forgetUser(u.ID)
	s.changedHere(r.Context(), workplan.Change{Notices: true, User: u.ID})
	http.Redirect(w, r, "/notifications?read=1", http.StatusSeeOther)
	return nil
}

// settingsModel is the settings form of user u.
func settingsModel(ctx context.Context, u workplan.User, st notify.Settings, admin bool, action string) web.NotifySettingsPage {
	m := web.NotifySettingsPage{For: u.DisplayName, Action: action, CSRF: csrfTokenOf(ctx), Email: st.Email, Admin: admin, UnitHead: st.UnitHead}
	for _, k := range notify.Kinds {
		m.Kinds = append(m.Kinds, web.KindOption{Value: string(k), Label: web.T(ctx, "notify.kind."+string(k)), Muted: st.Mutes(k), Locked: !k.Mutable()})
	}
	if admin {
		m.Back = "/admin/users/" + strconv.FormatInt(u.ID, 10)
	}
	return m
}

// settingsForm reads the posted settings of user id.
func settingsForm(r *http.Request, id int64) notify.Settings {
	st := notify.Settings{UserID: id, Email: strings.TrimSpace(r.PostFormValue("email"))}
	on := r.PostForm["on"]
	for _, k := range notify.Kinds {
		if k.Mutable() && !slices.Contains(on, string(k)) {
			st.Muted = append(st.Muted, k)
		}
	}
	return st
}

// mySettings shows and saves the signed-in user's notification settings.
func (s *Server) mySettings(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u, _ := userOf(ctx)
	return s.settingsPage(w, r, u, false, "/account/notifications")
}

// adminUserSettings shows and saves any user's settings, the unit head flag
// included.
func (s *Server) adminUserSettings(w http.ResponseWriter, r *http.Request) error {
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	u, err := s.store.User(r.Context(), id)
	if err != nil {
		return err
	}
	return s.settingsPage(w, r, u, true, "/admin/users/"+strconv.FormatInt(id, 10)+"/notifications")
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, u workplan.User, admin bool, action string) error {
	ctx := r.Context()
	status := http.StatusOK
	st, err := s.store.NotifySettings(ctx, u.ID)
	if err != nil {
		return err
	}
	var msg, notice string
	if r.Method == http.MethodPost {
		in := settingsForm(r, u.ID)
		var head *bool
		if admin {
			h := r.PostFormValue("unit_head") == "1"
			head = &h
		}
		switch err := s.store.SetNotifySettings(ctx, s.actor(r), in, head); {
		case !postgres.ValidEmail(in.Email):
			msg, status, st.Email = web.T(ctx, "notify.email.invalid"), http.StatusUnprocessableEntity, in.Email
		case err != nil:
			return err
		default:
			http.Redirect(w, r, action+"?saved=1", http.StatusSeeOther)
			return nil
		}
	}
	if r.URL.Query().Get("saved") != "" {
		notice = web.T(ctx, "notify.saved")
	}
	m := settingsModel(ctx, u, st, admin, action)
	m.Error, m.Notice = msg, notice
	nav := "account"
	if admin {
		nav = "users"
	}
	s.render(w, r, status, web.T(ctx, "notify.settings"), nav, web.NotifySettings(m))
	return nil
}

// unitChannels shows and saves a unit's robot and leader in charge.
func (s *Server) unitChannels(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	unit, err := s.store.RegistryUnit(ctx, id)
	if err != nil {
		return err
	}
	c, err := s.store.UnitChannels(ctx, id)
	if err != nil {
		return err
	}
	base := "/admin/units/" + strconv.FormatInt(id, 10) + "/channels"
	status := http.StatusOK
	var msg string
	if r.Method == http.MethodPost {
		in := notify.UnitChannels{UnitID: id, Robot: notify.Robot(r.PostFormValue("robot")), URL: r.PostFormValue("url"), Secret: r.PostFormValue("secret")}
		in.LeaderID, _ = strconv.ParseInt(r.PostFormValue("leader"), 10, 64)
		if in.Secret == "" && in.Robot == c.Robot {
			in.Secret = c.Secret // blank keeps the secret
		}
		err := s.store.SetUnitChannels(ctx, s.actor(r), in)
		switch {
		case workplan.ErrorCode(err) == workplan.EInvalid:
			msg, status, c = web.T(ctx, "notify.channels.invalid"), http.StatusUnprocessableEntity, in
		case err != nil:
			return err
		default:
			http.Redirect(w, r, base+"?saved=1", http.StatusSeeOther)
			return nil
		}
	}
	m := web.UnitChannelsPage{Unit: unit.Name, Action: base, TestAction: base + "/test", CSRF: csrfTokenOf(ctx), URL: c.URL, HasSecret: c.Secret != "",
		Error: msg, Back: "/admin/units/" + strconv.FormatInt(id, 10)}
	switch q := r.URL.Query(); {
	case q.Get("saved") != "":
		m.Notice = web.T(ctx, "notify.saved")
	case q.Get("test") == "ok":
		m.Notice = web.T(ctx, "notify.robot.test.ok")
	case q.Get("test") == "queued":
		m.Notice = web.T(ctx, "notify.robot.test.queued")
	case q.Get("test") == "failed":
		// The reason is in the delivery log, never in the URL (whose text
		// anyone could write).
		m.Error = web.T(ctx, "notify.robot.test.failed")
	case q.Get("test") == "missing":
		m.Error = web.T(ctx, "notify.robot.missing")
	}
	m.Robots = append(m.Robots, web.Option{Value: "", Label: web.T(ctx, "notify.robot.none"), Selected: c.Robot == notify.RobotNone})
	for _, rb := range notify.Robots {
		m.Robots = append(m.Robots, web.Option{Value: string(rb), Label: web.T(ctx, "notify.robot."+string(rb)), Selected: c.Robot == rb})
	}
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return err
	}
	m.Leaders = append(m.Leaders, web.Option{Value: "0", Label: web.T(ctx, "notify.leader.none")})
	for _, u := range users {
		if u.Role == workplan.UserLeader && !u.Disabled {
			m.Leaders = append(m.Leaders, web.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.DisplayName, Selected: u.ID == c.LeaderID})
		}
	}
	s.render(w, r, status, web.T(ctx, "notify.channels.title"), "units", web.UnitChannels(m))
	return nil
}

// testRobot sends a test message to a unit's robot.
func (s *Server) testRobot(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	base := "/admin/units/" + strconv.FormatInt(id, 10) + "/channels"
	msgID, err := s.store.QueueRobotTest(ctx, s.actor(r), id)
	if workplan.ErrorCode(err) == workplan.EInvalid {
		http.Redirect(w, r, base+"?test=missing", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	if s.robots == nil {
		http.Redirect(w, r, base+"?test=queued", http.StatusSeeOther)
		return nil
	}
	if err := s.robots.SendNow(ctx, msgID); err != nil {
		s.log.Info("robot test failed", "unit", id, "err", err)
		http.Redirect(w, r, base+"?test=failed", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, base+"?test=ok", http.StatusSeeOther)
	return nil
}

// deliveries is the delivery log: every outside message with its attempts.
func (s *Server) deliveries(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	f := postgres.DeliveryFilter{Status: q.Get("status"), Channel: q.Get("channel")}
	f.BeforeID, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	list, more, err := s.store.Deliveries(ctx, f)
	if err != nil {
		return err
	}
	m := web.DeliveriesPage{}
	for _, st := range []string{"", "pending", "sent", "failed"} {
		m.Statuses = append(m.Statuses, web.Option{Value: st, Label: web.T(ctx, "notify.status."+orAll(st)), Selected: st == f.Status})
	}
	for _, ch := range []string{"", "email", "wecom", "dingtalk", "feishu"} {
		m.Channels = append(m.Channels, web.Option{Value: ch, Label: web.T(ctx, "notify.channel."+orAll(ch)), Selected: ch == f.Channel})
	}
	for _, d := range list {
		row := web.DeliveryRow{ID: d.ID, Channel: web.T(ctx, "notify.channel."+d.Channel), Recipient: d.Recipient,
			Subject: web.NoticeSubject(ctx, d.Kind, d.Args), Status: web.T(ctx, "notify.status."+d.Status), Created: fmtTime(d.CreatedAt)}
		switch d.Status {
		case "sent":
			row.StatusClass = "done"
		case "failed":
			row.StatusClass = "red"
		default:
			row.StatusClass = "yellow"
			row.Next = web.T(ctx, "notify.next", fmtTime(d.NextAt))
		}
		for _, a := range d.Log {
			row.Attempts = append(row.Attempts, web.AttemptRow{At: fmtTime(a.At), OK: a.OK, Error: a.Error, Took: a.Duration.String()})
		}
		m.Rows = append(m.Rows, row)
	}
	if more && len(list) > 0 {
		v := url.Values{"status": {f.Status}, "channel": {f.Channel}, "before": {strconv.FormatInt(list[len(list)-1].ID, 10)}}
		m.MoreHref = "/admin/deliveries?" + v.Encode()
	}
	s.render(w, r, http.StatusOK, web.T(ctx, "notify.deliveries"), "deliveries", web.Deliveries(m))
	return nil
}

func orAll(s string) string {
	if s == "" {
		return "all"
	}
	return s
}

// bundledCalendar is the calendar of seeds/holidays.json.
var bundledCalendar = sync.OnceValues(func() (notify.Calendar, error) {
	b, err := seeds.FS.ReadFile(seeds.Holidays)
	if err != nil {
		return notify.Calendar{}, err
	}
	return notify.ParseCalendar(b)
})

// calendar shows a year of the working-day calendar and saves changes.
func (s *Server) calendar(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	year := deadline.DateOf(s.now(), deadline.Shanghai).Year
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2100 {
		year = y
	}
	status := http.StatusOK
	var msg string
	if r.Method == http.MethodPost {
		day, err := deadline.ParseDate(r.PostFormValue("day"))
		kind := r.PostFormValue("working")
		switch {
		case err != nil || (kind != "0" && kind != "1" && kind != "clear"):
			msg, status = web.T(ctx, "notify.calendar.invalid"), http.StatusUnprocessableEntity
		default:
			if err := s.store.SetCalendarDay(ctx, s.actor(r), day, kind == "1", r.PostFormValue("note"), kind == "clear"); err != nil {
				if workplan.ErrorCode(err) != workplan.EInvalid {
					return err
				}
				msg, status = web.T(ctx, "notify.calendar.invalid"), http.StatusUnprocessableEntity
			} else {
				http.Redirect(w, r, fmt.Sprintf("/admin/calendar?year=%d&saved=1", day.Year), http.StatusSeeOther)
				return nil
			}
		}
	}
	base, err := bundledCalendar()
	if err != nil {
		return err
	}
	changes, err := s.store.CalendarChanges(ctx)
	if err != nil {
		return err
	}
	cal := base.With(changes)
	m := web.CalendarPage{Year: year, Prev: fmt.Sprintf("/admin/calendar?year=%d", year-1), Next: fmt.Sprintf("/admin/calendar?year=%d", year+1),
		Action: "/admin/calendar", CSRF: csrfTokenOf(ctx), Error: msg, Source: web.T(ctx, "notify.calendar.nosource", year)}
	for _, y := range cal.Years {
		if y.Year == year {
			m.Source = web.T(ctx, "notify.calendar.source", y.Source)
		}
	}
	if r.URL.Query().Get("saved") != "" {
		m.Notice = web.T(ctx, "notify.saved")
	}
	for i := 1; i <= 7; i++ {
		m.Weekday = append(m.Weekday, web.T(ctx, "notify.weekday."+strconv.Itoa(i)))
	}
	for mo := time.January; mo <= time.December; mo++ {
		cm := web.CalendarMonth{Label: web.T(ctx, "notify.month", year, int(mo))}
		first := deadline.NewDate(year, mo, 1).Time(time.UTC).Weekday()
		cm.Lead = make([]int, (int(first)+6)%7)
		for _, d := range cal.Month(year, mo) {
			cm.Days = append(cm.Days, web.CalendarDay{Day: d.Date.Day, Date: d.Date.String(), Working: d.Working, Special: d.Special, Admin: d.Admin, Note: d.Note})
		}
		m.Months = append(m.Months, cm)
	}
	s.render(w, r, status, web.T(ctx, "notify.calendar"), "calendar", web.CalendarView(m))
	return nil
}

// ordersBlock is the 督办单 section of an assignment's page for readers of
// class v.
func (s *Server) ordersBlock(ctx context.Context, v assignmentViewer, asg workplan.Assignment, inForce bool) (web.OrdersBlock, error) {
	orders, err := s.store.Orders(ctx, asg.ID)
	if err != nil {
		return web.OrdersBlock{}, err
	}
	csrf := csrfTokenOf(ctx)
	b := web.OrdersBlock{CSRF: csrf, CanIssue: inForce && v.issue,
		IssueAction: "/assignments/" + strconv.FormatInt(asg.ID, 10) + "/orders",
		MinReply:    deadline.DateOf(s.now(), deadline.Shanghai).AddDays(1).String()}
	for _, o := range orders {
		ov := web.OrderView{Anchor: "order-" + strconv.FormatInt(o.ID, 10), Number: o.Number(), Level: o.Level, LevelLabel: web.OrderLevel(ctx, o.Level),
			Reason: o.Reason, ReplyBy: o.ReplyBy.String(), IssuedBy: o.IssuerName, IssuedAt: fmtTime(o.IssuedAt), Automatic: o.Automatic,
			Answer: o.Answer, AnsweredBy: o.AnswererName, PrintHref: "/orders/" + strconv.FormatInt(o.ID, 10)}
		if o.Automatic {
			ov.IssuedBy = o.Office
		}
		if o.AnsweredAt != nil {
			ov.AnsweredAt = fmtTime(*o.AnsweredAt)
		} else if v.report {
			ov.AnswerAction = "/orders/" + strconv.FormatInt(o.ID, 10) + "/answer"
		}
		b.Orders = append(b.Orders, ov)
	}
	return b, nil
}

// issueOrder issues a 督办单 by hand on the URL's assignment.
func (s *Server) issueOrder(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	level, _ := strconv.Atoi(r.PostFormValue("level"))
	if level == 0 {
		level = 1
	}
	reply, err := deadline.ParseDate(r.PostFormValue("reply_by"))
	if err != nil {
		return onField("reply_by", workplan.E(workplan.EInvalid, "order.replyby.invalid"))
	}
	o, err := s.store.IssueOrder(ctx, s.actor(r), notify.OrderInput{AssignmentID: id, Level: level, Reason: r.PostFormValue("reason"), ReplyBy: reply}, s.cfg.Notify.Office)
	if err != nil {
		return err
	}
	s.wroteAssignment(ctx, id)
	http.Redirect(w, r, "/assignments/"+strconv.FormatInt(id, 10)+"#order-"+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
	return nil
}

// answerOrder records the unit's answer to a 督办单.
func (s *Server) answerOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	o, err := s.store.AnswerOrder(r.Context(), s.actor(r), id, r.PostFormValue("answer"))
	if err != nil {
		return err
	}
	s.wroteAssignment(r.Context(), o.AssignmentID)
	http.Redirect(w, r, "/assignments/"+strconv.FormatInt(o.AssignmentID, 10)+"#order-"+strconv.FormatInt(o.ID, 10), http.StatusSeeOther)
	return nil
}

// orderPage is a 督办单 to print (A4): readable by whoever may read the
// assignment's reports.
func (s *Server) orderPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	o, err := s.store.Order(ctx, id)
	if err != nil {
		return err
	}
	_, _, readable, err := s.readableAssignment(r, o.AssignmentID)
	if err != nil {
		return err
	}
	if !readable {
		return fmt.Errorf("server: order %d: %w", id, workplan.ErrNotFound)
	}
	d := deadline.DateOf(o.IssuedAt, deadline.Shanghai)
	m := web.OrderPrintPage{Number: o.Number(), Office: o.Office, Date: web.T(ctx, "order.print.date", d.Year, int(d.Month), d.Day),
		Level: web.T(ctx, "order.level", o.Level, web.OrderLevel(ctx, o.Level)), Unit: o.Unit, Task: fmt.Sprintf("(%d)%s", o.Task, o.TaskTitle),
		Deadline: o.Deadline, Reason: o.Reason, ReplyBy: o.ReplyBy.String(), Answer: o.Answer, AnsweredBy: o.AnswererName,
		Back: "/assignments/" + strconv.FormatInt(o.AssignmentID, 10) + "#order-" + strconv.FormatInt(o.ID, 10)}
	if o.AnsweredAt != nil {
		m.AnsweredAt = fmtTime(*o.AnsweredAt)
	}
	s.render(w, r, http.StatusOK, o.Number(), "ledger", web.OrderPrint(m))
	return nil
}

// interviews lists the assignments of a plan that reached level 3 (需约谈)
// and are still overdue at the picture's instant.
func (s *Server) interviews(ctx context.Context, ps *planState) ([]web.InterviewRow, error) {
	if ps.NotIssued {
		return nil, nil
	}
	orders, err := s.store.InterviewOrders(ctx, ps.Plan.ID, ps.At)
	if err != nil {
		return nil, err
	}
	var rows []web.InterviewRow
	for _, o := range orders {
		a, ts, ok := ps.Assignment(o.AssignmentID)
		if !ok || a.Status.State != deadline.StateOverdue {
			continue
		}
		rows = append(rows, web.InterviewRow{Number: ts.Task.Number, Title: ts.Task.Title, Unit: a.UnitName, Href: assignmentHref(a.ID, ""),
			Order: o.Number(), OrderHref: "/orders/" + strconv.FormatInt(o.ID, 10), DaysOverdue: a.Status.DaysOverdue})
	}
	slices.SortFunc(rows, func(a, b web.InterviewRow) int { return b.DaysOverdue - a.DaysOverdue })
	return rows, nil
}

// pendingExtensionRows are the extension requests the reviewer decides.
func (s *Server) pendingExtensionRows(ctx context.Context) ([]web.PendingExtensionRow, error) {
	list, err := s.store.PendingExtensions(ctx)
	if err != nil {
		return nil, err
	}
	var out []web.PendingExtensionRow
	for _, p := range list {
		out = append(out, web.PendingExtensionRow{ID: p.ID, TaskNumber: p.TaskNumber, TaskTitle: p.TaskTitle, Href: assignmentHref(p.AssignmentID, ""),
			Unit: p.Unit, By: p.RequesterName, At: fmtTime(p.RequestedAt), CurrentDue: p.CurrentDue.String(), NewDue: p.RequestedDue.String(),
			Reason: p.Reason, Late: !p.CurrentDue.IsZero() && !p.RequestedAt.Before(p.CurrentDue.End(deadline.Shanghai)),
			Decide: "/extensions/" + strconv.FormatInt(p.ID, 10) + "/decide"})
	}
	return out, nil
}
