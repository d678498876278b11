// Package deliver sends the outbox's messages: email through SMTP and the
// group robots of WeCom (企业微信), DingTalk (钉钉, signed) and Feishu (飞书).
// Sender claims due messages from the store, renders them (Chinese first,
// then English, plain text and simple HTML, every one with a link to the
// page where the reader acts), sends them and logs every attempt; a failed
// attempt is retried later with a growing wait, until it gives up.
package deliver

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// Mailer sends email through one SMTP server.
type Mailer struct {
	// Addr is host:port; Implicit is set for smtps:// (TLS from the start).
	Addr     string
	Host     string
	Implicit bool
	User     string
	Password string
	From     string
	// TLS, if not nil, replaces the default TLS settings (tests).
	TLS *tls.Config
	// Timeout bounds one message's conversation; 0 means 30 seconds.
	Timeout time.Duration
}

// ParseSMTPURL reads SMTP_URL (smtp://user:pass@host:587, or smtps:// for
// TLS from the start) and MAIL_FROM.
func ParseSMTPURL(raw, from string) (*Mailer, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("want smtp://user:password@host:587 or smtps://host:465")
	}
	port := u.Port()
	if port == "" {
		port = "587"
		if u.Scheme == "smtps" {
			port = "465"
		}
	}
	m := &Mailer{Addr: net.JoinHostPort(u.Hostname(), port), Host: u.Hostname(), Implicit: u.Scheme == "smtps", From: from}
	if u.User != nil {
		m.User = u.User.Username()
		m.Password, _ = u.User.Password()
	}
	return m, nil
}

// Mail is one email: Chinese and English text, HTML.
type Mail struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Send sends m: STARTTLS when the server offers it, authentication when a
// user is configured.
func (ml *Mailer) Send(ctx context.Context, m Mail) error {
	timeout := ml.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	d := net.Dialer{Timeout: timeout}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tlsCfg := ml.TLS
	if tlsCfg == nil {
		tlsCfg = &tls.Config{ServerName: ml.Host, MinVersion: tls.VersionTLS12}
	}
	var conn net.Conn
	var err error
	if ml.Implicit {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: tlsCfg}).DialContext(dctx, "tcp", ml.Addr)
	} else {
		conn, err = d.DialContext(dctx, "tcp", ml.Addr)
	}
	if err != nil {
		return fmt.Errorf("smtp: connect %s: %w", ml.Addr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(timeout))
	c, err := smtp.NewClient(conn, ml.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp: %s: %w", ml.Addr, err)
	}
	defer c.Close()
	if err := c.Hello("duban"); err != nil {
		return fmt.Errorf("smtp: hello: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !ml.Implicit {
		if err := c.StartTLS(tlsCfg); err != nil {
			return fmt.Errorf("smtp: starttls: %w", err)
		}
	}
	if ml.User != "" {
		if err := c.Auth(smtp.PlainAuth("", ml.User, ml.Password, ml.Host)); err != nil {
			return fmt.Errorf("smtp: auth: %w", err)
		}
	}
	from := ml.From
	if a, err := mailAddress(from); err == nil {
		from = a
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("smtp: RCPT TO %s: %w", m.To, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(compose(ml.From, m)); err != nil {
		return fmt.Errorf("smtp: write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: end of data: %w", err)
	}
	return c.Quit()
}

func mailAddress(s string) (string, error) {
	if i, j := strings.LastIndexByte(s, '<'), strings.LastIndexByte(s, '>'); i >= 0 && j > i {
		return s[i+1 : j], nil
	}
	if strings.Contains(s, "@") {
		return strings.TrimSpace(s), nil
	}
	return "", fmt.Errorf("not an address")
}

// compose builds the message: multipart/alternative, text then HTML, UTF-8
// quoted-printable, the subject encoded for non-ASCII.
func compose(from string, m Mail) []byte {
	var b bytes.Buffer
	boundary := randomHex(12)
	host := "duban"
	if a, err := mailAddress(from); err == nil {
		if i := strings.LastIndexByte(a, '@'); i >= 0 {
			host = a[i+1:]
		}
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\nMIME-Version: 1.0\r\n",
		encodeAddress(from), m.To, mime.BEncoding.Encode("UTF-8", m.Subject), time.Now().Format(time.RFC1123Z), randomHex(16), host)
	fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=%q\r\n\r\n", boundary)
	for _, part := range []struct{ ct, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", boundary, part.ct)
		qp := quotedprintable.NewWriter(&b)
		_, _ = qp.Write([]byte(strings.ReplaceAll(part.body, "\n", "\r\n")))
		_ = qp.Close()
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}

// encodeAddress encodes the display name of "Name <addr>".
func encodeAddress(s string) string {
	if i := strings.LastIndexByte(s, '<'); i > 0 {
		return mime.BEncoding.Encode("UTF-8", strings.TrimSpace(s[:i])) + " " + s[i:]
	}
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
