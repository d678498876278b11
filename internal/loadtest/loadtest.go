// Package loadtest is duban's load generator: virtual users that sign in
// through the sign-in form once, keep their session cookie and one
// keep-alive connection each, and then request a page (or file reports)
// as fast as the server answers, for a while. It measures throughput and
// latency percentiles per operation, counts errors and the dashboard cache's
// hits, and records every report the server acknowledged so that the caller
// can check none was lost (Audit).
//
// The figures that matter are ratios measured in one run on one server:
// every page's throughput against the floor (/debug/floor, development
// only: the same middleware and session lookup, one trivial query and a
// small page in the same layout), so that they hold on any machine.
//
// The accounts are those of `duban-dev gen --password P`: staff cNNN-staff-KKK,
// one per unit with assignments in plan NNN (plan-2023-NNN).
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Operations (routes) a scenario measures.
const (
	OpFloor      = "floor"
	OpDashboard  = "dashboard"
	OpLedger     = "ledger"
	OpTask       = "task"
	OpReportForm = "report-form"
	OpReport     = "report"
	OpAPI        = "api"
	// The other pages people open every day, read alone.
	OpAssignment    = "assignment"
	OpMy            = "my"
	OpForm          = "form"
	OpReview        = "review"
	OpWeekly        = "weekly"
	OpRanking       = "ranking"
	OpNotifications = "notifications"
	// The mixed scenario's operations, told apart from the same requests
	// measured alone.
	OpMixedDashboard  = "mixed/dashboard"
	OpMixedReportForm = "mixed/form"
	OpMixedReport     = "mixed/report"
	// The paced scenario's operations.
	OpPacedReportForm = "paced/form"
	OpPacedReport     = "paced/report"
)

// Scenarios are what Run can do; each is run alone on the server.
//
//	floor      GET /debug/floor
//	dashboard  GET /plans/{slug}/dashboard (the user's plan)
//	ledger     GET /plans/{slug}/tasks
//	task       GET /plans/{slug}/tasks/{n}, n cycling over 1..27
//	report     read-modify-write: GET the report form of one of the user's
//	           assignments, POST it back with its version (measured apart:
//	           report-form and report)
//	api        GET /api/v1/tasks?plan={slug} with a bearer token
//	paced      report at a steady rate: each user files one report a second
//	           (with 50 users, 50 reports a second, 180,000 an hour), so
//	           that latency is measured below saturation
//	paced@R    the same at R reports a second per user (paced@4: 200 a
//	           second with 50 users): a sweep of rates finds the highest at
//	           which latency holds (not in the default list; make bench
//	           adds paced@4 and paced@8)
//	mixed      the morning before the ranking: a fifth of the users file
//	           reports while the others read the dashboard (whose cache
//	           each report invalidates)
//	assignment GET /assignments/{id}, cycling over the user's unit's assignments
//	my         GET /my
//	form       GET /assignments/{id}/report alone (the form a writer reads
//	           before posting), cycling over the user's unit's assignments
//	review     GET /review: even users as their plan's supervisors (the
//	           whole queue and the extension requests), odd users as the
//	           staff they are (the claims of the tasks their unit leads)
//	weekly     GET /plans/{slug}/weekly (the last seven days)
//	ranking    GET /plans/{slug}/ranking (this month)
//	notifications GET /notifications
//
// A page scenario with the suffix +gz (ledger+gz) asks for gzip, as
// browsers do, and expects a gzipped answer; the body is read as it comes,
// not decompressed.
var Scenarios = []string{"floor", "dashboard", "ledger", "task", "assignment", "my", "form", "review", "weekly", "ranking", "notifications",
	"report", "paced", "api", "mixed"}

// DailyPages are the pages people open every day, whose throughput make
// bench holds against the floor's (plain and gzipped).
var DailyPages = []string{"dashboard", "ledger", "task", "assignment", "my", "form", "review", "weekly", "ranking", "notifications"}

// BenchScenarios are those of make bench: the floor, the daily pages plain
// and gzipped, the writers with a sweep of steady report rates (50, 200 and
// 400 reports a second with 50 users), the API and the mixed morning.
var BenchScenarios = func() []string {
	out := append([]string{"floor"}, DailyPages...)
	for _, p := range DailyPages {
		out = append(out, p+GzipSuffix)
	}
	return append(out, "report", "paced", "paced@4", "paced@8", "api", "mixed")
}()

// GzipSuffix marks the gzipped variant of a page scenario.
const GzipSuffix = "+gz"

// Config says what to load and how hard.
type Config struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:8080.
	URL string
	// Password is the password of the generated accounts.
	Password string
	// Token is an API bearer token (`duban token create`), for "api".
	Token string
	// Connections is the number of virtual users, each with one connection.
	Connections int
	// Duration is how long each scenario is measured, after Warmup.
	Duration, Warmup time.Duration
	// Plans is how many generated plans there are (the scale): virtual user
	// i works in plan i mod Plans + 1, as staff member i / Plans + 1 (mod
	// StaffPerPlan, so that accounts are shared when there are more users
	// than staff: a person signed in twice).
	Plans, StaffPerPlan int
	// Usernames, if set, are the accounts of the virtual users instead
	// (user i signs in as Usernames[i mod len]).
	Usernames []string
	// AssignmentsPerUser limits each writer to its unit's first N
	// assignments (0: all of them); fewer assignments shared by more users
	// make more conflicts.
	AssignmentsPerUser int
	// RequestTimeout bounds each request; a request that takes longer is an
	// error (default 15 s, above the server's own REQUEST_TIMEOUT).
	RequestTimeout time.Duration
	// Marker starts the progress text of every report filed, so that they
	// can be found afterwards (default: "loadtest <unix nanos> ").
	Marker string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Runner is a set of signed-in virtual users.
type Runner struct {
	cfg   Config
	users []*user
	api   []*user
	seq   atomic.Int64
	// mu guards the record of writes and the reviewers.
	mu     sync.Mutex
	writes Writes
	// reviewerUsers are the users of the review scenario, signed in at its
	// first run; extra are the users signed in besides users and api.
	reviewerUsers, extra []*user
}

// Writes records every report a run filed, by what the server answered.
type Writes struct {
	// Acknowledged maps the progress text of each report answered 303 to
	// its assignment: each must be in the database afterwards.
	Acknowledged map[string]int64
	// Refused maps the progress text of each report answered 409 (stale
	// version) to its assignment: none may be in the database.
	Refused map[string]int64
	// Unknown holds reports whose answer was an error or never came: they
	// may or may not have been written.
	Unknown map[string]int64
}

// New signs in cfg.Connections virtual users (a few at a time) and, when
// withWriters, finds the assignments each may report on.
func New(ctx context.Context, cfg Config, withWriters bool) (*Runner, error) {
	if cfg.Connections <= 0 {
		return nil, errors.New("loadtest: connections must be positive")
	}
	if cfg.Plans <= 0 {
		cfg.Plans = 1
	}
	if cfg.StaffPerPlan <= 0 {
		cfg.StaffPerPlan = 32
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 15 * time.Second
	}
	if cfg.Marker == "" {
		cfg.Marker = "loadtest " + strconv.FormatInt(time.Now().UnixNano(), 36) + " "
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	r := &Runner{cfg: cfg, writes: Writes{Acknowledged: map[string]int64{}, Refused: map[string]int64{}, Unknown: map[string]int64{}}}
	start := time.Now()
	r.users = make([]*user, cfg.Connections)
	errs := make([]error, cfg.Connections)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := range r.users {
		u := newUser(cfg.URL, r.Username(i), cfg.RequestTimeout)
		r.users[i] = u
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if errs[i] = u.signIn(ctx, cfg.Password); errs[i] != nil {
				return
			}
			if withWriters {
				errs[i] = u.findAssignments(ctx)
				if n := cfg.AssignmentsPerUser; n > 0 && len(u.assignments) > n {
					u.assignments = u.assignments[:n]
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		r.Close()
		return nil, err
	}
	if cfg.Token != "" {
		for i := range cfg.Connections {
			u := newUser(cfg.URL, "api", cfg.RequestTimeout)
			u.token = cfg.Token
			r.api = append(r.api, u)
			_ = i
		}
	}
	fmt.Fprintf(cfg.Log, "loadtest: %d virtual users signed in (%s)\n", cfg.Connections, time.Since(start).Round(10*time.Millisecond))
	return r, nil
}

// Username returns the account of virtual user i.
func (r *Runner) Username(i int) string {
	if n := len(r.cfg.Usernames); n > 0 {
		return r.cfg.Usernames[i%n]
	}
	plan := i%r.cfg.Plans + 1
	staff := (i/r.cfg.Plans)%r.cfg.StaffPerPlan + 1
	return fmt.Sprintf("c%03d-staff-%03d", plan, staff)
}

func (r *Runner) slug(i int) string { return fmt.Sprintf("plan-2023-%03d", i%r.cfg.Plans+1) }

// Assignments returns the IDs of every assignment some writer may report on.
func (r *Runner) Assignments() []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, u := range r.users {
		for _, id := range u.assignments {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// Writes returns the record of the reports filed so far.
func (r *Runner) Writes() Writes {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := Writes{Acknowledged: map[string]int64{}, Refused: map[string]int64{}, Unknown: map[string]int64{}}
	for k, v := range r.writes.Acknowledged {
		w.Acknowledged[k] = v
	}
	for k, v := range r.writes.Refused {
		w.Refused[k] = v
	}
	for k, v := range r.writes.Unknown {
		w.Unknown[k] = v
	}
	return w
}

// Marker is the prefix of the progress text of every report filed.
func (r *Runner) Marker() string { return r.cfg.Marker }

// Close drops the users' connections.
func (r *Runner) Close() {
	for _, u := range r.users {
		if u != nil {
			u.close()
		}
	}
	for _, u := range r.api {
		u.close()
	}
	for _, u := range r.extra {
		u.close()
	}
}

// step is one iteration of a virtual user: it records what it did into the
// recorders it is given.
type step func(ctx context.Context, u *user, i int, rec func(op string) *recorder)

// Run runs one scenario: every virtual user repeats its step for
// Warmup+Duration; requests started after the warm-up are measured.
func (r *Runner) Run(ctx context.Context, scenario string) ([]Stats, error) {
	type part struct {
		users []*user
		idx   []int
		step  step
		ops   []string
	}
	all := func(us []*user, s step, ops ...string) part {
		p := part{users: us, step: s, ops: ops}
		for i := range us {
			p.idx = append(p.idx, i)
		}
		return p
	}
	var parts []part
	kind, gz := strings.CutSuffix(scenario, GzipSuffix)
	if strings.HasPrefix(kind, pacedPrefix) {
		kind = "paced"
	}
	if gz && !slices.Contains(DailyPages, kind) && kind != "floor" {
		return nil, fmt.Errorf("loadtest: %q: only page scenarios have a gzipped variant", scenario)
	}
	// page measures GETs of path as operation op (op+gz when gzipped).
	page := func(users []*user, op string, path func(i, n int) string) part {
		if gz {
			op += GzipSuffix
		}
		return all(users, r.get(op, gz, path), op)
	}
	needAssignments := func() error {
		if !r.writers() {
			return fmt.Errorf("loadtest: the %s scenario needs each user's assignments (New with withWriters)", kind)
		}
		return nil
	}
	switch kind {
	case "floor":
		parts = []part{page(r.users, OpFloor, func(int, int) string { return "/debug/floor" })}
	case "dashboard":
		parts = []part{page(r.users, OpDashboard, func(i, _ int) string { return "/plans/" + r.slug(i) + "/dashboard" })}
	case "ledger":
		parts = []part{page(r.users, OpLedger, func(i, _ int) string { return "/plans/" + r.slug(i) + "/tasks" })}
	case "task":
		parts = []part{page(r.users, OpTask, func(i, n int) string { return "/plans/" + r.slug(i) + "/tasks/" + strconv.Itoa(n%27+1) })}
	case "assignment", "form":
		if err := needAssignments(); err != nil {
			return nil, err
		}
		op, suffix := OpAssignment, ""
		if kind == "form" {
			op, suffix = OpForm, "/report"
		}
		parts = []part{page(r.users, op, func(i, n int) string {
			as := r.users[i].assignments
			return "/assignments/" + strconv.FormatInt(as[n%len(as)], 10) + suffix
		})}
	case "my":
		parts = []part{page(r.users, OpMy, func(int, int) string { return "/my" })}
	case "review":
		users, err := r.reviewers(ctx)
		if err != nil {
			return nil, err
		}
		parts = []part{page(users, OpReview, func(int, int) string { return "/review" })}
	case "weekly":
		parts = []part{page(r.users, OpWeekly, func(i, _ int) string { return "/plans/" + r.slug(i) + "/weekly" })}
	case "ranking":
		parts = []part{page(r.users, OpRanking, func(i, _ int) string { return "/plans/" + r.slug(i) + "/ranking" })}
	case "notifications":
		parts = []part{page(r.users, OpNotifications, func(int, int) string { return "/notifications" })}
	case "report":
		if !r.writers() {
			return nil, errors.New("loadtest: the report scenario needs writers (New with withWriters)")
		}
		parts = []part{all(r.users, r.fileReport(OpReportForm, OpReport), OpReportForm, OpReport)}
	case "paced":
		rate, err := PacedRate(scenario)
		if err != nil {
			return nil, err
		}
		if !r.writers() {
			return nil, errors.New("loadtest: the paced scenarios need writers (New with withWriters)")
		}
		form, post := OpPacedReportForm, OpPacedReport
		if scenario != "paced" {
			form, post = scenario+"/form", scenario+"/report"
		}
		interval := time.Duration(float64(time.Second) / rate)
		parts = []part{all(r.users, paced(len(r.users), interval, r.fileReport(form, post)), form, post)}
	case "api":
		if len(r.api) == 0 {
			return nil, errors.New("loadtest: the api scenario needs a token")
		}
		parts = []part{all(r.api, r.get(OpAPI, false, func(i, _ int) string { return "/api/v1/tasks?plan=" + r.slug(i) }), OpAPI)}
	case "mixed":
		if !r.writers() {
			return nil, errors.New("loadtest: the mixed scenario needs writers (New with withWriters)")
		}
		nw := max(len(r.users)/5, 1)
		w, rd := part{step: r.fileReport(OpMixedReportForm, OpMixedReport), ops: []string{OpMixedReportForm, OpMixedReport}}, part{
			step: r.get(OpMixedDashboard, false, func(i, _ int) string { return "/plans/" + r.slug(i) + "/dashboard" }), ops: []string{OpMixedDashboard}}
		for i, u := range r.users {
			if i%5 == 0 && len(w.users) < nw {
				w.users, w.idx = append(w.users, u), append(w.idx, i)
			} else {
				rd.users, rd.idx = append(rd.users, u), append(rd.idx, i)
			}
		}
		parts = []part{rd, w}
	default:
		return nil, fmt.Errorf("loadtest: unknown scenario %q (want one of %v)", scenario, Scenarios)
	}

	recs := map[string]*recorder{}
	conns := map[string]int{}
	var order []string
	for _, p := range parts {
		for _, op := range p.ops {
			recs[op] = newRecorder()
			conns[op] = len(p.users)
			order = append(order, op)
		}
	}
	// Requests of the warm-up go to throwaway recorders.
	warm := map[string]*recorder{}
	for op := range recs {
		warm[op] = newRecorder()
	}
	var measuring atomic.Bool
	recFor := func(op string) *recorder {
		if measuring.Load() {
			return recs[op]
		}
		return warm[op]
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var stop atomic.Bool
	for _, p := range parts {
		for k, u := range p.users {
			i := p.idx[k]
			wg.Go(func() {
				for !stop.Load() && runCtx.Err() == nil {
					p.step(runCtx, u, i, recFor)
				}
			})
		}
	}
	select {
	case <-time.After(r.cfg.Warmup):
	case <-ctx.Done():
	}
	measuring.Store(true)
	began := time.Now()
	select {
	case <-time.After(r.cfg.Duration):
	case <-ctx.Done():
	}
	stop.Store(true)
	wg.Wait()
	elapsed := time.Since(began)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Stats
	for _, op := range order {
		out = append(out, recs[op].stats(op, conns[op], elapsed))
	}
	return out, nil
}

// pacedPrefix starts the paced scenarios with a rate: paced@R.
const pacedPrefix = "paced@"

// PacedRate returns the reports a second per user of a paced scenario
// ("paced": 1, "paced@R": R), or an error for any other name.
func PacedRate(scenario string) (float64, error) {
	if scenario == "paced" {
		return 1, nil
	}
	r, ok := strings.CutPrefix(scenario, pacedPrefix)
	if !ok {
		return 0, fmt.Errorf("loadtest: %q is not a paced scenario", scenario)
	}
	rate, err := strconv.ParseFloat(r, 64)
	if err != nil || rate <= 0 || rate > 1000 {
		return 0, fmt.Errorf("loadtest: scenario %q: want paced@R with R reports a second per user, from 0 to 1000", scenario)
	}
	return rate, nil
}

// IsWriting reports whether a scenario files reports.
func IsWriting(scenario string) bool {
	return scenario == "report" || scenario == "mixed" || strings.HasPrefix(scenario, "paced")
}

// NeedsAssignments reports whether a scenario needs each user's
// assignments (New with withWriters): the writers, and the assignment
// page and report form read alone.
func NeedsAssignments(scenario string) bool {
	kind, _ := strings.CutSuffix(scenario, GzipSuffix)
	return IsWriting(kind) || kind == "assignment" || kind == "form"
}

// paced returns a step that runs s at most once per interval for each of
// n users, starting at a random offset so that the users do not march in
// step.
func paced(n int, interval time.Duration, s step) step {
	next := make([]time.Time, n)
	return func(ctx context.Context, u *user, i int, rec func(string) *recorder) {
		now := time.Now()
		if next[i].IsZero() {
			next[i] = now.Add(time.Duration(rand.Int64N(int64(interval))))
		}
		if wait := next[i].Sub(now); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return
			}
		}
		next[i] = next[i].Add(interval)
		s(ctx, u, i, rec)
	}
}

func (r *Runner) writers() bool {
	for _, u := range r.users {
		if len(u.assignments) == 0 {
			return false
		}
	}
	return true
}

// get returns a step that GETs path(i, n) for the n-th request of user i
// and expects 200; with gz it asks for gzip and expects it.
func (r *Runner) get(op string, gz bool, path func(i, n int) string) step {
	var n atomic.Int64
	return func(ctx context.Context, u *user, i int, rec func(string) *recorder) {
		p := path(i, int(n.Add(1)))
		t := time.Now()
		resp, err := u.get(ctx, p, gz)
		d := time.Since(t)
		if ctx.Err() != nil && err != nil {
			return
		}
		o, msg := outcomeOf(resp, err, http.StatusOK)
		if o == outcomeOK && gz && resp.encoding != "gzip" {
			o, msg = outcomeError, "not gzipped"
		}
		rec(op).add(d, resp.status, resp.cache, o, msg)
	}
}

// reviewers returns the users of the review scenario, signing in the
// supervisors the first time: user i is its plan's supervisor (1 or 2)
// when i is even, else the staff member it is.
func (r *Runner) reviewers(ctx context.Context) ([]*user, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reviewerUsers != nil {
		return r.reviewerUsers, nil
	}
	out := slices.Clone(r.users)
	if len(r.cfg.Usernames) > 0 {
		// Accounts chosen by the caller: as they are.
		r.reviewerUsers = out
		return out, nil
	}
	errs := make([]error, len(out))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := 0; i < len(out); i += 2 {
		name := fmt.Sprintf("c%03d-supervisor-%d", i%r.cfg.Plans+1, (i/r.cfg.Plans)%2+1)
		u := newUser(r.cfg.URL, name, r.cfg.RequestTimeout)
		out[i] = u
		r.extra = append(r.extra, u)
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = u.signIn(ctx, r.cfg.Password)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	r.reviewerUsers = out
	return out, nil
}

func outcomeOf(resp response, err error, want int) (outcome, string) {
	switch {
	case err != nil:
		return outcomeError, err.Error()
	case resp.status == want:
		return outcomeOK, ""
	case resp.status == http.StatusConflict:
		return outcomeConflict, ""
	}
	return outcomeError, "status " + strconv.Itoa(resp.status)
}

// fileReport returns the writer's step: read the report form of one of
// its assignments (chosen at random), and post it back with the version
// read and a progress text that names this write, so that it can be found.
// The two requests are measured as formOp and postOp.
func (r *Runner) fileReport(formOp, postOp string) step {
	return func(ctx context.Context, u *user, _ int, rec func(string) *recorder) {
		id := u.assignments[rand.IntN(len(u.assignments))]
		path := "/assignments/" + strconv.FormatInt(id, 10) + "/report"
		t := time.Now()
		resp, err := u.do(ctx, http.MethodGet, path, "", nil)
		d := time.Since(t)
		if ctx.Err() != nil && err != nil {
			return
		}
		o, msg := outcomeOf(resp, err, http.StatusOK)
		rec(formOp).add(d, resp.status, "", o, msg)
		if o != outcomeOK {
			return
		}
		form, err := parseReportForm(resp.body)
		if err != nil {
			rec(postOp).add(0, 0, "", outcomeError, err.Error())
			return
		}
		text := r.cfg.Marker + u.username + " #" + strconv.FormatInt(r.seq.Add(1), 10)
		body, ct := reportBody(form, text)
		t = time.Now()
		resp, err = u.do(ctx, http.MethodPost, path, ct, body)
		d = time.Since(t)
		o, msg = outcomeOf(resp, err, http.StatusSeeOther)
		if o == outcomeOK && resp.location != "/assignments/"+strconv.FormatInt(id, 10)+"?filed=1" {
			o, msg = outcomeError, "303 to "+resp.location
		}
		r.mu.Lock()
		switch o {
		case outcomeOK:
			r.writes.Acknowledged[text] = id
		case outcomeConflict:
			r.writes.Refused[text] = id
		default:
			r.writes.Unknown[text] = id
		}
		r.mu.Unlock()
		rec(postOp).add(d, resp.status, "", o, msg)
	}
}
