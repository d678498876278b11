package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/workplan"
)

// probe is a page every signed-in user may read, whatever their role: its
// status tells whether a session is live (200) or not (303 to /login).
const probe = "/account/sessions"

func TestLoginSuccessStartsAFreshSession(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	res := w.login("Target", testPassword, "198.51.100.7")
	require.Equal(t, http.StatusSeeOther, res.Code)
	assert.Equal(t, "/", res.Header().Get("Location"))
	c := sessionCookieOf(res)
	require.NotNil(t, c)
	assert.True(t, c.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
	assert.Equal(t, "/", c.Path)
	assert.True(t, auth.LooksLikeToken(c.Value))

	var stored []byte
	require.NoError(t, w.db.Pool.QueryRow(bg, `SELECT token_hash FROM sessions WHERE user_id = $1 ORDER BY id DESC LIMIT 1`, w.target.ID).Scan(&stored))
	assert.Equal(t, auth.HashToken(c.Value), stored, "only the SHA-256 of the token is stored")

	page := w.send(http.MethodGet, probe, nil, []*http.Cookie{c}, "")
	require.Equal(t, http.StatusOK, page.Code)
	assert.Contains(t, page.Body.String(), `data-testid="current-user"`)
	assert.Equal(t, 1, w.auditCount("login.success"))

	// A second sign-in gets another token: a token known before sign-in
	// (session fixation) is never the one used after it.
	again := w.login("target", testPassword, "198.51.100.7")
	assert.NotEqual(t, c.Value, sessionCookieOf(again).Value)
}

func TestLoginNextIsLocalOnly(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for next, want := range map[string]string{
		"/admin/users?x=1":     "/admin/users?x=1",
		"//evil.example/":      "/",
		"https://evil.example": "/",
		"/\\evil.example":      "/",
		"javascript:alert(1)":  "/",
	} {
		f := url.Values{"username": {"target"}, "password": {testPassword}, "next": {next}}
		res := w.send(http.MethodPost, "/login", f, w.anonCookies, w.anonCSRF)
		require.Equal(t, http.StatusSeeOther, res.Code, next)
		assert.Equal(t, want, res.Header().Get("Location"), next)
	}
	res := w.do(anon, http.MethodGet, "/admin/users?x=1", nil)
	assert.Equal(t, "/login?next=%2Fadmin%2Fusers%3Fx%3D1", res.Header().Get("Location"))
}

func TestLoginFailuresLookAlike(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	unknown := w.login("nobody", testPassword, "198.51.100.7")
	wrong := w.login("target", "wrong password here", "198.51.100.7")
	_, err := w.db.SetUserDisabled(bg, workplan.System("t"), w.target.ID, w.target.Version, true)
	require.NoError(t, err)
	disabled := w.login("target", testPassword, "198.51.100.7")
	for _, res := range []*httptest.ResponseRecorder{unknown, wrong, disabled} {
		assert.Equal(t, http.StatusUnauthorized, res.Code)
		assert.Contains(t, res.Body.String(), "用户名或密码错误")
		assert.Nil(t, sessionCookieOf(res))
	}
	assert.Equal(t, 3, w.auditCount("login.failure"))
	var reasons []string
	rows, err := w.db.Pool.Query(bg, `SELECT after->>'reason' FROM audit_log WHERE action = 'login.failure' ORDER BY id`)
	require.NoError(t, err)
	for rows.Next() {
		var r string
		require.NoError(t, rows.Scan(&r))
		reasons = append(reasons, r)
	}
	assert.Equal(t, []string{"unknown_user", "bad_password", "disabled"}, reasons, "the trail says why; the user is not told")
}

// TestAccountThrottle: after 20 wrong passwords for one account, further
// attempts are refused, even with the right password, and the audit trail
// shows every attempt. After the back-off, the right password works.
func TestAccountThrottle(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for i := range 20 {
		// From many addresses, so that only the per-account rule applies.
		res := w.login("target", "wrong password "+strconv.Itoa(i), "203.0.113."+strconv.Itoa(i+1))
		require.Equal(t, http.StatusUnauthorized, res.Code, "attempt %d", i+1)
	}
	res := w.login("target", testPassword, "203.0.113.99")
	assert.Equal(t, http.StatusTooManyRequests, res.Code, "the right password during the throttle is refused")
	assert.Nil(t, sessionCookieOf(res))
	assert.Contains(t, res.Body.String(), "登录尝试次数过多")
	res = w.login("TARGET", testPassword, "203.0.113.98")
	assert.Equal(t, http.StatusTooManyRequests, res.Code, "the username is compared without case")

	assert.Equal(t, 20, w.auditCount("login.failure"))
	assert.Equal(t, 2, w.auditCount("login.throttled"))
	var failures int
	require.NoError(t, w.db.Pool.QueryRow(bg, `SELECT count(*) FROM audit_log WHERE action = 'login.failure' AND entity_id = $1`, strconv.FormatInt(w.target.ID, 10)).Scan(&failures))
	assert.Equal(t, 20, failures, "the failures name the account")

	// Other accounts are not affected.
	assert.Equal(t, http.StatusSeeOther, w.login("own", testPassword, "203.0.113.99").Code)

	w.clock.Advance(61 * time.Second)
	res = w.login("target", testPassword, "203.0.113.99")
	assert.Equal(t, http.StatusSeeOther, res.Code, "after the back-off the right password works")
	assert.Equal(t, http.StatusUnauthorized, w.login("target", "wrong again", "203.0.113.99").Code, "a success resets the count")
}

// TestAccountThrottleBacksOff: each failure past the free twenty doubles
// the wait.
func TestAccountThrottleBacksOff(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for i := range 20 {
		w.login("target", "wrong", "203.0.113."+strconv.Itoa(i+1))
	}
	w.clock.Advance(61 * time.Second)
	assert.Equal(t, http.StatusUnauthorized, w.login("target", "wrong", "203.0.113.50").Code, "one more try after a minute")
	w.clock.Advance(61 * time.Second)
	assert.Equal(t, http.StatusTooManyRequests, w.login("target", testPassword, "203.0.113.50").Code, "now two minutes")
	w.clock.Advance(60 * time.Second)
	assert.Equal(t, http.StatusSeeOther, w.login("target", testPassword, "203.0.113.50").Code)
}

// TestAddressThrottleBacksOff: one address trying many usernames is slowed
// down, for every username, but never locked out: an office behind one NAT
// waits at most AddressMax after the last failure; other addresses are not
// slowed at all.
func TestAddressThrottleBacksOff(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	th := auth.DefaultThrottle
	for i := range th.AddressFree {
		res := w.login("user"+strconv.Itoa(i), "guess", "198.51.100.200")
		require.Equal(t, http.StatusUnauthorized, res.Code, "attempt %d", i+1)
	}
	res := w.login("target", testPassword, "198.51.100.200")
	assert.Equal(t, http.StatusTooManyRequests, res.Code)
	assert.Equal(t, "1", res.Header().Get("Retry-After"))
	assert.Contains(t, res.Body.String(), "请于 2024-03-01 09:00:01 之后再试", "the user is told until when")
	assert.Equal(t, http.StatusSeeOther, w.login("target", testPassword, "198.51.100.201").Code, "another address")
	w.clock.Advance(time.Second)
	assert.Equal(t, http.StatusSeeOther, w.login("own", testPassword, "198.51.100.200").Code, "after a second")

	// A guesser who keeps failing from the office's address is held to one
	// try per AddressMax; the office still gets in once that has passed.
	for range 20 {
		w.clock.Advance(th.AddressMax)
		require.Equal(t, http.StatusUnauthorized, w.login("nobody", "guess", "198.51.100.200").Code)
	}
	res = w.login("target", testPassword, "198.51.100.200")
	assert.Equal(t, http.StatusTooManyRequests, res.Code)
	assert.Equal(t, "30", res.Header().Get("Retry-After"), "never more than AddressMax")
	w.clock.Advance(th.AddressMax)
	assert.Equal(t, http.StatusSeeOther, w.login("target", testPassword, "198.51.100.200").Code)
}

func TestLogoutEndsTheSessionOnTheServer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	res := w.do(leader, http.MethodPost, "/logout", nil)
	require.Equal(t, http.StatusSeeOther, res.Code)
	c := sessionCookieOf(res)
	require.NotNil(t, c)
	assert.Equal(t, -1, c.MaxAge, "the cookie is dropped")
	// Replaying the old cookie does not work: the session ended server-side.
	res = w.do(leader, http.MethodGet, probe, nil)
	assert.Equal(t, http.StatusSeeOther, res.Code)
	assert.True(t, strings.HasPrefix(res.Header().Get("Location"), "/login"))
	assert.Equal(t, 1, w.auditCount("logout"))
}

func TestIdleAndAbsoluteTimeouts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// Idle: 30 minutes without a request.
	w.clock.Advance(29 * time.Minute)
	require.Equal(t, http.StatusOK, w.do(leader, http.MethodGet, probe, nil).Code, "active after 29 minutes")
	w.clock.Advance(29 * time.Minute)
	require.Equal(t, http.StatusOK, w.do(leader, http.MethodGet, probe, nil).Code, "the last request counts")
	w.clock.Advance(31 * time.Minute)
	res := w.do(leader, http.MethodGet, probe, nil)
	assert.Equal(t, http.StatusSeeOther, res.Code, "idle for 31 minutes")
	var reason string
	require.NoError(t, w.db.Pool.QueryRow(bg, `SELECT ended_reason FROM sessions WHERE id = $1`, w.sessions[leader]).Scan(&reason))
	assert.Equal(t, "idle", reason)

	// Absolute: 12 hours after sign-in, however active.
	w2 := newWorld(t)
	for range 24 {
		w2.clock.Advance(29 * time.Minute)
		require.Equal(t, http.StatusOK, w2.do(admin, http.MethodGet, probe, nil).Code)
	}
	w2.clock.Advance(25 * time.Minute) // 12h01m
	assert.Equal(t, http.StatusSeeOther, w2.do(admin, http.MethodGet, probe, nil).Code)
	require.NoError(t, w2.db.Pool.QueryRow(bg, `SELECT ended_reason FROM sessions WHERE id = $1`, w2.sessions[admin]).Scan(&reason))
	assert.Equal(t, "expired", reason)
}

func TestLastSeenWrittenAtMostOnceAMinute(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	lastSeen := func() time.Time {
		var at time.Time
		require.NoError(t, w.db.Pool.QueryRow(bg, `SELECT last_seen_at FROM sessions WHERE id = $1`, w.sessions[leader]).Scan(&at))
		return at
	}
	start := lastSeen()
	w.clock.Advance(30 * time.Second)
	w.do(leader, http.MethodGet, probe, nil)
	assert.True(t, lastSeen().Equal(start), "no write within the minute")
	w.clock.Advance(61 * time.Second)
	w.do(leader, http.MethodGet, probe, nil)
	assert.True(t, lastSeen().Equal(w.clock.Now()), "written after a minute")
}

func TestOneTimePasswordMustBeChanged(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// An administrator resets the password: the page shows it once.
	res := w.do(admin, http.MethodPost, "/admin/users/"+id(w.target.ID)+"/password", nil)
	require.Equal(t, http.StatusOK, res.Code)
	m := oneTimeRe.FindStringSubmatch(res.Body.String())
	require.NotNil(t, m)
	otp := m[1]

	res = w.login("target", otp, "192.0.2.10")
	require.Equal(t, http.StatusSeeOther, res.Code)
	assert.Equal(t, "/account/password", res.Header().Get("Location"))
	c := sessionCookieOf(res)
	csrf := auth.CSRFToken(c.Value)
	cookies := []*http.Cookie{c}

	for _, p := range []string{"/", "/account/sessions", "/admin/users"} {
		res = w.send(http.MethodGet, p, nil, cookies, csrf)
		assert.Equal(t, http.StatusSeeOther, res.Code, p)
		assert.Equal(t, "/account/password", res.Header().Get("Location"), p)
	}
	page := w.send(http.MethodGet, "/account/password", nil, cookies, csrf)
	assert.Contains(t, page.Body.String(), `data-testid="password-forced"`)

	change := func(current, next, confirm string) *httptest.ResponseRecorder {
		return w.send(http.MethodPost, "/account/password", url.Values{"current": {current}, "new": {next}, "confirm": {confirm}}, cookies, csrf)
	}
	tests := []struct{ name, current, next, confirm, msg string }{
		{"wrong current", "not it", "a fine new passphrase", "a fine new passphrase", "当前密码不正确"},
		{"mismatch", otp, "a fine new passphrase", "a fine new passphrase!", "不一致"},
		{"too short", otp, "short", "short", "太短"},
		{"common", otp, "password123", "password123", "常见密码"},
		{"same as before", otp, otp, otp, "不能与当前密码相同"},
		{"contains username", otp, "target-practice-2024", "target-practice-2024", "用户名"},
	}
	for _, tt := range tests {
		res := change(tt.current, tt.next, tt.confirm)
		assert.Equal(t, http.StatusUnprocessableEntity, res.Code, tt.name)
		assert.Contains(t, res.Body.String(), tt.msg, tt.name)
	}
	res = change(otp, "一个足够长的中文密码句子", "一个足够长的中文密码句子")
	require.Equal(t, http.StatusSeeOther, res.Code)
	assert.Equal(t, http.StatusOK, w.send(http.MethodGet, probe, nil, cookies, csrf).Code, "the session goes on")
	assert.Equal(t, http.StatusSeeOther, w.login("target", "一个足够长的中文密码句子", "192.0.2.10").Code)
	assert.Equal(t, http.StatusUnauthorized, w.login("target", otp, "192.0.2.10").Code, "the one-time password is spent")
	assert.Equal(t, 1, w.auditCount("user.password_reset"))
	assert.Equal(t, 1, w.auditCount("user.password_change"))
}

func TestDisablingAUserEndsTheirSessions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	require.Equal(t, http.StatusOK, w.do(staffOther, http.MethodGet, probe, nil).Code)
	u := w.users[staffOther]
	res := w.do(admin, http.MethodPost, "/admin/users/"+id(u.ID)+"/disable", url.Values{"version": {strconv.Itoa(u.Version)}})
	require.Equal(t, http.StatusSeeOther, res.Code)
	assert.Equal(t, http.StatusSeeOther, w.do(staffOther, http.MethodGet, probe, nil).Code, "signed out at once")
	assert.Equal(t, http.StatusUnauthorized, w.login("other", testPassword, "192.0.2.3").Code, "and cannot sign in")

	res = w.do(admin, http.MethodPost, "/admin/users/"+id(w.users[admin].ID)+"/disable", url.Values{"version": {strconv.Itoa(w.users[admin].Version)}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code, "an administrator cannot disable themselves")
}

func TestSessionsPage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	res := w.do(staffOwn, http.MethodGet, "/account/sessions", nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Equal(t, 2, strings.Count(res.Body.String(), `data-testid="session-row"`), "both sessions of the user, nobody else's")
	assert.Contains(t, res.Body.String(), "/account/sessions/"+id(w.spareSession)+"/end")
	assert.NotContains(t, res.Body.String(), "/account/sessions/"+id(w.sessions[staffOther])+"/end")

	res = w.do(staffOwn, http.MethodPost, "/account/sessions/"+id(w.spareSession)+"/end", nil)
	assert.Equal(t, http.StatusSeeOther, res.Code)
	assert.Equal(t, "/account/sessions", res.Header().Get("Location"))
	res = w.do(staffOwn, http.MethodPost, "/account/sessions/"+id(w.sessions[staffOwn])+"/end", nil)
	assert.Equal(t, "/login", res.Header().Get("Location"), "ending the current session signs out")
	assert.Equal(t, 2, w.auditCount("session.end"))
}

// TestIDOR: what a staff member cannot do to others' accounts, however the
// request is forged.
func TestIDOR(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	me := w.users[staffOwn]

	t.Run("cannot end another user's session", func(t *testing.T) {
		res := w.do(staffOwn, http.MethodPost, "/account/sessions/"+id(w.sessions[staffOther])+"/end", nil)
		assert.Equal(t, http.StatusNotFound, res.Code)
		assert.Equal(t, http.StatusOK, w.do(staffOther, http.MethodGet, probe, nil).Code, "still signed in")
	})
	t.Run("cannot edit another user or themselves through the admin form", func(t *testing.T) {
		for _, target := range []workplan.User{w.target, me} {
			res := w.do(staffOwn, http.MethodPost, "/admin/users/"+id(target.ID), url.Values{
				"version": {strconv.Itoa(target.Version)}, "display_name": {"pwned"}, "role": {"admin"}, "unit_id": {id(w.otherUnt.ID)}})
			assert.Equal(t, http.StatusForbidden, res.Code)
			got, err := w.db.User(bg, target.ID)
			require.NoError(t, err)
			assert.Equal(t, target, got, "unchanged")
		}
	})
	t.Run("role and unit fields on own forms are ignored", func(t *testing.T) {
		res := w.do(staffOwn, http.MethodPost, "/account/password", url.Values{
			"current": {testPassword}, "new": {"another long passphrase"}, "confirm": {"another long passphrase"},
			"role": {"admin"}, "unit_id": {id(w.otherUnt.ID)}, "user_id": {id(w.target.ID)}, "id": {id(w.target.ID)}})
		require.Equal(t, http.StatusSeeOther, res.Code)
		got, err := w.db.User(bg, me.ID)
		require.NoError(t, err)
		assert.Equal(t, workplan.UserStaff, got.Role)
		assert.Equal(t, w.ownUnit.ID, got.UnitID)
		assert.Equal(t, http.StatusSeeOther, w.login("target", testPassword, "192.0.2.9").Code, "the target's password is untouched")
		assert.Equal(t, http.StatusForbidden, w.do(staffOwn, http.MethodGet, "/admin/users?role=admin", nil).Code)
	})
	t.Run("cannot reset passwords, disable or create users", func(t *testing.T) {
		for _, p := range []string{"/admin/users/" + id(w.target.ID) + "/password", "/admin/users/" + id(w.target.ID) + "/disable", "/admin/users"} {
			res := w.do(staffOwn, http.MethodPost, p, url.Values{"version": {"1"}, "username": {"x1"}, "display_name": {"x"}, "role": {"admin"}})
			assert.Equal(t, http.StatusForbidden, res.Code, p)
		}
		assert.Equal(t, 0, w.auditCount("user.password_reset"))
		assert.Equal(t, 0, w.auditCount("user.disable"))
	})
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cookies, token := w.credentials(leader)
	tests := []struct {
		name    string
		token   string
		headers map[string]string
		cookies []*http.Cookie
		want    int
	}{
		{"no token", "", nil, cookies, http.StatusForbidden},
		{"another session's token", auth.CSRFToken(w.tokens[admin]), nil, cookies, http.StatusForbidden},
		{"cross-site browser request with a valid token", token, map[string]string{"Sec-Fetch-Site": "cross-site"}, cookies, http.StatusForbidden},
		{"foreign origin with a valid token", token, map[string]string{"Origin": "https://evil.example"}, cookies, http.StatusForbidden},
		{"same-origin", token, map[string]string{"Sec-Fetch-Site": "same-origin"}, cookies, http.StatusSeeOther},
	}
	for _, tt := range tests {
		f := url.Values{"csrf": {tt.token}}
		req := httptest.NewRequest(http.MethodPost, "/logout", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range tt.headers {
			req.Header.Set(k, v)
		}
		for _, c := range tt.cookies {
			req.AddCookie(c)
		}
		res := w.sendRequest(req)
		assert.Equal(t, tt.want, res.Code, tt.name)
	}
	// Login CSRF: signing in needs the pre-session token of this browser.
	f := url.Values{"username": {"target"}, "password": {testPassword}}
	assert.Equal(t, http.StatusForbidden, w.send(http.MethodPost, "/login", f, nil, "").Code, "no pre-session cookie")
	f.Set("csrf", auth.NewToken())
	assert.Equal(t, http.StatusForbidden, w.send(http.MethodPost, "/login", f, w.anonCookies, "").Code, "token of another browser")
}

// TestConcurrentAdminEdits: two administrators edit the same user from the
// same version; the second gets the 409 page and overwrites nothing.
func TestConcurrentAdminEdits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	admin2 := w.createUser("admin2", workplan.UserAdmin, 0, false)
	tok2, _ := w.startSession(admin2.ID)
	cookies2 := []*http.Cookie{{Name: "duban_session", Value: tok2}}

	form1 := w.do(admin, http.MethodGet, "/admin/users/"+id(w.target.ID), nil)
	form2 := w.send(http.MethodGet, "/admin/users/"+id(w.target.ID), nil, cookies2, "")
	require.Equal(t, http.StatusOK, form1.Code)
	require.Equal(t, http.StatusOK, form2.Code)
	version := versionRe.FindStringSubmatch(form1.Body.String())[1]
	assert.Equal(t, version, versionRe.FindStringSubmatch(form2.Body.String())[1])

	res := w.do(admin, http.MethodPost, "/admin/users/"+id(w.target.ID), url.Values{
		"version": {version}, "display_name": {"甲改的名字"}, "unit_id": {id(w.ownUnit.ID)}, "role": {"staff"}})
	require.Equal(t, http.StatusSeeOther, res.Code)

	res = w.send(http.MethodPost, "/admin/users/"+id(w.target.ID), url.Values{
		"version": {version}, "display_name": {"乙改的名字"}, "unit_id": {id(w.otherUnt.ID)}, "role": {"staff"}}, cookies2, auth.CSRFToken(tok2))
	require.Equal(t, http.StatusConflict, res.Code)
	body := res.Body.String()
	assert.Contains(t, body, `data-testid="conflict"`)
	assert.Contains(t, body, "乙改的名字", "yours")
	assert.Contains(t, body, "甲改的名字", "theirs")
	assert.Contains(t, body, "崆峒区人民政府", "your unit")
	assert.Equal(t, 2, strings.Count(body, `data-testid="conflict-changed"`), "name and unit differ")
	assert.Contains(t, body, `href="/admin/users/`+id(w.target.ID)+`"`)

	got, err := w.db.User(bg, w.target.ID)
	require.NoError(t, err)
	assert.Equal(t, "甲改的名字", got.DisplayName, "nothing overwritten")
	assert.Equal(t, w.ownUnit.ID, got.UnitID)
	assert.Equal(t, 1, w.auditCount("user.update"))
}

func TestConcurrentUnitEdits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	v := strconv.Itoa(w.collective.Version)
	path := "/admin/units/" + id(w.collective.ID) + "/members"
	res := w.do(admin, http.MethodPost, path, url.Values{"version": {v}, "member": {id(w.ownUnit.ID), id(w.otherUnt.ID)}})
	require.Equal(t, http.StatusSeeOther, res.Code)
	res = w.do(admin, http.MethodPost, path, url.Values{"version": {v}})
	require.Equal(t, http.StatusConflict, res.Code)
	assert.Contains(t, res.Body.String(), "崆峒区人民政府、市大数据中心", "theirs, sorted")
	got, err := w.db.RegistryUnit(bg, w.collective.ID)
	require.NoError(t, err)
	assert.Len(t, got.Members, 2, "nothing overwritten")

	res = w.do(admin, http.MethodPost, "/admin/units/"+id(w.ownUnit.ID), url.Values{"version": {"99"}, "name": {"x"}, "kind": {"other"}})
	assert.Equal(t, http.StatusConflict, res.Code)
}

func TestAdminCreatesUserWithOneTimePassword(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	res := w.do(admin, http.MethodPost, "/admin/users", url.Values{"username": {"wang.wu"}, "display_name": {"王五"}, "unit_id": {id(w.otherUnt.ID)}, "role": {"staff"}})
	require.Equal(t, http.StatusCreated, res.Code)
	otp := oneTimeRe.FindStringSubmatch(res.Body.String())[1]
	login := w.login("wang.wu", otp, "192.0.2.20")
	assert.Equal(t, "/account/password", login.Header().Get("Location"))

	res = w.do(admin, http.MethodPost, "/admin/users", url.Values{"username": {"wang.wu"}, "display_name": {"王五"}, "role": {"leader"}})
	assert.Equal(t, http.StatusConflict, res.Code)
	assert.Contains(t, res.Body.String(), "该用户名已被使用")
	res = w.do(admin, http.MethodPost, "/admin/users", url.Values{"username": {"zhao"}, "display_name": {"赵"}, "role": {"staff"}, "unit_id": {"0"}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code, "staff need a unit")
	res = w.do(admin, http.MethodPost, "/admin/users", url.Values{"username": {"zhao"}, "display_name": {"赵"}, "role": {"staff"}, "unit_id": {id(w.collective.ID)}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code, "not a collective designation")

	list := w.do(admin, http.MethodGet, "/admin/users", nil)
	assert.Equal(t, 7, strings.Count(list.Body.String(), `data-testid="user-row"`), "six fixture users and the new one")
}

func TestAuditPage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.login("target", "wrong", "192.0.2.77")
	res := w.do(admin, http.MethodGet, "/admin/audit?action=login.failure", nil)
	require.Equal(t, http.StatusOK, res.Code)
	body := res.Body.String()
	assert.Equal(t, 1, strings.Count(body, `data-testid="audit-row"`))
	assert.Contains(t, body, "192.0.2.77")

	res = w.do(admin, http.MethodGet, "/admin/audit?entity=unit&from=2020-01-01&to=2099-12-31", nil)
	assert.Equal(t, 5, strings.Count(res.Body.String(), `data-testid="audit-row"`), "four units created, one membership change")
	res = w.do(admin, http.MethodGet, "/admin/audit?actor=nobody", nil)
	assert.Contains(t, res.Body.String(), `data-testid="audit-empty"`)
	res = w.do(admin, http.MethodGet, "/admin/audit?from=yesterday", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)

	// Keyset paging: 50 a page, the link carries the filter.
	for i := range 60 {
		_, err := w.db.CreateRegistryUnit(bg, workplan.System("t"), workplan.UnitEdit{Name: "单位" + strconv.Itoa(i), Kind: workplan.UnitOther})
		require.NoError(t, err)
	}
	res = w.do(admin, http.MethodGet, "/admin/audit?entity=unit", nil)
	assert.Equal(t, 50, strings.Count(res.Body.String(), `data-testid="audit-row"`))
	next := nextRe.FindStringSubmatch(res.Body.String())
	require.NotNil(t, next)
	href := strings.ReplaceAll(next[1], "&amp;", "&")
	assert.Contains(t, href, "entity=unit")
	res = w.do(admin, http.MethodGet, href, nil)
	assert.Equal(t, 15, strings.Count(res.Body.String(), `data-testid="audit-row"`))
	assert.NotContains(t, res.Body.String(), `data-testid="audit-next"`)
}

func TestAPITokenRequired(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	call := func(auth string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/anything", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		return w.sendRequest(req)
	}
	res := call("")
	assert.Equal(t, http.StatusUnauthorized, res.Code)
	assert.Contains(t, res.Header().Get("WWW-Authenticate"), "Bearer")
	assert.Equal(t, "application/json", res.Header().Get("Content-Type"))
	cookies, _ := w.credentials(admin)
	assert.Equal(t, http.StatusUnauthorized, call("", cookies...).Code, "a session is not an API credential")
	assert.Equal(t, http.StatusUnauthorized, call("Bearer "+auth.NewAPIToken()).Code, "unknown token")
	assert.Equal(t, http.StatusUnauthorized, call("Basic "+w.apiToken).Code)
	assert.Equal(t, http.StatusNotFound, call("Bearer "+w.apiToken).Code, "a valid token passes (no such route yet)")
	require.NoError(t, w.db.RevokeAPIToken(bg, workplan.System("t"), "fixture"))
	assert.Equal(t, http.StatusUnauthorized, call("Bearer "+w.apiToken).Code, "revoked")
}
