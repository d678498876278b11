package server

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"duban/internal/auth"
	"duban/internal/planparse"
	"duban/internal/workplan"
	"duban/web"
)

// Input is refused before it reaches a handler, let alone PostgreSQL, when
// it could not be stored or looked up as it is: PostgreSQL refuses NUL
// characters and invalid UTF-8 in text and numbers outside its column types,
// and a value far longer than any field takes is a mistake or an attack.
// Three checks, each with a message naming what is wrong:
//
//   - checkURL (middleware, before routing): the path and the query string
//     must decode to UTF-8 without NUL or control characters;
//   - checkParams (in h, once the route is known): every path parameter must
//     have its shape (ids and numbers within their column types, slugs,
//     upload tokens), else the page is not found;
//   - checkFields (in h): every query parameter and form field must be text
//     PostgreSQL can store, within its field's limit (fieldRules), which the
//     forms show as maxlength.

// maxPathBytes bounds the path of a request; no page has a longer one.
const maxPathBytes = 1024

// checkURL refuses paths and query strings that do not decode to clean
// UTF-8 text.
func (s *Server) checkURL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.Path) > maxPathBytes || !cleanText(r.URL.Path, false) {
			s.renderError(w, r, workplan.E(workplan.EInvalid, "input.bad_path"))
			return
		}
		if r.URL.RawQuery != "" {
			if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
				s.renderError(w, r, workplan.E(workplan.EInvalid, "input.bad_query"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// cleanText reports whether s is valid UTF-8 without NUL and, unless
// multiline, without any control character; multiline text may hold tabs
// and line breaks.
func cleanText(s string, multiline bool) bool {
	for _, c := range s {
		switch {
		case c == utf8.RuneError:
			if !utf8.ValidString(s) {
				return false
			}
		case c == 0:
			return false
		case unicode.IsControl(c) && !(multiline && (c == '\t' || c == '\n' || c == '\r')):
			return false
		}
	}
	return true
}

// fieldRule is the longest value of a field, in characters, and the message
// key of the field's label.
type fieldRule struct {
	max   int
	label string
	// multiline fields (text areas) may hold tabs and line breaks.
	multiline bool
}

// defaultFieldMax bounds the fields no rule names: ids, dates, choices,
// hidden fields.
const defaultFieldMax = 200

// fieldRules are the limits of the fields of every form and query string,
// by name; routeFieldRules override them on one route. Templates show each
// limit as the field's maxlength (TestFormsShowTheirLimits keeps them in
// step).
var fieldRules = map[string]fieldRule{
	"progress":     {workplan.MaxReportText, "report.progress", true},
	"problems":     {workplan.MaxReportText, "report.problems", true},
	"next_steps":   {workplan.MaxReportText, "report.next", true},
	"reason":       {workplan.MaxReasonText, "field.reason", true},
	"text":         {workplan.MaxCommentText, "field.comment", true},
	"display_name": {workplan.MaxDisplayName, "acct.users.name", false},
	"name":         {workplan.MaxUnitName, "field.unit_name", false},
	"short":        {workplan.MaxShortName, "acct.units.short", false},
	"username":     {workplan.MaxUsername, "acct.users.username", false},
	"password":     {auth.MaxPasswordLen, "acct.login.password", false},
	"current":      {auth.MaxPasswordLen, "acct.password.current", false},
	"new":          {auth.MaxPasswordLen, "acct.password.new", false},
	"confirm":      {auth.MaxPasswordLen, "acct.password.confirm", false},
	"new_slug":     {maxSlug, "field.new_slug", false},
	"plan":         {maxSlug, "field.plan", false},
	"q":            {maxSearch, "field.search", false},
	"actor":        {maxSearch, "acct.audit.actor", false},
	"next":         {maxPathBytes, "field.next", false},
}

// routeFieldRules override fieldRules on one route ("METHOD pattern").
var routeFieldRules = map[string]map[string]fieldRule{
	// The text of a plan pasted into the upload form.
	"POST /admin/plans/upload": {"text": {planparse.MaxSize, "field.plan_text", true}},
	// 催办 (issue 14): a 督办单's answer, a robot's webhook and secret, an
	// email address, a calendar day's note.
	"POST /orders/{id}/answer":             {"answer": {5000, "order.answer", true}},
	"POST /admin/units/{id}/channels":      {"url": {1000, "notify.robot.url", false}, "secret": {200, "notify.robot.secret", false}},
	"POST /account/notifications":          {"email": {254, "notify.email", false}},
	"POST /admin/users/{id}/notifications": {"email": {254, "notify.email", false}},
	"POST /admin/calendar":                 {"note": {100, "notify.calendar.note", false}},
}

// maxSlug bounds a plan's slug (slugRe); maxSearch the search words of the
// ledger and the audit trail.
const (
	maxSlug   = 60
	maxSearch = 100
)

// maxFields bounds the fields of one request.
const maxFields = 500

// ruleOf returns the rule of field name on route.
func ruleOf(route, name string) fieldRule {
	if r, ok := routeFieldRules[route][name]; ok {
		return r
	}
	if r, ok := fieldRules[name]; ok {
		return r
	}
	return fieldRule{max: defaultFieldMax}
}

// routeOf returns "METHOD pattern" of the request's route, once routed.
func routeOf(r *http.Request) string {
	rc := chi.RouteContext(r.Context())
	if rc == nil {
		return ""
	}
	return r.Method + " " + rc.RoutePattern()
}

// checkFields refuses query parameters and form fields that are not clean
// text or are longer than their rule allows, naming the field.
func checkFields(r *http.Request) error {
	ctx := r.Context()
	route := routeOf(r)
	check := func(vals url.Values) error {
		if len(vals) > maxFields {
			return workplan.E(workplan.EInvalid, "input.too_many", maxFields)
		}
		for name, vs := range vals {
			rule := ruleOf(route, name)
			label := fieldLabel(ctx, name, rule)
			if !cleanText(name, false) || len(name) > defaultFieldMax || len(vs) > maxFields {
				return workplan.E(workplan.EInvalid, "input.bad_name")
			}
			for _, v := range vs {
				switch {
				case !utf8.ValidString(v):
					return onField(name, workplan.E(workplan.EInvalid, "input.utf8", label))
				case strings.IndexByte(v, 0) >= 0:
					return onField(name, workplan.E(workplan.EInvalid, "input.nul", label))
				case !cleanText(v, rule.multiline):
					return onField(name, workplan.E(workplan.EInvalid, "input.control", label))
				}
				// Browsers count a line break as one character against
				// maxlength and send it as two (CR LF).
				if n := utf8.RuneCountInString(v) - strings.Count(v, "\r\n"); n > rule.max {
					return onField(name, workplan.E(workplan.EInvalid, "input.too_long", label, rule.max, n))
				}
			}
		}
		return nil
	}
	if err := check(r.URL.Query()); err != nil {
		return err
	}
	// Multipart fields are in PostForm too.
	return check(r.PostForm)
}

// fieldLabel names a field for a message: its label, and its name in the
// form when that differs.
func fieldLabel(ctx context.Context, name string, rule fieldRule) string {
	if rule.label == "" {
		return name
	}
	return web.T(ctx, rule.label) + "(" + name + ")"
}

// paramShapes are the shapes of path parameters, by name. A parameter that
// does not have its shape names nothing that exists: the page is not found,
// without asking the database. Unknown names take any clean text of at most
// defaultFieldMax bytes.
var paramShapes = map[string]func(string) bool{
	"id":      func(v string) bool { return positive(v, math.MaxInt64) },
	"number":  func(v string) bool { return positive(v, math.MaxInt32) },
	"version": func(v string) bool { return positive(v, math.MaxInt32) },
	"slug":    validSlug,
	"token":   tokenRe.MatchString,
}

// tokenRe is the shape of upload tokens: hex (plan uploads) or base64url
// (sheet imports).
var tokenRe = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// slugRe is the shape of a plan's slug.
var slugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,59}$`)

func validSlug(s string) bool { return slugRe.MatchString(s) }

// positive reports whether v is a decimal integer from 1 to max.
func positive(v string, max int64) bool {
	n, err := strconv.ParseInt(v, 10, 64)
	return err == nil && n > 0 && n <= max && strconv.FormatInt(n, 10) == v
}

// checkParams refuses path parameters that do not have their shape.
func checkParams(r *http.Request) error {
	rc := chi.RouteContext(r.Context())
	if rc == nil {
		return nil
	}
	for i, k := range rc.URLParams.Keys {
		v := rc.URLParams.Values[i]
		if k == "*" {
			continue
		}
		shape, ok := paramShapes[k]
		if !ok {
			shape = func(v string) bool { return len(v) <= defaultFieldMax && cleanText(v, false) }
		}
		if !shape(v) {
			return errNotFoundPage
		}
	}
	return nil
}
