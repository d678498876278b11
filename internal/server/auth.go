package server

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"duban/internal/auth"
	"duban/internal/postgres"
	"duban/internal/workplan"
	"duban/web"
)

const (
	keyPrincipal ctxKey = iota + 100
	keyToken
)

// principal is the signed-in user of a request and their session.
type principal struct {
	user      workplan.User
	sessionID int64
	csrf      string
}

func principalOf(ctx context.Context) (principal, bool) {
	p, ok := ctx.Value(keyPrincipal).(principal)
	return p, ok
}

// userOf returns the signed-in user of the request, from the session. A
// user's unit and role come from here, never from a form field.
func userOf(ctx context.Context) (workplan.User, bool) {
	p, ok := principalOf(ctx)
	return p.user, ok
}

// sessionIDOf returns the ID of the request's session, or 0.
func sessionIDOf(ctx context.Context) int64 {
	p, _ := principalOf(ctx)
	return p.sessionID
}

// csrfTokenOf returns the form token every state-changing form must carry
// in a hidden field named "csrf" (the layout's sign-out form does). It is
// the session's token for signed-in users and the pre-session cookie's
// token on the sign-in page, masked afresh at each call (auth.MaskToken), so
// that compressed pages do not repeat it.
//
// In a context made by viewerFree it is formTokenHole: the place where
// each reader's own token goes when a body rendered once is served.
func csrfTokenOf(ctx context.Context) string {
	if ctx.Value(keyTokenHole) != nil {
		return string(formTokenHole)
	}
	if p, ok := principalOf(ctx); ok {
		return auth.MaskToken(p.csrf)
	}
	t, _ := ctx.Value(keyAnonCSRF).(string)
	if t == "" {
		return ""
	}
	return auth.MaskToken(t)
}

// actor returns who performs the request, for the audit trail: the
// signed-in user (or nobody), with the request ID and client address.
func (s *Server) actor(r *http.Request) workplan.Actor {
	u, _ := userOf(r.Context())
	return workplan.ActorOf(u, requestIDOf(r.Context()), clientIP(r))
}

// sessionCookie is the session cookie's name: with the __Host- prefix over
// HTTPS, which pins it to this host, path / and Secure.
func (s *Server) sessionCookie() string {
	if s.cfg.Secure() {
		return "__Host-duban_session"
	}
	return "duban_session"
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookie(), Value: token, Path: "/", HttpOnly: true,
		Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookie(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
}

// session loads the signed-in user from the session cookie. Sessions past
// their idle or absolute timeout are ended here, on their next use; the
// last use is written at most once a minute.
func (s *Server) session(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(s.sessionCookie())
		if err != nil || !auth.LooksLikeToken(c.Value) {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		hash := auth.HashToken(c.Value)
		key := string(hash)
		sess, cached := s.sessions.get(key)
		now := s.now()
		reason := ""
		for {
			if !cached {
				seen := s.sessions.mark()
				var err error
				sess, err = s.store.SessionByToken(ctx, hash)
				if errors.Is(err, workplan.ErrNotFound) {
					s.clearSessionCookie(w)
					next.ServeHTTP(w, r)
					return
				}
				if err != nil {
					s.renderError(w, r, err)
					return
				}
				s.sessions.put(key, sess, seen)
			}
			switch {
			case !now.Before(sess.ExpiresAt):
				reason = "expired"
			case now.Sub(sess.LastSeenAt) > s.cfg.SessionIdle:
				reason = "idle"
			}
			if reason == "" || !cached {
				break
			}
			// Another replica may have seen the session used since it was
			// cached here: ask the database before ending it.
			s.sessions.forget(key)
			cached, reason = false, ""
		}
		if reason != "" {
			actor := workplan.ActorOf(sess.User, requestIDOf(ctx), clientIP(r))
			if err := s.store.EndSession(ctx, actor, sess.User.ID, sess.ID, reason); err != nil && !errors.Is(err, workplan.ErrNotFound) {
				s.renderError(w, r, err)
				return
			}
			s.clearSessionCookie(w)
			next.ServeHTTP(w, r)
			return
		}
		if now.Sub(sess.LastSeenAt) > time.Minute {
			if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
				s.renderError(w, r, err)
				return
			}
			s.sessions.touched(key, now)
		}
		p := principal{user: sess.User, sessionID: sess.ID, csrf: auth.CSRFToken(c.Value)}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, keyPrincipal, p)))
	})
}

// requireUser lets signed-in users through. Others are sent to the sign-in
// page, which brings them back afterwards (GET only). A user with a
// one-time password reaches nothing but the password page and sign-out.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := userOf(r.Context())
		if !ok {
			target := "/login"
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				if next := r.URL.RequestURI(); next != "/" {
					target += "?next=" + url.QueryEscape(next)
				}
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		if u.MustChangePassword && r.URL.Path != "/account/password" && r.URL.Path != "/logout" {
			http.Redirect(w, r, "/account/password", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireRole lets through only signed-in users with one of roles; others
// get 403. Use it after requireUser.
func (s *Server) requireRole(roles ...workplan.UserRole) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, ok := userOf(r.Context())
			if !ok || !slices.Contains(roles, u.Role) {
				s.renderError(w, r, workplan.ErrForbidden)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// localPath returns next if it is a path on this site, else "/": the
// sign-in page must not become an open redirect.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	return next
}

// loginPage shows the sign-in form; signed-in users go on to next.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"))
	if _, ok := userOf(r.Context()); ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	s.renderLogin(w, r, http.StatusOK, web.LoginPage{Next: next})
	return nil
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, m web.LoginPage) {
	r = s.withAnonCSRF(w, r)
	m.CSRF = csrfTokenOf(r.Context())
	m.Contact = s.helpContact(r.Context())
	s.render(w, r, status, web.T(r.Context(), "acct.login.title"), "login", web.Login(m))
}

// login checks a username and password. Every failure gives the same
// message and costs about the same time, whether the user exists or not;
// the throttle is applied before the password is looked at.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	username := strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	m := web.LoginPage{Username: username, Next: localPath(r.PostFormValue("next"))}
	addr := clientIP(r)
	anon := workplan.Actor{Name: username, RequestID: requestIDOf(ctx), ClientAddr: addr}
	if username == "" || password == "" || len(username) > 200 || len(password) > 4*auth.MaxPasswordLen {
		m.Error = web.T(ctx, "acct.login.failed")
		s.renderLogin(w, r, http.StatusUnauthorized, m)
		return nil
	}
	now := s.now()
	attempt, err := s.store.BeginLogin(ctx, anon, username, addr, now, s.throttle)
	if until, ok := throttledUntil(w, err, now); ok {
		m.Error = web.T(ctx, "acct.login.throttled_until", until)
		s.renderLogin(w, r, http.StatusTooManyRequests, m)
		return nil
	}
	if err != nil {
		return err
	}
	u, hash, err := s.store.UserCredentials(ctx, username)
	reason := ""
	switch {
	case errors.Is(err, workplan.ErrNotFound):
		s.hasher.VerifyDummy(password)
		reason = "unknown_user"
	case err != nil:
		return err
	default:
		ok, verr := s.hasher.Verify(hash, password)
		switch {
		case verr != nil:
			s.log.Error("stored password hash is malformed", "user_id", u.ID, "err", verr)
			reason = "bad_hash"
		case !ok:
			reason = "bad_password"
		case u.Disabled:
			reason = "disabled"
		}
	}
	if reason != "" {
		if err := s.store.FailLogin(ctx, attempt, anon, username, u.ID, reason); err != nil {
			return err
		}
		m.Error = web.T(ctx, "acct.login.failed")
		s.renderLogin(w, r, http.StatusUnauthorized, m)
		return nil
	}
	if s.hasher.NeedsRehash(hash) {
		if newHash, err := s.hasher.Hash(password); err == nil {
			if err := s.store.RehashPassword(ctx, u.ID, hash, newHash); err != nil {
				s.log.Warn("rehash password", "user_id", u.ID, "err", err)
			}
		}
	}
	// A new token at every sign-in: a token planted before sign-in is useless.
	token := auth.NewToken()
	ns := workplan.NewSession{TokenHash: auth.HashToken(token), Now: now, ExpiresAt: now.Add(s.cfg.SessionAbsolute),
		ClientAddr: addr, UserAgent: r.UserAgent()}
	if _, err := s.store.FinishLogin(ctx, attempt, u, ns, workplan.ActorOf(u, requestIDOf(ctx), addr)); err != nil {
		return err
	}
	if old, ok := principalOf(ctx); ok {
		// Signing in again from a signed-in browser ends the old session.
		_ = s.store.EndSession(ctx, s.actor(r), old.user.ID, old.sessionID, "logout")
	}
	s.setSessionCookie(w, token)
	s.clearAnonCSRF(w)
	dest := m.Next
	if u.MustChangePassword {
		dest = "/account/password"
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
	return nil
}

// throttledUntil reports whether err refuses a password attempt for now;
// then it sets Retry-After and returns when the user may try again, as the
// messages show it.
func throttledUntil(w http.ResponseWriter, err error, now time.Time) (string, bool) {
	var te *workplan.ThrottledError
	if !errors.As(err, &te) {
		return "", false
	}
	secs := int(math.Ceil(te.Until.Sub(now).Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	return te.Until.In(shanghai).Format("2006-01-02 15:04:05"), true
}

// logout ends the session on the server and drops the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	p, _ := principalOf(r.Context())
	if err := s.store.EndSession(r.Context(), s.actor(r), p.user.ID, p.sessionID, "logout"); err != nil && !errors.Is(err, workplan.ErrNotFound) {
		return err
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// tokenOf returns the API token of a request under /api/v1.
func tokenOf(ctx context.Context) (workplan.APIToken, bool) {
	t, ok := ctx.Value(keyToken).(workplan.APIToken)
	return t, ok
}

// requireToken lets through requests carrying a live API token in
// "Authorization: Bearer …"; others get 401 with a JSON body.
func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || !auth.LooksLikeToken(strings.TrimSpace(tok)) || !strings.HasPrefix(tok, auth.APITokenPrefix) {
			s.unauthorizedAPI(w, r)
			return
		}
		now := s.now()
		t, err := s.store.APITokenByHash(r.Context(), auth.HashToken(strings.TrimSpace(tok)), now)
		if errors.Is(err, workplan.ErrNotFound) {
			s.unauthorizedAPI(w, r)
			return
		}
		if errors.Is(err, postgres.ErrTokenExpired) && t.ExpiresAt != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="duban", error="invalid_token"`)
			s.renderError(w, r, workplan.E(workplan.EUnauthorized, "api.token_expired", t.ExpiresAt.In(shanghai).Format("2006-01-02 15:04")))
			return
		}
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		limit := s.cfg.APIRateLimit
		if t.RatePerMinute != nil {
			limit = *t.RatePerMinute
		}
		if limit > 0 {
			ok, left, wait := s.apiLimits.allow(t.ID, limit, now)
			h := w.Header()
			h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
			h.Set("X-RateLimit-Remaining", strconv.Itoa(left))
			if !ok {
				h.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
				s.renderError(w, r, workplan.E(workplan.ETooMany, "api.rate_limited", limit))
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyToken, t)))
	})
}

var errNoToken = workplan.E(workplan.EUnauthorized, "err.api.no_token")

func (s *Server) unauthorizedAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="duban"`)
	s.renderError(w, r, errNoToken)
}
