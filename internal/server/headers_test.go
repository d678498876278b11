package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"duban/internal/config"
	"duban/internal/server"
)

// assertSecurityHeaders checks the headers every response must carry.
// Static assets are cached; everything else is no-store.
func assertSecurityHeaders(t *testing.T, h http.Header, static bool, what string) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'self'", what)
	assert.Contains(t, csp, "frame-ancestors 'none'", what)
	assert.Contains(t, csp, "object-src 'none'", what)
	assert.Contains(t, csp, "form-action 'self'", what)
	assert.NotContains(t, csp, "unsafe-inline", what)
	assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), what)
	assert.Equal(t, "DENY", h.Get("X-Frame-Options"), what)
	assert.NotEmpty(t, h.Get("Referrer-Policy"), what)
	assert.NotEmpty(t, h.Get("X-Request-ID"), what)
	if static {
		assert.Contains(t, h.Get("Cache-Control"), "immutable", what)
	} else {
		assert.Equal(t, "no-store", h.Get("Cache-Control"), what)
	}
	for _, c := range (&http.Response{Header: h}).Cookies() {
		assert.True(t, c.HttpOnly, "%s: cookie %s is HttpOnly", what, c.Name)
		assert.Equal(t, http.SameSiteLaxMode, c.SameSite, "%s: cookie %s is SameSite=Lax", what, c.Name)
	}
}

// TestSecurityHeadersOnEveryRoute walks the router and requests every route,
// anonymously and as an administrator, plus the not-found and
// method-not-allowed answers, over plain HTTP and over HTTPS.
func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	paths := map[string]route{}
	for _, r := range matrix {
		paths[routeKey(r.method, r.pattern)] = r
	}
	for _, k := range walkRoutes(t, w) {
		r, ok := paths[k]
		if !ok {
			continue // TestPermissionMatrixCoversEveryRoute reports it
		}
		path := r.pattern
		if r.path != nil {
			path = r.path(w)
		}
		for _, p := range []who{anon, admin} {
			res := w.do(p, r.method, path, nil)
			assertSecurityHeaders(t, res.Header(), r.pattern == "/static/{name}", k+" as "+p.String())
			assert.Empty(t, res.Header().Get("Strict-Transport-Security"), "no HSTS over plain HTTP")
		}
	}
	for _, extra := range []struct{ method, path string }{{"GET", "/no/such/page"}, {"DELETE", "/login"}, {"GET", "/api/v1/anything"}} {
		res := w.do(admin, extra.method, extra.path, nil)
		assertSecurityHeaders(t, res.Header(), false, extra.method+" "+extra.path)
	}
}

// TestSecureCookiesAndHSTSOverHTTPS: with an https:// BASE_URL, cookies are
// Secure and __Host- prefixed, and HSTS is sent.
func TestSecureCookiesAndHSTSOverHTTPS(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(func(k string) string {
		if k == "BASE_URL" {
			return "https://duban.example.gov.cn"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	s := server.New(cfg, brokenStore{}, quietLog())
	res := get(t, s.Handler(), "/login")
	assert.Contains(t, res.Header().Get("Strict-Transport-Security"), "max-age=")
	cookies := res.Result().Cookies()
	if assert.NotEmpty(t, cookies) {
		for _, c := range cookies {
			assert.True(t, strings.HasPrefix(c.Name, "__Host-"), c.Name)
			assert.True(t, c.Secure, c.Name)
			assert.Equal(t, "/", c.Path)
			assert.Empty(t, c.Domain)
		}
	}
}
