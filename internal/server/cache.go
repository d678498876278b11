package server

import (
	"container/list"
	"context"
	"strconv"
	"sync"

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
// flow and no change was heard since (fresh): it could predate that change
// otherwise. Its methods run under the owning cache's lock.
type guard struct {
	listening bool
	changes   uint64
}

// mark is the count of changes heard so far: read it before loading a value.
func (g *guard) mark() uint64 { return g.changes }

// fresh reports whether a value loaded after mark returned seen may be kept.
func (g *guard) fresh(seen uint64) bool { return g.listening && seen == g.changes }

// heard counts a change.
func (g *guard) heard() { g.changes++ }

// pageCache keeps rendered page bodies that everyone sees alike (the
// dashboard), with their compressed form (renderedBody), keyed by the plan's
// change generation. Writes announce
// changes through PostgreSQL NOTIFY at commit; every replica bumps the
// plan's generation when it hears one, so a cached body is never older than
// the last change this replica was told about. While the notification
// connection is down nothing is cached or served from the cache, because
// notifications may be missed. The dashboard depends on the clock too: the
// key includes the minute, so pace and day counts are at most a minute old.
type pageCache struct {
	mu sync.Mutex
	// guard counts the structure changes heard: cached plans depend on them.
	guard
	// epoch changes whenever listening starts again: what was cached before
	// may have missed notifications.
	epoch uint64
	all   uint64
	gens  map[int64]uint64
	// structure counts the changes of a plan itself (tasks, units), which
	// are all that cached plans depend on; allStructure those of every plan.
	structure    map[int64]uint64
	allStructure uint64
	// plans maps a slug to its plan and the generation it was read at.
	plans map[string]cachedPlan
	// states holds each plan's evaluated state (planState) under the key it
	// was built for; at most maxStates plans.
	states map[int64]cachedState
	// entries and lru bound the memory: at most max bodies.
	entries map[string]*list.Element
	lru     *list.List
	max     int
	// dashCounts, stateCounts and planCounts count the lookups of bodies,
	// states and plans, for the metrics (metrics.go).
	dashCounts, stateCounts, planCounts metrics.CacheCounts
}

type cachedState struct {
	key string
	ps  *planState
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

func newPageCache(max int) *pageCache {
	return &pageCache{gens: map[int64]uint64{}, structure: map[int64]uint64{}, plans: map[string]cachedPlan{},
		states: map[int64]cachedState{}, entries: map[string]*list.Element{}, lru: list.New(), max: max}
}

// setListening is the listening callback of WatchChanges.
func (c *pageCache) setListening(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.listening = on
	c.epoch++
	c.entries = map[string]*list.Element{}
	c.plans = map[string]cachedPlan{}
	c.states = map[int64]cachedState{}
	c.lru.Init()
}

// state returns plan planID's state cached under key (see key).
func (c *pageCache) state(planID int64, key string) (*planState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.states[planID]
	if !ok || e.key != key {
		c.stateCounts.Misses.Add(1)
		return nil, false
	}
	c.stateCounts.Hits.Add(1)
	return e.ps, true
}

// putState keeps plan planID's state built for key, replacing the plan's
// older one. The state is shared by every reader from now on: nobody may
// change it.
func (c *pageCache) putState(planID int64, key string, ps *planState) {
	c.stateCounts.Rebuilds.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.listening {
		return
	}
	if _, ok := c.states[planID]; !ok && len(c.states) >= maxStates {
		c.states = map[int64]cachedState{}
	}
	c.states[planID] = cachedState{key: key, ps: ps}
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

// markPlans returns the count of structure changes so far: read it before
// loading a plan, and give it to putPlan.
func (c *pageCache) markPlans() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.guard.mark()
}

// putPlan remembers a plan loaded after mark returned seen, unless a change
// was announced since (then the plan may be older than the announcement).
func (c *pageCache) putPlan(slug string, p workplan.Plan, seen uint64) {
	c.planCounts.Rebuilds.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fresh(seen) || len(c.plans) > 10_000 {
		return
	}
	c.plans[slug] = cachedPlan{plan: p, epoch: c.epoch, all: c.allStructure, gen: c.structure[p.ID]}
}

// changed is the changed callback of WatchChanges: plan 0 means every plan.
// Pages depend on every change but those of accounts; cached plans only on
// structure changes.
func (c *pageCache) changed(ch workplan.Change) {
	if ch.Accounts || ch.Notices {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
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

// key returns the cache key of a page of plan planID with the given parts,
// or false when the cache must not be used. Take the key before loading the
// data: a change announced meanwhile makes the next key differ.
func (c *pageCache) key(planID int64, parts ...string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.listening {
		return "", false
	}
	k := strconv.FormatUint(c.epoch, 10) + "|" + strconv.FormatUint(c.all, 10) + "|" +
		strconv.FormatInt(planID, 10) + "|" + strconv.FormatUint(c.gens[planID], 10)
	for _, p := range parts {
		k += "|" + p
	}
	return k, true
}

func (c *pageCache) get(key string) (*renderedBody, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		c.dashCounts.Misses.Add(1)
		return nil, false
	}
	c.dashCounts.Hits.Add(1)
	c.lru.MoveToFront(e)
	return e.Value.(*cacheEntry).body, true
}

func (c *pageCache) put(key string, body *renderedBody) {
	c.dashCounts.Rebuilds.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.listening {
		return
	}
	if e, ok := c.entries[key]; ok {
		e.Value.(*cacheEntry).body = body
		c.lru.MoveToFront(e)
		return
	}
	c.entries[key] = c.lru.PushFront(&cacheEntry{key, body})
	for c.lru.Len() > c.max {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.entries, old.Value.(*cacheEntry).key)
	}
}
