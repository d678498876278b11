package deliver

import (
	"context"
	"errors"
	"html"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"duban/internal/notify"
	"duban/internal/postgres"
	"duban/web"
)

// Sender sends the outbox's messages.
type Sender struct {
	DB *postgres.DB
	// Mail sends email; nil when SMTP_URL is not set (email then fails
	// with that reason in the delivery log).
	Mail *Mailer
	// HTTP posts to robots; nil means a client with a 10-second timeout.
	HTTP *http.Client
	// BaseURL prefixes every link (BASE_URL); without it links are paths.
	BaseURL string
	Log     *slog.Logger
	// Poll is how often to look for due messages; 0 means 5 seconds.
	Poll time.Duration
	// Backoff is the wait after the n-th failed attempt; nil means 30 s
	// doubling up to an hour.
	Backoff func(n int) time.Duration
	// MaxAttempts is when a message gives up; 0 means 8 (about 2 hours).
	MaxAttempts int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Counts, if set, is told the outbox's pending and failed counts by
	// channel after every round (the metrics).
	Counts func(map[string]map[string]int)
}

func (s *Sender) defaults() {
	if s.HTTP == nil {
		s.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Poll == 0 {
		s.Poll = 5 * time.Second
	}
	if s.Backoff == nil {
		s.Backoff = func(n int) time.Duration { return min(30*time.Second<<min(n-1, 10), time.Hour) }
	}
	if s.MaxAttempts == 0 {
		s.MaxAttempts = 8
	}
	if s.Now == nil {
		s.Now = time.Now
	}
}

// Run sends due messages until ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	s.defaults()
	for {
		n, err := s.Round(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			s.Log.Warn("outbox round failed", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		t := time.NewTimer(s.Poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Round claims the messages due now and tries each once; it returns how
// many it tried.
func (s *Sender) Round(ctx context.Context) (int, error) {
	s.defaults()
	batch, err := s.DB.ClaimOutbox(ctx, s.Now(), 20, 2*time.Minute)
	if err != nil {
		return 0, err
	}
	for _, m := range batch {
		began := time.Now()
		sendErr := s.send(ctx, m)
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if sendErr != nil {
			s.Log.Warn("delivery failed", "outbox_id", m.ID, "channel", m.Channel, "attempt", m.Attempts, "err", sendErr)
		}
		next := s.Now().Add(s.Backoff(m.Attempts))
		if err := s.DB.FinishDelivery(ctx, m.ID, s.Now(), sendErr, time.Since(began), next, s.MaxAttempts); err != nil {
			return len(batch), err
		}
	}
	if s.Counts != nil {
		if c, err := s.DB.OutboxCounts(ctx); err == nil {
			s.Counts(c)
		}
	}
	return len(batch), nil
}

// errNoSMTP is an email attempted without SMTP_URL.
var errNoSMTP = errors.New("SMTP_URL is not set: email cannot be sent")

func (s *Sender) send(ctx context.Context, m notify.Outgoing) error {
	link := s.BaseURL + m.Link
	zh := web.WithLang(ctx, web.LangZH)
	en := web.WithLang(ctx, web.LangEN)
	subject := web.NoticeSubject(zh, m.Kind, m.Args)
	lines := web.NoticeLines(zh, m.Kind, m.Args)
	if m.Channel == "email" {
		if s.Mail == nil {
			return errNoSMTP
		}
		enSubject, enLines := web.NoticeSubject(en, m.Kind, m.Args), web.NoticeLines(en, m.Kind, m.Args)
		return s.Mail.Send(ctx, Mail{To: m.Address, Subject: subject, Text: Text(subject, lines, enSubject, enLines, link),
			HTML: HTML(subject, lines, enSubject, enLines, link)})
	}
	return postRobot(ctx, s.HTTP, m.Robot, subject, robotText(zh, lines, link), s.Now())
}

// robotBudget bounds a robot message's text in bytes: WeCom's markdown
// takes 4,096 (DingTalk and Feishu more); the lines that do not fit are
// counted, and the link leads to all of them.
const robotBudget = 3500

// robotText is a robot message's body: the lines that fit, how many did
// not, and the link.
func robotText(ctx context.Context, lines []string, link string) string {
	var b strings.Builder
	tail := web.T(ctx, "notice.open") + " " + link
	for i, l := range lines {
		if b.Len()+len(l)+len(tail)+100 > robotBudget {
			b.WriteString(web.T(ctx, "notice.digest.more", len(lines)-i) + "\n")
			break
		}
		b.WriteString("- " + l + "\n")
	}
	return b.String() + tail
}

// Text is an email's plain text: Chinese first, then English, each with
// the link.
func Text(subject string, lines []string, enSubject string, enLines []string, link string) string {
	var b strings.Builder
	b.WriteString(subject + "\n\n")
	for _, l := range lines {
		b.WriteString("· " + l + "\n")
	}
	b.WriteString("\n办理:" + link + "\n\n——\n" + enSubject + "\n\n")
	for _, l := range enLines {
		b.WriteString("· " + l + "\n")
	}
	b.WriteString("\nAct here: " + link + "\n")
	return b.String()
}

// HTML is an email's simple HTML: the same as Text, escaped.
func HTML(subject string, lines []string, enSubject string, enLines []string, link string) string {
	var b strings.Builder
	e := html.EscapeString
	b.WriteString(`<!doctype html><html lang="zh-CN"><body style="font-family:sans-serif;line-height:1.6">`)
	b.WriteString("<h2>" + e(subject) + "</h2><ul>")
	for _, l := range lines {
		b.WriteString("<li>" + e(l) + "</li>")
	}
	b.WriteString(`</ul><p><a href="` + e(link) + `">办理 / Act here</a></p><hr><div lang="en" style="color:#555"><h3>` + e(enSubject) + "</h3><ul>")
	for _, l := range enLines {
		b.WriteString("<li>" + e(l) + "</li>")
	}
	b.WriteString("</ul></div></body></html>")
	return b.String()
}

// SendNow tries message id at once (the robot's test button) and returns
// the attempt's error.
func (s *Sender) SendNow(ctx context.Context, id int64) error {
	s.defaults()
	batch, err := s.DB.ClaimOutboxID(ctx, id, s.Now(), 2*time.Minute)
	if err != nil {
		return err
	}
	if len(batch) == 0 {
		return nil // sent meanwhile by another replica's sender
	}
	m := batch[0]
	began := time.Now()
	sendErr := s.send(ctx, m)
	if err := s.DB.FinishDelivery(ctx, m.ID, s.Now(), sendErr, time.Since(began), s.Now().Add(s.Backoff(m.Attempts)), s.MaxAttempts); err != nil {
		return err
	}
	return sendErr
}
