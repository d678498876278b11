package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"duban/internal/server"
	"duban/web"
)

// TestFormsShowTheirLimits renders every page with a form, as every
// principal who may read it, and checks that each text field shows as its
// maxlength the limit the server enforces on the route the form posts to.
func TestFormsShowTheirLimits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	type page struct {
		as   who
		path string
	}
	var pages []page
	for _, r := range matrix {
		if r.method != http.MethodGet || strings.HasPrefix(r.pattern, "/api/") {
			continue
		}
		path := r.pattern
		if r.path != nil {
			path = r.path(w)
		}
		for p := anon; p < nPrincipals; p++ {
			if r.want[p] == http.StatusOK {
				pages = append(pages, page{p, path})
			}
		}
	}
	// The review and extension forms of an assignment awaiting both.
	pages = append(pages, page{staffOwn, "/assignments/" + id(w.plan.otherAsg.ID)}, page{supervisor, "/assignments/" + id(w.plan.otherAsg.ID)})
	checked := map[string]bool{}
	for _, pg := range pages {
		res := w.do(pg.as, http.MethodGet, pg.path, nil)
		require.Equal(t, http.StatusOK, res.Code, "%s as %s", pg.path, pg.as)
		if !strings.HasPrefix(res.Header().Get("Content-Type"), "text/html") {
			continue
		}
		doc, err := html.Parse(strings.NewReader(res.Body.String()))
		require.NoError(t, err)
		var walk func(n *html.Node, route string)
		walk = func(n *html.Node, route string) {
			if n.Type == html.ElementNode {
				switch n.Data {
				case "form":
					method := strings.ToUpper(attr(n, "method"))
					if method == "" {
						method = http.MethodGet
					}
					action := attr(n, "action")
					if action == "" {
						action = pg.path
					}
					u, err := url.Parse(action)
					require.NoError(t, err)
					rctx := chi.NewRouteContext()
					require.True(t, w.srv.Router().Match(rctx, method, u.Path), "%s: the form posts to a route (%s %s)", pg.path, method, u.Path)
					route = method + " " + rctx.RoutePattern()
				case "input", "textarea":
					typ := attr(n, "type")
					if n.Data == "textarea" || typ == "" || typ == "text" || typ == "search" || typ == "password" {
						name := attr(n, "name")
						want := server.FieldMax(route, name)
						assert.Equal(t, want, atoi(attr(n, "maxlength")), "%s as %s: field %q of %s shows the server's limit as maxlength", pg.path, pg.as, name, route)
						checked[route+" "+name] = true
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, route)
			}
		}
		walk(doc, "")
	}
	for _, f := range []string{"POST /assignments/{id}/report progress", "POST /admin/users display_name", "POST /admin/units name",
		"POST /plans/{slug}/tasks/{number}/comments text", "POST /reports/{id}/review reason", "POST /assignments/{id}/extension reason",
		"POST /login username", "POST /account/password current", "GET /plans/{slug}/tasks q", "POST /admin/plans/upload text"} {
		assert.True(t, checked[f], "the walk saw %s", f)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// TestFieldLabelsAreTranslated checks the label of every field limit in both
// languages: the messages that name a field use it.
func TestFieldLabelsAreTranslated(t *testing.T) {
	t.Parallel()
	zh, en := web.WithLang(context.Background(), web.LangZH), web.WithLang(context.Background(), web.LangEN)
	for _, key := range server.FieldLabels() {
		assert.NotEqual(t, key, web.T(zh, key), "%s has Chinese text", key)
		assert.NotEqual(t, web.T(zh, key), web.T(en, key), "%s has English text", key)
	}
}

// TestOverlongFieldsAreRefusedByName posts the probe's over-long values and
// checks the message names the field and its limit, and nothing is stored.
func TestOverlongFieldsAreRefusedByName(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	long := strings.Repeat("长", 1<<20/3)
	tests := []struct {
		as   who
		path string
		form url.Values
		want string
	}{
		{admin, "/admin/units", url.Values{"name": {long}, "kind": {"city_department"}}, "“单位名称(name)”不能超过 100 个字"},
		{admin, "/admin/users", url.Values{"username": {"x1"}, "display_name": {long}, "role": {"leader"}}, "“姓名(display_name)”不能超过 50 个字"},
		{admin, "/admin/users", url.Values{"username": {"x2"}, "display_name": {strings.Repeat("名", 51)}, "role": {"leader"}}, "不能超过 50 个字(现有 51 个)"},
		{leader, "/plans/fixture/tasks/1/comments", url.Values{"text": {strings.Repeat("批", 2001)}}, "“批示(text)”不能超过 2000 个字"},
		{staffOwn, "/assignments/" + id(w.plan.ownAsg.ID) + "/report", url.Values{"version": {"1"}, "percent": {"1"}, "progress": {long}}, "“进展(progress)”不能超过 5000 个字"},
		{supervisor, "/extensions/" + id(w.plan.extension.ID) + "/decide", url.Values{"decision": {"reject"}, "reason": {"a\x00b"}}, "“理由(reason)”含有空字符"},
		{supervisor, "/plans/fixture/tasks/1/comments", url.Values{"text": {"\xff"}}, "“批示(text)”含有无效的字符编码"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			before := w.count(`SELECT count(*) FROM audit_log`)
			res := w.do(tt.as, http.MethodPost, tt.path, tt.form)
			assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
			assert.Contains(t, res.Body.String(), tt.want)
			assert.Equal(t, before, w.count(`SELECT count(*) FROM audit_log`), "nothing written")
		})
	}
	// A text with many line breaks, which a browser counts as one character
	// each but sends as two, fits the limit the form shows.
	text := strings.Repeat("行\r\n", 999) + "行"
	res := w.do(leader, http.MethodPost, "/plans/fixture/tasks/1/comments", url.Values{"text": {text}})
	assert.Equal(t, http.StatusSeeOther, res.Code, "1999 characters with CR LF line breaks: %s", snippet(res.Body.String()))
}
