package server

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"duban/internal/deadline"
	"duban/internal/status"
	"duban/internal/workplan"
	"duban/web"
)

// indicatorStore is what the indicator board (日监测), its API and the wall
// screen read and write.
type indicatorStore interface {
	PlanIndicatorLatest(ctx context.Context, planID int64) ([]workplan.Indicator, []workplan.IndicatorReading, error)
	PlanIndicatorReadings(ctx context.Context, planID int64, at time.Time) ([]workplan.Indicator, []workplan.IndicatorReading, error)
	SetIndicatorCombine(ctx context.Context, actor workplan.Actor, planID, id int64, c workplan.Combine) (workplan.Indicator, error)
	ScreenTokenByHash(ctx context.Context, hash []byte, now time.Time) (workplan.ScreenToken, error)
}

// indicatorMemo holds a plan state's indicator boards once computed: they
// depend on the same instant and plan generation as the state, so they live
// and die with it. A cached state computes them once for every reader.
type indicatorMemo struct {
	mu sync.Mutex
	// board is decided, for the present, from each unit's latest values
	// (indicator_latest): statuses and values without trends, for the
	// dashboard, the API, reviews, exports, task pages, bulletins and the
	// screen. Its cost follows the plan's indicators and units, not its
	// history: a state is rebuilt after every report.
	board *status.Indicators
	// trends is decided from every value up to the state's instant, with
	// the trends: for the board and the indicators' pages, and for every
	// page of a past date.
	trends *status.Indicators
}

// planIndicators returns the indicator board of ps, with trends or
// without, computing it on first use. Readers of one state wait for one
// computation; a failed one is tried again by the next reader.
func (s *Server) planIndicators(ctx context.Context, ps *planState) (*status.Indicators, error) {
	if ps.AsOf != "" || ps.NotIssued {
		return s.planIndicatorTrends(ctx, ps)
	}
	m := &ps.indicators
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.trends != nil:
		return m.trends, nil
	case m.board != nil:
		return m.board, nil
	}
	// The present: like PlanAt of the present, the maintained rows, whose
	// changes are announced (a report bumps the plan's generation).
	inds, latest, err := s.store.PlanIndicatorLatest(ctx, ps.Plan.ID)
	if err != nil {
		return nil, err
	}
	b := status.EvaluateIndicators(ps.Picture, inds, latest)
	for _, ind := range b.List {
		ind.Trend = nil // from latest values only: not a trend
	}
	m.board = b
	return b, nil
}

// planIndicatorTrends returns the indicator board of ps with every
// indicator's trend, computing it on first use (the same statuses as
// planIndicators: see TestIndicatorsWithGeneratedHistory).
func (s *Server) planIndicatorTrends(ctx context.Context, ps *planState) (*status.Indicators, error) {
	m := &ps.indicators
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.trends != nil {
		return m.trends, nil
	}
	if ps.NotIssued {
		m.trends = status.EvaluateIndicators(ps.Picture, nil, nil)
		return m.trends, nil
	}
	inds, readings, err := s.store.PlanIndicatorReadings(ctx, ps.Plan.ID, ps.At)
	if err != nil {
		return nil, err
	}
	m.trends = status.EvaluateIndicators(ps.Picture, inds, readings)
	return m.trends, nil
}

// indicatorFilter reads the board's filters from the query string.
func indicatorFilter(q url.Values) web.IndicatorFilter {
	return web.IndicatorFilter{Section: q.Get("section"), Unit: q.Get("unit"), Status: q.Get("status")}
}

// indicatorItem is one row of the board: an indicator, and with the unit
// filter that unit's own value.
type indicatorItem struct {
	Ind *status.Indicator
	// Own is the unit's value (the unit filter), nil otherwise.
	Own *status.UnitValue
}

// status is the row's status: the unit's own with the unit filter, else the
// task's.
func (it indicatorItem) status() status.IndicatorStatus {
	if it.Own != nil {
		return unitStatus(*it.Own)
	}
	return it.Ind.Status
}

// unitStatus is whether one unit's own value meets the target.
func unitStatus(u status.UnitValue) status.IndicatorStatus {
	switch {
	case !u.Has:
		return status.IndicatorNoData
	case u.Met:
		return status.IndicatorMet
	}
	return status.IndicatorNotMet
}

// filterIndicators returns the rows of board that pass f: by section, by
// unit (indicators of the tasks the unit has a part in, each with its own
// value) and by status (the unit's own with a unit, else the task's).
func filterIndicators(b *status.Indicators, f web.IndicatorFilter) []indicatorItem {
	var out []indicatorItem
	for _, ind := range b.List {
		if f.Section != "" && ind.Task.Task.Section.Numeral != f.Section {
			continue
		}
		it := indicatorItem{Ind: ind}
		if f.Unit != "" {
			in := false
			for _, a := range ind.Task.Assignments {
				if strconv.FormatInt(a.UnitID, 10) == f.Unit {
					in = true
					own, ok := ind.Unit(a.UnitID)
					if !ok {
						own = status.UnitValue{AssignmentID: a.ID, UnitID: a.UnitID, UnitName: a.UnitName, Role: a.Role}
					}
					it.Own = &own
				}
			}
			if !in {
				continue
			}
		}
		if f.Status != "" && string(it.status()) != f.Status {
			continue
		}
		out = append(out, it)
	}
	return out
}

// indicatorBoard is the indicator board (日监测) of a plan, now or as of the
// end of a past date, with filters kept in the query string.
func (s *Server) indicatorBoard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return err
	}
	ps, err := s.loadPlanState(ctx, plan, at, asOf)
	if err != nil {
		return err
	}
	board, err := s.planIndicatorTrends(ctx, ps)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := indicatorFilter(q)
	f.AsOf = asOf
	m := web.IndicatorBoardPage{PlanTitle: plan.Title, PlanSlug: plan.Slug, Filter: f, Total: len(board.List),
		Today: deadline.DateOf(s.now(), deadline.Shanghai).String(), NotIssued: ps.NotIssued, IssuedOn: plan.IssuedOn.String()}
	exp := url.Values{}
	if asOf != "" {
		exp.Set("as_of", asOf)
	}
	m.ExportXLSX, m.ExportCSV = exportLinks(plan.Slug, exp)
	all := web.T(ctx, "ledger.all")
	m.Sections = []web.Option{{Value: "", Label: all}}
	m.Units = []web.Option{{Value: "", Label: all}}
	m.Statuses = []web.Option{{Value: "", Label: all}}
	seenSec := map[string]bool{}
	seenUnit := map[int64]bool{}
	for _, ind := range board.List {
		sec := ind.Task.Task.Section
		if !seenSec[sec.Numeral] {
			seenSec[sec.Numeral] = true
			m.Sections = append(m.Sections, web.Option{Value: sec.Numeral, Label: "(" + sec.Numeral + ")" + sec.Title, Selected: f.Section == sec.Numeral})
		}
		for _, a := range ind.Task.Assignments {
			seenUnit[a.UnitID] = true
		}
	}
	for _, u := range ps.Units() {
		if !seenUnit[u.UnitID] {
			continue
		}
		v := strconv.FormatInt(u.UnitID, 10)
		m.Units = append(m.Units, web.Option{Value: v, Label: u.UnitName, Selected: f.Unit == v})
		if f.Unit == v {
			m.UnitName = u.UnitName
		}
	}
	for _, st := range status.IndicatorStatuses {
		m.Statuses = append(m.Statuses, web.Option{Value: string(st), Label: web.T(ctx, "ind.status."+string(st)), Selected: f.Status == string(st)})
		cq := url.Values{}
		for _, k := range []string{"section", "unit", "as_of"} {
			if v := q.Get(k); v != "" {
				cq.Set(k, v)
			}
		}
		cq.Set("status", string(st))
		m.Counts = append(m.Counts, web.IndicatorCount{Class: string(st), Light: indicatorLight(st), Label: web.T(ctx, "ind.status."+string(st)),
			Count: board.Counts[st], Href: "/plans/" + plan.Slug + "/indicators?" + cq.Encode()})
	}
	for _, it := range filterIndicators(board, f) {
		row := boardRow(ctx, plan.Slug, asOf, it.Ind, boardUnits, boardTrend)
		if it.Own != nil {
			own := unitValueView(ctx, it.Ind, *it.Own)
			row.Own = &own
		}
		m.Rows = append(m.Rows, row)
	}
	s.render(w, r, http.StatusOK, web.T(ctx, "ind.title"), "indicators", web.IndicatorBoard(m))
	return nil
}

// boardUnits is how many counted units' values a board row lists before
// "N more".
const boardUnits = 8

// sparkSize is a trend chart's size in pixels.
type sparkSize struct{ w, h int }

var (
	boardTrend = sparkSize{160, 44}
	pageTrend  = sparkSize{640, 180}
)

// indicatorLight is the light class that colours an indicator status:
// green met, red not met, grey no data (told apart by text and shape too).
func indicatorLight(st status.IndicatorStatus) string {
	switch st {
	case status.IndicatorMet:
		return "green"
	case status.IndicatorNotMet:
		return "red"
	}
	return "grey"
}

func indicatorStatusView(ctx context.Context, st status.IndicatorStatus) web.IndicatorStatusView {
	return web.IndicatorStatusView{Class: indicatorLight(st), Label: web.T(ctx, "ind.status."+string(st))}
}

// fmtValue shows a value as people write it: 1250, 99.5, 0.25 (rounded to
// four decimals, so that sums of decimals show no float noise).
func fmtValue(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e4)/1e4, 'f', -1, 64)
}

// indicatorTarget is "≥ 1200项".
func indicatorTarget(in workplan.Indicator) string {
	return comparatorSign(in.Comparator) + " " + fmtValue(in.Value) + in.Unit
}

// ruleLabel names an indicator's rule, saying when the wording chose it.
func ruleLabel(ctx context.Context, ind *status.Indicator) (string, string) {
	label := web.T(ctx, "ind.rule."+string(ind.Rule))
	if !ind.RuleSet {
		label = web.T(ctx, "ind.rule.auto", label)
	}
	return label, web.T(ctx, "ind.rule."+string(ind.Rule)+".hint")
}

func indicatorHref(slug string, id int64, asOf string) string {
	return "/plans/" + slug + "/indicators/" + strconv.FormatInt(id, 10) + asOfQuery(asOf)
}

// boardRow lays out one indicator: at most maxUnits unit values (0: all).
func boardRow(ctx context.Context, slug, asOf string, ind *status.Indicator, maxUnits int, size sparkSize) web.IndicatorBoardRow {
	t := ind.Task.Task
	rule, hint := ruleLabel(ctx, ind)
	row := web.IndicatorBoardRow{TaskNumber: t.Number, TaskTitle: t.Title, TaskHref: taskHref(slug, t.Number) + asOfQuery(asOf),
		Text: ind.Indicator.Text, Href: indicatorHref(slug, ind.Indicator.ID, asOf), Target: indicatorTarget(ind.Indicator),
		Rule: rule, RuleHint: hint, Status: indicatorStatusView(ctx, ind.Status), LastAt: fmtTime(ind.LastAt),
		Trend: sparkline(ctx, ind, size)}
	if ind.HasValue {
		row.Value, row.ValueAt = fmtValue(ind.Value)+ind.Indicator.Unit, fmtTime(ind.At)
	}
	row.Reported = web.T(ctx, "ind.reported.none")
	if ind.Counted > 0 {
		row.Reported = web.T(ctx, "ind.reported", ind.Counted, ind.Reported)
	}
	for _, u := range ind.Units {
		if maxUnits == 0 {
			row.Units = append(row.Units, unitValueView(ctx, ind, u))
			continue
		}
		// The board lists the units the rule counts, by short name; the
		// others (and counted ones past maxUnits) are on the indicator's page.
		if !u.Counted || len(row.Units) == maxUnits {
			row.MoreUnits++
			continue
		}
		v := unitValueView(ctx, ind, u)
		v.Unit = u.Label()
		row.Units = append(row.Units, v)
	}
	return row
}

func unitValueView(ctx context.Context, ind *status.Indicator, u status.UnitValue) web.UnitValueView {
	v := web.UnitValueView{Unit: u.UnitName, Role: assignmentRole(ctx, u.Role), Status: indicatorStatusView(ctx, unitStatus(u)), Counted: u.Counted}
	if u.Has {
		v.Value, v.At = fmtValue(u.Value)+ind.Indicator.Unit, fmtTime(u.At)
	}
	return v
}

// sparkline lays out the trend of an indicator's task value in a w×h box:
// time across, value up, the target dashed.
func sparkline(ctx context.Context, ind *status.Indicator, size sparkSize) web.Sparkline {
	tr := ind.Trend
	if len(tr) == 0 {
		return web.Sparkline{Empty: true}
	}
	const pad = 4
	w, h := size.w, size.h
	target := ind.Indicator.Value
	lo, hi := target, target
	for _, p := range tr {
		lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
	}
	if hi == lo {
		lo, hi = lo-1, hi+1
	}
	margin := (hi - lo) * 0.08
	lo, hi = lo-margin, hi+margin
	y := func(v float64) int { return pad + int(math.Round((hi-v)/(hi-lo)*float64(h-2*pad))) }
	t0, t1 := tr[0].At, tr[len(tr)-1].At
	x := func(t time.Time) int {
		if !t1.After(t0) {
			return w - pad
		}
		return pad + int(math.Round(float64(t.Sub(t0))/float64(t1.Sub(t0))*float64(w-2*pad)))
	}
	pts := make([]string, len(tr))
	for i, p := range tr {
		pts[i] = strconv.Itoa(x(p.At)) + "," + strconv.Itoa(y(p.Value))
	}
	last := tr[len(tr)-1]
	u := ind.Indicator.Unit
	return web.Sparkline{Width: w, Height: h, Points: strings.Join(pts, " "), TargetY: y(target), LastX: x(last.At), LastY: y(last.Value),
		Label: web.T(ctx, "ind.trend.label", len(tr), fmtValue(tr[0].Value)+u, fmtValue(last.Value)+u, indicatorTarget(ind.Indicator))}
}

// indicatorPage shows one indicator: every unit's value, the trend, and for
// administrators the form that sets its rule.
func (s *Server) indicatorPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return err
	}
	ps, err := s.loadPlanState(ctx, plan, at, asOf)
	if err != nil {
		return err
	}
	board, err := s.planIndicatorTrends(ctx, ps)
	if err != nil {
		return err
	}
	ind := board.ByID(id)
	if ind == nil {
		return workplan.E(workplan.ENotFound, "ind.notfound")
	}
	m := web.IndicatorPage{PlanTitle: plan.Title, PlanSlug: plan.Slug, AsOf: asOf, Row: boardRow(ctx, plan.Slug, asOf, ind, 0, boardTrend),
		Trend: sparkline(ctx, ind, pageTrend), BoardHref: "/plans/" + plan.Slug + "/indicators" + asOfQuery(asOf)}
	if r.URL.Query().Get("saved") != "" {
		m.Saved = web.T(ctx, "ind.rule.saved", m.Row.Rule)
	}
	if u, ok := userOf(ctx); ok && u.Role == workplan.UserAdmin && asOf == "" {
		def := workplan.DefaultCombine(ind.Indicator.Text)
		opts := []web.Option{{Value: "", Label: web.T(ctx, "ind.rule.default") + "(" + web.T(ctx, "ind.rule."+string(def)) + ")", Selected: !ind.RuleSet}}
		for _, c := range workplan.Combines {
			opts = append(opts, web.Option{Value: string(c), Label: web.T(ctx, "ind.rule."+string(c)), Selected: ind.RuleSet && ind.Rule == c})
		}
		m.Rule = &web.RuleForm{Action: "/plans/" + plan.Slug + "/indicators/" + strconv.FormatInt(id, 10) + "/rule", CSRF: csrfTokenOf(ctx), Options: opts}
	}
	s.render(w, r, http.StatusOK, ind.Indicator.Text, "indicators", web.IndicatorView(m))
	return nil
}

// setIndicatorRule sets how an indicator's unit values combine
// (administrators).
func (s *Server) setIndicatorRule(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	c := workplan.Combine(r.PostFormValue("combine"))
	if c != "" && !c.Valid() {
		return workplan.E(workplan.EInvalid, "ind.rule.invalid")
	}
	if _, err := s.store.SetIndicatorCombine(ctx, s.actor(r), plan.ID, id, c); err != nil {
		return err
	}
	// This replica reads its own write at once; the others hear the
	// change notification.
	s.changedHere(ctx, workplan.Change{Plan: plan.ID})
	http.Redirect(w, r, indicatorHref(plan.Slug, id, "")+"?saved=1", http.StatusSeeOther)
	return nil
}

// indicatorWarnings are the lines a reviewer of a completion claim by the
// unit of assignment asgID on task taskID must read: each indicator of the
// task whose value, the unit's own or the task's, is below its target now.
func (s *Server) indicatorWarnings(ctx context.Context, board *status.Indicators, taskID, asgID int64) []string {
	var out []string
	for _, ind := range board.OfTask(taskID) {
		target := indicatorTarget(ind.Indicator)
		for _, u := range ind.Units {
			if u.AssignmentID == asgID && u.Has && !u.Met {
				out = append(out, web.T(ctx, "ind.review.unit", ind.Indicator.Text, fmtValue(u.Value)+ind.Indicator.Unit, target))
			}
		}
		if ind.Status == status.IndicatorNotMet {
			rule, _ := ruleLabel(ctx, ind)
			out = append(out, web.T(ctx, "ind.review.task", ind.Indicator.Text, fmtValue(ind.Value)+ind.Indicator.Unit, target, rule))
		}
	}
	return out
}

// reviewBoards keeps the present states and indicator boards of the plans
// a review page reads, by slug, so that a queue of claims reads each plan
// once.
type reviewBoards map[string]reviewBoard

type reviewBoard struct {
	ps    *planState
	board *status.Indicators
}

// reviewWarnings returns the indicator warnings (indicatorWarnings) of a
// completion claim on assignment asgID of task number n in the plan of
// slug, as the plan stands now.
func (s *Server) reviewWarnings(ctx context.Context, boards reviewBoards, slug string, n int, asgID int64) ([]string, error) {
	b, ok := boards[slug]
	if !ok {
		plan, err := s.planBySlug(ctx, slug)
		if err != nil {
			return nil, err
		}
		if b.ps, err = s.loadPlanState(ctx, plan, s.now(), ""); err != nil {
			return nil, err
		}
		if b.board, err = s.planIndicators(ctx, b.ps); err != nil {
			return nil, err
		}
		boards[slug] = b
	}
	ts := b.ps.Task(n)
	if ts == nil {
		return nil, nil
	}
	return s.indicatorWarnings(ctx, b.board, ts.Task.ID, asgID), nil
}

// indicatorCounts is the dashboard's line of indicators per status, each
// linked to the board filtered to it.
func indicatorCounts(ctx context.Context, slug, asOf string, b *status.Indicators) web.IndicatorCounts {
	out := web.IndicatorCounts{Total: len(b.List), Href: "/plans/" + slug + "/indicators" + asOfQuery(asOf)}
	for _, st := range status.IndicatorStatuses {
		q := url.Values{"status": {string(st)}}
		if asOf != "" {
			q.Set("as_of", asOf)
		}
		out.Counts = append(out.Counts, web.IndicatorCount{Class: string(st), Light: indicatorLight(st), Label: web.T(ctx, "ind.status."+string(st)),
			Count: b.Counts[st], Href: "/plans/" + slug + "/indicators?" + q.Encode()})
	}
	return out
}

// taskIndicatorRows are the indicators of a task page: for a task in force,
// as the indicator board decides them at the page's instant (the task's
// value by its rule, and whether it meets the target); for an archived
// task, or one not yet in the plan, the latest value any unit reported.
func (s *Server) taskIndicatorRows(ctx context.Context, ps *planState, ts *status.Task, state taskState, inds []workplan.TaskIndicator) ([]web.IndicatorRow, error) {
	var out []web.IndicatorRow
	if state != taskInForce {
		for _, i := range inds {
			out = append(out, indicatorRow(i))
		}
		return out, nil
	}
	board, err := s.planIndicators(ctx, ps)
	if err != nil {
		return nil, err
	}
	for _, ind := range board.OfTask(ts.Task.ID) {
		rule, _ := ruleLabel(ctx, ind)
		row := web.IndicatorRow{Text: ind.Indicator.Text, Target: indicatorTarget(ind.Indicator), Has: ind.HasValue,
			Met: ind.Status == status.IndicatorMet}
		if ind.HasValue {
			row.Latest = fmtValue(ind.Value) + ind.Indicator.Unit + " " + web.T(ctx, "ind.status."+string(ind.Status))
			row.By = rule + " · " + fmtTime(ind.At)
		}
		out = append(out, row)
	}
	return out, nil
}

// bulletinIndicators are the indicators of a bulletin as the board decides
// them at the period's end: the task's value by its rule; an indicator
// without a deciding value (no data) counts as not reported.
func bulletinIndicators(b *status.Indicators) []workplan.TaskIndicator {
	var out []workplan.TaskIndicator
	for _, ind := range b.List {
		ti := workplan.TaskIndicator{Indicator: ind.Indicator}
		if ind.Status != status.IndicatorNoData {
			ti.HasLatest, ti.Latest, ti.LatestAt = true, ind.Value, ind.At
		}
		out = append(out, ti)
	}
	return out
}
