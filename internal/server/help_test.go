package server_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/config"
	"duban/internal/server"
)

var (
	inlineTagRe = regexp.MustCompile(`</?(?:a|abbr|code|del|em|ins|span|strong|time)(?:\s[^>]*)?>`)
	tagRe       = regexp.MustCompile(`(?s)<[^>]*>`)
)

// helpText is the visible text of a page, tags removed and entities decoded,
// with runs of white space made one space. Inline tags (a, span, ins …) go
// without a trace, as a reader sees them; other tags end a word.
func helpText(body string) string {
	s := tagRe.ReplaceAllString(inlineTagRe.ReplaceAllString(body, ""), " ")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

// TestHelpPage: anyone may read the help page, signed in or not; it names
// the viewer's role, explains every light and category with the thresholds
// of the default configuration, the ranking weights as shares, and whom to
// ask; the header and the sign-in page link to it.
func TestHelpPage(t *testing.T) {
	t.Parallel()
	w := newEmptyWorld(t)
	res := w.do(anon, http.MethodGet, "/help", nil)
	require.Equal(t, http.StatusOK, res.Code)
	body := res.Body.String()
	text := helpText(body)
	assert.Contains(t, body, `data-testid="help-signin"`, "a visitor is offered the way back to sign in")
	assert.NotContains(t, body, `data-testid="help-your-role"`)
	for _, want := range []string{
		"超过 30 个百分点", "超过 14 天(两个报送周期)", // red: PACE_RED_POINTS, 2 × REPORT_CADENCE_DAYS
		"14 天内到期;或进度落后序时进度 10 至 30 个百分点;或超过 7 天(一个报送周期)", // yellow
		"落后序时进度 10 个百分点及以上,或超过 7 天没有报送",                  // 滞后
		"至少每 7 天报送一次",
		"按时完成 40%", "未超期(按任务单位天数计) 30%", "跟上序时进度 15%", "15%",
		"《平凉数字政府建设政务服务专报》",
		"请联系:督查室(负责督查督办工作的部门)",
		"超期", "滞后", "临期", "正常", "已完成", "时限待确认", "单位待明确",
		"红灯", "黄灯", "绿灯", "待确认",
		"临期提醒", "逾期催办", "督办单", "集合称谓", "延期",
	} {
		assert.Contains(t, text, want)
	}
	assert.NotRegexp(t, `help\.[a-z]`, text, "no message key shows as itself")

	// Every signed-in role reads it, its own role marked, with the link in
	// the navigation marked as the current page.
	for _, p := range []who{staffOwn, leader, supervisor, admin} {
		res := w.do(p, http.MethodGet, "/help", nil)
		require.Equal(t, http.StatusOK, res.Code, p.String())
		body := res.Body.String()
		assert.Contains(t, body, `<a href="/help" aria-current="page">帮助</a>`, p.String())
		assert.Contains(t, body, `data-testid="help-your-role"`, p.String())
		assert.NotContains(t, body, `data-testid="help-signin"`, p.String())
	}
	res = w.do(supervisor, http.MethodGet, "/help", nil)
	assert.Regexp(t, `(?s)class="help-role current"[^>]*data-testid="help-role-supervisor"`, res.Body.String())
	assert.Contains(t, helpText(res.Body.String()), "您的角色:督查室")
	res = w.do(leader, http.MethodGet, "/dashboard", nil)
	assert.Contains(t, res.Body.String(), `<a href="/help">帮助</a>`, "the header links to help on every page")

	// English, through the message table.
	res = w.do(anon, http.MethodGet, "/help?lang=en", nil)
	require.Equal(t, http.StatusOK, res.Code)
	en := helpText(res.Body.String())
	assert.Contains(t, en, "more than 30 points behind the expected pace")
	assert.Contains(t, en, "Completed on time 40%")
	assert.Contains(t, en, "contact: the supervision office (督查室)")
	assert.NotRegexp(t, `help\.[a-z]`, en)

	// The sign-in page links to it, with the contact.
	res = w.do(anon, http.MethodGet, "/login", nil)
	assert.Contains(t, res.Body.String(), `<a href="/help">使用帮助</a>`)
	assert.Contains(t, helpText(res.Body.String()), "督查室(负责督查督办工作的部门)")
}

// TestHelpPageReadsTheConfiguration: change the thresholds, the ranking
// weights, the bulletin's title and the contact, and the page says the new
// values; nothing on it is a copy of the defaults.
func TestHelpPageReadsTheConfiguration(t *testing.T) {
	t.Parallel()
	w := newEmptyWorld(t)
	env := map[string]string{
		"SHUTDOWN_GRACE": "5s", "DUE_SOON_DAYS": "5", "REPORT_CADENCE_DAYS": "10", "PACE_YELLOW_POINTS": "12.5", "PACE_RED_POINTS": "40",
		"DUBAN_RANK_W_ONTIME": "1", "DUBAN_RANK_W_OVERDUE": "1", "DUBAN_RANK_W_PACE": "1", "DUBAN_RANK_W_REPORT": "0",
		"BULLETIN_TITLE": "某市督查专报", "HELP_CONTACT": "市政府督查室 0933-8211234",
		"REMIND_AT": "09:15", "REMIND_DUE_SOON_DAYS": "10,3", "REMIND_OVERDUE_EVERY_DAYS": "5", "REMIND_REFILE_WORKING_DAYS": "2",
		"ESCALATION_DAYS": "5,12,20", "ESCALATION_REPLY_WORKING_DAYS": "4",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	w.h = server.New(cfg, w.db, quietLog(), server.WithClock(w.clock.Now), server.WithPasswordParams(auth.TestParams)).Handler()

	res := w.do(anon, http.MethodGet, "/help", nil)
	require.Equal(t, http.StatusOK, res.Code)
	text := helpText(res.Body.String())
	for _, want := range []string{
		"超过 40 个百分点", "超过 20 天(两个报送周期)",
		"5 天内到期;或进度落后序时进度 12.5 至 40 个百分点;或超过 10 天(一个报送周期)",
		"落后序时进度 12.5 个百分点及以上,或超过 10 天没有报送",
		"至少每 10 天报送一次",
		"按时完成 33.3%", "跟上序时进度 33.3%", "多报不加分) 0%",
		"《某市督查专报》",
		"请联系:市政府督查室 0933-8211234",
		"每个工作日 09:15", "截止日期前 10、3 天", "此后每 5 天再次催办", "2 个工作日内未重新报送",
		"超期 5 天发出一级督办单", "12 天二级", "20 天三级", "4 个工作日内答复",
	} {
		assert.Contains(t, text, want)
	}
	for _, old := range []string{"超过 30 个百分点", "14 天内到期", "至少每 7 天", "40%", "08:30", "7、1 天", "超期 7 天"} {
		assert.NotContains(t, text, old)
	}
	res = w.do(anon, http.MethodGet, "/login", nil)
	assert.Contains(t, helpText(res.Body.String()), "市政府督查室 0933-8211234")
}
