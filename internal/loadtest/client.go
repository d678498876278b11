package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// user is one virtual user: its own keep-alive connection and cookie jar,
// signed in once (an argon2id verification costs the server about 30 ms of
// CPU, which would dominate the figures if paid per request).
type user struct {
	base     string
	username string
	client   *http.Client
	// token, when set, is sent as a bearer token (the JSON API) instead of
	// using the session.
	token string
	// assignments are the IDs this user may report on (its unit's), found
	// on /my.
	assignments []int64
	// buf is reused for response bodies: the load generator shares the
	// machine's cores with the server, so it must be frugal.
	buf bytes.Buffer
}

// newUser makes a virtual user with one connection to base. timeout bounds
// each request: a request that takes longer counts as an error (a hang).
func newUser(base, username string, timeout time.Duration) *user {
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        1,
		MaxIdleConnsPerHost: 1,
		MaxConnsPerHost:     1,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &user{base: strings.TrimRight(base, "/"), username: username, client: &http.Client{
		Transport: tr, Jar: jar, Timeout: timeout,
		// Redirects are answers to measure (a report filed is a 303), not
		// to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (u *user) close() { u.client.CloseIdleConnections() }

// response is what a request returned.
type response struct {
	status int
	// body is valid until the user's next request.
	body     []byte
	location string
	cache    string
	// encoding is the Content-Encoding ("gzip" or "").
	encoding string
}

// do sends a request and reads the whole body into the user's buffer.
func (u *user) do(ctx context.Context, method, path, contentType string, body []byte) (response, error) {
	return u.send(ctx, method, path, contentType, body, false)
}

// get sends a GET, asking for gzip as browsers do when gz is set: the body
// is then read as it comes, compressed.
func (u *user) get(ctx context.Context, path string, gz bool) (response, error) {
	return u.send(ctx, http.MethodGet, path, "", nil, gz)
}

func (u *user) send(ctx context.Context, method, path, contentType string, body []byte, gz bool) (response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.base+path, rd)
	if err != nil {
		return response{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if u.token != "" {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	// Browsers send these; the cross-origin check reads them on POST.
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	if gz {
		req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	}
	if method == http.MethodPost {
		req.Header.Set("Origin", u.base)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	u.buf.Reset()
	if _, err := u.buf.ReadFrom(resp.Body); err != nil {
		return response{status: resp.StatusCode}, err
	}
	return response{status: resp.StatusCode, body: u.buf.Bytes(), location: resp.Header.Get("Location"), cache: resp.Header.Get("X-Duban-Cache"),
		encoding: resp.Header.Get("Content-Encoding")}, nil
}

var (
	csrfRe   = regexp.MustCompile(`name="csrf" value="([^"]*)"`)
	reportRe = regexp.MustCompile(`href="/assignments/(\d+)/report"`)
)

// signIn signs in through the sign-in form, as a browser does: the form's
// token and its pre-session cookie, then the session cookie kept in the jar.
func (u *user) signIn(ctx context.Context, password string) error {
	r, err := u.do(ctx, http.MethodGet, "/login", "", nil)
	if err != nil {
		return fmt.Errorf("loadtest: sign-in page for %s: %w", u.username, err)
	}
	m := csrfRe.FindSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		return fmt.Errorf("loadtest: sign-in page for %s: status %d, form token found: %v", u.username, r.status, m != nil)
	}
	form := url.Values{"csrf": {html.UnescapeString(string(m[1]))}, "next": {"/"}, "username": {u.username}, "password": {password}}
	r, err = u.do(ctx, http.MethodPost, "/login", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if err != nil {
		return fmt.Errorf("loadtest: sign in as %s: %w", u.username, err)
	}
	if r.status != http.StatusSeeOther || r.location == "/account/password" {
		return fmt.Errorf("loadtest: sign in as %s: status %d (location %q): is the password right, and was the data made by `duban-dev gen --password`?", u.username, r.status, r.location)
	}
	return nil
}

// findAssignments reads the assignments the user may report on from /my.
func (u *user) findAssignments(ctx context.Context) error {
	r, err := u.do(ctx, http.MethodGet, "/my", "", nil)
	if err != nil {
		return fmt.Errorf("loadtest: /my of %s: %w", u.username, err)
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("loadtest: /my of %s: status %d", u.username, r.status)
	}
	u.assignments = u.assignments[:0]
	for _, m := range reportRe.FindAllSubmatch(r.body, -1) {
		id, _ := strconv.ParseInt(string(m[1]), 10, 64)
		u.assignments = append(u.assignments, id)
	}
	if len(u.assignments) == 0 {
		return fmt.Errorf("loadtest: %s has no assignment to report on", u.username)
	}
	return nil
}

// reportForm is what a writer reads from the report form before changing it.
type reportForm struct {
	csrf    string
	version int
	percent int
	// indicators are the indicator fields, pre-filled from the last
	// report, which a browser posts back as they are.
	indicators [][2]string
}

func parseReportForm(body []byte) (reportForm, error) {
	// Scanned for the attributes, not matched with regular expressions: the
	// load generator shares the cores with the server it measures.
	var f reportForm
	c, okC := inputValue(body, "csrf")
	v, okV := inputValue(body, "version")
	p, okP := inputValue(body, "percent")
	if !okC || !okV || !okP {
		return f, fmt.Errorf("loadtest: the report form lacks csrf, version or percent")
	}
	var err error
	if f.version, err = strconv.Atoi(string(v)); err != nil {
		return f, fmt.Errorf("loadtest: the report form's version %q is not a number", v)
	}
	if f.percent, err = strconv.Atoi(string(p)); err != nil {
		return f, fmt.Errorf("loadtest: the report form's percent %q is not a number", p)
	}
	f.csrf = html.UnescapeString(string(c))
	rest := body
	for {
		i := bytes.Index(rest, []byte(`name="ind-`))
		if i < 0 {
			break
		}
		rest = rest[i+len(`name="`):]
		end := bytes.IndexByte(rest, '"')
		if end < 0 {
			break
		}
		name := string(rest[:end])
		val, _ := inputValue(rest[end:], "")
		f.indicators = append(f.indicators, [2]string{name, html.UnescapeString(string(val))})
	}
	return f, nil
}

// inputValue returns the value attribute of the first tag with
// name="name" in body, written after the name as the templates do. With name
// "", body starts inside the tag.
func inputValue(body []byte, name string) ([]byte, bool) {
	if name != "" {
		i := bytes.Index(body, []byte(`name="`+name+`"`))
		if i < 0 {
			return nil, false
		}
		body = body[i:]
	}
	if end := bytes.IndexByte(body, '>'); end >= 0 {
		body = body[:end]
	}
	i := bytes.Index(body, []byte(`value="`))
	if i < 0 {
		return nil, false
	}
	body = body[i+len(`value="`):]
	end := bytes.IndexByte(body, '"')
	if end < 0 {
		return nil, false
	}
	return body[:end], true
}

// reportBody is the multipart body of a report, as the browser sends it
// (the form has a file input, so it is multipart/form-data), with no files.
func reportBody(f reportForm, progress string) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	pct := min(f.percent+1, 99)
	if f.percent >= 99 {
		pct = f.percent
	}
	fields := [][2]string{
		{"csrf", f.csrf}, {"version", strconv.Itoa(f.version)}, {"percent", strconv.Itoa(pct)},
		{"progress", progress}, {"problems", "无"}, {"next_steps", "按计划推进"},
	}
	for _, kv := range append(fields, f.indicators...) {
		_ = mw.WriteField(kv[0], kv[1])
	}
	fw, _ := mw.CreateFormFile("evidence", "")
	_, _ = fw.Write(nil)
	_ = mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}
