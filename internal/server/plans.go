package server

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"

	"duban/internal/deadline"
	"duban/internal/status"
	"duban/internal/workplan"
	"duban/web"
)

// pageStore is what the plan pages read and write.
type pageStore interface {
	PlanBySlug(ctx context.Context, slug string) (workplan.Plan, error)
	LatestPlan(ctx context.Context) (workplan.Plan, error)
	TaskByNumber(ctx context.Context, planID int64, n int) (workplan.Task, error)
	TaskByID(ctx context.Context, id int64) (workplan.Task, workplan.Plan, error)
	PlanAt(ctx context.Context, planID int64, at time.Time, current bool) (workplan.PlanAt, error)
	TaskAt(ctx context.Context, planID, taskID int64, at time.Time, current bool) (workplan.PlanAt, error)
	PlanHistory(ctx context.Context, planID int64, from, to time.Time) (workplan.PlanHistory, error)
	MapDesignation(ctx context.Context, actor workplan.Actor, in workplan.MappingInput) (workplan.MappingChange, error)
	ReportTarget(ctx context.Context, id int64) (workplan.ReportTarget, error)
	TaskIndicators(ctx context.Context, taskID int64) ([]workplan.TaskIndicator, error)
	AssignmentByID(ctx context.Context, id int64) (workplan.Assignment, error)
	TaskLeads(ctx context.Context, taskID int64) ([]int64, error)
	Reports(ctx context.Context, assignmentIDs []int64, asOf time.Time, before int64, limit int) ([]workplan.Report, error)
	Evidence(ctx context.Context, id int64) (workplan.EvidenceMeta, []byte, int64, error)
	ExtensionRequests(ctx context.Context, assignmentIDs []int64) ([]workplan.ExtensionRequest, error)
	PendingReviews(ctx context.Context, unitID int64) ([]workplan.PendingReview, error)
	UnitPlans(ctx context.Context, unitID int64) ([]int64, error)
	AssignmentState(ctx context.Context, assignmentID int64) (workplan.AssignmentState, error)
	FileReport(ctx context.Context, actor workplan.Actor, in workplan.ReportInput) (workplan.Report, error)
	ReviewReport(ctx context.Context, actor workplan.Actor, in workplan.ReviewInput) (workplan.Review, error)
	RequestExtension(ctx context.Context, actor workplan.Actor, assignmentID int64, newDue deadline.Date, reason string) (workplan.ExtensionRequest, error)
	DecideExtension(ctx context.Context, actor workplan.Actor, requestID int64, approve bool, reason string) error
	ExtensionAssignment(ctx context.Context, requestID int64) (int64, error)
	TaskComments(ctx context.Context, taskID int64) ([]workplan.Comment, error)
	AddComment(ctx context.Context, actor workplan.Actor, taskID int64, text string) error
}

// policy is the status policy of this deployment.
func (s *Server) policy() deadline.Policy {
	p := deadline.DefaultPolicy()
	p.DueSoonDays = s.cfg.DueSoonDays
	p.Cadence = time.Duration(s.cfg.CadenceDays) * 24 * time.Hour
	p.PaceYellow, p.PaceRed = s.cfg.PaceYellow, s.cfg.PaceRed
	return p
}

// planState is how a plan stands at an instant (status.Picture), with the
// date asked for ("" for now).
type planState struct {
	*status.Picture
	// AsOf is the date asked for ("" for now).
	AsOf string
	// indicators is the state's indicator board, computed on first use
	// (planIndicators).
	indicators indicatorMemo
	// version and taskVersions say when the evaluated statuses last
	// changed, for the whole plan and per task ID (versionStates): the
	// present is evaluated again every minute, but pages keyed by these
	// are rendered again only when what they show of it changed.
	version      uint64
	taskVersions map[int64]uint64
}

// stateVersions numbers the versions of plan states.
var stateVersions atomic.Uint64

// versionStates numbers next's statuses: a task whose statuses are the
// same as in prev, an evaluation of the same facts a minute earlier (nil
// if there is none), keeps its version; the plan keeps its version if
// every task does.
func versionStates(prev, next *planState) {
	next.taskVersions = make(map[int64]uint64, len(next.Tasks))
	same := prev != nil && prev.NotIssued == next.NotIssued && len(prev.Tasks) == len(next.Tasks)
	for i, ts := range next.Tasks {
		if prev != nil && i < len(prev.Tasks) && sameStatuses(prev.Tasks[i], ts) {
			next.taskVersions[ts.Task.ID] = prev.taskVersions[ts.Task.ID]
			continue
		}
		same = false
		next.taskVersions[ts.Task.ID] = stateVersions.Add(1)
	}
	if same {
		next.version = prev.version
	} else {
		next.version = stateVersions.Add(1)
	}
}

// sameStatuses reports whether two evaluations of a task agree on
// everything that depends on the instant: the rollup, the category and
// every assignment's status and category.
func sameStatuses(a, b *status.Task) bool {
	if a.Task.ID != b.Task.ID || a.Rollup != b.Rollup || a.Category != b.Category || len(a.Assignments) != len(b.Assignments) {
		return false
	}
	for i := range a.Assignments {
		x, y := &a.Assignments[i], &b.Assignments[i]
		if x.ID != y.ID || x.Status != y.Status || x.Category != y.Category {
			return false
		}
	}
	return true
}

// taskVersion is the version of task id's statuses ("" for a task not in
// force in the present state, and in a past state, which does not change).
func (ps *planState) taskVersion(id int64) string {
	v, ok := ps.taskVersions[id]
	if !ok {
		return ""
	}
	return strconv.FormatUint(v, 36)
}

// statusKey is what a page showing the plan's statuses depends on of its
// state: the version of its statuses and the day they are judged on, or
// the date asked for.
func (ps *planState) statusKey() string {
	if ps.AsOf != "" {
		return ps.AsOf
	}
	return strconv.FormatUint(ps.version, 36) + "@" + deadline.DateOf(ps.At, deadline.Shanghai).String()
}

// taskKey is statusKey for a page showing one task's statuses.
func (ps *planState) taskKey(taskID int64) string {
	if ps.AsOf != "" {
		return ps.AsOf
	}
	return ps.taskVersion(taskID) + "@" + deadline.DateOf(ps.At, deadline.Shanghai).String()
}

// asOfInstant reads the as_of date of a request: "" is now; a date D means the
// state at the end of D in Asia/Shanghai (so reports filed on D count).
func (s *Server) asOfInstant(r *http.Request) (time.Time, string, error) {
	now := s.now()
	q := r.URL.Query().Get("as_of")
	if q == "" {
		return now, "", nil
	}
	d, err := deadline.ParseDate(q)
	if err != nil {
		return now, "", workplan.E(workplan.EInvalid, "err.date.invalid", "as_of", q)
	}
	at := d.End(deadline.Shanghai).Add(-time.Microsecond)
	if at.After(now) {
		return now, "", workplan.E(workplan.EInvalid, "err.date.future", "as_of", q)
	}
	return at, d.String(), nil
}

// loadPlanState evaluates every assignment of plan as of at; with asOf set the
// facts are rebuilt from history, otherwise read from the maintained state.
//
// The current state (asOf "") is cached per plan generation and minute, like
// the dashboard (see pageCache): the ledger, task pages and the API read it
// far more often than reports change it, and within a minute they share one
// evaluation (made at the first reader's instant). In the first minute
// after, the previous minute's evaluation is served while a new one is
// made in the background (refreshState): the statuses shown are at most
// two minutes old, and the minute's evaluations of many plans do not hold
// up their readers together. The state returned is shared: callers must
// not change it.
func (s *Server) loadPlanState(ctx context.Context, plan workplan.Plan, at time.Time, asOf string) (*planState, error) {
	if asOf != "" {
		return s.pastState(ctx, plan, at, asOf)
	}
	gens, cacheable := s.cache.key(plan.ID, "state")
	if !cacheable {
		ps, err := s.buildPlanState(ctx, plan, at, asOf)
		if err == nil {
			versionStates(nil, ps)
		}
		return ps, err
	}
	minute := at.Unix() / 60
	ps, fresh, ok := s.cache.state(plan.ID, gens, minute)
	if ok {
		if !fresh {
			s.refreshState(plan, gens, minute)
		}
		return ps, nil
	}
	// One build per key, apart from any one reader's request (see dashboard).
	v, err, _ := s.flight.Do(stateFlight(plan.ID, gens, minute), func() (any, error) {
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.RequestTimeout)
		defer cancel()
		return s.evaluateState(bctx, plan, gens, minute, at)
	})
	if err != nil {
		return nil, err
	}
	return v.(*planState), nil
}

// cachedPlanState is plan's present state if one is cached for its
// current generations (of this minute, or of the one before: the next is
// then evaluated in the background), without evaluating one: for a page
// that can do without it when reports change the plan faster than its
// state is evaluated (the report form).
func (s *Server) cachedPlanState(plan workplan.Plan) (*planState, bool) {
	gens, cacheable := s.cache.key(plan.ID, "state")
	if !cacheable {
		return nil, false
	}
	minute := s.now().Unix() / 60
	ps, fresh, ok := s.cache.state(plan.ID, gens, minute)
	if ok && !fresh {
		s.refreshState(plan, gens, minute)
	}
	return ps, ok
}

func stateFlight(planID int64, gens string, minute int64) string {
	return "state|" + gens + "|" + strconv.FormatInt(minute, 10)
}

// evaluateState builds plan's present state at at (in minute, read at
// generations gens), numbers it against the previous evaluation of the
// same generations and keeps it.
func (s *Server) evaluateState(ctx context.Context, plan workplan.Plan, gens string, minute int64, at time.Time) (*planState, error) {
	ps, err := s.buildPlanState(ctx, plan, at, "")
	if err != nil {
		return nil, err
	}
	versionStates(s.cache.previousState(plan.ID, gens), ps)
	s.cache.putState(plan.ID, gens, minute, ps)
	return ps, nil
}

// refreshState evaluates plan's state for minute in the background, one
// plan at a time: when the minute turns, the plans' evaluations follow one
// another on one core while the pages are served from the previous ones.
// Nothing is started while another runs; a later reader starts it.
func (s *Server) refreshState(plan workplan.Plan, gens string, minute int64) {
	select {
	case s.refreshing <- struct{}{}:
	default:
		return
	}
	go func() {
		defer func() { <-s.refreshing }()
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
		defer cancel()
		_, _, _ = s.flight.Do(stateFlight(plan.ID, gens, minute), func() (any, error) {
			// Readers of the minute may have joined: it is evaluated even
			// if the minute has turned meanwhile.
			at := s.now()
			ps, err := s.evaluateState(ctx, plan, gens, at.Unix()/60, at)
			if err != nil {
				s.log.Warn("refresh plan state", "plan", plan.Slug, "err", err)
			}
			return ps, err
		})
	}()
}

// pastState is plan's state at the past instant at (the end of day asOf),
// rebuilt from history, and kept (pageCache.pastState) while no structure
// change is heard: what is written now is dated now, after at. An instant
// within pastSettled of now is not kept, so that writes dated by another
// replica's clock, a little behind, still count.
func (s *Server) pastState(ctx context.Context, plan workplan.Plan, at time.Time, asOf string) (*planState, error) {
	if !at.Before(s.now().Add(-pastSettled)) {
		return s.buildPlanState(ctx, plan, at, asOf)
	}
	if ps, ok := s.cache.pastState(plan.ID, at); ok && ps.AsOf == asOf {
		return ps, nil
	}
	v, err, _ := s.flight.Do("past|"+strconv.FormatInt(plan.ID, 10)+"|"+at.Format(time.RFC3339Nano)+"|"+asOf, func() (any, error) {
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.RequestTimeout)
		defer cancel()
		seen := s.cache.mark()
		ps, err := s.buildPlanState(bctx, plan, at, asOf)
		if err == nil {
			s.cache.putPastState(plan.ID, at, ps, seen)
		}
		return ps, err
	})
	if err != nil {
		return nil, err
	}
	return v.(*planState), nil
}

// pastSettled is how far in the past an instant must be for its state to
// be kept.
const pastSettled = 10 * time.Minute

func (s *Server) buildPlanState(ctx context.Context, plan workplan.Plan, at time.Time, asOf string) (*planState, error) {
	pa, err := s.store.PlanAt(ctx, plan.ID, at, asOf == "")
	if err != nil {
		return nil, err
	}
	return &planState{Picture: status.Evaluate(pa, s.policy()), AsOf: asOf}, nil
}

// requestState is how the plan of the URL's {slug} stands at the request's
// as_of date (the end of that day), or now.
func (s *Server) requestState(r *http.Request) (*planState, error) {
	plan, err := s.plan(r)
	if err != nil {
		return nil, err
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return nil, err
	}
	return s.loadPlanState(r.Context(), plan, at, asOf)
}

// plan resolves the {slug} of the URL.
// The plan is kept in the page cache while no change is announced for it.
func (s *Server) plan(r *http.Request) (workplan.Plan, error) {
	return s.planBySlug(r.Context(), chi.URLParam(r, "slug"))
}

// planBySlug returns the plan of slug, from the page cache while no change
// is announced for it.
func (s *Server) planBySlug(ctx context.Context, slug string) (workplan.Plan, error) {
	if p, ok := s.cache.plan(slug); ok {
		return p, nil
	}
	seen := s.cache.mark()
	p, err := s.store.PlanBySlug(ctx, slug)
	if err != nil {
		return p, err
	}
	s.cache.putPlan(slug, p, seen)
	return p, nil
}

// lightView turns a status into what pages show: the light's colour and
// shape, labelled by the status's category (超期, 滞后 …), so that a red
// light says whether the work is overdue or lagging.
func lightView(ctx context.Context, st deadline.Status) web.LightView {
	return web.LightView{Class: string(st.Light), Label: web.T(ctx, "cat."+string(status.CategoryOf(st))), Reason: web.Explain(ctx, st.Explain())}
}

// taskLightView is the light of a task, labelled by its category, with why.
func taskLightView(ctx context.Context, ts *status.Task) web.LightView {
	t := ts.Rollup
	reason := web.Explain(ctx, t.Explain())
	if ts.Category == status.Unassigned {
		reason = web.T(ctx, "cat.unassigned.hint")
	}
	return web.LightView{Class: string(t.Light), Label: web.T(ctx, "cat."+string(ts.Category)), Reason: reason}
}

func reportedLabel(ctx context.Context, t deadline.TaskStatus) (string, string) {
	return web.T(ctx, "explain.task.reported", t.Reported, t.Scored), web.T(ctx, "explain.task.completed", t.Completed, t.Scored)
}

func assignmentRole(ctx context.Context, r workplan.Role) string {
	return web.T(ctx, "role."+string(r))
}

func deadlineMeaning(ctx context.Context, d deadline.Deadline) string {
	return web.Explain(ctx, d.Describe())
}

func taskHref(slug string, n int) string { return "/plans/" + slug + "/tasks/" + strconv.Itoa(n) }

func assignmentHref(id int64, asOf string) string {
	h := "/assignments/" + strconv.FormatInt(id, 10)
	if asOf != "" {
		h += "?as_of=" + asOf
	}
	return h
}

// urgency orders statuses most urgent first: worst light, then most days
// overdue, then fewest days to due, then most days since a report.
func urgency(a, b deadline.Status) bool {
	if a.Light != b.Light {
		return a.Light.Worse(b.Light)
	}
	if a.DaysOverdue != b.DaysOverdue {
		return a.DaysOverdue > b.DaysOverdue
	}
	if a.Due.IsZero() != b.Due.IsZero() {
		return !a.Due.IsZero()
	}
	if a.DaysToDue != b.DaysToDue {
		return a.DaysToDue < b.DaysToDue
	}
	return a.DaysSinceReport > b.DaysSinceReport
}
