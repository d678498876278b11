package server

import (
	"context"
	"net/http"
	"net/url"

	"duban/internal/auth"
	"duban/internal/workplan"
)

// Two defences against cross-site request forgery, each enough on its own
// in the browsers we know, kept both because each covers a gap of the other:
//
//   - crossOrigin (Go's http.CrossOriginProtection) refuses state-changing
//     requests that browsers mark as cross-site (Sec-Fetch-Site, or Origin
//     against Host). It needs no state but trusts the browser's headers;
//     old browsers send neither header and pass.
//   - checkCSRF requires a per-session form token (hidden field "csrf", or
//     the X-CSRF-Token header) on every state-changing request. It does not
//     depend on browser headers, and it also protects from a same-site
//     attacker (another application on a sibling host), which Sec-Fetch-Site
//     "same-site" would let through.
//
// The session cookie is also SameSite=Lax.

const keyAnonCSRF ctxKey = 200

// crossOrigin applies http.CrossOriginProtection to every route.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	if s.cfg.BaseURL != "" {
		if u, err := url.Parse(s.cfg.BaseURL); err == nil {
			_ = cop.AddTrustedOrigin(u.Scheme + "://" + u.Host)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, errCrossOrigin)
	}))
	return cop.Handler(next)
}

var (
	errCrossOrigin = workplan.E(workplan.EForbidden, "err.csrf.cross_origin")
	errCSRF        = workplan.E(workplan.EForbidden, "err.csrf.token")
)

// anonCSRFCookie holds the form token of visitors without a session (the
// sign-in form): a double-submit cookie, so that nobody can sign a victim
// into the attacker's account (login CSRF).
func (s *Server) anonCSRFCookie() string {
	if s.cfg.Secure() {
		return "__Host-duban_csrf"
	}
	return "duban_csrf"
}

// withAnonCSRF makes sure a visitor without a session has a pre-session
// form token, setting its cookie if needed, and returns r carrying it.
func (s *Server) withAnonCSRF(w http.ResponseWriter, r *http.Request) *http.Request {
	if _, ok := principalOf(r.Context()); ok {
		return r
	}
	tok := ""
	if c, err := r.Cookie(s.anonCSRFCookie()); err == nil && auth.LooksLikeToken(c.Value) {
		tok = c.Value
	} else {
		tok = auth.NewToken()
		http.SetCookie(w, &http.Cookie{Name: s.anonCSRFCookie(), Value: tok, Path: "/", HttpOnly: true,
			Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
	}
	return r.WithContext(context.WithValue(r.Context(), keyAnonCSRF, tok))
}

func (s *Server) clearAnonCSRF(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.anonCSRFCookie(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
}

// checkCSRF requires the form token on every request that is not GET, HEAD
// or OPTIONS. Use it after session; readBody has read the form.
func (s *Server) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		var want string
		if p, ok := principalOf(r.Context()); ok {
			want = p.csrf
		} else if c, err := r.Cookie(s.anonCSRFCookie()); err == nil {
			want = c.Value
			r = r.WithContext(context.WithValue(r.Context(), keyAnonCSRF, want))
		}
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
			got = r.PostFormValue("csrf")
		}
		if !auth.EqualTokens(auth.UnmaskToken(got), want) {
			s.renderError(w, r, errCSRF)
			return
		}
		next.ServeHTTP(w, r)
	})
}
