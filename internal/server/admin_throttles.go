package server

import (
	"net/http"
	"net/url"
	"strings"

	"duban/internal/postgres"
	"duban/internal/workplan"
	"duban/web"
)

// adminThrottles lists the accounts and client addresses whose failed
// password attempts now slow them down, each with a button to lift it.
func (s *Server) adminThrottles(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	now := s.now()
	list, err := s.store.Throttles(ctx, now, s.throttle)
	if err != nil {
		return err
	}
	m := web.ThrottlesPage{CSRF: csrfTokenOf(ctx), Lifted: r.URL.Query().Get("lifted")}
	for _, t := range list {
		row := web.ThrottleRow{Username: t.Username, Addr: t.Addr, Failures: t.Failures,
			LastFailure: t.LastFailure.In(shanghai).Format("2006-01-02 15:04:05"), Waiting: t.Until.After(now)}
		if row.Waiting {
			row.Until = t.Until.In(shanghai).Format("2006-01-02 15:04:05")
		}
		m.Rows = append(m.Rows, row)
	}
	s.render(w, r, http.StatusOK, web.T(ctx, "throttle.title"), "users", web.Throttles(m))
	return nil
}

// adminLiftThrottle lifts the throttle of one account (username) or one
// client address (addr): the failures counted so far no longer count. The
// store audits it.
func (s *Server) adminLiftThrottle(w http.ResponseWriter, r *http.Request) error {
	username := strings.TrimSpace(r.PostFormValue("username"))
	addr := strings.TrimSpace(r.PostFormValue("addr"))
	if addr != "" {
		a, ok := parseHost(addr)
		if !ok {
			return workplan.E(workplan.EInvalid, "throttle.bad_addr")
		}
		addr = a.String()
	}
	if username != "" {
		username = postgres.NormalizeUsername(username)
	}
	if err := s.store.LiftThrottle(r.Context(), s.actor(r), username, addr, s.now()); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/throttles?lifted="+url.QueryEscape(username+addr), http.StatusSeeOther)
	return nil
}
