package server_test

// The test harness of the accounts and permissions tests: a world with two
// units, a user of every kind and a live session for each, and a client that
// sends requests as any of them the way a browser would (session cookie and
// form token). Extend world with the fixtures of new features (plans,
// assignments, reports) so that their permission and IDOR tests can use it.

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/pgtest"
	"duban/internal/postgres"
	"duban/internal/server"
	"duban/internal/workplan"
)

// who is a principal of the permission tests.
type who int

// The principals. staffOwn belongs to the unit that owns the world's
// resources (the target user's unit, the lead unit of future fixtures);
// staffOther to another unit.
const (
	anon who = iota
	staffOwn
	staffOther
	leader
	supervisor
	admin
	nPrincipals
)

var principalNames = [nPrincipals]string{"anonymous", "staff of the owning unit", "staff of another unit", "leader", "supervisor", "administrator"}

func (p who) String() string { return principalNames[p] }

// testClock is a settable clock shared by the server and the fixtures.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testPassword is every fixture user's password.
const testPassword = "correct horse battery staple"

// world is one fresh database and server with its fixtures.
type world struct {
	t        *testing.T
	db       *postgres.DB
	srv      *server.Server
	h        http.Handler
	clock    *testClock
	ownUnit  workplan.Unit
	otherUnt workplan.Unit
	// collective is a collective designation with both units as members.
	collective workplan.Unit
	// designation is a collective designation without members (市直有关部门),
	// named by task 2 of the fixture plan.
	designation workplan.Unit
	users       [nPrincipals]workplan.User
	tokens      [nPrincipals]string
	sessions    [nPrincipals]int64
	// target is a staff user of the owning unit whom others try to edit.
	target workplan.User
	// spareSession is a second session of staffOwn, which others try to end.
	spareSession int64
	// apiToken is a live API token.
	apiToken string
	// plan holds the plan fixtures (fixtures_test.go).
	plan planFixtures
	// anonCookies and anonCSRF are what a browser without a session holds
	// after loading the sign-in page.
	anonCookies []*http.Cookie
	anonCSRF    string
}

var (
	hashOnce sync.Once
	hashed   string
	bg       = context.Background()
)

// fixtureHash is testPassword hashed with the light test parameters.
func fixtureHash(t *testing.T) string {
	hashOnce.Do(func() {
		var err error
		hashed, err = auth.NewHasher(auth.TestParams).Hash(testPassword)
		require.NoError(t, err)
	})
	return hashed
}

// newWorld builds a world with the plan fixtures; options customise the server.
func newWorld(t *testing.T, opts ...server.Option) *world {
	t.Helper()
	return buildWorld(t, true, opts...)
}

// newEmptyWorld builds a world without any plan.
func newEmptyWorld(t *testing.T, opts ...server.Option) *world {
	t.Helper()
	return buildWorld(t, false, opts...)
}

func buildWorld(t *testing.T, withPlan bool, opts ...server.Option) *world {
	t.Helper()
	db := pgtest.Open(t)
	clock := &testClock{now: time.Date(2024, 3, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	w := &world{t: t, db: db, clock: clock}
	sys := workplan.System("fixtures")
	var err error
	w.ownUnit, err = db.CreateRegistryUnit(bg, sys, workplan.UnitEdit{Name: "市大数据中心", Kind: workplan.UnitCityDepartment, Confirmed: true})
	require.NoError(t, err)
	w.otherUnt, err = db.CreateRegistryUnit(bg, sys, workplan.UnitEdit{Name: "崆峒区人民政府", Kind: workplan.UnitCountyGovernment, Confirmed: true})
	require.NoError(t, err)
	w.collective, err = db.CreateRegistryUnit(bg, sys, workplan.UnitEdit{Name: "各县(市、区)人民政府", Kind: workplan.UnitCollective, Confirmed: true})
	require.NoError(t, err)
	w.collective, _, err = db.SetUnitMembers(bg, sys, w.collective.ID, w.collective.Version, []int64{w.otherUnt.ID}, false)
	require.NoError(t, err)
	w.designation, err = db.CreateRegistryUnit(bg, sys, workplan.UnitEdit{Name: "市直有关部门", Kind: workplan.UnitCollective, Confirmed: true})
	require.NoError(t, err)

	specs := [nPrincipals]struct {
		username string
		role     workplan.UserRole
		unit     int64
	}{
		staffOwn:   {"own", workplan.UserStaff, w.ownUnit.ID},
		staffOther: {"other", workplan.UserStaff, w.otherUnt.ID},
		leader:     {"leader", workplan.UserLeader, 0},
		supervisor: {"supervisor", workplan.UserSupervisor, w.ownUnit.ID},
		admin:      {"admin", workplan.UserAdmin, 0},
	}
	for p := staffOwn; p < nPrincipals; p++ {
		sp := specs[p]
		w.users[p] = w.createUser(sp.username, sp.role, sp.unit, false)
		w.tokens[p], w.sessions[p] = w.startSession(w.users[p].ID)
	}
	w.target = w.createUser("target", workplan.UserStaff, w.ownUnit.ID, false)
	_, w.spareSession = w.startSession(w.users[staffOwn].ID)
	w.apiToken = auth.NewAPIToken()
	_, err = db.CreateAPIToken(bg, sys, workplan.NewAPIToken{Name: "fixture", Hash: auth.HashToken(w.apiToken)})
	require.NoError(t, err)

	db.Now = clock.Now
	if withPlan {
		w.addPlan()
	}

	opts = append([]server.Option{server.WithClock(clock.Now), server.WithPasswordParams(auth.TestParams)}, opts...)
	w.srv = server.New(testConfig(t), db, quietLog(), opts...)
	w.h = w.srv.Handler()

	res := w.do(anon, http.MethodGet, "/login", nil)
	require.Equal(t, http.StatusOK, res.Code)
	w.anonCookies = res.Result().Cookies()
	w.anonCSRF = csrfField(t, res.Body.String())
	return w
}

func (w *world) createUser(username string, role workplan.UserRole, unit int64, oneTime bool) workplan.User {
	w.t.Helper()
	u, err := w.db.CreateUser(bg, workplan.System("fixtures"), workplan.NewUser{Username: username, DisplayName: "用户 " + username,
		UnitID: unit, Role: role, PasswordHash: fixtureHash(w.t), MustChangePassword: oneTime})
	require.NoError(w.t, err)
	return u
}

// startSession starts a session for user id now and returns its token and ID.
func (w *world) startSession(userID int64) (string, int64) {
	w.t.Helper()
	tok := auth.NewToken()
	now := w.clock.Now()
	id, err := w.db.StartSession(bg, userID, workplan.NewSession{TokenHash: auth.HashToken(tok), Now: now, ExpiresAt: now.Add(12 * time.Hour), ClientAddr: "192.0.2.1"})
	require.NoError(w.t, err)
	return tok, id
}

// do sends a request as p: with p's session cookie, and for state-changing
// requests the form token in the "csrf" field (unless form sets one).
func (w *world) do(p who, method, path string, form url.Values) *httptest.ResponseRecorder {
	w.t.Helper()
	cookies, csrf := w.credentials(p)
	return w.send(method, path, form, cookies, csrf)
}

func (w *world) credentials(p who) ([]*http.Cookie, string) {
	if p == anon {
		return w.anonCookies, w.anonCSRF
	}
	return []*http.Cookie{{Name: "duban_session", Value: w.tokens[p]}}, auth.CSRFToken(w.tokens[p])
}

// send sends a request with cookies, adding csrf to a form that has none.
func (w *world) send(method, path string, form url.Values, cookies []*http.Cookie, csrf string) *httptest.ResponseRecorder {
	w.t.Helper()
	var req *http.Request
	if method == http.MethodGet || method == http.MethodHead {
		req = httptest.NewRequest(method, path, nil)
	} else {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if _, ok := f["csrf"]; !ok && csrf != "" {
			f.Set("csrf", csrf)
		}
		req = httptest.NewRequest(method, path, strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.RemoteAddr = "192.0.2.1:5555"
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res := httptest.NewRecorder()
	w.h.ServeHTTP(res, req)
	return res
}

// login signs in through the form and returns the response.
func (w *world) login(username, password, addr string) *httptest.ResponseRecorder {
	w.t.Helper()
	f := url.Values{"username": {username}, "password": {password}, "csrf": {w.anonCSRF}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = addr + ":4000"
	for _, c := range w.anonCookies {
		req.AddCookie(c)
	}
	res := httptest.NewRecorder()
	w.h.ServeHTTP(res, req)
	return res
}

// auditActions counts audit rows per action.
func (w *world) auditCount(action string) int {
	w.t.Helper()
	var n int
	require.NoError(w.t, w.db.Pool.QueryRow(bg, `SELECT count(*) FROM audit_log WHERE action = $1`, action).Scan(&n))
	return n
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfField(t *testing.T, body string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(body)
	require.NotNil(t, m, "page has a csrf field")
	return m[1]
}

func sessionCookieOf(res *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range res.Result().Cookies() {
		if c.Name == "duban_session" || c.Name == "__Host-duban_session" {
			return c
		}
	}
	return nil
}

// formFile is one file of a multipart form.
type formFile struct {
	field, name string
	content     []byte
}

// postFiles sends a multipart form with files as p, the way a browser
// uploads: with p's session cookie and the form token added.
func (w *world) postFiles(p who, path string, fields url.Values, files ...formFile) *httptest.ResponseRecorder {
	w.t.Helper()
	cookies, csrf := w.credentials(p)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	require.NoError(w.t, mw.WriteField("csrf", csrf))
	for k, vs := range fields {
		for _, v := range vs {
			require.NoError(w.t, mw.WriteField(k, v))
		}
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile(f.field, f.name)
		require.NoError(w.t, err)
		_, err = fw.Write(f.content)
		require.NoError(w.t, err)
	}
	require.NoError(w.t, mw.Close())
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.RemoteAddr = "192.0.2.1:5555"
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return w.sendRequest(req)
}

// sendRequest serves a prepared request.
func (w *world) sendRequest(req *http.Request) *httptest.ResponseRecorder {
	res := httptest.NewRecorder()
	w.h.ServeHTTP(res, req)
	return res
}

var (
	oneTimeRe = regexp.MustCompile(`data-testid="one-time-password">([^<]+)<`)
	versionRe = regexp.MustCompile(`name="version" value="(\d+)"`)
	nextRe    = regexp.MustCompile(`href="([^"]+)" rel="next"`)
)
