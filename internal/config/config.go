// Package config loads duban's configuration from the environment, applies
// defaults and validates it, naming the variable at fault in every error.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Config is the whole runtime configuration of the server.
type Config struct {
	// DatabaseURL is the PostgreSQL connection string (DATABASE_URL): in
	// production, the serving role's, which owns nothing.
	DatabaseURL string
	// OwnerDatabaseURL is the connection string of the role that owns the
	// schema (OWNER_DATABASE_URL), for migrations, backup and restore; empty
	// means DatabaseURL (one role for everything).
	OwnerDatabaseURL string
	// ListenAddr is host:port to serve HTTP on (LISTEN_ADDR).
	ListenAddr string
	// MetricsAddr is host:port of a second listener serving /metrics to
	// Prometheus (METRICS_ADDR); "" turns metrics off. The public listener
	// never serves them.
	MetricsAddr string
	// LogLevel is the minimum level logged (LOG_LEVEL: debug, info, warn, error).
	LogLevel slog.Level
	// LogFormat is "text" or "json" (LOG_FORMAT).
	LogFormat string
	// Env is "development" or "production" (DUBAN_ENV). Demo accounts and
	// plain-HTTP cookies are allowed only in development.
	Env string
	// BaseURL is the public URL of the site (BASE_URL); https:// turns on Secure
	// cookies and HSTS.
	BaseURL string
	// TrustedProxies are the addresses of the reverse proxies and load
	// balancers in front of duban (TRUSTED_PROXIES): only requests from them
	// may name the client's address, in the header TrustedProxyHeader
	// (TRUSTED_PROXY_HEADER). Empty: every forwarding header is ignored.
	TrustedProxies     []netip.Prefix
	TrustedProxyHeader string
	// APIRateLimit is how many requests per minute one API token may make
	// on one replica (API_RATE_LIMIT), unless the token has its own limit;
	// 0 turns the limit off.
	APIRateLimit int
	// ShutdownGrace is how long in-flight requests get to finish (SHUTDOWN_GRACE).
	ShutdownGrace time.Duration
	// DrainDelay is how long /readyz answers 503 while the server still
	// serves, before it stops accepting connections (DRAIN_DELAY): behind a
	// load balancer, set it to the health check's interval.
	DrainDelay time.Duration
	// RequestTimeout bounds a whole request, database work included (REQUEST_TIMEOUT).
	RequestTimeout time.Duration
	// DBMaxConns is the size of the connection pool (DB_MAX_CONNS).
	DBMaxConns int32
	// StatementTimeout stops runaway queries on the server (DB_STATEMENT_TIMEOUT).
	StatementTimeout time.Duration
	// SessionIdle and SessionAbsolute are the session timeouts (SESSION_IDLE_TIMEOUT,
	// SESSION_ABSOLUTE_TIMEOUT).
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	// DueSoonDays, CadenceDays, PaceYellow and PaceRed are the status policy
	// (DUE_SOON_DAYS, REPORT_CADENCE_DAYS, PACE_YELLOW_POINTS, PACE_RED_POINTS).
	DueSoonDays int
	CadenceDays int
	PaceYellow  float64
	PaceRed     float64
	// BulletinTitle is the title of the periodic bulletin (BULLETIN_TITLE).
	BulletinTitle string
	// ScreenRefresh is how often the wall screen reloads itself
	// (SCREEN_REFRESH), whole seconds from 10s to 1h.
	ScreenRefresh time.Duration
	// RankWeightOnTime, RankWeightOverdue, RankWeightPace and
	// RankWeightReport weigh the outcome measures of the monthly ranking
	// (DUBAN_RANK_W_ONTIME, DUBAN_RANK_W_OVERDUE, DUBAN_RANK_W_PACE,
	// DUBAN_RANK_W_REPORT); only their ratios matter.
	RankWeightOnTime, RankWeightOverdue, RankWeightPace, RankWeightReport float64
	// HelpContact is whom people ask for help (HELP_CONTACT): an office, a
	// phone number, an address, shown on /help and the sign-in page as
	// written. "" means the supervision office (督查室), in the interface's
	// language.
	HelpContact string
	// Notify holds the settings of 催办: channels, schedule, ladder.
	Notify Notify
}

// Notify is the configuration of reminders, escalations and their channels
// (issue 14).
type Notify struct {
	// SMTPURL is the mail server (SMTP_URL: smtp://user:pass@host:587,
	// STARTTLS when offered; smtps:// for TLS from the start); "" sends no
	// email. MailFrom is the sender (MAIL_FROM).
	SMTPURL, MailFrom string
	// Hour and Minute are when the daily pass runs, Asia/Shanghai (REMIND_AT);
	// Off (REMIND_AT=off) leaves the pass to `duban notify run` (benchmarks).
	Hour, Minute int
	Off          bool
	// DueSoonDays are the days before a due date to remind on
	// (REMIND_DUE_SOON_DAYS); OverdueEveryDays how often overdue work is
	// urged again (REMIND_OVERDUE_EVERY_DAYS); RefileWorkingDays how long a
	// returned report may wait (REMIND_REFILE_WORKING_DAYS).
	DueSoonDays       []int
	OverdueEveryDays  int
	RefileWorkingDays int
	// EscalationDays are the days overdue of ladder levels 1-3
	// (ESCALATION_DAYS); ReplyWorkingDays the reply deadline of an automatic
	// 督办单 (ESCALATION_REPLY_WORKING_DAYS).
	EscalationDays   [3]int
	ReplyWorkingDays int
	// Office is the issuing office printed on 督办单 (SUPERVISION_OFFICE).
	Office string
}

// Var documents one environment variable.
type Var struct {
	Name, Default, Help string
}

// Vars lists every variable Load reads, for --help and the README.
var Vars = []Var{
	{"DATABASE_URL", "", "PostgreSQL URL, e.g. postgres://duban@127.0.0.1:5432/duban (required for serve)"},
	{"OWNER_DATABASE_URL", "", "PostgreSQL URL of the role owning the schema, for migrate, backup and restore (default: DATABASE_URL)"},
	{"LISTEN_ADDR", "127.0.0.1:8080", "host:port to serve HTTP on"},
	{"METRICS_ADDR", "", "host:port of a separate listener serving /metrics (Prometheus); off when unset"},
	{"LOG_LEVEL", "info", "debug, info, warn or error"},
	{"LOG_FORMAT", "text", "text or json"},
	{"DUBAN_ENV", "production", "development or production"},
	{"BASE_URL", "", "public URL; https:// enables Secure cookies and HSTS"},
	{"TRUSTED_PROXIES", "", "addresses or CIDR ranges of the reverse proxies whose forwarding header names the client"},
	{"TRUSTED_PROXY_HEADER", "X-Forwarded-For", "the header the trusted proxies set: X-Forwarded-For, X-Real-IP or Forwarded"},
	{"API_RATE_LIMIT", "120", "requests per minute per API token on each replica (0: no limit)"},
	{"SHUTDOWN_GRACE", "15s", "time in-flight requests get on SIGTERM"},
	{"DRAIN_DELAY", "0s", "on SIGTERM, answer /readyz 503 this long before closing the listener"},
	{"REQUEST_TIMEOUT", "10s", "upper bound for one request"},
	{"DB_MAX_CONNS", "20", "connection pool size"},
	{"DB_STATEMENT_TIMEOUT", "5s", "PostgreSQL statement_timeout for the app's queries"},
	{"SESSION_IDLE_TIMEOUT", "30m", "sign-out after this much inactivity"},
	{"SESSION_ABSOLUTE_TIMEOUT", "12h", "sign-out this long after sign-in"},
	{"DUE_SOON_DAYS", "14", "a task is due soon this many days before its deadline"},
	{"REPORT_CADENCE_DAYS", "7", "ongoing tasks report at least this often (周调度)"},
	{"PACE_YELLOW_POINTS", "10", "yellow when progress lags the expected pace by this many points"},
	{"PACE_RED_POINTS", "30", "red when progress lags the expected pace by more than this"},
	{"BULLETIN_TITLE", "平凉数字政府建设政务服务专报", "title of the bulletin (专报)"},
	{"SCREEN_REFRESH", "60s", "how often the wall screen (/plans/{slug}/screen) reloads itself, 10s to 1h"},
	{"DUBAN_RANK_W_ONTIME", "40", "ranking weight of the on-time completion rate"},
	{"DUBAN_RANK_W_OVERDUE", "30", "ranking weight of the share of assignment-days not overdue"},
	{"DUBAN_RANK_W_PACE", "15", "ranking weight of keeping pace with expected progress"},
	{"DUBAN_RANK_W_REPORT", "15", "ranking weight of reporting within the cadence (one report a cadence suffices; more earn nothing)"},
	{"HELP_CONTACT", "", "whom to ask for help, shown on /help and the sign-in page, e.g. 市政府督查室 0933-1234567 (default: the supervision office)"},
	{"SMTP_URL", "", "mail server for notifications, smtp://user:password@host:587 (STARTTLS when offered) or smtps://host:465; no email when unset"},
	{"MAIL_FROM", "", "sender of notification email, e.g. 督办系统 <duban@example.gov.cn> (required with SMTP_URL)"},
	{"REMIND_AT", "08:30", "time of day (Asia/Shanghai) of the daily reminder pass; off leaves it to duban notify run"},
	{"REMIND_DUE_SOON_DAYS", "7,1", "remind this many days before a due date (the last working day on or before)"},
	{"REMIND_OVERDUE_EVERY_DAYS", "7", "urge overdue work on the first working day after the due day, then every this many days"},
	{"REMIND_REFILE_WORKING_DAYS", "3", "remind a unit whose returned report is not refiled within this many working days"},
	{"ESCALATION_DAYS", "7,15,30", "days overdue at which the ladder issues 督办单 of level 1 (提醒), 2 (督办通知) and 3 (约谈); 0 leaves a level out"},
	{"ESCALATION_REPLY_WORKING_DAYS", "5", "reply deadline of an automatic 督办单, in working days"},
	{"SUPERVISION_OFFICE", "平凉市人民政府督查室", "issuing office printed on 督办单"},
}

// Load reads the configuration through getenv (os.Getenv in production) and
// validates it. The error names the first bad variable and what it should be.
func Load(getenv func(string) string) (Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, v := range Vars {
			if v.Name == name {
				return v.Default
			}
		}
		return ""
	}
	var c Config
	var err error
	c.DatabaseURL = get("DATABASE_URL")
	if c.DatabaseURL != "" {
		if err := validateDatabaseURL("DATABASE_URL", c.DatabaseURL); err != nil {
			return c, err
		}
	}
	c.OwnerDatabaseURL = get("OWNER_DATABASE_URL")
	if c.OwnerDatabaseURL != "" {
		if err := validateDatabaseURL("OWNER_DATABASE_URL", c.OwnerDatabaseURL); err != nil {
			return c, err
		}
	}
	c.ListenAddr = get("LISTEN_ADDR")
	if _, port, err := net.SplitHostPort(c.ListenAddr); err != nil || port == "" {
		return c, fmt.Errorf("config: LISTEN_ADDR=%q: want host:port, e.g. 127.0.0.1:8080", c.ListenAddr)
	}
	c.MetricsAddr = get("METRICS_ADDR")
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || port == "" {
			return c, fmt.Errorf("config: METRICS_ADDR=%q: want host:port, e.g. 127.0.0.1:9090, or unset to turn metrics off", c.MetricsAddr)
		}
		if c.MetricsAddr == c.ListenAddr {
			return c, fmt.Errorf("config: METRICS_ADDR=%q is LISTEN_ADDR: metrics need a listener of their own, never the public one", c.MetricsAddr)
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL"))); err != nil {
		return c, fmt.Errorf("config: LOG_LEVEL=%q: want debug, info, warn or error", get("LOG_LEVEL"))
	}
	c.LogFormat = get("LOG_FORMAT")
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, fmt.Errorf("config: LOG_FORMAT=%q: want text or json", c.LogFormat)
	}
	c.Env = get("DUBAN_ENV")
	if c.Env != "development" && c.Env != "production" {
		return c, fmt.Errorf("config: DUBAN_ENV=%q: want development or production", c.Env)
	}
	c.BaseURL = get("BASE_URL")
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("config: BASE_URL=%q: want an absolute http:// or https:// URL", c.BaseURL)
		}
	}
	if c.TrustedProxies, err = parseProxies(get("TRUSTED_PROXIES")); err != nil {
		return c, err
	}
	switch h := http.CanonicalHeaderKey(get("TRUSTED_PROXY_HEADER")); h {
	case "X-Forwarded-For", "X-Real-Ip", "Forwarded":
		c.TrustedProxyHeader = h
	default:
		return c, fmt.Errorf("config: TRUSTED_PROXY_HEADER=%q: want X-Forwarded-For, X-Real-IP or Forwarded", get("TRUSTED_PROXY_HEADER"))
	}
	durations := []struct {
		name string
		dst  *time.Duration
	}{
		{"SHUTDOWN_GRACE", &c.ShutdownGrace},
		{"REQUEST_TIMEOUT", &c.RequestTimeout},
		{"DB_STATEMENT_TIMEOUT", &c.StatementTimeout},
		{"SESSION_IDLE_TIMEOUT", &c.SessionIdle},
		{"SESSION_ABSOLUTE_TIMEOUT", &c.SessionAbsolute},
	}
	for _, d := range durations {
		if *d.dst, err = time.ParseDuration(get(d.name)); err != nil || *d.dst <= 0 {
			return c, fmt.Errorf("config: %s=%q: want a positive duration such as 30s, 15m or 12h", d.name, get(d.name))
		}
	}
	if c.DrainDelay, err = time.ParseDuration(get("DRAIN_DELAY")); err != nil || c.DrainDelay < 0 || c.DrainDelay > time.Minute {
		return c, fmt.Errorf("config: DRAIN_DELAY=%q: want a duration from 0s to 1m", get("DRAIN_DELAY"))
	}
	ints := []struct {
		name     string
		dst      *int
		min, max int
	}{
		{"DUE_SOON_DAYS", &c.DueSoonDays, 0, 365},
		{"REPORT_CADENCE_DAYS", &c.CadenceDays, 1, 365},
		{"API_RATE_LIMIT", &c.APIRateLimit, 0, 1_000_000},
	}
	for _, n := range ints {
		v, err := strconv.Atoi(get(n.name))
		if err != nil || v < n.min || v > n.max {
			return c, fmt.Errorf("config: %s=%q: want a whole number from %d to %d", n.name, get(n.name), n.min, n.max)
		}
		*n.dst = v
	}
	conns, err := strconv.Atoi(get("DB_MAX_CONNS"))
	if err != nil || conns < 2 || conns > 1000 {
		return c, fmt.Errorf("config: DB_MAX_CONNS=%q: want a whole number from 2 to 1000", get("DB_MAX_CONNS"))
	}
	c.DBMaxConns = int32(conns)
	floats := []struct {
		name string
		dst  *float64
	}{{"PACE_YELLOW_POINTS", &c.PaceYellow}, {"PACE_RED_POINTS", &c.PaceRed}}
	for _, f := range floats {
		v, err := strconv.ParseFloat(get(f.name), 64)
		if err != nil || v < 0 || v > 100 {
			return c, fmt.Errorf("config: %s=%q: want a number of points from 0 to 100", f.name, get(f.name))
		}
		*f.dst = v
	}
	if c.PaceRed < c.PaceYellow {
		return c, fmt.Errorf("config: PACE_RED_POINTS=%v is below PACE_YELLOW_POINTS=%v", c.PaceRed, c.PaceYellow)
	}
	if c.SessionAbsolute < c.SessionIdle {
		return c, fmt.Errorf("config: SESSION_ABSOLUTE_TIMEOUT=%v is shorter than SESSION_IDLE_TIMEOUT=%v", c.SessionAbsolute, c.SessionIdle)
	}
	c.BulletinTitle = get("BULLETIN_TITLE")
	if c.ScreenRefresh, err = time.ParseDuration(get("SCREEN_REFRESH")); err != nil || c.ScreenRefresh < 10*time.Second ||
		c.ScreenRefresh > time.Hour || c.ScreenRefresh%time.Second != 0 {
		return c, fmt.Errorf("config: SCREEN_REFRESH=%q: want whole seconds from 10s to 1h, such as 60s or 5m", get("SCREEN_REFRESH"))
	}
	weights := []struct {
		name string
		dst  *float64
	}{{"DUBAN_RANK_W_ONTIME", &c.RankWeightOnTime}, {"DUBAN_RANK_W_OVERDUE", &c.RankWeightOverdue}, {"DUBAN_RANK_W_PACE", &c.RankWeightPace},
		{"DUBAN_RANK_W_REPORT", &c.RankWeightReport}}
	for _, w := range weights {
		v, err := strconv.ParseFloat(get(w.name), 64)
		if err != nil || v < 0 || v > 1000 {
			return c, fmt.Errorf("config: %s=%q: want a weight from 0 to 1000", w.name, get(w.name))
		}
		*w.dst = v
	}
	if c.RankWeightOnTime+c.RankWeightOverdue+c.RankWeightPace+c.RankWeightReport == 0 {
		return c, fmt.Errorf("config: DUBAN_RANK_W_ONTIME, DUBAN_RANK_W_OVERDUE, DUBAN_RANK_W_PACE and DUBAN_RANK_W_REPORT are all 0: at least one ranking weight must be above 0")
	}
	if c.HelpContact, err = helpContact(get("HELP_CONTACT")); err != nil {
		return c, err
	}
	if c.Notify, err = loadNotify(get, c.BaseURL); err != nil {
		return c, err
	}
	return c, nil
}

// MaxHelpContact bounds HELP_CONTACT, in characters: a line, not a page.
const MaxHelpContact = 200

// helpContact checks HELP_CONTACT: one line of text people read on the
// help page, without control characters, at most MaxHelpContact characters.
func helpContact(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("config: HELP_CONTACT is not valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(s); n > MaxHelpContact {
		return "", fmt.Errorf("config: HELP_CONTACT has %d characters: at most %d (an office, a phone number, an address)", n, MaxHelpContact)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return "", fmt.Errorf("config: HELP_CONTACT holds a control character (%U): give one line of plain text", r)
		}
	}
	return s, nil
}

// loadNotify reads and checks the variables of 催办.
func loadNotify(get func(string) string, baseURL string) (Notify, error) {
	n := Notify{SMTPURL: get("SMTP_URL"), MailFrom: get("MAIL_FROM"), Office: get("SUPERVISION_OFFICE")}
	if n.SMTPURL != "" {
		u, err := url.Parse(n.SMTPURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			return n, fmt.Errorf("config: SMTP_URL: want smtp://user:password@host:587 or smtps://host:465")
		}
		if !strings.Contains(n.MailFrom, "@") {
			return n, fmt.Errorf("config: MAIL_FROM=%q: with SMTP_URL set, give the sender's address, e.g. 督办系统 <duban@example.gov.cn>", n.MailFrom)
		}
		if baseURL == "" {
			return n, fmt.Errorf("config: BASE_URL is not set: with SMTP_URL set, every email links to the page where the reader acts, so give the public URL")
		}
	}
	at := get("REMIND_AT")
	if at == "off" {
		n.Off = true
	} else if t, err := time.Parse("15:04", at); err != nil {
		return n, fmt.Errorf("config: REMIND_AT=%q: want a time of day such as 08:30, or off", at)
	} else {
		n.Hour, n.Minute = t.Hour(), t.Minute()
	}
	list := func(name string, want int) ([]int, error) {
		var out []int
		for _, f := range strings.Split(get(name), ",") {
			v, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || v < 0 || v > 365 {
				return nil, fmt.Errorf("config: %s=%q: want whole numbers of days from 0 to 365, separated by commas", name, get(name))
			}
			out = append(out, v)
		}
		if want > 0 && len(out) != want {
			return nil, fmt.Errorf("config: %s=%q: want %d numbers", name, get(name), want)
		}
		return out, nil
	}
	var err error
	if n.DueSoonDays, err = list("REMIND_DUE_SOON_DAYS", 0); err != nil {
		return n, err
	}
	esc, err := list("ESCALATION_DAYS", 3)
	if err != nil {
		return n, err
	}
	last := 0
	for i, d := range esc {
		if d > 0 && d <= last {
			return n, fmt.Errorf("config: ESCALATION_DAYS=%q: levels must climb (0 leaves a level out)", get("ESCALATION_DAYS"))
		}
		if d > 0 {
			last = d
		}
		n.EscalationDays[i] = d
	}
	for _, v := range []struct {
		name string
		dst  *int
	}{{"REMIND_OVERDUE_EVERY_DAYS", &n.OverdueEveryDays}, {"REMIND_REFILE_WORKING_DAYS", &n.RefileWorkingDays},
		{"ESCALATION_REPLY_WORKING_DAYS", &n.ReplyWorkingDays}} {
		d, err := strconv.Atoi(get(v.name))
		if err != nil || d < 1 || d > 365 {
			return n, fmt.Errorf("config: %s=%q: want a whole number of days from 1 to 365", v.name, get(v.name))
		}
		*v.dst = d
	}
	if n.Office == "" {
		return n, fmt.Errorf("config: SUPERVISION_OFFICE is empty")
	}
	return n, nil
}

// parseProxies reads TRUSTED_PROXIES: addresses (10.0.0.5, ::1) and CIDR
// ranges (10.0.0.0/8), separated by commas or spaces.
func parseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		var p netip.Prefix
		if strings.Contains(f, "/") {
			var err error
			if p, err = netip.ParsePrefix(f); err != nil {
				return nil, fmt.Errorf("config: TRUSTED_PROXIES: %q is not a CIDR range such as 10.0.0.0/8", f)
			}
		} else {
			a, err := netip.ParseAddr(f)
			if err != nil || a.Zone() != "" {
				return nil, fmt.Errorf("config: TRUSTED_PROXIES: %q is not an address such as 10.0.0.5 or a CIDR range such as 10.0.0.0/8", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-max(0, p.Addr().BitLen()-p.Addr().Unmap().BitLen())).Masked()
		if p.Bits() == 0 {
			return nil, fmt.Errorf("config: TRUSTED_PROXIES: %q trusts every address, so any client could name itself: give the proxies' addresses", f)
		}
		out = append(out, p)
	}
	return out, nil
}

// RequireDatabase returns an error naming DATABASE_URL when it is unset.
func (c Config) RequireDatabase() error {
	if c.DatabaseURL == "" {
		return fmt.Errorf("config: DATABASE_URL is not set: give a PostgreSQL URL such as postgres://user@127.0.0.1:5432/duban, or use `make run` to start a local database")
	}
	return nil
}

// OwnerURL returns the URL migrations, backup and restore connect with:
// OWNER_DATABASE_URL, or DATABASE_URL without it.
func (c Config) OwnerURL() string {
	if c.OwnerDatabaseURL != "" {
		return c.OwnerDatabaseURL
	}
	return c.DatabaseURL
}

// RequireOwnerDatabase returns an error naming both variables when neither
// is set.
func (c Config) RequireOwnerDatabase() error {
	if c.OwnerURL() == "" {
		return fmt.Errorf("config: neither OWNER_DATABASE_URL nor DATABASE_URL is set: give the PostgreSQL URL of the role that owns the schema, such as postgres://duban_owner@127.0.0.1:5432/duban")
	}
	return nil
}

// Secure reports whether the site is served over HTTPS.
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Development reports whether duban runs in development mode.
func (c Config) Development() bool { return c.Env == "development" }

func validateDatabaseURL(name, s string) error {
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		if _, err := url.Parse(s); err != nil {
			return fmt.Errorf("config: %s is not a valid URL: %v", name, redactErr(err, s, name))
		}
		return nil
	}
	if strings.Contains(s, "=") { // keyword/value form: host=... dbname=...
		return nil
	}
	return fmt.Errorf("config: %s must start with postgres:// or be keyword=value pairs", name)
}

// redactErr removes the URL (which may hold a password) from an error's text.
func redactErr(err error, secret, name string) string {
	return strings.ReplaceAll(err.Error(), secret, "<"+name+">")
}
