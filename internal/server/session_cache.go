package server

import (
	"context"
	"time"

	"duban/internal/metrics"
	"duban/internal/workplan"
)

// sessionCache keeps the sessions this replica looked up, so that a signed-in
// request costs no query: reading a page is then as cheap as the page itself
// (the dashboard is served from pageCache). It is trusted on the same terms
// as pageCache: only while change notifications flow. Whatever ends a session
// or changes what it carries (its user's role, unit, password state or
// account, its unit's name) announces it through triggers (migration
// 000009), so every replica drops the user's sessions when the write commits;
// the replica that made the write drops them before answering
// (evictingStore), so that a sign-out takes effect on its very next request.
// An entry is also dropped after ttl, and a session that looks past its idle
// timeout is read again before it is ended: another replica may have seen it
// used since.
type sessionCache struct {
	// guard counts the account changes heard, and every reset: a session
	// read before a change may be older than the change. Its lock (mu)
	// guards every field.
	guard
	entries map[string]cachedSession
	max     int
	ttl     time.Duration
	// counts counts the lookups, for the metrics (metrics.go).
	counts metrics.CacheCounts
}

type cachedSession struct {
	sess workplan.Session
	at   time.Time
}

func newSessionCache(max int, ttl time.Duration) *sessionCache {
	return &sessionCache{entries: map[string]cachedSession{}, max: max, ttl: ttl}
}

// get returns the cached session of the token hash key.
func (c *sessionCache) get(key string) (workplan.Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.listening {
		c.counts.Misses.Add(1)
		return workplan.Session{}, false
	}
	if time.Since(e.at) > c.ttl {
		delete(c.entries, key)
		c.counts.Misses.Add(1)
		return workplan.Session{}, false
	}
	c.counts.Hits.Add(1)
	return e.sess, true
}

// put remembers a session loaded after mark returned seen, unless a change
// was heard since (the session read may predate it).
func (c *sessionCache) put(key string, s workplan.Session, seen uint64) {
	c.counts.Rebuilds.Add(1)
	c.keep(seen, func() {
		if len(c.entries) >= c.max {
			// Bounded memory: start again rather than track recency; a
			// full cache means more live sessions than any plan has staff.
			c.entries = map[string]cachedSession{}
		}
		c.entries[key] = cachedSession{sess: s, at: time.Now()}
	})
}

// touched records that the session of key was marked used at at.
func (c *sessionCache) touched(key string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		e.sess.LastSeenAt = at
		c.entries[key] = e
	}
}

// forget drops the session of key.
func (c *sessionCache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}

// forgetUser drops every session of user id (0: of every user).
func (c *sessionCache) forgetUser(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.heard()
	if id == 0 {
		c.entries = map[string]cachedSession{}
		return
	}
	for k, e := range c.entries {
		if e.sess.User.ID == id {
			delete(c.entries, k)
		}
	}
}

// changed is the changed callback of WatchChanges: account changes drop the
// user's sessions, and a change to every plan's structure (a unit renamed)
// drops them all, since sessions carry their unit's name.
func (c *sessionCache) changed(ch workplan.Change) {
	switch {
	case ch.Accounts:
		c.forgetUser(ch.User)
	case ch.Structure && ch.Plan == 0:
		c.forgetUser(0)
	}
}

// setListening is the listening callback of WatchChanges.
func (c *sessionCache) setListening(on bool) {
	c.restart(on, func() { c.entries = map[string]cachedSession{} })
}

// evictingStore is the server's store: the writes that end sessions or change
// users and units also drop the sessions they affect from this replica's
// cache before the handler answers. (Other replicas hear of them through the
// triggers' notifications.)
type evictingStore struct {
	Store
	sessions *sessionCache
}

func (e evictingStore) EndSession(ctx context.Context, actor workplan.Actor, userID, sessionID int64, reason string) error {
	defer e.sessions.forgetUser(userID)
	return e.Store.EndSession(ctx, actor, userID, sessionID, reason)
}

func (e evictingStore) UpdateUser(ctx context.Context, actor workplan.Actor, id int64, version int, ed workplan.UserEdit) (workplan.User, error) {
	defer e.sessions.forgetUser(id)
	return e.Store.UpdateUser(ctx, actor, id, version, ed)
}

func (e evictingStore) SetUserDisabled(ctx context.Context, actor workplan.Actor, id int64, version int, disabled bool) (workplan.User, error) {
	defer e.sessions.forgetUser(id)
	return e.Store.SetUserDisabled(ctx, actor, id, version, disabled)
}

func (e evictingStore) ResetPassword(ctx context.Context, actor workplan.Actor, id int64, hash string) error {
	defer e.sessions.forgetUser(id)
	return e.Store.ResetPassword(ctx, actor, id, hash)
}

func (e evictingStore) ChangePassword(ctx context.Context, actor workplan.Actor, id int64, hash string, keep int64) error {
	defer e.sessions.forgetUser(id)
	return e.Store.ChangePassword(ctx, actor, id, hash, keep)
}

func (e evictingStore) UpdateRegistryUnit(ctx context.Context, actor workplan.Actor, id int64, version int, ed workplan.UnitEdit) (workplan.Unit, error) {
	defer e.sessions.forgetUser(0)
	return e.Store.UpdateRegistryUnit(ctx, actor, id, version, ed)
}

func (e evictingStore) SetUnitMembers(ctx context.Context, actor workplan.Actor, id int64, version int, members []int64, dryRun bool) (workplan.Unit, workplan.MappingChange, error) {
	defer e.sessions.forgetUser(0)
	return e.Store.SetUnitMembers(ctx, actor, id, version, members, dryRun)
}
