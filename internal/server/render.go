package server

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/a-h/templ"

	"duban/internal/workplan"
	"duban/web"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes body inside the layout with the given status. The page is
// rendered into a buffer first so that a template error never leaves half a
// page behind a 200 status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, title, nav string, body templ.Component) {
	p := s.pageMeta(r, title, nav)
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := web.Layout(p, body).Render(r.Context(), buf); err != nil {
		s.log.Error("render", "request_id", requestIDOf(r.Context()), "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// pageMeta builds the layout's view model for this request.
func (s *Server) pageMeta(r *http.Request, title, nav string) web.Page {
	ctx := r.Context()
	p := web.Page{Title: title, Nav: nav, Nonce: nonceOf(ctx), CSRF: csrfTokenOf(ctx)}
	if u, ok := userOf(ctx); ok {
		p.User = u.DisplayName
		p.Links = navLinks(ctx, u)
		s.headerCounts(ctx, u, &p)
	}
	other := web.LangEN
	if web.LangOf(ctx) == web.LangEN {
		other = web.LangZH
	}
	q := url.Values{}
	for k, v := range r.URL.Query() {
		if k != "lang" {
			q[k] = v
		}
	}
	q.Set("lang", string(other))
	// One leading slash: a path such as //evil.example/x must not become a
	// protocol-relative link to another site.
	p.LangSwitch = "/" + strings.TrimLeft(r.URL.EscapedPath(), "/\\") + "?" + q.Encode()
	return p
}

// navLinks are the navigation items u may follow. A user who must change a
// one-time password can follow none of them yet.
func navLinks(ctx context.Context, u workplan.User) []web.NavLink {
	if u.MustChangePassword {
		return nil
	}
	links := []web.NavLink{{Key: "home", Label: web.T(ctx, "nav.home"), Href: "/"}}
	if u.Role == workplan.UserStaff {
		links = append(links, web.NavLink{Key: "my", Label: web.T(ctx, "nav.my"), Href: "/my"})
	}
	links = append(links,
		web.NavLink{Key: "dashboard", Label: web.T(ctx, "nav.dashboard"), Href: "/dashboard"},
		web.NavLink{Key: "ledger", Label: web.T(ctx, "nav.ledger"), Href: "/ledger"},
		web.NavLink{Key: "indicators", Label: web.T(ctx, "nav.indicators"), Href: "/indicators"},
		web.NavLink{Key: "weekly", Label: web.T(ctx, "nav.weekly"), Href: "/weekly"},
		web.NavLink{Key: "ranking", Label: web.T(ctx, "nav.ranking"), Href: "/ranking"},
		web.NavLink{Key: "bulletins", Label: web.T(ctx, "nav.bulletins"), Href: "/bulletins"})
	if u.Role == workplan.UserStaff {
		links = append(links, web.NavLink{Key: "import", Label: web.T(ctx, "nav.import"), Href: "/import"})
	}
	if u.Role == workplan.UserStaff || u.Role == workplan.UserSupervisor {
		links = append(links, web.NavLink{Key: "review", Label: web.T(ctx, "nav.review"), Href: "/review"})
	}
	if u.Role == workplan.UserAdmin {
		links = append(links,
			web.NavLink{Key: "plans", Label: web.T(ctx, "nav.plans"), Href: "/admin/plans"},
			web.NavLink{Key: "users", Label: web.T(ctx, "acct.nav.users"), Href: "/admin/users"},
			web.NavLink{Key: "units", Label: web.T(ctx, "acct.nav.units"), Href: "/admin/units"},
			web.NavLink{Key: "audit", Label: web.T(ctx, "acct.nav.audit"), Href: "/admin/audit"},
			web.NavLink{Key: "deliveries", Label: web.T(ctx, "notify.deliveries"), Href: "/admin/deliveries"},
			web.NavLink{Key: "calendar", Label: web.T(ctx, "notify.calendar"), Href: "/admin/calendar"},
		)
	}
	links = append(links, web.NavLink{Key: "help", Label: web.T(ctx, "nav.help"), Href: "/help"})
	return append(links, web.NavLink{Key: "account", Label: web.T(ctx, "acct.nav.account"), Href: "/account/sessions"})
}
