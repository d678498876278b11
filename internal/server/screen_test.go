package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/config"
	"duban/internal/server"
	"duban/internal/workplan"
	"duban/seeds"
)

// screenToken creates a live screen token for the plan of slug ("" every
// plan) and returns it.
func (w *world) screenToken(name, slug string) string {
	w.t.Helper()
	tok := auth.NewScreenToken()
	_, err := w.db.CreateScreenToken(bg, workplan.System("test"), name, slug, auth.HashToken(tok))
	require.NoError(w.t, err)
	return tok
}

// useConfig serves the world with cfg from now on.
func (w *world) useConfig(cfg config.Config) {
	w.srv = server.New(cfg, w.db, quietLog(), server.WithClock(w.clock.Now), server.WithPasswordParams(auth.TestParams))
	w.h = w.srv.Handler()
}

// withScreenToken sends GET path carrying tok both ways a screen can: in
// the screen cookie and as a bearer token.
func (w *world) withScreenToken(path, tok string) *httptest.ResponseRecorder {
	w.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = "192.0.2.9:5555"
	req.AddCookie(&http.Cookie{Name: "duban_screen", Value: tok})
	req.Header.Set("Authorization", "Bearer "+tok)
	return w.sendRequest(req)
}

// TestScreen: leaders see the wall screen, which reloads itself (every
// SCREEN_REFRESH, 60 s by default), in a dark theme on request, without
// report text, evidence or people's names.
func TestScreen(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	path := "/plans/" + w.plan.slug + "/screen"
	res := w.do(leader, http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, res.Code, res.Body.String())
	body := res.Body.String()
	assert.Contains(t, body, `<meta http-equiv="refresh" content="60">`)
	assert.Contains(t, body, `data-testid="screen"`)
	assert.Contains(t, body, "平凉市测试工作方案")
	assert.NotContains(t, body, `class="screen dark"`)
	assert.NotContains(t, strings.ToLower(body), "<script")
	assert.NotContains(t, body, "<nav", "no navigation on a wall")
	for _, secret := range []string{"平台已上线", "已起草方案", "方案.txt", "用户 other", "用户 own", "需要联调"} {
		assert.NotContains(t, body, secret, "the screen shows no report text, evidence or people")
	}
	res = w.do(supervisor, http.MethodGet, path+"?theme=dark", nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, res.Body.String(), `class="screen dark"`)
	res = w.do(admin, http.MethodGet, path+"?refresh=off", nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.NotContains(t, res.Body.String(), `http-equiv="refresh"`, "paused")
	res = w.do(leader, http.MethodGet, path+"?lang=en", nil)
	assert.Contains(t, res.Body.String(), "Supervision wall screen")
	assert.Equal(t, http.StatusForbidden, w.do(staffOwn, http.MethodGet, path, nil).Code)
}

// TestScreenRefreshIsConfigured: SCREEN_REFRESH sets the reload interval.
func TestScreenRefreshIsConfigured(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfg := testConfig(t)
	cfg.ScreenRefresh = 5 * time.Minute
	w.useConfig(cfg)
	res := w.do(leader, http.MethodGet, "/plans/"+w.plan.slug+"/screen", nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, res.Body.String(), `<meta http-equiv="refresh" content="300">`)
}

// TestScreenToken: a screen token opens its plan's screen — by ?key=, which
// moves it into a cookie scoped to the screen, by that cookie, or as a
// bearer token — and nothing else: no other page, no API, no other plan's
// screen; a revoked token opens nothing.
func TestScreenToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	src, err := seeds.FS.ReadFile(seeds.DefaultPlan)
	require.NoError(t, err)
	_, err = w.db.Seed(bg, workplan.SeedInput{Slug: "plan-2023", SourceName: seeds.DefaultPlan, Source: src, Document: mustRead(src), Actor: workplan.System("test")})
	require.NoError(t, err)
	tok := w.screenToken("大屏", w.plan.slug)
	path := "/plans/" + w.plan.slug + "/screen"

	// ?key= keeps the token in the screen's cookie and drops it from the address.
	req := httptest.NewRequest(http.MethodGet, path+"?theme=dark&key="+tok, nil)
	res := w.sendRequest(req)
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	assert.Equal(t, path+"?theme=dark", res.Header().Get("Location"))
	var cookie *http.Cookie
	for _, c := range res.Result().Cookies() {
		if c.Name == "duban_screen" {
			cookie = c
		}
	}
	require.NotNil(t, cookie)
	assert.Equal(t, tok, cookie.Value)
	assert.Equal(t, path, cookie.Path, "sent to the screen only")
	assert.True(t, cookie.HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, cookie.SameSite)

	req = httptest.NewRequest(http.MethodGet, path+"?theme=dark", nil)
	req.AddCookie(cookie)
	res = w.sendRequest(req)
	require.Equal(t, http.StatusOK, res.Code, res.Body.String())
	assert.Contains(t, res.Body.String(), `class="screen dark"`)
	req = httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	assert.Equal(t, http.StatusOK, w.sendRequest(req).Code, "kiosk software may send it as a bearer token")

	// Nothing else opens with it: every other route of the matrix, and the API.
	for _, r := range matrix {
		if r.method != http.MethodGet || r.pattern == "/plans/{slug}/screen" || r.want[anon] != login && !strings.HasPrefix(r.pattern, "/api/") {
			continue
		}
		p := r.pattern
		if r.path != nil {
			p = r.path(w)
		}
		res := w.withScreenToken(p, tok)
		if strings.HasPrefix(r.pattern, "/api/") {
			assert.Equal(t, http.StatusUnauthorized, res.Code, "%s with a screen token", p)
			continue
		}
		assert.Equal(t, http.StatusSeeOther, res.Code, "%s with a screen token", p)
		assert.True(t, strings.HasPrefix(res.Header().Get("Location"), "/login"), "%s with a screen token: sent to sign in, got %q", p, res.Header().Get("Location"))
	}
	// … nor another plan's screen, nor a forged or revoked token.
	assert.Equal(t, http.StatusUnauthorized, w.withScreenToken("/plans/plan-2023/screen", tok).Code)
	assert.Equal(t, http.StatusUnauthorized, w.sendRequest(httptest.NewRequest(http.MethodGet, "/plans/plan-2023/screen?key="+tok, nil)).Code)
	assert.Equal(t, http.StatusOK, w.withScreenToken("/plans/plan-2023/screen", w.screenToken("全部", "")).Code, "a token without a plan opens every plan's")
	assert.Equal(t, http.StatusUnauthorized, w.withScreenToken(path, auth.NewScreenToken()).Code)
	assert.Equal(t, http.StatusUnauthorized, w.withScreenToken(path, w.apiToken).Code, "an API token is not a screen token")
	require.NoError(t, w.db.RevokeScreenToken(bg, workplan.System("test"), "大屏"))
	res = w.withScreenToken(path, tok)
	assert.Equal(t, http.StatusUnauthorized, res.Code, "revoked")
	assert.Contains(t, res.Header().Get("Set-Cookie"), "duban_screen=;", "the dead cookie is dropped")
	assert.Equal(t, 2, w.auditCount("screen_token.create"))
	assert.Equal(t, 1, w.auditCount("screen_token.revoke"))
}
