package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/pgtest"
	"duban/internal/server"
	"duban/internal/workplan"
)

// replica is a server of the world's database serving for real, so that it
// listens for change notifications and caches sessions.
type replica struct {
	t    *testing.T
	w    *world
	base string
}

func serveReplica(t *testing.T, w *world, srv *server.Server) *replica {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	r := &replica{t: t, w: w, base: "http://" + ln.Addr().String()}
	// The dashboard is cached only while notifications flow: once it is
	// served from the cache, sessions are cached too.
	deadline := time.Now().Add(5 * time.Second)
	for {
		res, _ := r.call(leader, http.MethodGet, "/plans/fixture/dashboard", nil)
		if res.Header.Get("X-Duban-Cache") == "hit" {
			return r
		}
		require.True(t, time.Now().Before(deadline), "the replica never started listening for changes")
		time.Sleep(20 * time.Millisecond)
	}
}

// call sends a request as p, the way w.do does, without following redirects.
func (r *replica) call(p who, method, path string, form url.Values) (*http.Response, string) {
	r.t.Helper()
	cookies, csrf := r.w.credentials(p)
	var body io.Reader
	if form != nil {
		f := url.Values{"csrf": {csrf}}
		for k, v := range form {
			f[k] = v
		}
		body = strings.NewReader(f.Encode())
	}
	req, err := http.NewRequest(method, r.base+path, body)
	require.NoError(r.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	require.NoError(r.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(r.t, err)
	return res, string(b)
}

// signedIn reports whether p's session is accepted: the account's sessions
// page answers 200, not a redirect to the sign-in page.
func (r *replica) signedIn(p who) bool {
	r.t.Helper()
	res, _ := r.call(p, http.MethodGet, "/account/sessions", nil)
	return res.StatusCode == http.StatusOK
}

// eventually waits up to two seconds for cond: another replica hears of a
// change when PostgreSQL delivers the notification, milliseconds after the
// commit.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		require.True(t, time.Now().Before(deadline), msg)
		time.Sleep(10 * time.Millisecond)
	}
}

// withoutTrigger runs f with the sessions' notification trigger disabled:
// what f writes to sessions is announced to nobody.
func withoutTrigger(t *testing.T, w *world, f func()) {
	t.Helper()
	owner := pgtest.AsOwner(t, w.db)
	_, err := owner.Exec(bg, `ALTER TABLE sessions DISABLE TRIGGER sessions_notify_account`)
	require.NoError(t, err)
	defer func() {
		_, err := owner.Exec(bg, `ALTER TABLE sessions ENABLE TRIGGER sessions_notify_account`)
		require.NoError(t, err)
	}()
	f()
}

// TestSessionCacheAcrossReplicas runs two replicas on one database. Each
// keeps the sessions it has seen in memory; a sign-out on one is refused by
// that one at once and by the other as soon as the notification arrives, and
// so are a disabled account, a new role and a renamed unit.
func TestSessionCacheAcrossReplicas(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := serveReplica(t, w, w.srv)
	b := serveReplica(t, w, server.New(testConfig(t), w.db, quietLog(), server.WithClock(w.clock.Now), server.WithPasswordParams(auth.TestParams)))

	// The cache is used: a session ended behind the triggers' back (no
	// notification) is still accepted by the replica that cached it, and not
	// by one that reads the database.
	require.True(t, b.signedIn(staffOther))
	withoutTrigger(t, w, func() {
		_, err := w.db.Pool.Exec(bg, `UPDATE sessions SET ended_at = now(), ended_reason = 'logout' WHERE id = $1`, w.sessions[staffOther])
		require.NoError(t, err)
	})
	assert.True(t, b.signedIn(staffOther), "replica b answers from its cache")
	assert.False(t, a.signedIn(staffOther), "replica a had not cached the session")

	// Sign-out on a: a refuses the cookie on the very next request, without
	// waiting for the notification (here there is none)...
	for _, r := range []*replica{a, b} {
		require.True(t, r.signedIn(staffOwn))
		require.True(t, r.signedIn(supervisor))
		require.True(t, r.signedIn(leader))
	}
	withoutTrigger(t, w, func() {
		res, _ := a.call(staffOwn, http.MethodPost, "/logout", url.Values{})
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		assert.False(t, a.signedIn(staffOwn), "a sign-out takes effect at once on the replica that made it")
	})
	// ...and b as soon as it hears of one.
	res, _ := b.call(leader, http.MethodPost, "/logout", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	eventually(t, func() bool { return !a.signedIn(leader) }, "replica a still accepts a session signed out on b")
	w.tokens[leader], w.sessions[leader] = w.startSession(w.users[leader].ID)

	// An account disabled (here straight in the database, as another
	// replica or a tool would): both replicas drop it.
	sup, err := w.db.User(bg, w.users[supervisor].ID)
	require.NoError(t, err)
	_, err = w.db.SetUserDisabled(bg, workplan.System("test"), sup.ID, sup.Version, true)
	require.NoError(t, err)
	eventually(t, func() bool { return !a.signedIn(supervisor) && !b.signedIn(supervisor) }, "a disabled account is still signed in")

	// The leader becomes an administrator: the next pages show it.
	ld, err := w.db.User(bg, w.users[leader].ID)
	require.NoError(t, err)
	res, _ = b.call(leader, http.MethodGet, "/admin/users", nil)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	_, err = w.db.UpdateUser(bg, workplan.System("test"), ld.ID, ld.Version, workplan.UserEdit{DisplayName: ld.DisplayName, Role: workplan.UserAdmin})
	require.NoError(t, err)
	eventually(t, func() bool {
		res, _ := b.call(leader, http.MethodGet, "/admin/users", nil)
		return res.StatusCode == http.StatusOK
	}, "replica b still holds the leader's old role")

	// A renamed unit: sessions carry their unit's name, shown on /my.
	w.tokens[staffOther], w.sessions[staffOther] = w.startSession(w.users[staffOther].ID)
	_, page := b.call(staffOther, http.MethodGet, "/my", nil)
	require.Contains(t, page, "崆峒区人民政府")
	u, err := w.db.RegistryUnit(bg, w.otherUnt.ID)
	require.NoError(t, err)
	_, err = w.db.UpdateRegistryUnit(bg, workplan.System("test"), u.ID, u.Version, workplan.UnitEdit{Name: "崆峒区政府(更名)", Kind: u.Kind, Confirmed: true})
	require.NoError(t, err)
	eventually(t, func() bool {
		_, page := b.call(staffOther, http.MethodGet, "/my", nil)
		return strings.Contains(page, "崆峒区政府(更名)")
	}, "replica b still shows the unit's old name")
}

// TestSessionCacheIdleTimeout: a replica whose cached session looks idle
// asks the database before ending it, since another replica may have seen
// the session used meanwhile (uses are recorded at most once a minute and
// announce nothing).
func TestSessionCacheIdleTimeout(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := serveReplica(t, w, w.srv)
	b := serveReplica(t, w, server.New(testConfig(t), w.db, quietLog(), server.WithClock(w.clock.Now), server.WithPasswordParams(auth.TestParams)))
	idle := testConfig(t).SessionIdle
	require.True(t, b.signedIn(staffOwn))
	w.clock.Advance(idle - 2*time.Minute)
	require.True(t, a.signedIn(staffOwn), "used on a, which records it")
	w.clock.Advance(3 * time.Minute)
	assert.True(t, b.signedIn(staffOwn), "idle by what b cached, not by the database")
	w.clock.Advance(idle + time.Minute)
	assert.False(t, b.signedIn(staffOwn), "idle by the database too")
	assert.False(t, a.signedIn(staffOwn))
	var reason string
	require.NoError(t, w.db.Pool.QueryRow(bg, `SELECT ended_reason FROM sessions WHERE id = $1`, w.sessions[staffOwn]).Scan(&reason))
	assert.Equal(t, "idle", reason)
}

// TestPlanStateCacheFollowsWrites: the evaluated plan behind the ledger, the
// task pages and the API is kept per plan generation, so a write made
// without announcing it is not seen (the cache is used), and a report filed
// is seen by the next reads.
func TestPlanStateCacheFollowsWrites(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := serveReplica(t, w, w.srv)
	percent := func() int {
		req, err := http.NewRequest(http.MethodGet, a.base+"/api/v1/tasks/2?plan=fixture", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+w.apiToken)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		var task struct {
			Assignments []struct {
				Unit    string `json:"unit"`
				Percent int    `json:"percent"`
			} `json:"assignments"`
		}
		require.NoError(t, json.NewDecoder(res.Body).Decode(&task))
		require.Len(t, task.Assignments, 1)
		return task.Assignments[0].Percent
	}
	require.Equal(t, 30, percent())
	_, err := w.db.Pool.Exec(bg, `UPDATE assignment_state SET percent = 99 WHERE assignment_id = $1`, w.plan.ownAsg.ID)
	require.NoError(t, err)
	assert.Equal(t, 30, percent(), "served from the cached state: nothing announced the change")
	res, _ := a.call(leader, http.MethodGet, "/plans/fixture/tasks/2", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)

	own := workplan.ActorOf(w.users[staffOwn], "t", "192.0.2.1")
	_, err = w.db.FileReport(bg, own, workplan.ReportInput{AssignmentID: w.plan.ownAsg.ID, BaseVersion: w.version(w.plan.ownAsg.ID), Percent: 65, Progress: "过半"})
	require.NoError(t, err)
	eventually(t, func() bool { return percent() == 65 }, "the API still shows the state before the report")
	_, page := a.call(leader, http.MethodGet, "/plans/fixture/tasks/2", nil)
	assert.Contains(t, page, "65")
}
