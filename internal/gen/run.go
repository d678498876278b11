package gen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"duban/internal/deadline"
	"duban/internal/planparse"
	"duban/internal/postgres"
	"duban/internal/workplan"
)

// Options configure Run.
type Options struct {
	Params
	// Scale is the number of plans: 1 is the bundled plan, 200 a province.
	Scale int
	// Document and Registry are the bundled plan and unit registry.
	Document []byte
	Registry workplan.Registry
	// PasswordHash is given to every account ("": nobody can sign in), and
	// MustChangePassword with it.
	PasswordHash       string
	MustChangePassword bool
	// Force allows a database that already has plans (see ErrNotEmpty).
	Force bool
	// NoAdmin leaves out the administrator account (the demo of make run
	// makes its own accounts).
	NoAdmin bool
	// Workers is the number of goroutines, and database connections, that
	// prepare plans and write history at once (0: 2).
	Workers int
	// Progress receives a line at most once a second while Run works, and a
	// summary at the end; nil for none.
	Progress io.Writer
}

// ErrNotEmpty means the database already has plans and Force was not given.
// Generated history belongs in a database of its own: it is invented, it
// cannot be told from real reports afterwards, and what people wrote is
// never deleted, so it could not be removed again.
var ErrNotEmpty = errors.New("gen: the database already has plans")

// Summary counts what Run wrote and says how long it took.
type Summary struct {
	Plans, Tasks, Assignments, Units, Users        int
	Reports, Reviews, Extensions, Events, Evidence int64
	IndicatorValues, EvidenceBytes, SnapshotDays   int64
	// FirstEvent and LastEvent bound the generated history.
	FirstEvent, LastEvent time.Time
	// Elapsed is the whole run; SeedTime the loading of plans, units and
	// accounts; HistoryTime that and the history (so the history alone took
	// HistoryTime-SeedTime); ReferenceTime the foreign key check that replaces
	// PostgreSQL's row by row one (when the role could skip those).
	Elapsed, SeedTime, HistoryTime, ReferenceTime time.Duration
	SnapshotTime, AnalyzeTime                     time.Duration
	// GenerateTime and WriteTime are the workers' time inventing and writing
	// history, added up over workers.
	GenerateTime, WriteTime time.Duration
}

// MaxWeeks bounds Options.Weeks: three years of weekly reports.
const MaxWeeks = 156

// Run fills db with Scale plans and their history (see the package
// comment), takes the daily snapshots up to the last generated day, and
// updates the planner's statistics. The plans are loaded through SyncRegistry
// and Seed; then Workers goroutines play the history of their share of the
// plans week by week, in step, so that rows are stored in time order as they
// would have arrived (time-range scans, such as the snapshots', read a day's
// rows from a few pages, not from all over the tables).
//
// If Run fails after the first plan was loaded, the database is left
// incomplete: start again on an empty one.
func Run(ctx context.Context, store *postgres.DB, opt Options) (Summary, error) {
	db := postgres.NewBulk(store)
	began := time.Now()
	var sum Summary
	if opt.Scale < 1 {
		return sum, fmt.Errorf("gen: scale %d: want at least 1", opt.Scale)
	}
	if opt.Weeks < 1 || opt.Weeks > MaxWeeks {
		return sum, fmt.Errorf("gen: weeks %d: want 1 to %d", opt.Weeks, MaxWeeks)
	}
	if opt.Workers <= 0 {
		opt.Workers = 2
	}
	doc, err := planparse.Parse(bytes.NewReader(opt.Document), "plan")
	if err != nil {
		return sum, fmt.Errorf("gen: %w", err)
	}
	if doc.IssuedOn == nil {
		return sum, fmt.Errorf("gen: the plan has no issue date to start the history from")
	}
	issued := *doc.IssuedOn
	// Every event falls before the end of the last week (the history's
	// horizon), which must not be after today: history is of the past.
	if end := issued.AddDays(7 * opt.Weeks); end.After(deadline.DateOf(db.Now(), deadline.Shanghai)) {
		return sum, fmt.Errorf("gen: %d weeks from %s would reach %s, in the future", opt.Weeks, issued, end)
	}
	cities := Cities(opt.Seed, opt.Scale, opt.Registry)
	if err := checkEmpty(ctx, db, opt, cities, doc.Year); err != nil {
		return sum, err
	}

	g := &run{db: db, opt: opt, cities: cities, year: doc.Year, issued: issued, began: began, sum: &sum}
	if g.skipRefs, err = db.CanSkipReferenceChecks(ctx); err != nil {
		return sum, err
	}
	g.ctx, g.cancel = context.WithCancel(ctx)
	defer g.cancel()
	stopProgress := g.progress()
	defer stopProgress()
	g.phase.Store("plans")
	if !opt.NoAdmin {
		if err := g.admin(); err != nil {
			return sum, err
		}
	}
	// Plans are loaded one after the other while workers make each one's
	// accounts and prepare its assignments; then the workers play the
	// province's history week by week, in step, each writing its share of
	// the plans, so that rows are stored (and numbered) in the order they
	// would have arrived.
	g.groups = make([][]Assignment, opt.Workers)
	jobs := make(chan job, opt.Workers)
	var wg sync.WaitGroup
	wg.Go(func() { g.seedAll(jobs) })
	for range opt.Workers {
		wg.Go(func() {
			for j := range jobs {
				if err := g.prepare(j); err != nil {
					g.fail(err)
					return
				}
			}
		})
	}
	wg.Wait()
	sum.SeedTime = time.Since(began)
	if g.err == nil {
		g.weeksStart.Store(time.Now())
		g.phase.Store("weeks")
		g.barrier = newBarrier(opt.Workers)
		for i := range opt.Workers {
			wg.Go(func() {
				if err := g.play(i); err != nil {
					g.fail(err)
				}
			})
		}
		wg.Wait()
	}
	sum.GenerateTime, sum.WriteTime = time.Duration(g.genNanos.Load()), time.Duration(g.writeNanos.Load())
	sum.HistoryTime = time.Since(began)
	if g.err != nil {
		return sum, fmt.Errorf("%w (the database is incomplete: start again on an empty one)", g.err)
	}
	t := time.Now()
	if g.skipRefs {
		g.phase.Store("checking references")
		bad, err := db.CheckReferences(ctx)
		if err != nil {
			return sum, err
		}
		if len(bad) > 0 {
			return sum, fmt.Errorf("gen: the generated rows have dangling references (a bug): %s", strings.Join(bad, "; "))
		}
		sum.ReferenceTime = time.Since(t)
	}
	g.phase.Store("snapshots")
	t = time.Now()
	if err := g.snapshots(); err != nil {
		return sum, err
	}
	sum.SnapshotTime = time.Since(t)
	g.phase.Store("analyze")
	t = time.Now()
	if err := db.Analyze(ctx); err != nil {
		return sum, err
	}
	sum.AnalyzeTime = time.Since(t)
	sum.Elapsed = time.Since(began)
	stopProgress()
	sum.Reports, sum.Reviews, sum.Extensions = g.reports.Load(), g.reviews.Load(), g.extensions.Load()
	sum.Events, sum.Evidence, sum.EvidenceBytes = g.events.Load(), g.evidence.Load(), g.evidenceBytes.Load()
	sum.IndicatorValues = g.indicatorValues.Load()
	sum.Tasks, sum.Assignments, sum.Users = int(g.tasks.Load()), int(g.assignments.Load()), int(g.users.Load())
	sum.Plans, sum.Units = int(g.plansDone.Load()), int(g.units.Load())
	err = db.RecordGeneration(ctx, workplan.System("duban-dev gen"), map[string]any{
		"scale": opt.Scale, "seed": opt.Seed, "weeks": opt.Weeks, "plans": sum.Plans, "reports": sum.Reports,
		"elapsed_seconds": int(sum.Elapsed.Seconds()),
	})
	if err != nil {
		return sum, err
	}
	if opt.Progress != nil {
		fmt.Fprint(opt.Progress, sum.String())
	}
	return sum, nil
}

// checkEmpty refuses a database with plans unless opt.Force, and even then
// one with a plan of a generated slug or with daily snapshots: history
// generated into the past would be missing from snapshots already taken, and
// as-of views would be wrong.
func checkEmpty(ctx context.Context, db *postgres.Bulk, opt Options, cities []City, year int) error {
	plans, err := db.ListPlans(ctx)
	if err != nil {
		return err
	}
	if len(plans) == 0 {
		return nil
	}
	if !opt.Force {
		return fmt.Errorf("%w (%d); use an empty database, or --force to add generated plans beside them", ErrNotEmpty, len(plans))
	}
	slugs := map[string]bool{}
	for _, c := range cities {
		slugs[c.Slug(year)] = true
	}
	for _, p := range plans {
		if slugs[p.Slug] {
			return fmt.Errorf("gen: plan %s exists already: generated plans are never mixed into existing ones", p.Slug)
		}
	}
	if _, ok, err := db.LastSnapshotDay(ctx); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("gen: the database has daily snapshots, which would not include history generated into the past; use an empty database")
	}
	return nil
}

// job is a plan loaded and waiting for its history.
type job struct {
	city   City
	planID int64
}

// run is the state of one Run.
type run struct {
	ctx    context.Context
	cancel context.CancelFunc
	db     *postgres.Bulk
	opt    Options
	cities []City
	year   int
	issued deadline.Date
	began  time.Time
	sum    *Summary

	// skipRefs writes without per-row foreign key checks, checked at the end.
	skipRefs bool

	errOnce sync.Once
	err     error
	phase   atomic.Value // string

	// mu guards groups while plans are prepared, and firstEvent and lastEvent.
	mu sync.Mutex
	// groups are the assignments each worker plays: its share of the plans.
	groups [][]Assignment
	// barrier holds the workers together at the end of each week.
	barrier *barrier
	// week is the number of weeks written; weeksStart is when the workers
	// started on them.
	week       atomic.Int64
	weeksStart atomic.Value // time.Time

	plansSeeded, plansDone, tasks, assignments, units, users atomic.Int64
	reports, reviews, extensions, events, evidence           atomic.Int64
	evidenceBytes, indicatorValues                           atomic.Int64
	// genNanos and writeNanos add up the workers' time spent inventing and
	// writing history.
	genNanos, writeNanos atomic.Int64

	firstEvent, lastEvent time.Time
}

// fail records the first error and stops everything.
func (g *run) fail(err error) {
	g.errOnce.Do(func() {
		g.err = err
		g.cancel()
		if g.barrier != nil {
			g.barrier.abort()
		}
	})
}

// admin creates the administrator account unless it exists.
func (g *run) admin() error {
	taken, err := g.db.ExistingUsernames(g.ctx, []string{AdminUsername})
	if err != nil || len(taken) > 0 {
		return err
	}
	ids, err := g.db.ReserveIDs(g.ctx, postgres.IDUsers, 1)
	if err != nil {
		return err
	}
	u := postgres.BulkUser{ID: ids[0], Username: AdminUsername, DisplayName: "系统管理员", Role: workplan.UserAdmin,
		PasswordHash: g.opt.PasswordHash, MustChangePassword: g.opt.MustChangePassword, CreatedAt: g.seedClock()}
	if err := g.db.InsertUsers(g.ctx, []postgres.BulkUser{u}); err != nil {
		return err
	}
	g.users.Add(1)
	return nil
}

// seedClock is the time plans and accounts are made: the morning the plan
// was issued, before any report.
func (g *run) seedClock() time.Time {
	return g.issued.Time(deadline.Shanghai).Add(8 * time.Hour)
}

// seedAll loads each city's units and plan through the application's own
// path, one after the other (seeds are serialised anyway), handing each plan
// to the workers.
func (g *run) seedAll(jobs chan<- job) {
	defer close(jobs)
	clock := g.seedClock()
	seeder := &postgres.DB{Pool: g.db.Pool, Now: func() time.Time { return clock }}
	actor := workplan.System("duban-dev gen")
	for _, c := range g.cities {
		n, err := seeder.SyncRegistry(g.ctx, actor, c.Registry(g.opt.Seed, g.opt.Registry))
		if err != nil {
			g.fail(err)
			return
		}
		g.units.Add(int64(n))
		src := c.Document(g.opt.Document, g.opt.Registry)
		name := fmt.Sprintf("gen-%03d-%s.txt", c.Index, c.Name)
		doc, err := planparse.Read(bytes.NewReader(src), name)
		if err != nil {
			g.fail(fmt.Errorf("gen: %s: %w", name, err))
			return
		}
		diff, err := seeder.Seed(g.ctx, workplan.SeedInput{Slug: c.Slug(g.year), SourceName: name, Source: src, Document: doc, Actor: actor})
		if err != nil {
			g.fail(err)
			return
		}
		if len(diff.UnknownUnits) > 0 && !c.Base() {
			g.fail(fmt.Errorf("gen: plan %s names units missing from its registry: %s", diff.PlanSlug, strings.Join(diff.UnknownUnits, "、")))
			return
		}
		g.tasks.Add(int64(len(diff.Added)))
		g.plansSeeded.Add(1)
		p, err := g.planID(diff.PlanSlug)
		if err != nil {
			g.fail(err)
			return
		}
		select {
		case jobs <- job{city: c, planID: p}:
		case <-g.ctx.Done():
			return
		}
	}
}

func (g *run) planID(slug string) (int64, error) {
	plans, err := g.db.ListPlans(g.ctx)
	if err != nil {
		return 0, err
	}
	for _, p := range plans {
		if p.Slug == slug {
			return p.ID, nil
		}
	}
	return 0, fmt.Errorf("gen: plan %s was seeded but is missing", slug)
}

// prepare makes one plan's accounts and prepares its assignments' history
// for the worker whose share the plan is.
func (g *run) prepare(j job) error {
	ctx := g.ctx
	as, err := g.db.PlanAssignments(ctx, j.planID)
	if err != nil {
		return err
	}
	g.assignments.Add(int64(len(as)))
	names := make([]string, len(SupervisorUnits))
	for i, n := range SupervisorUnits {
		names[i] = j.city.UnitName(n)
	}
	units, err := g.db.UnitIDs(ctx, names)
	if err != nil {
		return err
	}
	users := PlanUsers(g.opt.Params, j.city, as, units, Account{
		PasswordHash: g.opt.PasswordHash, MustChangePassword: g.opt.MustChangePassword, CreatedAt: g.seedClock(),
	})
	usernames := make([]string, len(users))
	for i, u := range users {
		usernames[i] = u.Username
	}
	if taken, err := g.db.ExistingUsernames(ctx, usernames); err != nil {
		return err
	} else if len(taken) > 0 {
		return fmt.Errorf("gen: plan %s: usernames taken already: %s", j.city.Slug(g.year), strings.Join(taken, ", "))
	}
	ids, err := g.db.ReserveIDs(ctx, postgres.IDUsers, len(users))
	if err != nil {
		return err
	}
	for i := range users {
		users[i].ID = ids[i]
	}
	if err := g.db.InsertUsers(ctx, users); err != nil {
		return err
	}
	g.users.Add(int64(len(users)))
	staff := StaffOf(users)
	var asgs []Assignment
	for _, a := range as {
		if x, ok := NewAssignment(g.opt.Params, j.city, a, staff); ok {
			asgs = append(asgs, x)
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	k := (j.city.Index - 1) % len(g.groups)
	g.groups[k] = append(g.groups[k], asgs...)
	g.plansDone.Add(1)
	return nil
}

// play plays worker i's share of the history week by week, writing each
// week in one transaction in time order and waiting for the other workers
// at the end of every week, then writes the final states. The next week is
// invented while the last one is written.
func (g *run) play(i int) error {
	asgs := g.groups[i]
	weeks := make(chan postgres.History, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(weeks)
		pool := &idPool{db: g.db, free: map[postgres.IDTable][]int64{}}
		// a week has at most one report and two reviews per assignment
		n := len(asgs)
		need := map[postgres.IDTable]int{postgres.IDReports: n, postgres.IDReviews: 2 * n,
			postgres.IDExtensionRequests: n, postgres.IDExtensionDecisions: n}
		for w := range g.opt.Weeks {
			t := time.Now()
			if err := pool.fill(g.ctx, need); err != nil {
				g.fail(err) // and so the writer, and the other workers, stop
				return
			}
			h := postgres.History{Reports: make([]workplan.Report, 0, n), Events: make([]postgres.BulkEvent, 0, n+n/8)}
			for _, a := range asgs {
				a.Step(w, &h, pool)
			}
			byTime(&h)
			g.genNanos.Add(int64(time.Since(t)))
			select {
			case weeks <- h:
			case <-g.ctx.Done():
				return
			}
		}
	})
	err := g.write(weeks)
	if err != nil {
		g.fail(err) // and so the inventing goroutine stops
	}
	wg.Wait()
	if err != nil {
		return err
	}
	if err := g.ctx.Err(); err != nil {
		return err // another worker failed
	}
	var h postgres.History
	for _, a := range asgs {
		if st, ok := a.State(); ok {
			h.States = append(h.States, st)
		}
	}
	return g.db.WriteHistory(g.ctx, h, postgres.WriteOptions{})
}

// write writes the weeks as they come, waiting for the other workers after
// each.
func (g *run) write(weeks <-chan postgres.History) error {
	w := 0
	for h := range weeks {
		w++
		t := time.Now()
		if err := g.db.WriteHistory(g.ctx, h, postgres.WriteOptions{SkipReferenceChecks: g.skipRefs}); err != nil {
			return fmt.Errorf("gen: week %d: %w", w, err)
		}
		g.writeNanos.Add(int64(time.Since(t)))
		g.count(h)
		if !g.barrier.wait() {
			return g.ctx.Err()
		}
		g.week.Store(int64(w))
	}
	return nil
}

// byTime sorts a week's rows by time, keeping each assignment's events in
// order (their times are distinct and increasing).
func byTime(h *postgres.History) {
	slices.SortStableFunc(h.Reports, func(a, b workplan.Report) int { return a.SubmittedAt.Compare(b.SubmittedAt) })
	slices.SortStableFunc(h.Evidence, func(a, b postgres.BulkEvidence) int { return a.UploadedAt.Compare(b.UploadedAt) })
	slices.SortStableFunc(h.Reviews, func(a, b postgres.BulkReview) int { return a.ReviewedAt.Compare(b.ReviewedAt) })
	slices.SortStableFunc(h.Extensions, func(a, b postgres.BulkExtension) int { return a.Request.RequestedAt.Compare(b.Request.RequestedAt) })
	slices.SortStableFunc(h.Events, func(a, b postgres.BulkEvent) int { return a.Event.At.Compare(b.Event.At) })
}

// idPool hands out IDs reserved from the database's sequences.
type idPool struct {
	db   *postgres.Bulk
	free map[postgres.IDTable][]int64
}

// fill reserves IDs so that at least need[t] are free for each table t.
func (p *idPool) fill(ctx context.Context, need map[postgres.IDTable]int) error {
	for t, n := range need {
		if len(p.free[t]) >= n {
			continue
		}
		ids, err := p.db.ReserveIDs(ctx, t, n-len(p.free[t]))
		if err != nil {
			return err
		}
		p.free[t] = append(p.free[t], ids...)
	}
	return nil
}

// Next hands out the next reserved ID of table t; fill must have reserved
// enough.
func (p *idPool) Next(t postgres.IDTable) int64 {
	if len(p.free[t]) == 0 {
		panic(fmt.Sprintf("gen: no reserved IDs of %s left: a week made more rows than fill allowed for", t))
	}
	id := p.free[t][0]
	p.free[t] = p.free[t][1:]
	return id
}

// barrier makes the workers finish each week together.
type barrier struct {
	mu              sync.Mutex
	cond            *sync.Cond
	n, arrived, gen int
	aborted         bool
}

func newBarrier(n int) *barrier {
	b := &barrier{n: n}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// wait blocks until every worker has called it for this round; false means
// the run was aborted.
func (b *barrier) wait() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	gen := b.gen
	b.arrived++
	if b.arrived == b.n {
		b.arrived = 0
		b.gen++
		b.cond.Broadcast()
	}
	for gen == b.gen && !b.aborted {
		b.cond.Wait()
	}
	return !b.aborted
}

func (b *barrier) abort() {
	b.mu.Lock()
	b.aborted = true
	b.mu.Unlock()
	b.cond.Broadcast()
}

func (g *run) count(h postgres.History) {
	var values, size int64
	for _, r := range h.Reports {
		values += int64(len(r.Indicators))
	}
	for _, e := range h.Evidence {
		size += int64(len(e.File.Content))
	}
	g.reports.Add(int64(len(h.Reports)))
	g.reviews.Add(int64(len(h.Reviews)))
	g.extensions.Add(int64(len(h.Extensions)))
	g.events.Add(int64(len(h.Events)))
	g.evidence.Add(int64(len(h.Evidence)))
	g.evidenceBytes.Add(size)
	g.indicatorValues.Add(values)
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, e := range h.Events {
		if g.firstEvent.IsZero() || e.Event.At.Before(g.firstEvent) {
			g.firstEvent = e.Event.At
		}
		if e.Event.At.After(g.lastEvent) {
			g.lastEvent = e.Event.At
		}
	}
	g.sum.FirstEvent, g.sum.LastEvent = g.firstEvent, g.lastEvent
}

// snapshots takes the daily snapshots from the first generated day to the
// last, one day per call so that progress shows.
func (g *run) snapshots() error {
	if g.lastEvent.IsZero() {
		return nil
	}
	first := deadline.DateOf(g.firstEvent, deadline.Shanghai)
	last := deadline.DateOf(g.lastEvent, deadline.Shanghai)
	total := first.DaysUntil(last) + 1
	for d := first; !d.After(last); d = d.AddDays(1) {
		n, err := g.db.TakeSnapshots(g.ctx, d)
		if err != nil {
			return err
		}
		g.sum.SnapshotDays += int64(n)
		g.phase.Store(fmt.Sprintf("snapshots %s (%d/%d days)", d, first.DaysUntil(d)+1, total))
	}
	return nil
}

// progress prints a line at most once a second until the returned function
// is called.
func (g *run) progress() func() {
	w := g.opt.Progress
	if w == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		last := ""
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			line := g.line()
			if line != last {
				fmt.Fprintln(w, line)
				last = line
			}
		}
	})
	return sync.OnceFunc(func() {
		close(done)
		wg.Wait()
	})
}

func (g *run) line() string {
	phase, _ := g.phase.Load().(string)
	n := g.reports.Load()
	switch phase {
	case "plans":
		return fmt.Sprintf("gen: plans seeded %d/%d, prepared %d", g.plansSeeded.Load(), g.opt.Scale, g.plansDone.Load())
	case "weeks":
		rate := float64(n) / max(time.Since(g.weeksBegan()).Seconds(), 0.001)
		return fmt.Sprintf("gen: week %d/%d of %d plans, reports %s (%s/s)", g.week.Load(), g.opt.Weeks, g.opt.Scale, thousands(n), thousands(int64(rate)))
	}
	return fmt.Sprintf("gen: %s, reports %s", phase, thousands(n))
}

func (g *run) weeksBegan() time.Time {
	t, _ := g.weeksStart.Load().(time.Time)
	return t
}

// String is the summary printed at the end of a run.
func (s Summary) String() string {
	var b strings.Builder
	rate := float64(s.Reports+s.Events) / max((s.HistoryTime-s.SeedTime).Seconds(), 0.001)
	fmt.Fprintf(&b, "gen: done in %s: %d plans, %s tasks, %s assignments, %s units added, %s users\n",
		s.Elapsed.Round(100*time.Millisecond), s.Plans, thousands(int64(s.Tasks)), thousands(int64(s.Assignments)), thousands(int64(s.Units)), thousands(int64(s.Users)))
	fmt.Fprintf(&b, "gen: %s reports, %s reviews, %s extension requests, %s events, %s indicator values, %s evidence files (%s KB)\n",
		thousands(s.Reports), thousands(s.Reviews), thousands(s.Extensions), thousands(s.Events), thousands(s.IndicatorValues),
		thousands(s.Evidence), thousands(s.EvidenceBytes/1024))
	r := func(d time.Duration) time.Duration { return d.Round(100 * time.Millisecond) }
	fmt.Fprintf(&b, "gen: history from %s to %s\n",
		s.FirstEvent.In(deadline.Shanghai).Format(time.DateOnly), s.LastEvent.In(deadline.Shanghai).Format(time.DateOnly))
	fmt.Fprintf(&b, "gen: plans %s; history %s (%s report+event rows/s; workers inventing %s and writing %s in all); "+
		"references %s, snapshots %s (%d days), analyze %s\n",
		r(s.SeedTime), r(s.HistoryTime-s.SeedTime), thousands(int64(rate)), r(s.GenerateTime), r(s.WriteTime),
		r(s.ReferenceTime), r(s.SnapshotTime), s.SnapshotDays, r(s.AnalyzeTime))
	return b.String()
}

// thousands formats n with comma separators: 3,012,345.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Verify checks a database filled by Run and returns what is wrong, if
// anything: the rows of the history must agree with each other
// (postgres.CheckHistory), and for perPlan assignments of every plan the
// maintained state must be the fold of the events the application reads back.
func Verify(ctx context.Context, store *postgres.DB, perPlan int) ([]string, error) {
	db := postgres.NewBulk(store)
	problems, err := db.CheckHistory(ctx)
	if err != nil {
		return nil, err
	}
	plans, err := db.ListPlans(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		as, err := db.PlanAssignments(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		step := max(len(as)/max(perPlan, 1), 1)
		for i := 0; i < len(as); i += step {
			events, err := db.AssignmentEvents(ctx, as[i].ID)
			if err != nil {
				return nil, err
			}
			st, err := db.AssignmentState(ctx, as[i].ID)
			if err != nil {
				return nil, err
			}
			if want := deadline.Fold(deadline.Facts{}, events); want != st.Facts || st.Version != len(events) {
				problems = append(problems, fmt.Sprintf("plan %s: assignment %d: state %+v (version %d) is not the fold of its %d events %+v",
					p.Slug, as[i].ID, st.Facts, st.Version, len(events), want))
			}
		}
	}
	return problems, nil
}
