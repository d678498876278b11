package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", c.ListenAddr)
	assert.Empty(t, c.MetricsAddr, "metrics are off by default")
	assert.Equal(t, 30*time.Minute, c.SessionIdle)
	assert.Equal(t, 12*time.Hour, c.SessionAbsolute)
	assert.Equal(t, 14, c.DueSoonDays)
	assert.Equal(t, 7, c.CadenceDays)
	assert.Equal(t, "production", c.Env)
	assert.False(t, c.Secure())
	assert.Error(t, c.RequireDatabase())
	assert.Equal(t, Notify{Hour: 8, Minute: 30, DueSoonDays: []int{7, 1}, OverdueEveryDays: 7, RefileWorkingDays: 3,
		EscalationDays: [3]int{7, 15, 30}, ReplyWorkingDays: 5, Office: "平凉市人民政府督查室"}, c.Notify, "reminders' defaults, no email")
	c, err = Load(env(map[string]string{"REMIND_AT": "off", "ESCALATION_DAYS": "0,10,20", "SMTP_URL": "smtps://u:p@mail.example.gov.cn",
		"MAIL_FROM": "督办系统 <duban@example.gov.cn>", "BASE_URL": "https://duban.example.gov.cn"}))
	require.NoError(t, err)
	assert.True(t, c.Notify.Off)
	assert.Equal(t, [3]int{0, 10, 20}, c.Notify.EscalationDays, "0 leaves level 1 out")
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"listen", map[string]string{"LISTEN_ADDR": "8080"}, "LISTEN_ADDR"},
		{"metrics", map[string]string{"METRICS_ADDR": "9090"}, "METRICS_ADDR"},
		{"metrics on the public port", map[string]string{"LISTEN_ADDR": "127.0.0.1:8080", "METRICS_ADDR": "127.0.0.1:8080"}, "METRICS_ADDR"},
		{"level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"format", map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		{"env", map[string]string{"DUBAN_ENV": "staging"}, "DUBAN_ENV"},
		{"grace", map[string]string{"SHUTDOWN_GRACE": "soon"}, "SHUTDOWN_GRACE"},
		{"negative", map[string]string{"REQUEST_TIMEOUT": "-1s"}, "REQUEST_TIMEOUT"},
		{"db", map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		{"owner db", map[string]string{"OWNER_DATABASE_URL": "mysql://x"}, "OWNER_DATABASE_URL"},
		{"conns", map[string]string{"DB_MAX_CONNS": "1"}, "DB_MAX_CONNS"},
		{"base", map[string]string{"BASE_URL": "example.com"}, "BASE_URL"},
		{"pace", map[string]string{"PACE_RED_POINTS": "5"}, "PACE_RED_POINTS"},
		{"cadence", map[string]string{"REPORT_CADENCE_DAYS": "0"}, "REPORT_CADENCE_DAYS"},
		{"session", map[string]string{"SESSION_ABSOLUTE_TIMEOUT": "10m"}, "SESSION_ABSOLUTE_TIMEOUT"},
		{"smtp scheme", map[string]string{"SMTP_URL": "http://mail.example.gov.cn"}, "SMTP_URL"},
		{"smtp without sender", map[string]string{"SMTP_URL": "smtp://mail.example.gov.cn:587", "BASE_URL": "https://duban.example.gov.cn"}, "MAIL_FROM"},
		{"smtp without base", map[string]string{"SMTP_URL": "smtp://mail.example.gov.cn:587", "MAIL_FROM": "duban@example.gov.cn"}, "BASE_URL"},
		{"remind at", map[string]string{"REMIND_AT": "8.30"}, "REMIND_AT"},
		{"due soon", map[string]string{"REMIND_DUE_SOON_DAYS": "7,x"}, "REMIND_DUE_SOON_DAYS"},
		{"ladder climbs", map[string]string{"ESCALATION_DAYS": "15,7,30"}, "ESCALATION_DAYS"},
		{"ladder levels", map[string]string{"ESCALATION_DAYS": "7,15"}, "ESCALATION_DAYS"},
		{"overdue every", map[string]string{"REMIND_OVERDUE_EVERY_DAYS": "0"}, "REMIND_OVERDUE_EVERY_DAYS"},
		{"reply", map[string]string{"ESCALATION_REPLY_WORKING_DAYS": "-1"}, "ESCALATION_REPLY_WORKING_DAYS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(tt.env))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestLoadDatabaseURLPasswordNotEchoed(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{"DATABASE_URL": "postgres://u:s3cret@host:bad port/db"}))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret")
}

// TestDatabaseURLs: the owner's URL defaults to DATABASE_URL, and a
// multi-host URL (failover) is accepted.
func TestDatabaseURLs(t *testing.T) {
	t.Parallel()
	multi := "postgres://duban_app@db1:5432,db2:5432/duban?target_session_attrs=read-write"
	c, err := Load(env(map[string]string{"DATABASE_URL": multi}))
	require.NoError(t, err)
	assert.Equal(t, multi, c.DatabaseURL)
	assert.Equal(t, multi, c.OwnerURL())
	require.NoError(t, c.RequireOwnerDatabase())

	c, err = Load(env(map[string]string{"DATABASE_URL": multi, "OWNER_DATABASE_URL": "postgres://duban_owner@db1/duban"}))
	require.NoError(t, err)
	assert.Equal(t, "postgres://duban_owner@db1/duban", c.OwnerURL())

	c, err = Load(env(nil))
	require.NoError(t, err)
	assert.ErrorContains(t, c.RequireOwnerDatabase(), "OWNER_DATABASE_URL")
}

func TestLoadMetricsAddr(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"METRICS_ADDR": "127.0.0.1:9090"}))
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9090", c.MetricsAddr)
}

func TestSecure(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"BASE_URL": "https://duban.example.gov.cn"}))
	require.NoError(t, err)
	assert.True(t, c.Secure())
}

func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	load := func(proxies, header string) (Config, error) {
		return Load(func(k string) string {
			switch k {
			case "TRUSTED_PROXIES":
				return proxies
			case "TRUSTED_PROXY_HEADER":
				return header
			}
			return ""
		})
	}
	c, err := load("", "")
	require.NoError(t, err)
	assert.Empty(t, c.TrustedProxies, "no proxy is trusted by default")
	assert.Equal(t, "X-Forwarded-For", c.TrustedProxyHeader)

	c, err = load("10.0.0.0/8, 192.168.1.10 ::1,::ffff:172.16.0.1/112", "x-real-ip")
	require.NoError(t, err)
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	assert.Equal(t, []string{"10.0.0.0/8", "192.168.1.10/32", "::1/128", "172.16.0.0/16"}, got)
	assert.Equal(t, "X-Real-Ip", c.TrustedProxyHeader)

	for _, bad := range []string{"10.0.0.0/33", "proxy.example", "10.0.0", "0.0.0.0/0", "::/0", "fe80::1%eth0"} {
		_, err := load(bad, "")
		if assert.Error(t, err, bad) {
			assert.Contains(t, err.Error(), "TRUSTED_PROXIES")
		}
	}
	_, err = load("10.0.0.1", "X-Client-IP")
	if assert.Error(t, err) {
		assert.Contains(t, err.Error(), "TRUSTED_PROXY_HEADER")
	}
}
