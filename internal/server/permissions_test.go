package server_test

// The permission matrix: what every route answers to every kind of user.
//
// HOW TO ADD A ROUTE. TestPermissionMatrix walks the router (chi.Walk on
// Server.Router()) and fails for any route that has no row in `matrix`
// below, and for any row whose route no longer exists. When you add a route
// to routes.go, add one row:
//
//	{method: "POST", pattern: "/reports/{id}", path: ..., form: ...,
//	 want: [nPrincipals]int{anon: login, staffOwn: 303, staffOther: 404, leader: 403, supervisor: 403, admin: 403}},
//
//   - pattern is the route exactly as chi reports it (with {params}).
//   - path builds the concrete URL from the world's fixtures (harness_test.go:
//     add the fixtures your route needs there, owned by w.ownUnit, so that
//     "staff of the owning unit" and "staff of another unit" differ);
//     nil means the pattern itself.
//   - form builds the body of a state-changing request; the form token is
//     added for you, so the row tests authorisation, not CSRF.
//   - want is the status each principal must get. `login` means a 303 to
//     /login (anonymous visitors); 403 means refused by role; 404 means the
//     resource is not theirs (IDOR: not even its existence is revealed).
//   - Routes under /api/ also set token: the status with a valid bearer
//     token (every session principal there must get 401).
//
// Each state-changing row runs in its own fresh world (GET rows share one),
// principals in the order of runOrder: staff of the owning unit last, so
// that nobody else's request can pass merely because the owner already used
// the resource up.

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/web"
)

// login is the expectation "redirected to the sign-in page".
const login = -1

type route struct {
	method, pattern string
	path            func(w *world) string
	form            func(w *world) url.Values
	want            [nPrincipals]int
	// token is the status for a request with a valid API token (/api/ only).
	token int
	// isolated gives every principal a fresh world: for actions that only
	// one principal can take once (a review), so that the first to succeed
	// does not change what the next one meets.
	isolated bool
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// everyone lists the same status for every signed-in principal.
func everyone(status int) [nPrincipals]int {
	return [nPrincipals]int{anon: login, staffOwn: status, staffOther: status, leader: status, supervisor: status, admin: status}
}

// adminOnly: administrators get status, other users 403.
func adminOnly(status int) [nPrincipals]int {
	return [nPrincipals]int{anon: login, staffOwn: 403, staffOther: 403, leader: 403, supervisor: 403, admin: status}
}

// public: everybody gets status.
func public(status int) [nPrincipals]int {
	return [nPrincipals]int{status, status, status, status, status, status}
}

var matrix = []route{
	{method: "GET", pattern: "/livez", want: public(200)},
	{method: "GET", pattern: "/readyz", want: public(200)},
	{method: "GET", pattern: "/static/{name}", path: func(*world) string { return web.AssetPath("app.css") }, want: public(200)},
	{method: "GET", pattern: "/favicon.ico", want: public(301)},
	{method: "GET", pattern: "/login", want: [nPrincipals]int{anon: 200, staffOwn: 303, staffOther: 303, leader: 303, supervisor: 303, admin: 303}},
	{method: "POST", pattern: "/login", form: func(*world) url.Values {
		return url.Values{"username": {"target"}, "password": {testPassword}}
	}, want: public(303)},
	// Help is for everyone, signed in or not (the sign-in page links to it).
	{method: "GET", pattern: "/help", want: public(200)},
	// Staff land on their tasks, leaders and supervisors on the dashboard.
	{method: "GET", pattern: "/", want: [nPrincipals]int{anon: login, staffOwn: 303, staffOther: 303, leader: 303, supervisor: 303, admin: 200}},
	{method: "POST", pattern: "/logout", want: everyone(303)},
	{method: "GET", pattern: "/account/password", want: everyone(200)},
	{method: "POST", pattern: "/account/password", form: func(*world) url.Values {
		return url.Values{"current": {testPassword}, "new": {"a brand new passphrase"}, "confirm": {"a brand new passphrase"}}
	}, want: everyone(303)},
	{method: "GET", pattern: "/account/sessions", want: everyone(200)},
	// Notifications (issue 14): everyone has their own; one of staffOwn's
	// does not exist for anybody else.
	{method: "GET", pattern: "/notifications", want: everyone(200)},
	{method: "POST", pattern: "/notifications/read-all", want: everyone(303)},
	{method: "GET", pattern: "/notifications/{id}", path: func(w *world) string { return "/notifications/" + id(w.plan.notice) },
		want: [nPrincipals]int{anon: login, staffOwn: 303, staffOther: 404, leader: 404, supervisor: 404, admin: 404}},
	{method: "GET", pattern: "/account/notifications", want: everyone(200)},
	{method: "POST", pattern: "/account/notifications", form: func(*world) url.Values {
		return url.Values{"email": {"me@example.gov.cn"}, "on": {"reminder", "comment"}}
	}, want: everyone(303)},
	// 督办单: the supervision office issues, the unit answers, whoever reads
	// the assignment's reports reads (and prints) it.
	{method: "POST", pattern: "/assignments/{id}/orders", path: func(w *world) string { return "/assignments/" + id(w.plan.ownAsg.ID) + "/orders" },
		form: func(*world) url.Values {
			return url.Values{"reason": {"请说明进展"}, "reply_by": {"2024-03-20"}, "level": {"2"}}
		},
		want: [nPrincipals]int{anon: login, staffOwn: 403, staffOther: 403, leader: 403, supervisor: 303, admin: 403}},
	{method: "POST", pattern: "/orders/{id}/answer", path: func(w *world) string { return "/orders/" + id(w.plan.order.ID) + "/answer" },
		form: func(*world) url.Values { return url.Values{"answer": {"已部署,本周完成"}} },
		want: [nPrincipals]int{anon: login, staffOwn: 303, staffOther: 403, leader: 403, supervisor: 403, admin: 403}},
	{method: "GET", pattern: "/orders/{id}", path: func(w *world) string { return "/orders/" + id(w.plan.order.ID) },
		want: [nPrincipals]int{anon: login, staffOwn: 200, staffOther: 404, leader: 200, supervisor: 200, admin: 200}},
	{method: "GET", pattern: "/admin/users/{id}/notifications", path: func(w *world) string { return "/admin/users/" + id(w.target.ID) + "/notifications" },
		want: adminOnly(200)},
	{method: "POST", pattern: "/admin/users/{id}/notifications", path: func(w *world) string { return "/admin/users/" + id(w.target.ID) + "/notifications" },
		form: func(*world) url.Values { return url.Values{"email": {"head@example.gov.cn"}, "unit_head": {"1"}} }, want: adminOnly(303)},
	{method: "GET", pattern: "/admin/units/{id}/channels", path: func(w *world) string { return "/admin/units/" + id(w.ownUnit.ID) + "/channels" },
		want: adminOnly(200)},
	{method: "POST", pattern: "/admin/units/{id}/channels", path: func(w *world) string { return "/admin/units/" + id(w.ownUnit.ID) + "/channels" },
		form: func(*world) url.Values {
			return url.Values{"robot": {"wecom"}, "url": {"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test"}, "leader": {"0"}}
		}, want: adminOnly(303)},
	{method: "POST", pattern: "/admin/units/{id}/channels/test", path: func(w *world) string { return "/admin/units/" + id(w.ownUnit.ID) + "/channels/test" },
		want: adminOnly(303)},
	{method: "GET", pattern: "/admin/deliveries", want: adminOnly(200)},
	{method: "GET", pattern: "/admin/calendar", want: adminOnly(200)},
	{method: "POST", pattern: "/admin/calendar", form: func(*world) url.Values {
		return url.Values{"day": {"2024-03-02"}, "working": {"1"}, "note": {"调休"}}
	}, want: adminOnly(303)},
	// Only its owner can end a session; for everyone else it does not exist.
	{method: "POST", pattern: "/account/sessions/{id}/end", path: func(w *world) string {
		return "/account/sessions/" + id(w.spareSession) + "/end"
	}, want: [nPrincipals]int{anon: login, staffOwn: 303, staffOther: 404, leader: 404, supervisor: 404, admin: 404}},

	{method: "GET", pattern: "/admin/users", want: adminOnly(200)},
	{method: "GET", pattern: "/admin/users/new", want: adminOnly(200)},
	{method: "POST", pattern: "/admin/users", form: func(w *world) url.Values {
		return url.Values{"username": {"newbie"}, "display_name": {"新人"}, "unit_id": {id(w.ownUnit.ID)}, "role": {"staff"}}
	}, want: adminOnly(201)},
	{method: "GET", pattern: "/admin/users/{id}", path: func(w *world) string { return "/admin/users/" + id(w.target.ID) }, want: adminOnly(200)},
	{method: "POST", pattern: "/admin/users/{id}", path: func(w *world) string { return "/admin/users/" + id(w.target.ID) },
		form: func(w *world) url.Values {
			return url.Values{"version": {strconv.Itoa(w.target.Version)}, "display_name": {"改名"}, "unit_id": {id(w.otherUnt.ID)}, "role": {"supervisor"}}
		}, want: adminOnly(303)},
	{method: "POST", pattern: "/admin/users/{id}/disable", path: func(w *world) string { return "/admin/users/" + id(w.target.ID) + "/disable" },
		form: func(w *world) url.Values { return url.Values{"version": {strconv.Itoa(w.target.Version)}} }, want: adminOnly(303)},
	{method: "POST", pattern: "/admin/users/{id}/enable", path: func(w *world) string { return "/admin/users/" + id(w.target.ID) + "/enable" },
		form: func(w *world) url.Values { return url.Values{"version": {strconv.Itoa(w.target.Version)}} }, want: adminOnly(303)},
	{method: "POST", pattern: "/admin/users/{id}/password", path: func(w *world) string { return "/admin/users/" + id(w.target.ID) + "/password" },
		want: adminOnly(200)},
	{method: "GET", pattern: "/admin/units", want: adminOnly(200)},
	{method: "POST", pattern: "/admin/units", form: func(*world) url.Values {
		return url.Values{"name": {"市政务服务中心"}, "kind": {"city_department"}, "confirmed": {"1"}}
	}, want: adminOnly(303)},
	{method: "GET", pattern: "/admin/units/{id}", path: func(w *world) string { return "/admin/units/" + id(w.collective.ID) }, want: adminOnly(200)},
	{method: "POST", pattern: "/admin/units/{id}", path: func(w *world) string { return "/admin/units/" + id(w.ownUnit.ID) },
		form: func(w *world) url.Values {
			return url.Values{"version": {strconv.Itoa(w.ownUnit.Version)}, "name": {"平凉市大数据中心"}, "kind": {"city_department"}, "confirmed": {"1"}}
		}, want: adminOnly(303)},
	{method: "POST", pattern: "/admin/units/{id}/members", path: func(w *world) string { return "/admin/units/" + id(w.collective.ID) + "/members" },
		form: func(w *world) url.Values {
			return url.Values{"version": {strconv.Itoa(w.collective.Version)}, "member": {id(w.otherUnt.ID), id(w.ownUnit.ID)}}
		}, want: adminOnly(303)},
	{method: "GET", pattern: "/admin/audit", want: adminOnly(200)},
	{method: "GET", pattern: "/admin/throttles", want: adminOnly(200)},
	{method: "POST", pattern: "/admin/throttles/lift", form: func(*world) url.Values { return url.Values{"username": {"target"}} }, want: adminOnly(303)},
	{method: "GET", pattern: "/admin/plans", want: adminOnly(200)},
	{method: "POST", pattern: "/admin/plans/upload", form: func(*world) url.Values {
		return url.Values{"plan": {"fixture"}, "text": {fixturePlan}}
	}, want: adminOnly(303)},
	{method: "GET", pattern: "/admin/plans/uploads/{token}", path: func(w *world) string { return "/admin/plans/uploads/" + w.adminUpload() },
		want: [nPrincipals]int{anon: login, staffOwn: 403, staffOther: 403, leader: 403, supervisor: 403, admin: 200}},
	{method: "POST", pattern: "/admin/plans/uploads/{token}", path: func(w *world) string { return "/admin/plans/uploads/" + w.adminUpload() },
		form: func(*world) url.Values { return url.Values{"base_version": {"1"}} },
		want: [nPrincipals]int{anon: login, staffOwn: 403, staffOther: 403, leader: 403, supervisor: 403, admin: 200}},
	{method: "GET", pattern: "/admin/plans/{slug}/versions/{version}", path: func(*world) string { return "/admin/plans/fixture/versions/1" }, want: adminOnly(200)},

	// Supervision pages (plan fixtures in fixtures_test.go).
	{method: "GET", pattern: "/dashboard", want: everyone(303)},
	{method: "GET", pattern: "/ledger", want: everyone(303)},
	{method: "GET", pattern: "/plans/{slug}/dashboard", path: func(w *world) string { return "/plans/" + w.plan.slug + "/dashboard" }, want: everyone(200)},
	{method: "GET", pattern: "/plans/{slug}/tasks", path: func(w *world) string { return "/plans/" + w.plan.slug + "/tasks" }, want: everyone(200)},
	{method: "GET", pattern: "/plans/{slug}/tasks/{number}", path: func(w *world) string { return "/plans/" + w.plan.slug + "/tasks/1" }, want: everyone(200)},
	{method: "POST", pattern: "/plans/{slug}/tasks/{number}/comments", path: func(w *world) string { return "/plans/" + w.plan.slug + "/tasks/1/comments" },
		form: func(*world) url.Values { return url.Values{"text": {"请加快进度"}} },
		want: [nPrincipals]int{anon: login, staffOwn: 403, staffOther: 403, leader: 303, supervisor: 303, admin: 403}},
	// Mapping a designation on a task: the supervision office and administrators.
	{method: "GET", pattern: "/plans/{slug}/tasks/{number}/designations/{unit}",
		path: func(w *world) string {
			return "/plans/" + w.plan.slug + "/tasks/2/designations/" + id(w.designation.ID)
		},
		want: [nPrincipals]int{anon: login, staffOwn: 403, staffOther: 403, leader: 403, supervisor: 200, admin: 200}},
	{method: "POST", pattern: "/plans/{slug}/tasks/{number}/designations/{unit}",
		path: func(w *world) string {
			return "/plans/" + w.plan.slug + "/tasks/2/designations/" + id(w.designation.ID)
		},
		form: func(w *world) url.Values { return url.Values{"action": {"apply"}, "member": {id(w.otherUnt.ID)}} },
		want: [nPrincipals]int{anon: login, staffOwn: 403, staffOther: 403, leader: 403, supervisor: 303, admin: 303}},
	// An assignment's reports: its own unit, the lead unit of its task, and
	// everyone who is not staff.
	{method: "GET", pattern: "/assignments/{id}", path: func(w *world) string { return "/assignments/" + id(w.plan.ownAsg.ID) },
		want: [nPrincipals]int{anon: login, staffOwn: 200, staffOther: 403, leader: 200, supervisor: 200, admin: 200}},
	{method: "GET", pattern: "/evidence/{id}", path: func(w *world) string { return "/evidence/" + id(w.plan.evidence) },
		want: [nPrincipals]int{anon: login, staffOwn: 200, staffOther: 403, leader: 200, supervisor: 200, admin: 200}},
	// Only staff of the assignment's unit report on it.
	{method: "GET", pattern: "/assignments/{id}/report", path: func(w *world) string { return "/assignments/" + id(w.plan.ownAsg.ID) + "/report" },
		want: [nPrincipals]int{anon: login, staffOwn: 200, staffOther: 403, leader: 403, supervisor: 403, admin: 403}},
	{method: "POST", pattern: "/assignments/{id}/report", path: func(w *world) string { return "/assignments/" + id(w.plan.ownAsg.ID) + "/report" },
		form: func(w *world) url.Values {
			return url.Values{"version": {strconv.Itoa(w.version(w.plan.ownAsg.ID))}, "percent": {"50"}, "progress": {"过半"}}
		}, want: [nPrincipals]int{anon: login, staffOwn: 303, staffOther: 403, leader: 403, supervisor: 403, admin: 403}},
	{method: "POST", pattern: "/assignments/{id}/extension", path: func(w *world) string { return "/assignments/" + id(w.plan.ownAsg.ID) + "/extension" },
		form: func(*world) url.Values { return url.Values{"requested_due": {"2025-06-30"}, "reason": {"需延期"}} },
		want: [nPrincipals]int{anon: login, staffOwn: 303, staffOther: 403, leader: 403, supervisor: 403, admin: 403}},
	// Reviews: the lead unit of the task (staffOwn here) and supervisors; not
	// the unit that filed the report (staffOther).
	{method: "POST", pattern: "/reports/{id}/review", path: func(w *world) string { return "/reports/" + id(w.plan.claim.ID) + "/review" },
		form: func(w *world) url.Values {
			return url.Values{"version": {strconv.Itoa(w.version(w.plan.otherAsg.ID))}, "decision": {"accept"}}
		}, isolated: true, want: [nPrincipals]int{anon: login, staffOwn: 303, staffOther: 403, leader: 403, supervisor: 303, admin: 403}},
	{method: "POST", pattern: "/extensions/{id}/decide", path: func(w *world) string { return "/extensions/" + id(w.plan.extension.ID) + "/decide" },
		form:     func(*world) url.Values { return url.Values{"decision": {"approve"}} },
		isolated: true, want: [nPrincipals]int{anon: login, staffOwn: 403, staffOther: 403, leader: 403, supervisor: 303, admin: 403}},
	// The JSON API: bearer tokens only; a browser session is not enough.
	{method: "GET", pattern: "/api/v1/tasks", want: public(401), token: 200},
	{method: "GET", pattern: "/api/v1/tasks/{number}", path: func(*world) string { return "/api/v1/tasks/1" }, want: public(401), token: 200},
	{method: "GET", pattern: "/api/v1/ranking", want: public(401), token: 200},
	{method: "GET", pattern: "/api/v1/indicators", path: func(w *world) string { return "/api/v1/indicators?plan=" + w.plan.slug }, want: public(401), token: 200},
	// The indicator board (日监测, indicators_test.go): everyone signed in
	// reads it; administrators set how an indicator's unit values combine.
	{method: "GET", pattern: "/indicators", want: everyone(303)},
	{method: "GET", pattern: "/plans/{slug}/indicators", path: func(w *world) string { return "/plans/" + w.plan.slug + "/indicators" }, want: everyone(200)},
	{method: "GET", pattern: "/plans/{slug}/indicators/{id}", path: func(w *world) string {
		return "/plans/" + w.plan.slug + "/indicators/" + id(w.indicator())
	}, want: everyone(200)},
	{method: "POST", pattern: "/plans/{slug}/indicators/{id}/rule", path: func(w *world) string {
		return "/plans/" + w.plan.slug + "/indicators/" + id(w.indicator()) + "/rule"
	}, form: func(*world) url.Values { return url.Values{"combine": {"each"}} }, want: adminOnly(303)},
	// The wall screen: leaders, supervisors and administrators (or a screen
	// token, screen_test.go); staff read the dashboard instead.
	{method: "GET", pattern: "/plans/{slug}/screen", path: func(w *world) string { return "/plans/" + w.plan.slug + "/screen" },
		want: [nPrincipals]int{anon: login, staffOwn: 403, staffOther: 403, leader: 200, supervisor: 200, admin: 200}},
	{method: "GET", pattern: "/my", want: [nPrincipals]int{anon: login, staffOwn: 200, staffOther: 200, leader: 403, supervisor: 403, admin: 403}},
	{method: "GET", pattern: "/review", want: [nPrincipals]int{anon: login, staffOwn: 200, staffOther: 200, leader: 403, supervisor: 200, admin: 403}},
	// Supervision outputs (outputs_test.go): everyone signed in reads them;
	// supervisors preview and publish bulletins; staff import their own
	// unit's progress, and another user's upload does not exist for them.
	{method: "GET", pattern: "/weekly", want: everyone(303)},
	{method: "GET", pattern: "/ranking", want: everyone(303)},
	{method: "GET", pattern: "/bulletins", want: everyone(303)},
	{method: "GET", pattern: "/import", want: [nPrincipals]int{anon: login, staffOwn: 303, staffOther: 303, leader: 403, supervisor: 403, admin: 403}},
	{method: "GET", pattern: "/plans/{slug}/weekly", path: func(w *world) string { return "/plans/" + w.plan.slug + "/weekly" }, want: everyone(200)},
	{method: "GET", pattern: "/plans/{slug}/ranking", path: func(w *world) string { return "/plans/" + w.plan.slug + "/ranking" }, want: everyone(200)},
	{method: "GET", pattern: "/plans/{slug}/bulletins", path: func(w *world) string { return "/plans/" + w.plan.slug + "/bulletins" }, want: everyone(200)},
	{method: "GET", pattern: "/plans/{slug}/bulletins/preview", path: func(w *world) string {
		return "/plans/" + w.plan.slug + "/bulletins/preview?start=2024-02-01&end=2024-02-29"
	}, want: [nPrincipals]int{anon: login, staffOwn: 403, staffOther: 403, leader: 403, supervisor: 200, admin: 403}},
	{method: "POST", pattern: "/plans/{slug}/bulletins", path: func(w *world) string { return "/plans/" + w.plan.slug + "/bulletins" },
		form: func(*world) url.Values { return url.Values{"start": {"2024-02-01"}, "end": {"2024-02-29"}} },
		want: [nPrincipals]int{anon: login, staffOwn: 403, staffOther: 403, leader: 403, supervisor: 303, admin: 403}},
	{method: "GET", pattern: "/bulletins/{id}", path: func(w *world) string { return "/bulletins/" + id(w.outputs().bulletin) }, want: everyone(200)},
	{method: "GET", pattern: "/bulletins/{id}.docx", path: func(w *world) string { return "/bulletins/" + id(w.outputs().bulletin) + ".docx" }, want: everyone(200)},
	{method: "GET", pattern: "/plans/{slug}/tasks.xlsx", path: func(w *world) string { return "/plans/" + w.plan.slug + "/tasks.xlsx" }, want: everyone(200)},
	{method: "GET", pattern: "/plans/{slug}/tasks.csv", path: func(w *world) string { return "/plans/" + w.plan.slug + "/tasks.csv" }, want: everyone(200)},
	{method: "GET", pattern: "/plans/{slug}/import/", path: func(w *world) string { return "/plans/" + w.plan.slug + "/import" },
		want: [nPrincipals]int{anon: login, staffOwn: 200, staffOther: 200, leader: 403, supervisor: 403, admin: 403}},
	// A post without a sheet is refused with the form again.
	{method: "POST", pattern: "/plans/{slug}/import/", path: func(w *world) string { return "/plans/" + w.plan.slug + "/import" },
		want: [nPrincipals]int{anon: login, staffOwn: 422, staffOther: 422, leader: 403, supervisor: 403, admin: 403}},
	{method: "GET", pattern: "/plans/{slug}/import/{token}", path: func(w *world) string { return "/plans/" + w.plan.slug + "/import/" + w.outputs().token },
		want: [nPrincipals]int{anon: login, staffOwn: 200, staffOther: 404, leader: 403, supervisor: 403, admin: 403}},
	{method: "POST", pattern: "/plans/{slug}/import/{token}", path: func(w *world) string { return "/plans/" + w.plan.slug + "/import/" + w.outputs().token },
		want: [nPrincipals]int{anon: login, staffOwn: 303, staffOther: 404, leader: 403, supervisor: 403, admin: 403}},
}

// runOrder puts the owner last (see the comment at the top).
var runOrder = []who{anon, staffOther, leader, supervisor, admin, staffOwn}

func routeKey(method, pattern string) string { return method + " " + pattern }

// walkRoutes lists every route of the server as "METHOD pattern".
func walkRoutes(t *testing.T, w *world) []string {
	t.Helper()
	var keys []string
	err := chi.Walk(w.srv.Router(), func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		keys = append(keys, routeKey(method, pattern))
		return nil
	})
	require.NoError(t, err)
	sort.Strings(keys)
	return keys
}

// TestPermissionMatrixCoversEveryRoute fails for a route without a row, and
// for a row without a route.
func TestPermissionMatrixCoversEveryRoute(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rows := map[string]bool{}
	for _, r := range matrix {
		k := routeKey(r.method, r.pattern)
		require.False(t, rows[k], "two rows for %s", k)
		rows[k] = true
		if strings.HasPrefix(r.pattern, "/api/") {
			assert.NotZero(t, r.token, "%s: API rows give the status with a token", k)
		}
	}
	routes := walkRoutes(t, w)
	for _, k := range routes {
		assert.True(t, rows[k], "route %s has no row in the permission matrix (permissions_test.go): add one", k)
	}
	have := map[string]bool{}
	for _, k := range routes {
		have[k] = true
	}
	for k := range rows {
		assert.True(t, have[k], "the permission matrix has a row for %s, which is not a route", k)
	}
}

// TestPermissionMatrix sends every route as every principal and checks the
// status, and that every response carries the security headers.
func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	// Reads change nothing, so they share one world; every other row gets
	// its own.
	reads := newWorld(t)
	for _, r := range matrix {
		t.Run(routeKey(r.method, r.pattern), func(t *testing.T) {
			t.Parallel()
			w := reads
			if r.method != http.MethodGet {
				w = newWorld(t)
			}
			path := r.pattern
			if r.path != nil {
				path = r.path(w)
			}
			var form url.Values
			if r.form != nil {
				form = r.form(w)
			}
			for _, p := range runOrder {
				if r.isolated {
					w = newWorld(t)
					path, form = r.pattern, nil
					if r.path != nil {
						path = r.path(w)
					}
					if r.form != nil {
						form = r.form(w)
					}
				}
				res := w.do(p, r.method, path, form)
				assertSecurityHeaders(t, res.Header(), r.pattern == "/static/{name}", fmt.Sprintf("%s %s as %s", r.method, path, p))
				want := r.want[p]
				if want == login {
					if assert.Equal(t, http.StatusSeeOther, res.Code, "%s %s as %s: redirected to sign in", r.method, path, p) {
						assert.True(t, strings.HasPrefix(res.Header().Get("Location"), "/login"), "%s as %s: to /login, got %q", path, p, res.Header().Get("Location"))
					}
					continue
				}
				assert.Equal(t, want, res.Code, "%s %s as %s", r.method, path, p)
				if want == http.StatusSeeOther {
					assert.False(t, strings.HasPrefix(res.Header().Get("Location"), "/login?"), "%s as %s: not sent to sign in", path, p)
				}
			}
			if strings.HasPrefix(r.pattern, "/api/") {
				req, _ := http.NewRequest(r.method, path, nil)
				req.Header.Set("Authorization", "Bearer "+w.apiToken)
				res := w.sendRequest(req)
				assert.Equal(t, r.token, res.Code, "%s %s with an API token", r.method, path)
			}
		})
	}
}
