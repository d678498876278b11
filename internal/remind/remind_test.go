package remind_test

// The daily pass end to end, on real PostgreSQL, with a real SMTP server in
// the test (github.com/emersion/go-smtp, STARTTLS and AUTH PLAIN) and
// httptest sinks for the group robots: grouped reminders go out once; a
// second pass, a restart and two replicas at once send nothing more; with
// the SMTP server down the outbox retries and delivers once it is back, and
// the delivery log shows both attempts.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	neturl "net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
	"duban/internal/deliver"
	"duban/internal/notify"
	"duban/internal/pgtest"
	"duban/internal/planparse"
	"duban/internal/postgres"
	"duban/internal/remind"
	"duban/internal/workplan"
	"duban/seeds"
)

var sh = deadline.Shanghai

// plan: 市大数据中心 leads task 1 (崆峒区 responsible) and is alone on
// task 2; both due 2024-12-31 (a Tuesday).
const plan = `平凉市测试工作方案

  二、主要任务

  (一)测试板块

  1.测试分组

  (1)建设测试平台。完成测试平台建设。

  牵头单位:市大数据中心

  责任单位:崆峒区人民政府

  完成时限:2024年12月底前

  (2)编制测试方案。形成测试方案。

  责任单位:市大数据中心

  完成时限:2024年12月底前
`

// mailbox is an SMTP server that keeps what it receives.
type mailbox struct {
	mu   sync.Mutex
	msgs []received
	srv  *smtp.Server
	addr string
	tls  *tls.Config
}

type received struct {
	from, to string
	data     []byte
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{box: m}, nil }

type session struct {
	box      *mailbox
	from, to string
	authed   bool
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "duban" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.msgs = append(s.box.msgs, received{s.from, s.to, b})
	return nil
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

// start serves SMTP on addr ("127.0.0.1:0" the first time, the same port
// again after stop).
func (m *mailbox) start(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	m.addr = ln.Addr().String()
	m.srv = smtp.NewServer(m)
	m.srv.Domain = "localhost"
	m.srv.TLSConfig = m.tls
	go func() { _ = m.srv.Serve(ln) }()
}

func (m *mailbox) stop() { _ = m.srv.Close() }

func (m *mailbox) all() []received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]received(nil), m.msgs...)
}

// sink is a group robot's webhook.
type sink struct {
	mu     sync.Mutex
	bodies []map[string]any
	urls   []string
	srv    *httptest.Server
	answer string
}

func newSink(t *testing.T, answer string) *sink {
	s := &sink{answer: answer}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		s.mu.Lock()
		s.bodies, s.urls = append(s.bodies, body), append(s.urls, r.URL.String())
		s.mu.Unlock()
		_, _ = io.WriteString(w, s.answer)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

type env struct {
	url    string
	db     *postgres.DB
	box    *mailbox
	wecom  *sink
	ding   *sink
	clock  *time.Time
	sender func(db *postgres.DB) *deliver.Sender
	pass   func(db *postgres.DB) *remind.Pass
}

func setup(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	url := pgtest.URL(t)
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 6})
	require.NoError(t, err)
	t.Cleanup(db.Close)
	now := time.Date(2024, 3, 1, 9, 0, 0, 0, sh)
	e := &env{url: url, db: db, clock: &now}
	db.Now = func() time.Time { return *e.clock }
	sys := workplan.System("test")
	own, err := db.CreateRegistryUnit(ctx, sys, workplan.UnitEdit{Name: "市大数据中心", Kind: workplan.UnitCityDepartment, Confirmed: true})
	require.NoError(t, err)
	other, err := db.CreateRegistryUnit(ctx, sys, workplan.UnitEdit{Name: "崆峒区人民政府", Kind: workplan.UnitCountyGovernment, Confirmed: true})
	require.NoError(t, err)
	doc, err := planparse.Read(bytes.NewReader([]byte(plan)), "test")
	require.NoError(t, err)
	_, err = db.Seed(ctx, workplan.SeedInput{Slug: "test", SourceName: "plan.txt", Source: []byte(plan), Document: doc, Actor: sys})
	require.NoError(t, err)
	user := func(name string, role workplan.UserRole, unit int64, email string, head bool) workplan.User {
		u, err := db.CreateUser(ctx, sys, workplan.NewUser{Username: name, DisplayName: "用户" + name, Role: role, UnitID: unit})
		require.NoError(t, err)
		if email != "" {
			require.NoError(t, db.SetNotifySettings(ctx, sys, notify.Settings{UserID: u.ID, Email: email}, &head))
		}
		return u
	}
	user("own", workplan.UserStaff, own.ID, "own@example.gov.cn", false)
	user("other", workplan.UserStaff, other.ID, "other@example.gov.cn", false)
	user("leader", workplan.UserLeader, 0, "leader@example.gov.cn", false)

	e.wecom = newSink(t, `{"errcode":0,"errmsg":"ok"}`)
	e.ding = newSink(t, `{"errcode":0,"errmsg":"ok"}`)
	require.NoError(t, db.SetUnitChannels(ctx, sys, notify.UnitChannels{UnitID: own.ID, Robot: notify.RobotWeCom, URL: e.wecom.srv.URL + "/cgi-bin/webhook/send?key=k"}))
	require.NoError(t, db.SetUnitChannels(ctx, sys, notify.UnitChannels{UnitID: other.ID, Robot: notify.RobotDingTalk, URL: e.ding.srv.URL + "/robot/send?access_token=t", Secret: "SECxyz"}))

	// The mail server offers STARTTLS (httptest's certificate) and AUTH.
	cert := httptest.NewTLSServer(http.NotFoundHandler())
	cert.Close()
	pool := x509.NewCertPool()
	pool.AddCert(cert.Certificate())
	e.box = &mailbox{tls: cert.TLS}
	e.box.start(t, "127.0.0.1:0")
	t.Cleanup(e.box.stop)

	cal, err := notify.ParseCalendar(mustSeed(t))
	require.NoError(t, err)
	e.pass = func(db *postgres.DB) *remind.Pass {
		return &remind.Pass{DB: db, Status: deadline.DefaultPolicy(), Policy: notify.DefaultPolicy(), Calendar: cal, Office: "平凉市人民政府督查室", Runner: "test"}
	}
	e.sender = func(db *postgres.DB) *deliver.Sender {
		m, err := deliver.ParseSMTPURL("smtp://duban:s3cret@"+e.box.addr, "督办系统 <duban@example.gov.cn>")
		require.NoError(t, err)
		m.TLS = &tls.Config{RootCAs: pool, ServerName: "example.com"}
		m.Timeout = 5 * time.Second
		return &deliver.Sender{DB: db, Mail: m, BaseURL: "https://duban.example.gov.cn", Backoff: func(int) time.Duration { return 50 * time.Millisecond }}
	}
	return e
}

func mustSeed(t *testing.T) []byte {
	b, err := seeds.FS.ReadFile(seeds.Holidays)
	require.NoError(t, err)
	return b
}

// drain sends until nothing is due.
func drain(t *testing.T, s *deliver.Sender) {
	t.Helper()
	for i := 0; i < 20; i++ {
		n, err := s.Round(context.Background())
		require.NoError(t, err)
		if n == 0 {
			return
		}
	}
	t.Fatal("the outbox does not drain")
}

// body decodes a received email's Chinese text part and subject.
func body(t *testing.T, r received) (subject, text string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(r.data))
	require.NoError(t, err)
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	mr := multipart.NewReader(msg.Body, params["boundary"])
	p, err := mr.NextPart()
	require.NoError(t, err)
	b, err := io.ReadAll(quotedprintable.NewReader(p))
	require.NoError(t, err)
	return subject, string(b)
}

func TestDailyPassSendsGroupedRemindersOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	// 2024-12-24 (Tuesday) is 7 days before the due date of both tasks.
	at := time.Date(2024, 12, 24, 8, 30, 0, 0, sh)
	*e.clock = at
	res, err := e.pass(e.db).Run(ctx, at, false)
	require.NoError(t, err)
	assert.True(t, res.Working)
	assert.Equal(t, 3, res.Items, "three assignments due in 7 days")
	assert.Len(t, res.Sent, 4, "one message per person (two staff) and per unit robot (two units)")
	drain(t, e.sender(e.db))

	mails := e.box.all()
	require.Len(t, mails, 2, "one email per person")
	byTo := map[string]received{}
	for _, m := range mails {
		byTo[m.to] = m
	}
	subj, text := body(t, byTo["own@example.gov.cn"])
	assert.Equal(t, "催办提醒:2 项待办", subj, "both of 市大数据中心's tasks in one message")
	assert.Contains(t, text, "(1)建设测试平台")
	assert.Contains(t, text, "(2)编制测试方案")
	assert.Contains(t, text, "还有 7 天到期")
	assert.Contains(t, text, "https://duban.example.gov.cn/my", "it links to where the unit acts")
	assert.Contains(t, text, "Reminder: 2 item(s) to act on", "Chinese first, then English")
	subj, _ = body(t, byTo["other@example.gov.cn"])
	assert.Equal(t, "催办提醒:1 项待办", subj)

	require.Equal(t, 1, e.wecom.count(), "the WeCom robot of 市大数据中心 got one message")
	md := e.wecom.bodies[0]["markdown"].(map[string]any)["content"].(string)
	assert.Contains(t, md, "(2)编制测试方案")
	require.Equal(t, 1, e.ding.count(), "the DingTalk robot of 崆峒区 got one, signed")
	assert.Contains(t, e.ding.urls[0], "timestamp=")
	assertDingSigned(t, e.ding.urls[0], "SECxyz")

	// In the app too: the bell's count.
	n, err := e.db.UnreadCount(ctx, userID(t, e.db, "own"))
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	// A second pass sends nothing.
	res, err = e.pass(e.db).Run(ctx, at.Add(time.Hour), false)
	require.NoError(t, err)
	assert.Empty(t, res.Sent, "a second pass the same day sends nothing")
	// A restart (a new process: new pool, new pass) sends nothing.
	db2, err := postgres.Open(ctx, e.url, postgres.Options{MaxConns: 4})
	require.NoError(t, err)
	defer db2.Close()
	db2.Now = e.db.Now
	res, err = e.pass(db2).Run(ctx, at.Add(2*time.Hour), false)
	require.NoError(t, err)
	assert.Empty(t, res.Sent, "a restart sends nothing")
	drain(t, e.sender(db2))
	assert.Len(t, e.box.all(), 2)
	assert.Equal(t, 1, e.wecom.count())

	// Two replicas at once, on the day before the due date: one copy.
	at = time.Date(2024, 12, 30, 8, 30, 0, 0, sh)
	*e.clock = at
	var wg sync.WaitGroup
	results := make([]remind.Result, 2)
	for i, db := range []*postgres.DB{e.db, db2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.pass(db).Run(ctx, at, false)
			assert.NoError(t, err)
			results[i] = r
		}()
	}
	wg.Wait()
	assert.Equal(t, 4, len(results[0].Sent)+len(results[1].Sent), "the reminders of the day before went out once: %+v", results)
	for i, db := range []*postgres.DB{e.db, db2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := e.sender(db)
			for j := 0; j < 10; j++ {
				n, err := s.Round(ctx)
				assert.NoError(t, err, "sender %d", i)
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	assert.Len(t, e.box.all(), 4, "two senders at once deliver each email once")
	assert.Equal(t, 2, e.wecom.count())
	_, text = body(t, e.box.all()[3])
	assert.Contains(t, text, "还有 1 天到期")
}

func assertDingSigned(t *testing.T, u, secret string) {
	t.Helper()
	q := strings.SplitN(u, "?", 2)[1]
	vals, err := urlQuery(q)
	require.NoError(t, err)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(vals["timestamp"] + "\n" + secret))
	assert.Equal(t, base64.StdEncoding.EncodeToString(mac.Sum(nil)), vals["sign"], "DingTalk's signature")
}

func urlQuery(q string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(kv, "=")
		dec, err := urlUnescape(v)
		if err != nil {
			return nil, err
		}
		out[k] = dec
	}
	return out, nil
}

func userID(t *testing.T, db *postgres.DB, username string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, db.Pool.QueryRow(context.Background(), `SELECT id FROM users WHERE username = $1`, username).Scan(&id))
	return id
}

func TestOutboxRetriesUntilTheMailServerIsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	sup, err := e.db.CreateUser(ctx, workplan.System("test"), workplan.NewUser{Username: "sup", DisplayName: "督查员", Role: workplan.UserSupervisor})
	require.NoError(t, err)
	var asg int64
	require.NoError(t, e.db.Pool.QueryRow(ctx, `SELECT a.id FROM assignments a JOIN units u ON u.id = a.unit_id JOIN tasks t ON t.id = a.task_id
		WHERE u.name = '市大数据中心' AND t.number = 2`).Scan(&asg))
	e.box.stop()
	addr := e.box.addr

	// A 督办单 by hand: its email waits in the outbox while SMTP is down.
	_, err = e.db.IssueOrder(ctx, workplan.ActorOf(sup, "", ""), notify.OrderInput{AssignmentID: asg, Level: 1, Reason: "请说明进展",
		ReplyBy: deadline.NewDate(2024, 3, 8)}, "平凉市人民政府督查室")
	require.NoError(t, err)
	s := e.sender(e.db)
	n, err := s.Round(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the email and the robot message")
	assert.Empty(t, e.box.all())

	e.box.start(t, addr)
	time.Sleep(100 * time.Millisecond) // the backoff
	drain(t, s)
	mails := e.box.all()
	require.Len(t, mails, 1, "delivered once the server is back")
	subj, text := body(t, mails[0])
	assert.Contains(t, subj, "督办单 督办〔2024〕1号")
	assert.Contains(t, text, "请说明进展")
	assert.Contains(t, text, "https://duban.example.gov.cn/assignments/")

	log, _, err := e.db.Deliveries(ctx, postgres.DeliveryFilter{Channel: "email"})
	require.NoError(t, err)
	require.Len(t, log, 1)
	assert.Equal(t, "sent", log[0].Status)
	require.Len(t, log[0].Log, 2, "the delivery log shows both attempts")
	assert.False(t, log[0].Log[0].OK)
	assert.Contains(t, log[0].Log[0].Error, "connect")
	assert.True(t, log[0].Log[1].OK)
}

func urlUnescape(s string) (string, error) { return neturl.QueryUnescape(s) }

// TestEscalationAndDigests: work 16 days overdue reaches level 2: a 督办单
// per assignment, to the unit's staff, its head and the task's lead unit;
// the leader's daily digest reports it, the head's weekly digest lists the
// unit's open items; the next day nothing changed and nothing is sent.
func TestEscalationAndDigests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	var other int64
	require.NoError(t, e.db.Pool.QueryRow(ctx, `SELECT id FROM units WHERE name = '崆峒区人民政府'`).Scan(&other))
	head, err := e.db.CreateUser(ctx, workplan.System("test"), workplan.NewUser{Username: "head", DisplayName: "区长", Role: workplan.UserStaff, UnitID: other})
	require.NoError(t, err)
	yes := true
	require.NoError(t, e.db.SetNotifySettings(ctx, workplan.System("test"), notify.Settings{UserID: head.ID}, &yes))

	at := time.Date(2025, 1, 16, 8, 30, 0, 0, sh) // a Thursday, 16 days after the due date
	*e.clock = at
	res, err := e.pass(e.db).Run(ctx, at, false)
	require.NoError(t, err)
	assert.Equal(t, 3, res.Orders, "one 督办单 per overdue assignment, at level 2")
	byUser := map[string]remind.Sent{}
	for _, s := range res.Sent {
		byUser[s.To] = s
	}
	own := byUser["用户own (own)"]
	assert.Equal(t, notify.Escalation, own.Kind)
	assert.Equal(t, 3, own.Items, "its two tasks, and 崆峒区's on the task it leads")
	assert.Equal(t, notify.Escalation, byUser["区长 (head)"].Kind)
	assert.Positive(t, byUser["区长 (head)"].Digest, "the head's weekly digest rides in the same message")
	leader := byUser["用户leader (leader)"]
	assert.Equal(t, notify.Digest, leader.Kind)
	assert.Equal(t, 3, leader.Digest, "the escalations of the day")

	var numbers []string
	rows, err := e.db.Pool.Query(ctx, `SELECT number FROM supervision_orders WHERE automatic AND level = 2 ORDER BY number`)
	require.NoError(t, err)
	for rows.Next() {
		var n int
		require.NoError(t, rows.Scan(&n))
		numbers = append(numbers, notify.OrderNumber(2025, n))
	}
	assert.Equal(t, []string{"督办〔2025〕1号", "督办〔2025〕2号", "督办〔2025〕3号"}, numbers)
	drain(t, e.sender(e.db))
	var leaderMail received
	for _, m := range e.box.all() {
		if m.to == "leader@example.gov.cn" {
			leaderMail = m
		}
	}
	subj, text := body(t, leaderMail)
	assert.Equal(t, "督办日报:3 项变化", subj)
	assert.Contains(t, text, "督办升级")

	at = at.Add(24 * time.Hour)
	*e.clock = at
	res, err = e.pass(e.db).Run(ctx, at, false)
	require.NoError(t, err)
	assert.Empty(t, res.Sent, "nothing changed: no digest, no repeat")
}
