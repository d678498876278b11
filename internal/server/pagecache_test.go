package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/postgres"
	"duban/internal/server"
	"duban/internal/workplan"
)

// viewer is a signed-in user of the page cache tests: a principal of the
// world or another account.
type viewer struct {
	name  string
	token string
}

func (w *world) viewerOf(p who) viewer { return viewer{p.String(), w.tokens[p]} }

// newViewer creates a user and a session for them.
func (w *world) newViewer(username string, role workplan.UserRole, unit int64) viewer {
	w.t.Helper()
	u := w.createUser(username, role, unit, false)
	tok, _ := w.startSession(u.ID)
	return viewer{username, tok}
}

// page is one response of a page.
type page struct {
	status int
	cache  string
	body   string
}

// fetch GETs path from base as v, gzipped when gz (and then decompressed).
func fetch(t *testing.T, base string, v viewer, path string, gz bool) page {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	require.NoError(t, err)
	req.AddCookie(&http.Cookie{Name: "duban_session", Value: v.token})
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	body := string(b)
	if res.Header.Get("Content-Encoding") == "gzip" {
		body = gunzip(t, b)
	}
	return page{res.StatusCode, res.Header.Get("X-Duban-Cache"), body}
}

// reference is the page as a server without the cache renders it.
func (w *world) reference(v viewer, path string) page {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodGet, path, nil)
	require.NoError(w.t, err)
	req.AddCookie(&http.Cookie{Name: "duban_session", Value: v.token})
	res := w.sendRequest(req)
	return page{res.Code, res.Header().Get("X-Duban-Cache"), res.Body.String()}
}

// withoutTokens blanks the form tokens, masked afresh on every page.
func withoutTokens(s string) string { return csrfRe.ReplaceAllString(s, `name="csrf" value=""`) }

// TestCachedPagesAreEachViewersOwn loads every daily page as every kind of
// reader, in turns, from a replica that caches them, and compares each
// answer with the page a server without the cache renders for the same
// reader: a reader served from a body cached for another class of reader
// would see the difference (other units' reports, forms they may not
// use). Readers of one class share a body (the second is a hit), and every
// reader's form token is their own.
func TestCachedPagesAreEachViewersOwn(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// w.srv, never served, does not listen for changes: it caches nothing.
	a := serveReplica(t, w, server.New(testConfig(t), w.db, quietLog(), server.WithClock(w.clock.Now), server.WithPasswordParams(auth.TestParams)))
	own2 := w.newViewer("own2", workplan.UserStaff, w.ownUnit.ID)
	leader2 := w.newViewer("leader2", workplan.UserLeader, 0)
	viewers := []viewer{w.viewerOf(staffOwn), w.viewerOf(staffOther), own2, w.viewerOf(leader), leader2, w.viewerOf(supervisor), w.viewerOf(admin)}
	ownAsg, otherAsg := strconv.FormatInt(w.plan.ownAsg.ID, 10), strconv.FormatInt(w.plan.otherAsg.ID, 10)
	paths := []string{
		"/plans/fixture/dashboard", "/plans/fixture/tasks", "/plans/fixture/tasks?unit=" + strconv.FormatInt(w.ownUnit.ID, 10),
		"/plans/fixture/tasks/1", "/plans/fixture/tasks/2", "/plans/fixture/tasks/1?as_of=2024-02-28",
		"/assignments/" + ownAsg, "/assignments/" + otherAsg, "/assignments/" + ownAsg + "?filed=1",
		"/assignments/" + ownAsg + "/report", "/assignments/" + otherAsg + "/report",
		"/my", "/review", "/plans/fixture/weekly", "/plans/fixture/ranking", "/notifications",
	}
	hits := map[string]int{}
	for round := range 2 {
		for _, path := range paths {
			for _, v := range viewers {
				want := w.reference(v, path)
				got := fetch(t, a.base, v, path, round == 1)
				require.Equal(t, want.status, got.status, "%s as %s", path, v.name)
				if want.status != http.StatusOK {
					continue
				}
				assert.Equal(t, "off", want.cache, "the reference server caches nothing")
				require.Contains(t, []string{"hit", "miss"}, got.cache, "%s as %s", path, v.name)
				if got.cache == "hit" {
					hits[path]++
				}
				require.Equal(t, withoutTokens(want.body), withoutTokens(got.body), "%s as %s, round %d (%s)", path, v.name, round, got.cache)
				// The tokens are the reader's: each unmasks to their session's.
				for _, m := range csrfRe.FindAllStringSubmatch(got.body, -1) {
					tok := strings.ReplaceAll(m[1], "&#43;", "+")
					assert.True(t, auth.EqualTokens(auth.UnmaskToken(tok), auth.CSRFToken(v.token)), "%s as %s: a form token not theirs", path, v.name)
				}
			}
		}
	}
	for _, path := range paths {
		assert.Positive(t, hits[path], "%s is served from the cache", path)
	}

	// What the classes are: the second staff member of the owning unit reads
	// the first one's /my and report form, the second leader the first
	// one's task page; the other unit's staff do not.
	for _, tc := range []struct {
		path   string
		first  viewer
		second viewer
		shared bool
	}{
		{"/my?x=1", w.viewerOf(staffOwn), own2, true},
		{"/assignments/" + ownAsg + "/report?x=1", w.viewerOf(staffOwn), own2, true},
		{"/plans/fixture/tasks/1?x=1", w.viewerOf(leader), leader2, true},
		{"/plans/fixture/tasks/1?x=2", w.viewerOf(staffOwn), w.viewerOf(staffOther), false},
		{"/plans/fixture/tasks/1?x=3", w.viewerOf(leader), w.viewerOf(supervisor), false},
		{"/review?x=1", w.viewerOf(staffOwn), w.viewerOf(staffOther), false},
	} {
		require.Equal(t, http.StatusOK, fetch(t, a.base, tc.first, tc.path, false).status)
		second := fetch(t, a.base, tc.second, tc.path, false)
		assert.Equal(t, tc.shared, second.cache == "hit", "%s: %s after %s", tc.path, tc.second.name, tc.first.name)
	}

	// And the content differs where the permissions do: the other unit's
	// staff do not read the owning unit's reports on task 1, which it leads.
	ownPage := fetch(t, a.base, w.viewerOf(staffOwn), "/plans/fixture/tasks/2", true).body
	otherPage := fetch(t, a.base, w.viewerOf(staffOther), "/plans/fixture/tasks/2", true).body
	assert.Contains(t, ownPage, "已起草方案")
	assert.NotContains(t, otherPage, "已起草方案", "another unit's report text leaked through the cache")
	supPage := fetch(t, a.base, w.viewerOf(supervisor), "/assignments/"+otherAsg, true).body
	staffPage := fetch(t, a.base, w.viewerOf(staffOther), "/assignments/"+otherAsg, true).body
	assert.Contains(t, supPage, "/extensions/"+strconv.FormatInt(w.plan.extension.ID, 10)+"/decide")
	assert.NotContains(t, staffPage, "/decide", "a supervisor's decision form leaked through the cache")
}

// slowFeed is the database with its change notifications delivered delay
// late (in order), as on a busy replica.
type slowFeed struct {
	*postgres.DB
	delay time.Duration
}

func (f slowFeed) WatchChanges(ctx context.Context, changed func(workplan.Change), listening func(bool)) {
	type late struct {
		ch workplan.Change
		at time.Time
	}
	q := make(chan late, 4096)
	go func() {
		for l := range q {
			time.Sleep(time.Until(l.at))
			changed(l.ch)
		}
	}()
	defer close(q)
	f.DB.WatchChanges(ctx, func(ch workplan.Change) { q <- late{ch, time.Now().Add(f.delay)} }, listening)
}

// TestCachedPagesFollowWrites: the pages cached by one replica show what
// is written through another on their next read once the change is
// announced, and what is written through themselves at once.
//
// Both replicas hear the database's notifications late (slowFeed), so that
// the replica that wrote must show its write through what it tells its own
// cache, not through the notification of it arriving first.
func TestCachedPagesFollowWrites(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	newReplica := func() *replica {
		return serveReplica(t, w, server.New(testConfig(t), slowFeed{w.db, 300 * time.Millisecond}, quietLog(),
			server.WithClock(w.clock.Now), server.WithPasswordParams(auth.TestParams)))
	}
	a, b := newReplica(), newReplica()
	ownAsg, otherAsg := strconv.FormatInt(w.plan.ownAsg.ID, 10), strconv.FormatInt(w.plan.otherAsg.ID, 10)
	// cached loads path on r as p until it is served from the cache.
	cached := func(r *replica, p who, path string) string {
		t.Helper()
		var got page
		eventually(t, func() bool {
			got = fetch(t, r.base, w.viewerOf(p), path, true)
			require.Equal(t, http.StatusOK, got.status, path)
			return got.cache == "hit"
		}, path+" is never served from the cache")
		return got.body
	}
	// shows waits until path on r, as p, contains want.
	shows := func(r *replica, p who, path, want string) {
		t.Helper()
		eventually(t, func() bool { return strings.Contains(fetch(t, r.base, w.viewerOf(p), path, true).body, want) },
			path+" never shows "+want)
	}
	// showsNow requires path on r, as p, to contain want on the next read.
	showsNow := func(r *replica, p who, path, want string) {
		t.Helper()
		assert.Contains(t, fetch(t, r.base, w.viewerOf(p), path, true).body, want, "%s on the replica that wrote", path)
	}
	post := func(r *replica, p who, path string, form url.Values) {
		t.Helper()
		res, body := r.call(p, http.MethodPost, path, form)
		require.Equal(t, http.StatusSeeOther, res.StatusCode, "%s: %s", path, body)
	}

	pages := []struct {
		p    who
		path string
	}{
		{staffOwn, "/assignments/" + ownAsg}, {staffOwn, "/assignments/" + ownAsg + "/report"}, {staffOwn, "/my"},
		{staffOwn, "/plans/fixture/tasks/2"}, {leader, "/plans/fixture/tasks/1"}, {leader, "/plans/fixture/tasks"},
		{leader, "/plans/fixture/dashboard"}, {leader, "/plans/fixture/weekly"}, {leader, "/plans/fixture/ranking"},
		{leader, "/plans/fixture/tasks?unit=" + strconv.FormatInt(w.ownUnit.ID, 10)},
		{supervisor, "/review"}, {staffOwn, "/review"}, {supervisor, "/assignments/" + otherAsg}, {staffOwn, "/notifications"},
	}
	before := map[*replica]map[string]string{}
	for _, r := range []*replica{a, b} {
		before[r] = map[string]string{}
		for _, pg := range pages {
			before[r][pg.path] = withoutTokens(cached(r, pg.p, pg.path))
		}
	}
	// changed requires path on r, as p, to differ from what was cached,
	// at once on the replica that wrote (now), else eventually.
	changed := func(r *replica, p who, path string, now bool) {
		t.Helper()
		differs := func() bool { return withoutTokens(fetch(t, r.base, w.viewerOf(p), path, true).body) != before[r][path] }
		if now {
			assert.True(t, differs(), "%s unchanged on the replica that wrote", path)
			return
		}
		eventually(t, differs, path+" still shows what was cached before the write")
	}

	// A report filed through a: a shows it at once, b when it hears of it.
	form := fetch(t, a.base, w.viewerOf(staffOwn), "/assignments/"+ownAsg+"/report", false).body
	version := versionRe.FindStringSubmatch(form)[1]
	post(a, staffOwn, "/assignments/"+ownAsg+"/report", url.Values{"version": {version}, "percent": {"55"}, "progress": {"方案已印发"}})
	for _, r := range []*replica{a, b} {
		check := shows
		if r == a {
			check = showsNow
		}
		check(r, staffOwn, "/assignments/"+ownAsg, "方案已印发")
		check(r, staffOwn, "/plans/fixture/tasks/2", "方案已印发")
		check(r, staffOwn, "/my", "55%")
		check(r, leader, "/plans/fixture/tasks?unit="+strconv.FormatInt(w.ownUnit.ID, 10), "55")
		changed(r, leader, "/plans/fixture/weekly", r == a)
		// What the ranking and the dashboard show may not change with one
		// report, but they are rendered again.
		for _, path := range []string{"/plans/fixture/ranking", "/plans/fixture/dashboard"} {
			if r == a {
				assert.Equal(t, "miss", fetch(t, r.base, w.viewerOf(leader), path, true).cache, path)
			} else {
				eventually(t, func() bool { return fetch(t, r.base, w.viewerOf(leader), path, true).cache == "miss" }, path+" never rendered again")
			}
		}
		f := fetch(t, r.base, w.viewerOf(staffOwn), "/assignments/"+ownAsg+"/report", true).body
		assert.NotEqual(t, version, versionRe.FindStringSubmatch(f)[1], "the report form carries the new version")
		assert.Contains(t, f, `value="55"`)
	}

	// The claim on task 1 reviewed by the lead unit through b.
	res, page := b.call(staffOwn, http.MethodGet, "/review", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, page, "平台已上线")
	post(b, staffOwn, "/reports/"+strconv.FormatInt(w.plan.claim.ID, 10)+"/review",
		url.Values{"decision": {"return"}, "reason": {"请补充上线清单"}, "version": {strconv.Itoa(w.version(w.plan.otherAsg.ID))}})
	showsNow(b, supervisor, "/assignments/"+otherAsg, "请补充上线清单")
	assert.NotContains(t, fetch(t, b.base, w.viewerOf(supervisor), "/review", true).body, "平台已上线",
		"the reviewed claim is still in the supervisor's queue on the replica that wrote")
	assert.NotContains(t, fetch(t, b.base, w.viewerOf(staffOwn), "/review", true).body, "平台已上线",
		"the reviewed claim is still in the reviewer's queue on the replica that wrote")
	for _, r := range []*replica{a, b} {
		shows(r, supervisor, "/assignments/"+otherAsg, "请补充上线清单")
		eventually(t, func() bool {
			return !strings.Contains(fetch(t, r.base, w.viewerOf(supervisor), "/review", true).body, "平台已上线")
		}, "the reviewed claim is still in the supervisor's queue")
	}

	// The pending extension request decided through a.
	post(a, supervisor, "/extensions/"+strconv.FormatInt(w.plan.extension.ID, 10)+"/decide", url.Values{"decision": {"reject"}, "reason": {"理由不足"}})
	showsNow(a, supervisor, "/assignments/"+otherAsg, "理由不足")
	shows(b, supervisor, "/assignments/"+otherAsg, "理由不足")
	// A new request through b.
	post(b, staffOwn, "/assignments/"+ownAsg+"/extension", url.Values{"requested_due": {"2025-06-30"}, "reason": {"等待上级批复"}})
	showsNow(b, staffOwn, "/assignments/"+ownAsg, "等待上级批复")
	shows(a, supervisor, "/review", "等待上级批复")

	// A leader's comment through a.
	post(a, leader, "/plans/fixture/tasks/1/comments", url.Values{"text": {"务必按期完成"}})
	showsNow(a, leader, "/plans/fixture/tasks/1", "务必按期完成")
	shows(b, leader, "/plans/fixture/tasks/1", "务必按期完成")

	// The return notified the other unit; the 督办单 answered through b
	// notifies the supervisor, and shows on the assignment's page.
	post(b, staffOwn, "/orders/"+strconv.FormatInt(w.plan.order.ID, 10)+"/answer", url.Values{"answer": {"已部署整改"}})
	showsNow(b, staffOwn, "/assignments/"+ownAsg, "已部署整改")
	shows(a, staffOwn, "/assignments/"+ownAsg, "已部署整改")
	shows(a, supervisor, "/notifications", "已部署整改")
	// Notifications read through b are read on a too.
	unread := func(r *replica) bool {
		return strings.Contains(fetch(t, r.base, w.viewerOf(staffOwn), "/notifications", true).body, `data-testid="read-all"`)
	}
	require.True(t, unread(a))
	post(b, staffOwn, "/notifications/read-all", url.Values{})
	assert.False(t, unread(b), "read on the replica that marked them")
	eventually(t, func() bool { return !unread(a) }, "still unread on the other replica")

	// recache caches the pages again as they are now, on both replicas.
	recache := func(pgs ...struct {
		p    who
		path string
	}) {
		t.Helper()
		for _, r := range []*replica{a, b} {
			for _, pg := range pgs {
				before[r][pg.path] = withoutTokens(cached(r, pg.p, pg.path))
			}
		}
	}
	structural := pages[:10]

	// The designation on task 2 mapped through a to the other unit: the
	// task's units (structure) change on every page that shows them.
	recache(structural...)
	post(a, supervisor, "/plans/fixture/tasks/2/designations/"+strconv.FormatInt(w.designation.ID, 10),
		url.Values{"action": {"apply"}, "member": {strconv.FormatInt(w.otherUnt.ID, 10)}})
	for _, r := range []*replica{a, b} {
		check := shows
		if r == a {
			check = showsNow
		}
		check(r, leader, "/plans/fixture/tasks/2", w.otherUnt.Name)
		changed(r, leader, "/plans/fixture/tasks/2", r == a)
		changed(r, leader, "/plans/fixture/dashboard", r == a)
		changed(r, leader, "/plans/fixture/tasks", r == a)
	}

	// The plan reseeded through b with task 2 renamed: every page that
	// shows its title shows the new one.
	revised := strings.Replace(fixturePlan, "(2)编制测试方案。形成测试方案。", "(2)编制并印发测试方案。形成测试方案。", 1)
	require.NotEqual(t, fixturePlan, revised)
	recache(structural...)
	res, _ = b.call(admin, http.MethodPost, "/admin/plans/upload", url.Values{"plan": {"fixture"}, "text": {revised}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	preview := res.Header.Get("Location")
	_, body := b.call(admin, http.MethodGet, preview, nil)
	base := baseVersionRe.FindStringSubmatch(body)
	require.NotNil(t, base, body)
	res, body = b.call(admin, http.MethodPost, preview, url.Values{"base_version": {base[1]}})
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	for _, r := range []*replica{a, b} {
		check := shows
		if r == b {
			check = showsNow
		}
		check(r, staffOwn, "/plans/fixture/tasks/2", "编制并印发测试方案")
		check(r, staffOwn, "/assignments/"+ownAsg, "编制并印发测试方案")
		check(r, staffOwn, "/my", "编制并印发测试方案")
		check(r, leader, "/plans/fixture/tasks", "编制并印发测试方案")
	}
}

// refuse posts form to path on r as p from page referer (on r), gzipped
// when gz, and returns the answer.
func (r *replica) refuse(p who, path, referer string, form url.Values, gz bool) page {
	r.t.Helper()
	cookies, csrf := r.w.credentials(p)
	f := url.Values{"csrf": {csrf}}
	for k, v := range form {
		f[k] = v
	}
	req, err := http.NewRequest(http.MethodPost, r.base+path, strings.NewReader(f.Encode()))
	require.NoError(r.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", r.base+referer)
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	require.NoError(r.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(r.t, err)
	body := string(b)
	if res.Header.Get("Content-Encoding") == "gzip" {
		body = gunzip(r.t, b)
	}
	return page{res.StatusCode, res.Header.Get("X-Duban-Cache"), body}
}

// TestRefusedPagesBypassTheCache: a page shown again after a refused form
// carries what its reader typed and the message about it, so it is never
// taken from the page cache (it shows the input although the page is
// cached) nor kept in it (the next reader of the page, the same one
// included, gets the page without it).
func TestRefusedPagesBypassTheCache(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := serveReplica(t, w, server.New(testConfig(t), w.db, quietLog(), server.WithClock(w.clock.Now), server.WithPasswordParams(auth.TestParams)))
	own, other := strconv.FormatInt(w.plan.ownAsg.ID, 10), strconv.FormatInt(w.plan.otherAsg.ID, 10)
	cases := []struct {
		name  string
		who   who
		page  string // the page that holds the form
		path  string // where the form posts
		form  url.Values
		typed string // what the reader typed, kept on the page shown again
	}{
		{"report form", staffOwn, "/assignments/" + own + "/report", "/assignments/" + own + "/report",
			url.Values{"version": {strconv.Itoa(w.version(w.plan.ownAsg.ID))}, "percent": {"三十"}, "progress": {"本周进展独有文字"}}, "本周进展独有文字"},
		{"assignment page", staffOwn, "/assignments/" + own, "/assignments/" + own + "/extension",
			url.Values{"requested_due": {"下个月"}, "reason": {"延期理由独有文字"}}, "延期理由独有文字"},
		{"task page", leader, "/plans/fixture/tasks/1", "/plans/fixture/tasks/1/comments",
			url.Values{"text": {"批示独有文字" + strings.Repeat("长", 2001)}}, "批示独有文字"},
		{"review queue", staffOwn, "/review", "/reports/" + strconv.FormatInt(w.plan.claim.ID, 10) + "/review",
			url.Values{"version": {strconv.Itoa(w.version(w.plan.otherAsg.ID))}, "decision": {"return"}, "reason": {"退回理由\x07独有文字"}}, "独有文字"},
		{"督办单 on the assignment page", supervisor, "/assignments/" + other, "/assignments/" + other + "/orders",
			url.Values{"reason": {"督办理由独有文字"}, "reply_by": {"尽快"}, "level": {"2"}}, "督办理由独有文字"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := w.viewerOf(c.who)
			// The page is cached first: the refusal must not be served it.
			eventually(t, func() bool { return fetch(t, a.base, v, c.page, false).cache == "hit" }, c.page+" is never served from the cache")
			for _, gz := range []bool{false, true} {
				got := a.refuse(c.who, c.path, c.page, c.form, gz)
				require.Equal(t, http.StatusUnprocessableEntity, got.status, "%s (gzip %v)", c.path, gz)
				assert.Equal(t, "bypass", got.cache, "a refused form's page is not the cached one")
				assert.Contains(t, got.body, c.typed, "the page shown again keeps what was typed")
				assert.Contains(t, got.body, `id="form-error"`)
				assert.Contains(t, got.body, `data-testid="refused-banner"`)

				// The next read of the page, by the same reader, is the
				// page without the input: the cached body, untouched.
				for _, rgz := range []bool{false, true} {
					next := fetch(t, a.base, v, c.page, rgz)
					require.Equal(t, http.StatusOK, next.status)
					assert.Equal(t, "hit", next.cache, "the refused page replaced nothing in the cache")
					assert.NotContains(t, next.body, c.typed, "the typed text stayed in the cache")
					assert.NotContains(t, next.body, `id="form-error"`)
					assert.NotContains(t, next.body, `data-testid="refused-banner"`)
					assert.Equal(t, withoutTokens(w.reference(v, c.page).body), withoutTokens(next.body), "the page as a server without the cache renders it")
				}
			}
			// A refusal from a page not read yet (a query its key may
			// hold) stores nothing: its next read is the page alone.
			fresh := c.page + "?refused=1"
			got := a.refuse(c.who, c.path, fresh, c.form, true)
			require.Equal(t, http.StatusUnprocessableEntity, got.status)
			assert.Contains(t, got.body, c.typed)
			next := fetch(t, a.base, v, fresh, true)
			assert.Contains(t, []string{"hit", "miss"}, next.cache)
			assert.NotContains(t, next.body, c.typed, "the refused page was stored")
			assert.NotContains(t, next.body, `id="form-error"`)
		})
	}
}

// TestOwnWriteRendersOnce: a write announces its change twice on the
// replica that made it, at once (changedHere) and by the database's
// notification, which arrives later; the pages rendered after the first
// are not rendered again for the second.
func TestOwnWriteRendersOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := serveReplica(t, w, server.New(testConfig(t), slowFeed{w.db, 200 * time.Millisecond}, quietLog(),
		server.WithClock(w.clock.Now), server.WithPasswordParams(auth.TestParams)))
	ownAsg := strconv.FormatInt(w.plan.ownAsg.ID, 10)
	v := w.viewerOf(staffOwn)
	form := fetch(t, a.base, v, "/assignments/"+ownAsg+"/report", false).body
	version := versionRe.FindStringSubmatch(form)[1]
	res, body := a.call(staffOwn, http.MethodPost, "/assignments/"+ownAsg+"/report", url.Values{"version": {version}, "percent": {"66"}, "progress": {"只渲染一次"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body)
	first := fetch(t, a.base, v, "/assignments/"+ownAsg, false)
	assert.Equal(t, "miss", first.cache)
	assert.Contains(t, first.body, "只渲染一次")
	time.Sleep(500 * time.Millisecond) // the notification has arrived
	second := fetch(t, a.base, v, "/assignments/"+ownAsg, false)
	assert.Equal(t, "hit", second.cache, "rendered again for the write's own notification")

	// Another replica's write (w's server), announced by its notification
	// alone, is applied when it arrives.
	other := w.do(staffOwn, http.MethodPost, "/assignments/"+ownAsg+"/report",
		url.Values{"version": {strconv.Itoa(w.version(w.plan.ownAsg.ID))}, "percent": {"67"}, "progress": {"另一副本"}})
	require.Equal(t, http.StatusSeeOther, other.Code, other.Body.String())
	eventually(t, func() bool {
		return strings.Contains(fetch(t, a.base, v, "/assignments/"+ownAsg, false).body, "另一副本")
	},
		"another replica's write never shows")
}
