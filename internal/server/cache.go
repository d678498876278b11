package server

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"duban/internal/metrics"
	"duban/internal/workplan"
)

// changeFeed tells the server when plans change (postgres.DB.WatchChanges).
type changeFeed interface {
	WatchChanges(ctx context.Context, changed func(workplan.Change), listening func(bool))
}

// guard is what a replica's cache trusts: that change notifications flow
// (listening) and how many changes it has heard. A value read from the
// database after mark may be stored only if, by then, notifications still
// flow and no change was heard since: it could predate that change
// otherwise (keep). Its lock is the owning cache's lock: pageCache,
// sessionCache and counts embed it and take mu for their own fields too.
type guard struct {
	mu        sync.Mutex
	listening bool
	changes   uint64
}

// mark returns the count of changes heard so far: read it before loading a
// value, and give it to keep.
func (g *guard) mark() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.changes
}

// keep runs store, under the lock, if a value loaded after mark returned
// seen may be kept: notifications still flow and no change was heard
// since. It reports whether store ran.
func (g *guard) keep(seen uint64, store func()) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.fresh(seen) {
		return false
	}
	store()
	return true
}

// stillFresh reports whether a value loaded after mark returned seen may
// still be kept.
func (g *guard) stillFresh(seen uint64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.fresh(seen)
}

// restart is the listening callback's part common to every cache: under
// the lock it records whether notifications flow, counts a change (what
// was read before may have missed one: nothing marked before now may be
// kept) and runs reset, which empties the cache.
func (g *guard) restart(on bool, reset func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.listening = on
	g.heard()
	reset()
}

// fresh is stillFresh with the lock held.
func (g *guard) fresh(seen uint64) bool { return g.listening && seen == g.changes }

// heard counts a change; the lock is held.
func (g *guard) heard() { g.changes++ }

// pageCache keeps rendered page bodies with their compressed form
// (renderedBody), each under a key made of what it depends on: the change
// generations of the plans it shows (or of every plan, or of one user's
// notifications), the class of readers it was rendered for (see
// pagecache.go), the language, the query and the minute. Writes announce
// changes through PostgreSQL NOTIFY at commit; every replica bumps the
// plan's generation when it hears one, so a cached body is never older than
// the last change this replica was told about. While the notification
// connection is down nothing is cached or served from the cache, because
// notifications may be missed. Pages depend on the clock too: their keys
// include the minute, so pace and day counts are at most a minute old.
type pageCache struct {
	// guard counts the structure changes heard: cached plans depend on
	// them. Its lock (mu) guards every field.
	guard
	// epoch changes whenever listening starts again: what was cached before
	// may have missed notifications.
	epoch uint64
	all   uint64
	gens  map[int64]uint64
	// total counts every change of any plan, for pages that show several.
	total uint64
	// notices counts the changes of each user's notifications, noticesAll
	// those of everyone's.
	notices    map[int64]uint64
	noticesAll uint64
	// memo holds what depends on plans' structure only (which plans a unit
	// works in, an assignment's unit and task): valid while no structure
	// change is heard (guard.changes).
	memo map[string]memoEntry
	// past holds plans' states at past instants (pastState): history
	// before now changes only with structure changes.
	past map[pastKey]memoEntry
	// structure counts the changes of a plan itself (tasks, units), which
	// are all that cached plans depend on; allStructure those of every plan.
	structure    map[int64]uint64
	allStructure uint64
	// plans maps a slug to its plan and the generation it was read at.
	plans map[string]cachedPlan
	// states holds each plan's evaluated state (planState) under the key it
	// was built for; at most maxStates plans.
	states map[int64]cachedState
	// entries and lru bound the memory: at most maxBytes of bodies.
	entries  map[string]*list.Element
	lru      *list.List
	bytes    int
	maxBytes int
	// pageCounts, stateCounts and planCounts count the lookups of bodies,
	// states and plans, for the metrics (metrics.go).
	pageCounts, stateCounts, planCounts metrics.CacheCounts
	// origin starts the names of this replica's writes (newWrite), writes
	// counts them; own holds the changes of its writes applied once, and
	// by whom: true for the handler (announcedBefore).
	origin string
	writes atomic.Uint64
	own    map[workplan.Change]bool
}

// cachedState is a plan's state with the plan's generations it was read
// at (a key without the minute) and the minute it was evaluated in.
type cachedState struct {
	gens   string
	minute int64
	ps     *planState
}

// maxStates bounds the plan states kept: a deployment has a few plans, the
// province-size benchmark 200.
const maxStates = 64

type cachedPlan struct {
	plan            workplan.Plan
	epoch, all, gen uint64
}

// valid reports whether p is still what the database holds.
func (c *pageCache) valid(p cachedPlan) bool {
	return c.listening && p.epoch == c.epoch && p.all == c.allStructure && p.gen == c.structure[p.plan.ID]
}

type cacheEntry struct {
	key  string
	body *renderedBody
}

// memoEntry is a value that depends on structure only, with the count of
// structure changes heard before it was read.
type memoEntry struct {
	v       any
	changes uint64
}

// pastKey names a plan's state at a past instant.
type pastKey struct {
	plan int64
	at   time.Time
}

// maxMemo and maxPast bound the memo and the past states: the memo holds
// small values (a few hundred bytes), a past state a plan's picture.
const (
	maxMemo = 50_000
	maxPast = 16
)

// maxOwn bounds the changes of this replica's writes applied once and
// waiting for their second announcement.
const maxOwn = 10_000

func newPageCache(maxBytes int) *pageCache {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &pageCache{gens: map[int64]uint64{}, structure: map[int64]uint64{}, plans: map[string]cachedPlan{},
		states: map[int64]cachedState{}, entries: map[string]*list.Element{}, lru: list.New(), maxBytes: maxBytes,
		notices: map[int64]uint64{}, memo: map[string]memoEntry{}, past: map[pastKey]memoEntry{},
		origin: hex.EncodeToString(b) + ".", own: map[workplan.Change]bool{}}
}

// newWrite names a write of this replica: unique among every replica's.
func (c *pageCache) newWrite() string {
	return c.origin + strconv.FormatUint(c.writes.Add(1), 36)
}

// announcedBefore reports whether ch, a change of one of this replica's
// writes, announced by its handler (here) or by the database's
// notification, was applied already by the other. A write of one
// transaction announces its change twice, both times after its commit: by
// the handler (changedHere), so that the writer's next read shows it, and
// by the notification, which the other replicas hear too. Whichever comes
// first is applied; the second says nothing new, and is not (it would have
// every page and plan state it touches built again for nothing). Two
// notifications never cancel each other (a request of several
// transactions), nor do two handler's announcements. Forgetting one (a
// write whose handler tells nothing, a notification lost with the
// connection) costs a build, never a stale page. The lock is held.
func (c *pageCache) announcedBefore(ch workplan.Change, here bool) bool {
	if !strings.HasPrefix(ch.Write, c.origin) {
		return false
	}
	if by, ok := c.own[ch]; ok && by != here {
		delete(c.own, ch)
		return true
	}
	if len(c.own) >= maxOwn {
		c.own = map[workplan.Change]bool{}
	}
	c.own[ch] = here
	return false
}

// setListening is the listening callback of WatchChanges.
func (c *pageCache) setListening(on bool) {
	c.restart(on, func() {
		c.epoch++
		c.entries = map[string]*list.Element{}
		c.plans = map[string]cachedPlan{}
		c.states = map[int64]cachedState{}
		c.memo = map[string]memoEntry{}
		c.past = map[pastKey]memoEntry{}
		c.lru.Init()
		c.bytes = 0
		c.own = map[workplan.Change]bool{}
	})
}

// state returns plan planID's state read at generations gens (see key)
// and evaluated in minute, or in the minute before (then fresh is false:
// the caller may serve it while a newer one is evaluated).
func (c *pageCache) state(planID int64, gens string, minute int64) (ps *planState, fresh, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.states[planID]
	if !ok || e.gens != gens || e.minute > minute || e.minute < minute-1 {
		c.stateCounts.Misses.Add(1)
		return nil, false, false
	}
	c.stateCounts.Hits.Add(1)
	return e.ps, e.minute == minute, true
}

// previousState returns the plan's cached state if it was read at
// generations gens, whatever its minute: the state a new evaluation of the
// same facts is compared with (versionStates).
func (c *pageCache) previousState(planID int64, gens string) *planState {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.states[planID]; ok && e.gens == gens {
		return e.ps
	}
	return nil
}

// putState keeps plan planID's state read at gens and evaluated in
// minute, replacing the plan's older one (not a later evaluation of the
// same generations). The state is shared by every reader from now on:
// nobody may change it.
func (c *pageCache) putState(planID int64, gens string, minute int64, ps *planState) {
	c.stateCounts.Rebuilds.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.listening {
		return
	}
	old, ok := c.states[planID]
	if ok && old.gens == gens && old.minute > minute {
		return
	}
	if !ok && len(c.states) >= maxStates {
		c.states = map[int64]cachedState{}
	}
	c.states[planID] = cachedState{gens: gens, minute: minute, ps: ps}
}

// plan returns the cached plan of slug while no change was announced since
// it was read.
func (c *pageCache) plan(slug string) (workplan.Plan, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.plans[slug]
	if !ok || !c.valid(p) {
		c.planCounts.Misses.Add(1)
		return workplan.Plan{}, false
	}
	c.planCounts.Hits.Add(1)
	return p.plan, true
}

// putPlan remembers a plan loaded after mark returned seen, unless a change
// was announced since (then the plan may be older than the announcement).
func (c *pageCache) putPlan(slug string, p workplan.Plan, seen uint64) {
	c.planCounts.Rebuilds.Add(1)
	c.keep(seen, func() {
		if len(c.plans) <= 10_000 {
			c.plans[slug] = cachedPlan{plan: p, epoch: c.epoch, all: c.allStructure, gen: c.structure[p.ID]}
		}
	})
}

// changed is the changed callback of WatchChanges, and what changedHere
// tells: plan 0 means every plan. Pages depend on every change but those
// of accounts; cached plans only on structure changes; the notification
// pages on their user's notifications. A change of this replica's write
// is applied once (announcedBefore).
func (c *pageCache) changed(ch workplan.Change) { c.apply(ch, false) }

// changedHere is changed for what a handler of this replica tells of its
// write's change, after the commit.
func (c *pageCache) changedHere(ch workplan.Change) { c.apply(ch, true) }

func (c *pageCache) apply(ch workplan.Change, here bool) {
	if ch.Accounts {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.announcedBefore(ch, here) {
		return
	}
	if ch.Notices {
		if ch.User == 0 {
			c.noticesAll++
		} else {
			c.notices[ch.User]++
		}
		return
	}
	c.total++
	if ch.Plan == 0 {
		c.all++
	} else {
		c.gens[ch.Plan]++
	}
	if ch.Structure {
		c.heard()
		if ch.Plan == 0 {
			c.allStructure++
		} else {
			c.structure[ch.Plan]++
		}
	}
}

// keyOf returns a page's key: the epoch, what head writes (the
// generations the page depends on, read under the lock) and parts; or
// false while notifications do not flow, when the cache must not be used.
func (c *pageCache) keyOf(head func(b *strings.Builder), parts []string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.listening {
		return "", false
	}
	var b strings.Builder
	b.WriteString(strconv.FormatUint(c.epoch, 10))
	head(&b)
	for _, p := range parts {
		b.WriteByte('|')
		b.WriteString(p)
	}
	return b.String(), true
}

// gen writes |name.n to a key.
func gen(b *strings.Builder, name string, n uint64) {
	b.WriteByte('|')
	b.WriteString(name)
	b.WriteByte('.')
	b.WriteString(strconv.FormatUint(n, 10))
}

// key returns the cache key of a page of plan planID with the given parts,
// or false when the cache must not be used. Take the key before loading the
// data: a change announced meanwhile makes the next key differ.
func (c *pageCache) key(planID int64, parts ...string) (string, bool) {
	return c.keyOf(func(b *strings.Builder) {
		gen(b, "every", c.all)
		b.WriteString("|plan")
		gen(b, strconv.FormatInt(planID, 10), c.gens[planID])
	}, parts)
}

// keySince is key, unless a structure change was heard since mark
// returned seen: then what the caller read of the structure in between
// (assignmentMeta) may be older than the key, and the page must not be
// cached.
func (c *pageCache) keySince(seen uint64, planID int64, parts ...string) (string, bool) {
	k, ok := c.key(planID, parts...)
	return k, ok && c.stillFresh(seen)
}

// keyPlans is key for a page that shows plans planIDs (in that order).
func (c *pageCache) keyPlans(planIDs []int64, parts ...string) (string, bool) {
	return c.keyOf(func(b *strings.Builder) {
		gen(b, "every", c.all)
		b.WriteString("|plans")
		for _, id := range planIDs {
			gen(b, strconv.FormatInt(id, 10), c.gens[id])
		}
	}, parts)
}

// keyAll is key for a page that may show any plan.
func (c *pageCache) keyAll(parts ...string) (string, bool) {
	return c.keyOf(func(b *strings.Builder) { gen(b, "all", c.total) }, parts)
}

// keyNotices is key for a page of user userID's notifications.
func (c *pageCache) keyNotices(userID int64, parts ...string) (string, bool) {
	return c.keyOf(func(b *strings.Builder) {
		gen(b, "notices", c.noticesAll)
		gen(b, "user"+strconv.FormatInt(userID, 10), c.notices[userID])
	}, parts)
}

// memoGet returns the value memoised under key while no structure change
// was heard since it was read.
func (c *pageCache) memoGet(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.memo[key]
	if !ok || !c.listening || e.changes != c.changes {
		return nil, false
	}
	return e.v, true
}

// memoPut keeps v, read after mark returned seen, unless a structure
// change was heard since.
func (c *pageCache) memoPut(key string, v any, seen uint64) {
	c.keep(seen, func() {
		if len(c.memo) >= maxMemo {
			c.memo = map[string]memoEntry{}
		}
		c.memo[key] = memoEntry{v: v, changes: seen}
	})
}

// pastState returns plan planID's state at the past instant at, kept while
// no structure change was heard.
func (c *pageCache) pastState(planID int64, at time.Time) (*planState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.past[pastKey{planID, at}]
	if !ok || !c.listening || e.changes != c.changes {
		return nil, false
	}
	return e.v.(*planState), true
}

// putPastState keeps a past state read after mark returned seen.
func (c *pageCache) putPastState(planID int64, at time.Time, ps *planState, seen uint64) {
	c.keep(seen, func() {
		if len(c.past) >= maxPast {
			c.past = map[pastKey]memoEntry{}
		}
		c.past[pastKey{planID, at}] = memoEntry{v: ps, changes: seen}
	})
}

func (c *pageCache) get(key string) (*renderedBody, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		c.pageCounts.Misses.Add(1)
		return nil, false
	}
	c.pageCounts.Hits.Add(1)
	c.lru.MoveToFront(e)
	return e.Value.(*cacheEntry).body, true
}

func (c *pageCache) put(key string, body *renderedBody) {
	c.pageCounts.Rebuilds.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.listening {
		return
	}
	if body.size > c.maxBytes/8 {
		return // one page must not empty the cache
	}
	if e, ok := c.entries[key]; ok {
		ce := e.Value.(*cacheEntry)
		c.bytes += body.size - ce.body.size
		ce.body = body
		c.lru.MoveToFront(e)
	} else {
		c.entries[key] = c.lru.PushFront(&cacheEntry{key, body})
		c.bytes += body.size + len(key)
	}
	for c.bytes > c.maxBytes {
		old := c.lru.Back()
		ce := old.Value.(*cacheEntry)
		c.lru.Remove(old)
		delete(c.entries, ce.key)
		c.bytes -= ce.body.size + len(ce.key)
	}
}
