// Package metrics holds the figures duban exposes to Prometheus: one
// registry per process with every duban_ metric, the Go runtime and process
// collectors, the connection pool read at scrape time, and the HTTP
// instruments that the server's middleware records into (http.go). The
// registry is served on a listener of its own (METRICS_ADDR, Serve), never on
// the public port.
//
// Adding a metric is one line in New (and a field to hold it), through the
// helpers that prefix the name and register it:
//
//	m.RemindersSent = m.CounterVec("reminders_sent_total", "Reminders sent, by channel.", "channel")
//
// The reminders and the outbox (issue 14) expose what the Reminders row of
// deploy/grafana/duban.json charts:
//
//	duban_reminder_pass_last_run_timestamp_seconds  gauge: when the daily pass last finished
//	duban_reminder_pass_duration_seconds            gauge: how long it took
//	duban_reminder_pass_messages                    gauge: messages it queued
//	duban_outbox_pending{channel}                   gauge: messages waiting to be sent
//	duban_outbox_failed{channel}                    gauge: messages that gave up
//
// each one line in New, set by the reminder runner after every pass
// (ReminderPass) and by the outbox's sender after every round (Outbox).
package metrics

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"duban/internal/deadline"
	"duban/internal/snapshot"
)

// namespace prefixes every metric of the application.
const namespace = "duban"

// Metrics is the registry of one process and the metrics recorded into it
// outside HTTP. A Metrics is given to one server (server.WithMetrics): its
// cache and change-feed metrics are registered once.
type Metrics struct {
	reg    *prometheus.Registry
	caches *cacheCollector

	// HTTP holds the request metrics, recorded by the server's middleware.
	HTTP *HTTP

	// ReportsFiled counts reports stored, by source: form (one report
	// through the report form) or import (rows of an uploaded ledger).
	ReportsFiled *prometheus.CounterVec
	// ReportConflicts counts reports refused because the form was stale
	// (409: someone reported or reviewed meanwhile). No update is lost;
	// many of them mean units overwrite each other's work.
	ReportConflicts prometheus.Counter
	// ReviewsDecided counts review decisions recorded, by decision
	// (accept, return).
	ReviewsDecided *prometheus.CounterVec
	// SignInFailures counts sign-ins refused after the password was
	// checked, by reason (unknown_user, bad_password, disabled, bad_hash).
	SignInFailures *prometheus.CounterVec
	// SignInThrottled counts sign-ins refused by the throttle before any
	// password was checked (429).
	SignInThrottled prometheus.Counter

	// SnapshotRuns counts runs of the daily snapshot job by result (ok,
	// error); every replica runs it, and a run finding the day taken by
	// another replica is ok with no day taken.
	SnapshotRuns *prometheus.CounterVec
	// SnapshotDays counts the days whose snapshots this process took.
	SnapshotDays prometheus.Counter
	// SnapshotLastSuccess is when a run last succeeded (Unix seconds).
	SnapshotLastSuccess prometheus.Gauge
	// SnapshotLastDuration is how long the last run took, in seconds.
	SnapshotLastDuration prometheus.Gauge

	// ReminderLastRun, ReminderDuration and ReminderMessages describe the
	// last daily reminder pass this process ran: when it finished, how
	// long it took, how many messages it wrote.
	ReminderLastRun, ReminderDuration, ReminderMessages prometheus.Gauge
	// OutboxPending and OutboxFailed count the outbox's messages waiting
	// and given up, by channel (email, wecom, dingtalk, feishu).
	OutboxPending, OutboxFailed *prometheus.GaugeVec
}

// New returns a registry with the Go runtime, process and build collectors
// and every duban_ metric.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
	)
	m.HTTP = newHTTP(m)
	m.caches = &cacheCollector{}
	m.reg.MustRegister(m.caches)

	m.ReportsFiled = m.CounterVec("reports_filed_total", "Reports stored, by source (form, import).", "source")
	m.ReportConflicts = m.Counter("report_conflicts_total", "Reports refused because the form was stale (409).")
	m.ReviewsDecided = m.CounterVec("reviews_decided_total", "Review decisions recorded, by decision (accept, return).", "decision")
	m.SignInFailures = m.CounterVec("signin_failures_total", "Sign-ins refused after checking the password, by reason.", "reason")
	m.SignInThrottled = m.Counter("signin_throttled_total", "Sign-ins refused by the throttle (429).")

	m.SnapshotRuns = m.CounterVec("snapshot_runs_total", "Runs of the daily snapshot job, by result (ok, error).", "result")
	m.SnapshotDays = m.Counter("snapshot_days_taken_total", "Days whose snapshots this process took.")
	m.SnapshotLastSuccess = m.Gauge("snapshot_last_success_timestamp_seconds", "When the snapshot job last succeeded (Unix time).")
	m.SnapshotLastDuration = m.Gauge("snapshot_last_run_duration_seconds", "How long the last run of the snapshot job took.")

	m.ReminderLastRun = m.Gauge("reminder_pass_last_run_timestamp_seconds", "When the daily reminder pass last finished on this replica (Unix time).")
	m.ReminderDuration = m.Gauge("reminder_pass_duration_seconds", "How long the last daily reminder pass took.")
	m.ReminderMessages = m.Gauge("reminder_pass_messages", "Messages the last daily reminder pass wrote (people and unit robots).")
	m.OutboxPending = m.GaugeVec("outbox_pending", "Outbox messages waiting to be sent, by channel.", "channel")
	m.OutboxFailed = m.GaugeVec("outbox_failed", "Outbox messages that gave up after their last attempt, by channel.", "channel")
	return m
}

// Counter registers and returns the counter duban_<name>.
func (m *Metrics) Counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help})
	m.reg.MustRegister(c)
	return c
}

// CounterVec registers and returns the counter duban_<name> with labels.
func (m *Metrics) CounterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
	m.reg.MustRegister(c)
	return c
}

// Gauge registers and returns the gauge duban_<name>.
func (m *Metrics) Gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help})
	m.reg.MustRegister(g)
	return g
}

// GaugeVec registers and returns the gauge duban_<name> with labels.
func (m *Metrics) GaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help}, labels)
	m.reg.MustRegister(g)
	return g
}

// GaugeFunc registers the gauge duban_<name>, whose value f returns at
// every scrape; f must be quick and safe for concurrent use.
func (m *Metrics) GaugeFunc(name, help string, f func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help}, f))
}

// Histogram registers and returns the histogram duban_<name> with buckets
// (nil: prometheus.DefBuckets).
func (m *Metrics) Histogram(name, help string, buckets []float64) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: buckets})
	m.reg.MustRegister(h)
	return h
}

// Register adds a collector that reads its values at scrape time (the
// connection pool's; later, figures read from the database).
func (m *Metrics) Register(c prometheus.Collector) { m.reg.MustRegister(c) }

// CacheCounts are one cache's lookups and rebuilds, counted by the cache
// itself (atomically, so that a hit costs no more than an addition) and read
// at scrape time once the cache is registered with Cache.
type CacheCounts struct {
	// Hits and Misses count lookups; Rebuilds counts the values built to
	// fill the cache after a miss (one per key when readers miss together).
	Hits, Misses, Rebuilds atomic.Uint64
}

// Cache registers the counts of the cache called name as
// duban_cache_{hits,misses,rebuilds}_total{cache=name}.
func (m *Metrics) Cache(name string, c *CacheCounts) { m.caches.add(name, c) }

// ChangeFeed registers duban_change_feed_up, read from up at every scrape:
// 1 while the replica listens to PostgreSQL's change notifications (and so
// trusts its caches), else 0.
func (m *Metrics) ChangeFeed(up func() bool) {
	m.GaugeFunc("change_feed_up", "1 while this replica listens to PostgreSQL's change notifications (its caches are trusted), else 0.",
		func() float64 {
			if up() {
				return 1
			}
			return 0
		})
}

// Snapshots returns t counting every run of the daily snapshot job in
// SnapshotRuns, SnapshotDays, SnapshotLastSuccess and SnapshotLastDuration.
func (m *Metrics) Snapshots(t snapshot.Taker) snapshot.Taker { return countedTaker{t: t, m: m} }

type countedTaker struct {
	t snapshot.Taker
	m *Metrics
}

func (c countedTaker) TakeSnapshots(ctx context.Context, through deadline.Date) (int, error) {
	start := time.Now()
	n, err := c.t.TakeSnapshots(ctx, through)
	c.m.SnapshotLastDuration.Set(time.Since(start).Seconds())
	if err != nil {
		if ctx.Err() == nil {
			c.m.SnapshotRuns.WithLabelValues("error").Inc()
		}
		return n, err
	}
	c.m.SnapshotRuns.WithLabelValues("ok").Inc()
	c.m.SnapshotDays.Add(float64(n))
	c.m.SnapshotLastSuccess.SetToCurrentTime()
	return n, nil
}

// ReminderPass records a finished reminder pass.
func (m *Metrics) ReminderPass(took time.Duration, messages int) {
	m.ReminderLastRun.SetToCurrentTime()
	m.ReminderDuration.Set(took.Seconds())
	m.ReminderMessages.Set(float64(messages))
}

// Outbox records the outbox's counts by status ("pending", "failed") and
// channel; channels without messages read 0.
func (m *Metrics) Outbox(counts map[string]map[string]int) {
	for _, ch := range []string{"email", "wecom", "dingtalk", "feishu"} {
		m.OutboxPending.WithLabelValues(ch).Set(float64(counts["pending"][ch]))
		m.OutboxFailed.WithLabelValues(ch).Set(float64(counts["failed"][ch]))
	}
}
