package metrics

import (
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// cacheCollector reads the CacheCounts of every cache at scrape time.
type cacheCollector struct {
	mu     sync.Mutex
	names  []string
	counts []*CacheCounts
}

func (c *cacheCollector) add(name string, cc *CacheCounts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.names = append(c.names, name)
	c.counts = append(c.counts, cc)
}

var (
	cacheHitsDesc = prometheus.NewDesc(namespace+"_cache_hits_total",
		"Lookups answered from the cache, by cache (dashboard, plan_state, plan, session).", []string{"cache"}, nil)
	cacheMissesDesc = prometheus.NewDesc(namespace+"_cache_misses_total",
		"Lookups the cache could not answer (nothing cached, or the change feed is down), by cache.", []string{"cache"}, nil)
	cacheRebuildsDesc = prometheus.NewDesc(namespace+"_cache_rebuilds_total",
		"Values built to fill the cache after a miss, by cache.", []string{"cache"}, nil)
)

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- cacheHitsDesc
	ch <- cacheMissesDesc
	ch <- cacheRebuildsDesc
}

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, name := range c.names {
		cc := c.counts[i]
		ch <- prometheus.MustNewConstMetric(cacheHitsDesc, prometheus.CounterValue, float64(cc.Hits.Load()), name)
		ch <- prometheus.MustNewConstMetric(cacheMissesDesc, prometheus.CounterValue, float64(cc.Misses.Load()), name)
		ch <- prometheus.MustNewConstMetric(cacheRebuildsDesc, prometheus.CounterValue, float64(cc.Rebuilds.Load()), name)
	}
}

// WatchPool registers the connection pool whose statistics stat returns
// (pgxpool.Pool.Stat), read at every scrape as duban_db_pool_*.
func (m *Metrics) WatchPool(stat func() *pgxpool.Stat) { m.Register(poolCollector{stat: stat}) }

// poolCollector reads pgxpool statistics at scrape time. The pool counts
// everything itself; the collector only converts.
type poolCollector struct {
	stat func() *pgxpool.Stat
}

func poolDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(namespace+"_db_pool_"+name, help, nil, nil)
}

var (
	poolAcquired     = poolDesc("acquired_connections", "Connections in use by a request or job now.")
	poolIdle         = poolDesc("idle_connections", "Open connections waiting to be used now.")
	poolConstructing = poolDesc("constructing_connections", "Connections being opened now.")
	poolTotal        = poolDesc("total_connections", "Connections open or being opened now (acquired + idle + constructing).")
	poolMax          = poolDesc("max_connections", "The pool's size (DB_MAX_CONNS).")
	poolAcquires     = poolDesc("acquires_total", "Connections handed out by the pool.")
	poolWaits        = poolDesc("acquire_waits_total", "Acquires that had to wait because no connection was idle.")
	poolWaitSeconds  = poolDesc("acquire_wait_seconds_total", "Time spent by acquires waiting for a connection to be freed or opened.")
	poolCanceled     = poolDesc("canceled_acquires_total", "Acquires given up because the request ended first (timeouts while the pool was exhausted).")
	poolNewConns     = poolDesc("new_connections_total", "Connections opened since the start.")
)

func (p poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolAcquired, poolIdle, poolConstructing, poolTotal, poolMax,
		poolAcquires, poolWaits, poolWaitSeconds, poolCanceled, poolNewConns} {
		ch <- d
	}
}

func (p poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := p.stat()
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(poolAcquired, float64(s.AcquiredConns()))
	gauge(poolIdle, float64(s.IdleConns()))
	gauge(poolConstructing, float64(s.ConstructingConns()))
	gauge(poolTotal, float64(s.TotalConns()))
	gauge(poolMax, float64(s.MaxConns()))
	counter(poolAcquires, float64(s.AcquireCount()))
	counter(poolWaits, float64(s.EmptyAcquireCount()))
	counter(poolWaitSeconds, s.EmptyAcquireWaitTime().Seconds())
	counter(poolCanceled, float64(s.CanceledAcquireCount()))
	counter(poolNewConns, float64(s.NewConnsCount()))
}
