package server_test

// TestNoServerErrorFromBadInput walks every route of the route table
// (chi.Walk over Server.Router()) and drives it with hostile values in every
// path parameter, every query parameter and every form field the server
// reads, signed in as the principals that can reach it (the permission
// matrix says who), with a valid form token: no answer may be a 5xx.
//
// The query parameters and form fields are found by reading the server's
// source (every literal name passed to Query().Get, FormValue,
// PostFormValue, PostForm[…] and the date helpers), so a new parameter is
// driven without anyone adding it here.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// badValues are the values of the black-box badProbe and their relatives.
var badValues = []string{
	"\x00", "a\x00b", "\xff", "\xc3\x28", "a\x1bb", "\u202e", " ",
	"-1", "0", "2147483648", "9223372036854775808", "1e400", "NaN", "-Inf",
	"Bad Slug'--", "../../etc/passwd", "<script>alert(1)</script>", "//evil.example/x", "javascript:alert(1)",
	"9999-12-31", "2024-02-30", "0000-01-01", "2024-13", "",
	"LONG", // replaced by an over-long value (1 MB in forms, 8 KB in URLs)
}

func bad(v string, inURL bool) string {
	if v != "LONG" {
		return v
	}
	if inURL {
		return strings.Repeat("长", 8<<10/3)
	}
	return strings.Repeat("长", 1<<20/3)
}

// queryRes and formRes find the literal names the server reads from the
// query string (Query().Get, q.Get, FormValue, dateParam), the form
// (FormValue, PostFormValue, PostForm[…], formText) or both (the period
// fields of bulletins).
var (
	queryRes = []*regexp.Regexp{
		regexp.MustCompile(`(?:\.Get|[^t]FormValue)\("([a-z][a-z0-9_]*)"\)`),
		regexp.MustCompile(`dateParam\(r, "([a-z][a-z0-9_]*)"`),
		regexp.MustCompile(`\{"([a-z][a-z0-9_]*)", &`),
	}
	formRes = []*regexp.Regexp{
		regexp.MustCompile(`FormValue\("([a-z][a-z0-9_]*)"\)`),
		regexp.MustCompile(`PostForm\["([a-z][a-z0-9_]*)"\]`),
		regexp.MustCompile(`formText\(r, "([a-z][a-z0-9_]*)"\)`),
		regexp.MustCompile(`\{"([a-z][a-z0-9_]*)", &`),
	}
	paramRe = regexp.MustCompile(`\{([a-z]+)\}`)
)

// inputNames returns the query parameter and form field names the server
// reads, from its source.
func inputNames(t *testing.T) (query, form []string) {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	q := map[string]bool{}
	f := map[string]bool{"ind-1": true, "ind-99999999999999999999": true}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, set := range []struct {
			res  []*regexp.Regexp
			seen map[string]bool
		}{{queryRes, q}, {formRes, f}} {
			for _, re := range set.res {
				for _, m := range re.FindAllStringSubmatch(string(b), -1) {
					set.seen[m[1]] = true
				}
			}
		}
	}
	delete(f, "csrf") // a bad token is refused by design; it would hide the rest
	list := func(m map[string]bool) []string {
		var out []string
		for n := range m {
			out = append(out, n)
		}
		sort.Strings(out)
		return out
	}
	query, form = list(q), list(f)
	require.Greater(t, len(query), 15, "the scan found the query parameters: %v", query)
	require.Greater(t, len(form), 25, "the scan found the form fields: %v", form)
	for _, n := range []string{"progress", "reason", "text", "display_name", "name", "version", "username"} {
		require.Contains(t, form, n, "the scan found the form fields")
	}
	return query, form
}

// reaching lists the principals the matrix lets through a route (neither
// sent to sign in nor refused by role), the owner first.
func reaching(r route) []who {
	var out []who
	for _, p := range []who{staffOwn, supervisor, admin, leader, staffOther, anon} {
		switch r.want[p] {
		case login, http.StatusForbidden, http.StatusUnauthorized:
			continue
		}
		out = append(out, p)
	}
	return out
}

// pathRegexp matches a concrete path of pattern, capturing its parameters.
func pathRegexp(pattern string) *regexp.Regexp {
	parts := paramRe.Split(strings.TrimSuffix(pattern, "/"), -1)
	var b strings.Builder
	b.WriteString("^")
	for i, p := range parts {
		if i > 0 {
			b.WriteString("([^/]+?)")
		}
		b.WriteString(regexp.QuoteMeta(p))
	}
	b.WriteString("/?$")
	return regexp.MustCompile(b.String())
}

// badProbe is one request of the walk.
type badProbe struct {
	who    who
	method string
	target string
	form   url.Values
	raw    string // a raw urlencoded body instead of form
	what   string
}

func TestNoServerErrorFromBadInput(t *testing.T) {
	t.Parallel()
	queryNames, formNames := inputNames(t)
	t.Logf("query parameters: %v", queryNames)
	t.Logf("form fields: %v", formNames)
	rows := map[string]route{}
	for _, r := range matrix {
		rows[routeKey(r.method, r.pattern)] = r
	}
	reads := newWorld(t)
	keys := walkRoutes(t, reads)
	var requests, routes, posts atomic.Int64
	t.Cleanup(func() {
		t.Logf("drove %d routes × %d bad values (in every path parameter, %d query parameters and, on %d routes that post, %d form fields): %d requests, none may answer 5xx",
			routes.Load(), len(badValues), len(queryNames), posts.Load(), len(formNames), requests.Load())
	})
	for _, key := range keys {
		row, ok := rows[key]
		require.True(t, ok, "route %s has no row in the permission matrix", key)
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			w := reads
			if row.method != http.MethodGet {
				w = newWorld(t)
			}
			routes.Add(1)
			full := row.pattern
			if row.path != nil {
				full = row.path(w)
			}
			base, query, _ := strings.Cut(full, "?")
			baseQuery, err := url.ParseQuery(query)
			require.NoError(t, err)
			form := url.Values{}
			if row.form != nil {
				form = row.form(w)
			}
			api := strings.HasPrefix(row.pattern, "/api/")
			as := reaching(row)
			if api || len(as) == 0 {
				as = []who{anon}
			}
			var probes []badProbe
			add := func(p badProbe) {
				p.who = as[len(probes)%len(as)]
				probes = append(probes, p)
			}
			// Path parameters.
			if m := pathRegexp(row.pattern).FindStringSubmatchIndex(base); m != nil {
				for i := 1; i < len(m)/2; i++ {
					for _, v := range badValues {
						target := base[:m[2*i]] + url.PathEscape(bad(v, true)) + base[m[2*i+1]:]
						if query != "" {
							target += "?" + query
						}
						add(badProbe{method: row.method, target: target, form: form, what: fmt.Sprintf("path parameter %d = %q", i, v)})
					}
				}
			} else if paramRe.MatchString(row.pattern) {
				t.Fatalf("%s: the matrix path %q does not match the pattern", key, base)
			}
			// Query parameters: on routes that post, those also read as form
			// fields (FormValue reads both).
			qnames := queryNames
			if row.method != http.MethodGet {
				qnames = nil
				for _, n := range queryNames {
					if slices.Contains(formNames, n) {
						qnames = append(qnames, n)
					}
				}
			}
			for _, n := range qnames {
				for _, v := range badValues {
					q := url.Values{}
					for k, vs := range baseQuery {
						q[k] = vs
					}
					q.Set(n, bad(v, true))
					add(badProbe{method: row.method, target: base + "?" + q.Encode(), form: form, what: fmt.Sprintf("query %s = %q", n, v)})
				}
			}
			// Form fields.
			if row.method != http.MethodGet {
				posts.Add(1)
				fields := map[string]bool{}
				for _, n := range formNames {
					fields[n] = true
				}
				for n := range form {
					fields[n] = true
				}
				for n := range fields {
					for _, v := range badValues {
						f := url.Values{}
						for k, vs := range form {
							f[k] = vs
						}
						f.Set(n, bad(v, false))
						add(badProbe{method: row.method, target: full, form: f, what: fmt.Sprintf("form %s = %q", n, v)})
					}
				}
				add(badProbe{method: row.method, target: full, raw: "version=%zz&text=%", what: "an undecodable body"})
				add(badProbe{method: row.method, target: full, raw: strings.Repeat("a=1&", 1000), what: "a thousand fields"})
			}
			for _, p := range probes {
				res := send(w, p, api)
				requests.Add(1)
				assert.Less(t, res.Code, 500, "%s %s as %s (%s): %d %s", p.method, key, p.who, p.what, res.Code, snippet(res.Body.String()))
			}
		})
	}
}

// send sends a badProbe as its principal, with a valid form token (and the
// API token under /api/), without failing the test from another goroutine.
func send(w *world, p badProbe, api bool) *httptest.ResponseRecorder {
	cookies, csrf := w.credentials(p.who)
	var req *http.Request
	switch {
	case p.method == http.MethodGet:
		req = httptest.NewRequest(p.method, p.target, nil)
	case p.raw != "":
		req = httptest.NewRequest(p.method, p.target, strings.NewReader(p.raw+"&csrf="+url.QueryEscape(csrf)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		f := url.Values{}
		for k, v := range p.form {
			f[k] = v
		}
		f.Set("csrf", csrf)
		req = httptest.NewRequest(p.method, p.target, strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.RemoteAddr = "192.0.2.1:5555"
	for _, c := range cookies {
		req.AddCookie(c)
	}
	if api {
		req.Header.Set("Authorization", "Bearer "+w.apiToken)
	}
	res := httptest.NewRecorder()
	w.h.ServeHTTP(res, req)
	return res
}

// snippet shortens a response body for a failure message: its error box,
// or its start.
func snippet(body string) string {
	if i := strings.Index(body, `class="error-box"`); i >= 0 {
		body = body[i:]
	}
	if len(body) > 300 {
		body = body[:300]
	}
	return body
}
