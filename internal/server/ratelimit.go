package server

import (
	"math"
	"sync"
	"time"
)

// apiLimiter is the rate limit of API tokens: a token bucket per token,
// holding a minute's worth of requests and refilled continuously, so a
// token may make its limit's worth of requests in a burst, then one every
// 60/limit seconds.
//
// It is kept per replica, in memory, on purpose. Its job is to keep one
// client (a command center polling too eagerly, a script in a loop) from
// taking a replica's CPU and database connections away from the people
// using the pages; each replica protects itself. Counting in PostgreSQL
// would cost a write per API request on the path the limit is there to
// keep cheap. Nothing depends on the counts being shared: behind a load
// balancer spreading a client over N replicas, the client may make up to
// N times the limit in all, which is still bounded, and a replica that
// restarts forgets its counts, which only ever lets a client in. Sizing:
// API_RATE_LIMIT is per replica (README, The JSON API).
type apiLimiter struct {
	mu      sync.Mutex
	buckets map[int64]*bucket
}

type bucket struct {
	perMinute int
	tokens    float64
	at        time.Time
}

func newAPILimiter() *apiLimiter { return &apiLimiter{buckets: map[int64]*bucket{}} }

// allow takes one request from token id's bucket at now, under a limit of
// perMinute. It returns whether the request may proceed, the requests left,
// and, when it may not, how long until it could.
func (l *apiLimiter) allow(id int64, perMinute int, now time.Time) (bool, int, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[id]
	if b == nil || b.perMinute != perMinute {
		if len(l.buckets) > 10_000 {
			// Tokens are few; this bounds the map against anything else.
			l.buckets = map[int64]*bucket{}
		}
		b = &bucket{perMinute: perMinute, tokens: float64(perMinute), at: now}
		l.buckets[id] = b
	}
	perSecond := float64(perMinute) / 60
	if elapsed := now.Sub(b.at).Seconds(); elapsed > 0 {
		b.tokens = math.Min(float64(perMinute), b.tokens+elapsed*perSecond)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, int(b.tokens), 0
	}
	wait := time.Duration((1 - b.tokens) / perSecond * float64(time.Second))
	return false, 0, wait
}
