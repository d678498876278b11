package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/config"
	"duban/internal/server"
	"duban/internal/workplan"
)

// TestPasswordChangeIsThrottled: guessing the current password on
// /account/password is throttled like signing in, against the same account,
// and the user is told until when.
func TestPasswordChangeIsThrottled(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	change := func(current string) *httptest.ResponseRecorder {
		return w.do(staffOwn, http.MethodPost, "/account/password",
			url.Values{"current": {current}, "new": {"a brand new passphrase"}, "confirm": {"a brand new passphrase"}})
	}
	for i := range 19 {
		require.Equal(t, http.StatusUnprocessableEntity, change("guess "+strconv.Itoa(i)).Code, "guess %d", i+1)
	}
	// Sign-in failures count against the same account.
	require.Equal(t, http.StatusUnauthorized, w.login("own", "guess at sign-in", "203.0.113.7").Code)
	res := change(testPassword)
	assert.Equal(t, http.StatusTooManyRequests, res.Code, "the right password during the throttle is refused")
	assert.Contains(t, res.Body.String(), "请于 2024-03-01 09:01:00 之后再试", "told until when")
	assert.Equal(t, "60", res.Header().Get("Retry-After"))
	assert.Equal(t, 19, w.auditCount("password.failure"))
	assert.Equal(t, 1, w.auditCount("password.throttled"))
	assert.Equal(t, http.StatusTooManyRequests, w.login("own", testPassword, "203.0.113.8").Code, "and sign-in waits too")

	w.clock.Advance(time.Minute)
	res = change(testPassword)
	assert.Equal(t, http.StatusSeeOther, res.Code, "after the wait: %s", snippet(res.Body.String()))
}

// TestAdministratorLiftsAThrottle: the throttles page lists a throttled
// account and address; lifting is audited and takes effect at once.
func TestAdministratorLiftsAThrottle(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for i := range 20 {
		w.login("target", "wrong", "203.0.113."+strconv.Itoa(i+1))
	}
	for i := range 50 {
		w.login("user"+strconv.Itoa(i), "wrong", "198.51.100.77")
	}
	require.Equal(t, http.StatusTooManyRequests, w.login("target", testPassword, "203.0.113.99").Code)

	page := w.do(admin, http.MethodGet, "/admin/throttles", nil)
	require.Equal(t, http.StatusOK, page.Code)
	assert.Contains(t, page.Body.String(), "<strong>target</strong>")
	assert.Contains(t, page.Body.String(), "<strong>198.51.100.77</strong>")
	assert.Contains(t, page.Body.String(), "2024-03-01 09:01:00", "until when")

	res := w.do(admin, http.MethodPost, "/admin/throttles/lift", url.Values{"username": {"Target"}})
	require.Equal(t, http.StatusSeeOther, res.Code)
	res = w.do(admin, http.MethodPost, "/admin/throttles/lift", url.Values{"addr": {"198.51.100.77"}})
	require.Equal(t, http.StatusSeeOther, res.Code)
	assert.Equal(t, 2, w.auditCount("throttle.lift"))
	assert.Equal(t, http.StatusSeeOther, w.login("target", testPassword, "198.51.100.77").Code, "lifted at once")
	page = w.do(admin, http.MethodGet, "/admin/throttles", nil)
	assert.Contains(t, page.Body.String(), `data-testid="no-throttles"`)

	res = w.do(admin, http.MethodPost, "/admin/throttles/lift", url.Values{"addr": {"not an address"}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Equal(t, http.StatusForbidden, w.do(supervisor, http.MethodPost, "/admin/throttles/lift", url.Values{"username": {"target"}}).Code)
}

// TestTrustedProxies: behind a trusted proxy the client's address comes
// from X-Forwarded-For, for the throttle, the sessions page and the audit
// trail; a client that is not a proxy cannot name itself.
func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	w := newWorld(t, server.WithConfig(func(c *config.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
		c.TrustedProxyHeader = "X-Forwarded-For"
	}))
	login := func(peer, xff, password string) *httptest.ResponseRecorder {
		f := url.Values{"username": {"target"}, "password": {password}, "csrf": {w.anonCSRF}}
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", xff)
		req.RemoteAddr = peer + ":4000"
		for _, c := range w.anonCookies {
			req.AddCookie(c)
		}
		return w.sendRequest(req)
	}
	require.Equal(t, http.StatusUnauthorized, login("10.0.0.2", "6.6.6.6, 198.51.100.23", "wrong").Code)
	require.Equal(t, http.StatusUnauthorized, login("203.0.113.50", "198.51.100.99", "wrong").Code)
	res := login("10.0.0.3", "198.51.100.24, 10.0.0.9", testPassword)
	require.Equal(t, http.StatusSeeOther, res.Code)

	addrs := func(sql string) []string {
		rows, err := w.db.Pool.Query(bg, sql)
		require.NoError(t, err)
		var out []string
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			out = append(out, s)
		}
		return out
	}
	assert.Equal(t, []string{"198.51.100.23", "203.0.113.50", "198.51.100.24"}, addrs(`SELECT client_addr FROM login_attempts ORDER BY id`),
		"the right-most untrusted hop behind the proxy; the peer otherwise")
	assert.Equal(t, []string{"198.51.100.23", "203.0.113.50", "198.51.100.24"}, addrs(`SELECT client_addr FROM audit_log WHERE action LIKE 'login.%' ORDER BY id`))

	cookie := sessionCookieOf(res)
	require.NotNil(t, cookie)
	req := httptest.NewRequest(http.MethodGet, "/account/sessions", nil)
	req.RemoteAddr = "10.0.0.3:4000"
	req.Header.Set("X-Forwarded-For", "198.51.100.24")
	req.AddCookie(cookie)
	page := w.sendRequest(req)
	require.Equal(t, http.StatusOK, page.Code)
	assert.Contains(t, page.Body.String(), "198.51.100.24", "the sessions page shows the client, not the proxy")
	assert.NotContains(t, page.Body.String(), "10.0.0.3")
}

// TestAPITokenLimits: an expired token is refused with 401 saying since
// when; each token is held to its rate with 429 and Retry-After; a token
// may have its own rate, or none.
func TestAPITokenLimits(t *testing.T) {
	t.Parallel()
	w := newWorld(t, server.WithConfig(func(c *config.Config) { c.APIRateLimit = 3 }))
	get := func(token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/tasks/1", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		return w.sendRequest(req)
	}
	for i := range 3 {
		res := get(w.apiToken)
		require.Equal(t, http.StatusOK, res.Code, "request %d", i+1)
		assert.Equal(t, "3", res.Header().Get("X-RateLimit-Limit"))
		assert.Equal(t, strconv.Itoa(2-i), res.Header().Get("X-RateLimit-Remaining"))
	}
	res := get(w.apiToken)
	assert.Equal(t, http.StatusTooManyRequests, res.Code)
	assert.Equal(t, "20", res.Header().Get("Retry-After"), "one request every 20 s at 3 a minute")
	assert.Equal(t, "application/json", res.Header().Get("Content-Type"))
	assert.Contains(t, res.Body.String(), "每个 API 令牌每分钟最多 3 次请求")
	w.clock.Advance(20 * time.Second)
	assert.Equal(t, http.StatusOK, get(w.apiToken).Code, "after Retry-After")
	assert.Equal(t, http.StatusTooManyRequests, get(w.apiToken).Code)

	// Another token has its own bucket; one with rate 0 has no limit.
	zero := 0
	free := auth.NewAPIToken()
	_, err := w.db.CreateAPIToken(bg, workplan.System("t"), workplan.NewAPIToken{Name: "unlimited", Hash: auth.HashToken(free), RatePerMinute: &zero})
	require.NoError(t, err)
	for range 10 {
		require.Equal(t, http.StatusOK, get(free).Code)
	}

	// An expired token.
	exp := w.clock.Now().Add(time.Hour)
	old := auth.NewAPIToken()
	_, err = w.db.CreateAPIToken(bg, workplan.System("t"), workplan.NewAPIToken{Name: "old", Hash: auth.HashToken(old), ExpiresAt: &exp})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, get(old).Code)
	w.clock.Advance(time.Hour)
	res = get(old)
	assert.Equal(t, http.StatusUnauthorized, res.Code)
	assert.Contains(t, res.Body.String(), "API 令牌已于 2024-03-01 10:00 过期")
	var lastUsed time.Time
	require.NoError(t, w.db.Pool.QueryRow(bg, `SELECT last_used_at FROM api_tokens WHERE name = 'old'`).Scan(&lastUsed))
	assert.True(t, lastUsed.Equal(exp.Add(-time.Hour)), "the last use is recorded, not the refused one")
}
