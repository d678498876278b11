package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/a-h/templ"

	"duban/internal/deadline"
	"duban/internal/workplan"
	"duban/web"
)

// latestPlanPage sends to a page (dashboard, tasks) of the newest plan.
func (s *Server) latestPlanPage(page string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.store.LatestPlan(r.Context())
		if err != nil {
			return err
		}
		http.Redirect(w, r, "/plans/"+p.Slug+"/"+page, http.StatusSeeOther)
		return nil
	}
}

// dashboard is the supervision dashboard (督办看板) of a plan, as of now or
// as of the end of a past date.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return err
	}
	// The body is the same for everyone: it is cached per plan generation,
	// language, as-of date and minute (see pageCache).
	key, cacheable := s.cache.key(plan.ID, "dashboard", string(web.LangOf(ctx)), asOf, at.Truncate(time.Minute).Format(time.RFC3339))
	if cacheable {
		if body, ok := s.cache.get(key); ok {
			w.Header().Set("X-Duban-Cache", "hit")
			s.renderCached(w, r, http.StatusOK, web.T(ctx, "dash.title"), "dashboard", body)
			return nil
		}
		w.Header().Set("X-Duban-Cache", "miss")
	} else {
		w.Header().Set("X-Duban-Cache", "off")
		body, err := s.dashboardBody(ctx, plan, at, asOf)
		if err != nil {
			return err
		}
		s.render(w, r, http.StatusOK, web.T(ctx, "dash.title"), "dashboard", rawBytes(body))
		return nil
	}
	// One rebuild per key: readers that miss together wait for it rather
	// than all loading the same plan. It runs apart from any one reader's
	// request, so a reader who leaves does not fail the others.
	// The body is compressed here, once per rebuild, not per reader.
	v, err, _ := s.flight.Do(key, func() (any, error) {
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.RequestTimeout)
		defer cancel()
		html, err := s.dashboardBody(bctx, plan, at, asOf)
		if err != nil {
			return nil, err
		}
		body, err := newRenderedBody(html)
		if err != nil {
			return nil, err
		}
		s.cache.put(key, body)
		return body, nil
	})
	if err != nil {
		return err
	}
	s.renderCached(w, r, http.StatusOK, web.T(ctx, "dash.title"), "dashboard", v.(*renderedBody))
	return nil
}

// dashboardBody renders the dashboard's body (the part inside the layout,
// the same for every reader) for plan as of at.
func (s *Server) dashboardBody(ctx context.Context, plan workplan.Plan, at time.Time, asOf string) ([]byte, error) {
	ps, err := s.loadPlanState(ctx, plan, at, asOf)
	if err != nil {
		return nil, err
	}
	m := web.DashboardPage{
		PlanTitle: plan.Title, PlanSlug: plan.Slug, AsOf: asOf,
		Today:      deadline.DateOf(s.now(), deadline.Shanghai).String(),
		StatusAt:   fmtTime(at),
		TotalTasks: len(ps.Tasks),
		LedgerHref: "/plans/" + plan.Slug + "/tasks",
	}
	counts := map[deadline.Light]int{}
	sectionOrder := []string{}
	type secAgg struct{ done, total, pctSum, pctN int }
	sections := map[string]*secAgg{}
	for _, ts := range ps.Tasks {
		counts[ts.Rollup.Light]++
		href := taskHref(plan.Slug, ts.Task.Number) + asOfQuery(asOf)
		key := ts.Task.Section.Numeral + "、" + ts.Task.Section.Title
		if sections[key] == nil {
			sections[key] = &secAgg{}
			sectionOrder = append(sectionOrder, key)
		}
		sa := sections[key]
		sa.total++
		if ts.Rollup.Complete {
			sa.done++
		}
		var overdue []web.UnitDays
		var dueUnits []string
		var stale []web.UnitDays
		dueSoon, daysToDue, due := false, 0, ""
		for _, a := range ts.Asg {
			if !a.Role.Scored() {
				continue
			}
			sa.pctSum += a.Status.Percent
			sa.pctN++
			st := a.Status
			switch {
			case st.State == deadline.StateOverdue:
				overdue = append(overdue, web.UnitDays{Name: a.UnitName, Days: st.DaysOverdue, Href: assignmentHref(a.ID, asOf)})
			case st.State == deadline.StateOngoingStale:
				stale = append(stale, web.UnitDays{Name: a.UnitName, Days: st.DaysSinceReport, Href: assignmentHref(a.ID, asOf)})
			}
			if !st.Completed && !st.Due.IsZero() && st.DaysOverdue == 0 && st.DaysToDue >= 0 && st.DaysToDue <= s.cfg.DueSoonDays {
				if !dueSoon || st.DaysToDue < daysToDue {
					daysToDue, due = st.DaysToDue, st.Due.String()
				}
				dueSoon = true
				dueUnits = append(dueUnits, a.UnitName)
			}
		}
		if len(overdue) > 0 {
			sort.SliceStable(overdue, func(i, j int) bool { return overdue[i].Days > overdue[j].Days })
			shown, more := firstUnits(overdue)
			m.Overdue = append(m.Overdue, web.OverdueRow{Number: ts.Task.Number, Title: ts.Task.Title, Href: href,
				Due: ts.Rollup.Worst.Due.String(), DaysOverdue: ts.Rollup.MaxDaysOverdue, Units: shown, More: more})
		}
		if dueSoon {
			m.DueSoon = append(m.DueSoon, web.DueRow{Number: ts.Task.Number, Title: ts.Task.Title, Href: href, Due: due, DaysToDue: daysToDue, Units: dueUnits})
		}
		if len(stale) > 0 {
			sort.SliceStable(stale, func(i, j int) bool { return stale[i].Days > stale[j].Days })
			shown, more := firstUnits(stale)
			m.Stale = append(m.Stale, web.StaleRow{Number: ts.Task.Number, Title: ts.Task.Title, Href: href,
				Count: len(stale), MaxDays: stale[0].Days, Units: shown, More: more})
		}
	}
	sort.SliceStable(m.Overdue, func(i, j int) bool { return m.Overdue[i].DaysOverdue > m.Overdue[j].DaysOverdue })
	sort.SliceStable(m.DueSoon, func(i, j int) bool { return m.DueSoon[i].DaysToDue < m.DueSoon[j].DaysToDue })
	for _, l := range []deadline.Light{deadline.LightRed, deadline.LightYellow, deadline.LightGreen, deadline.LightDone, deadline.LightGrey} {
		if l == deadline.LightGrey && counts[l] == 0 {
			continue
		}
		m.Counts = append(m.Counts, web.LightCount{
			Light: web.LightView{Class: string(l), Label: web.T(ctx, "light."+string(l))},
			Count: counts[l], Href: "/plans/" + plan.Slug + "/tasks?light=" + string(l),
		})
	}
	for i, key := range sectionOrder {
		sa := sections[key]
		avg := 0
		if sa.pctN > 0 {
			avg = (sa.pctSum + sa.pctN/2) / sa.pctN
		}
		m.Sections = append(m.Sections, web.SectionBar{Label: key, Done: sa.done, Total: sa.total, AvgPercent: avg,
			Y: 8 + i*44, AvgWidth: avg * 3, DoneWidth: sa.done * 300 / max(sa.total, 1)})
	}
	m.Matrix = matrix(ctx, ps)
	var body bytes.Buffer
	if err := web.Dashboard(m).Render(ctx, &body); err != nil {
		return nil, fmt.Errorf("server: render dashboard: %w", err)
	}
	return body.Bytes(), nil
}

// rawBytes writes b, a body rendered (and escaped) earlier, as it is:
// without templ.Raw's conversion to a string, which copied the whole cached
// dashboard (80 KB) on every hit.
func rawBytes(b []byte) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// dashboardUnits is how many units a dashboard row names before "and N more".
const dashboardUnits = 6

func firstUnits(us []web.UnitDays) ([]web.UnitDays, int) {
	if len(us) <= dashboardUnits {
		return us, 0
	}
	return us[:dashboardUnits], len(us) - dashboardUnits
}

func asOfQuery(asOf string) string {
	if asOf == "" {
		return ""
	}
	return "?as_of=" + asOf
}

// matrix lays out the tasks × units grid.
func matrix(ctx context.Context, ps *planState) web.Matrix {
	units := sortedUnits(ps)
	col := make(map[int64]int, len(units))
	var mx web.Matrix
	for i, u := range units {
		col[u.UnitID] = i
		mx.Units = append(mx.Units, web.MatrixUnit{Name: u.UnitName, Short: shortUnit(u.UnitName), Group: string(u.UnitKind)})
	}
	for _, ts := range ps.Tasks {
		row := web.MatrixRow{Number: ts.Task.Number, Title: ts.Task.Title, Href: taskHref(ps.Plan.Slug, ts.Task.Number) + asOfQuery(ps.AsOf),
			Light: taskLightView(ctx, ts.Rollup), Cells: make([]web.MatrixCell, len(units))}
		for _, a := range ts.Asg {
			lv := lightView(ctx, a.Status)
			// The cell's headers name the task and the unit; its label says
			// only the status, which keeps 27 x 40 cells under budget.
			row.Cells[col[a.UnitID]] = web.MatrixCell{Has: true, Light: lv, Href: assignmentHref(a.ID, ps.AsOf), Role: string(a.Role),
				Title: lv.Reason}
		}
		mx.Rows = append(mx.Rows, row)
	}
	return mx
}

// shortUnit abbreviates a unit name for a matrix column: 崆峒区人民政府 → 崆峒区,
// 市大数据中心 → 大数据中心.
func shortUnit(name string) string {
	s := strings.TrimSuffix(name, "人民政府")
	if s != name {
		return s
	}
	if strings.HasPrefix(s, "市") && len([]rune(s)) > 3 {
		s = strings.TrimPrefix(s, "市")
	}
	return s
}
