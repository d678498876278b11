package server

import (
	"errors"
	"net/http"
	"time"

	"duban/internal/auth"
	"duban/internal/workplan"
	"duban/web"
)

// shanghai is the time zone every page shows times in.
var shanghai = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shanghai).Format("2006-01-02 15:04")
}

// passwordPage shows the form to change one's own password.
func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) error {
	u, _ := userOf(r.Context())
	s.renderPassword(w, r, http.StatusOK, web.PasswordPage{Forced: u.MustChangePassword, Done: r.URL.Query().Get("done") == "1"})
	return nil
}

func (s *Server) renderPassword(w http.ResponseWriter, r *http.Request, status int, m web.PasswordPage) {
	m.CSRF, m.MinLen, m.MaxLen = csrfTokenOf(r.Context()), auth.MinPasswordLen, auth.MaxPasswordLen
	s.render(w, r, status, web.T(r.Context(), "acct.password.title"), "account", web.PasswordForm(m))
}

// changePassword sets a new password after checking the current one. Other
// sessions of the user end; this one stays.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u, _ := userOf(ctx)
	current, next, confirm := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("confirm")
	m := web.PasswordPage{Forced: u.MustChangePassword}
	// Guessing the current password is throttled like signing in, and
	// counts against the same account and address.
	now := s.now()
	attempt, err := s.store.BeginPasswordCheck(ctx, s.actor(r), u.Username, clientIP(r), now, s.throttle)
	if until, throttled := throttledUntil(w, err, now); throttled {
		m.Error = web.T(ctx, "acct.password.throttled", until)
		s.renderPassword(w, r, http.StatusTooManyRequests, m)
		return nil
	}
	if err != nil {
		return err
	}
	hash, err := s.store.PasswordHash(ctx, u.ID)
	if err != nil {
		return err
	}
	ok, err := s.hasher.Verify(hash, current)
	if err != nil && !errors.Is(err, auth.ErrBadHash) {
		return err
	}
	if ok {
		err = s.store.PassPasswordCheck(ctx, attempt)
	} else {
		err = s.store.FailPasswordCheck(ctx, attempt, s.actor(r), u.Username, u.ID)
	}
	if err != nil {
		return err
	}
	switch {
	case !ok:
		m.Error = web.T(ctx, "acct.password.wrong_current")
	case next != confirm:
		m.Error = web.T(ctx, "acct.password.mismatch")
	case next == current:
		m.Error = web.T(ctx, "acct.password.unchanged")
	default:
		if perr := auth.CheckPassword(next, u.Username); perr != nil {
			m.Error = passwordPolicyMessage(r, perr)
		}
	}
	if m.Error != "" {
		s.renderPassword(w, r, http.StatusUnprocessableEntity, m)
		return nil
	}
	newHash, err := s.hasher.Hash(next)
	if err != nil {
		return err
	}
	if err := s.store.ChangePassword(ctx, s.actor(r), u.ID, newHash, sessionIDOf(ctx)); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/password?done=1", http.StatusSeeOther)
	return nil
}

// passwordPolicyMessage explains which rule of the policy a password broke.
func passwordPolicyMessage(r *http.Request, err error) string {
	ctx := r.Context()
	switch {
	case errors.Is(err, auth.ErrPasswordTooShort):
		return web.T(ctx, "acct.password.too_short", auth.MinPasswordLen)
	case errors.Is(err, auth.ErrPasswordTooLong):
		return web.T(ctx, "acct.password.too_long", auth.MaxPasswordLen)
	case errors.Is(err, auth.ErrPasswordCommon):
		return web.T(ctx, "acct.password.common")
	case errors.Is(err, auth.ErrPasswordIsUsername):
		return web.T(ctx, "acct.password.username")
	}
	return web.T(ctx, "acct.password.invalid")
}

// sessionsPage lists the user's own live sessions.
func (s *Server) sessionsPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u, _ := userOf(ctx)
	list, err := s.store.ListSessions(ctx, u.ID, s.now(), s.cfg.SessionIdle)
	if err != nil {
		return err
	}
	m := web.SessionsPage{CSRF: csrfTokenOf(ctx), Username: u.Username, Role: roleLabel(r, u.Role), Unit: u.UnitName}
	for _, se := range list {
		m.Sessions = append(m.Sessions, web.SessionRow{ID: se.ID, Created: fmtTime(se.CreatedAt), LastSeen: fmtTime(se.LastSeenAt),
			Expires: fmtTime(se.ExpiresAt), ClientAddr: se.ClientAddr, UserAgent: se.UserAgent, Current: se.ID == sessionIDOf(ctx)})
	}
	s.render(w, r, http.StatusOK, web.T(ctx, "acct.sessions.title"), "account", web.Sessions(m))
	return nil
}

// endSession ends one of the user's own sessions. The store scopes the
// update to the signed-in user, so another user's session is not found.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u, _ := userOf(ctx)
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.store.EndSession(ctx, s.actor(r), u.ID, id, "ended_by_user"); err != nil {
		return err
	}
	if id == sessionIDOf(ctx) {
		s.clearSessionCookie(w)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/account/sessions", http.StatusSeeOther)
	return nil
}

func roleLabel(r *http.Request, role workplan.UserRole) string {
	return web.T(r.Context(), "acct.role."+string(role))
}
