package server

import (
	"context"
	"net/http"
	"strconv"
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
// the dashboard (see pageCache): the ledger, task pages, the API and exports
// read it far more often than reports change it, and within a minute they
// share one evaluation (made at the first reader's instant). The state
// returned is shared: callers must not change it.
func (s *Server) loadPlanState(ctx context.Context, plan workplan.Plan, at time.Time, asOf string) (*planState, error) {
	if asOf != "" {
		return s.buildPlanState(ctx, plan, at, asOf)
	}
	key, cacheable := s.cache.key(plan.ID, "state", at.Truncate(time.Minute).Format(time.RFC3339))
	if !cacheable {
		return s.buildPlanState(ctx, plan, at, asOf)
	}
	if ps, ok := s.cache.state(plan.ID, key); ok {
		return ps, nil
	}
	// One build per key, apart from any one reader's request (see dashboard).
	v, err, _ := s.flight.Do("state|"+key, func() (any, error) {
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.RequestTimeout)
		defer cancel()
		ps, err := s.buildPlanState(bctx, plan, at, "")
		if err == nil {
			s.cache.putState(plan.ID, key, ps)
		}
		return ps, err
	})
	if err != nil {
		return nil, err
	}
	return v.(*planState), nil
}

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
	seen := s.cache.markPlans()
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
