package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"duban/internal/deadline"
	"duban/internal/status"
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
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return err
	}
	// The body is the same for everyone: it is cached per plan generation,
	// language, as-of date and the minute of the state it shows, whose
	// time it says (see pagecache.go).
	key, cacheable := s.cache.key(plan.ID, "dashboard", langOf(r), asOf)
	ps, err := s.loadPlanState(r.Context(), plan, at, asOf)
	if err != nil {
		return err
	}
	key += "|" + minuteOf(ps.At) + "|" + s.today()
	return s.cachedPage(w, r, "dashboard", key, cacheable, func(ctx context.Context) (string, []byte, error) {
		html, err := s.dashboardBody(ctx, ps)
		return web.T(ctx, "dash.title"), html, err
	})
}

// dashboardBody renders the dashboard's body (the part inside the layout,
// the same for every reader) for plan as of at.
func (s *Server) dashboardBody(ctx context.Context, ps *planState) ([]byte, error) {
	plan, asOf := ps.Plan, ps.AsOf
	m := dashboardModel(ctx, ps, s.cfg.DueSoonDays)
	m.Today = deadline.DateOf(s.now(), deadline.Shanghai).String()
	board, err := s.planIndicators(ctx, ps)
	if err != nil {
		return nil, err
	}
	m.Indicators = indicatorCounts(ctx, plan.Slug, asOf, board)
	if m.Interviews, err = s.interviews(ctx, ps); err != nil {
		return nil, err
	}
	var body bytes.Buffer
	if err := web.Dashboard(m).Render(ctx, &body); err != nil {
		return nil, fmt.Errorf("server: render dashboard: %w", err)
	}
	return body.Bytes(), nil
}

// dashboardModel lays out the dashboard of ps: categories, the overdue and
// lagging tasks with every late unit counted, what is due soon, the
// designations to map, progress by section and the matrix.
func dashboardModel(ctx context.Context, ps *planState, dueSoonDays int) web.DashboardPage {
	plan, asOf := ps.Plan, ps.AsOf
	m := web.DashboardPage{
		PlanTitle: plan.Title, PlanSlug: plan.Slug, AsOf: asOf, Version: ps.Version,
		StatusAt:   fmtTime(ps.At),
		TotalTasks: len(ps.Tasks),
		LedgerHref: "/plans/" + plan.Slug + "/tasks" + asOfQuery(asOf),
		NotIssued:  ps.NotIssued, IssuedOn: plan.IssuedOn.String(),
	}
	if ps.NotIssued {
		return m
	}
	for _, c := range status.Categories {
		n := ps.TaskCounts[c]
		if n == 0 && (c == status.Unknown || c == status.Unassigned) {
			continue
		}
		q := "?cat=" + string(c)
		if asOf != "" {
			q += "&as_of=" + asOf
		}
		m.Cards = append(m.Cards, web.CategoryCard{Class: string(c), Label: web.T(ctx, "cat."+string(c)), Hint: web.T(ctx, "cat."+string(c)+".hint"),
			Count: n, Assignments: ps.AssignmentCounts[c], Href: "/plans/" + plan.Slug + "/tasks" + q})
	}
	sectionOrder := []string{}
	type secAgg struct{ done, total, pctSum, pctN int }
	sections := map[string]*secAgg{}
	for _, ts := range ps.Tasks {
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
		var overdue, lagging []web.UnitDays
		var dueUnits []string
		dueSoon, daysToDue, due := false, 0, ""
		for _, a := range ts.Assignments {
			if !a.Role.Scored() {
				continue
			}
			sa.pctSum += a.Status.Percent
			sa.pctN++
			st := a.Status
			switch a.Category {
			case status.Overdue:
				overdue = append(overdue, web.UnitDays{Name: a.UnitName, Days: st.DaysOverdue, Href: assignmentHref(a.ID, asOf)})
			case status.Lagging:
				days := 0
				if st.Reason == deadline.ReasonStale {
					days = st.DaysSinceReport
				}
				lagging = append(lagging, web.UnitDays{Name: a.UnitName, Days: days, Href: assignmentHref(a.ID, asOf)})
			}
			if !st.Completed && !st.Due.IsZero() && st.DaysOverdue == 0 && st.DaysToDue >= 0 && st.DaysToDue <= dueSoonDays {
				if !dueSoon || st.DaysToDue < daysToDue {
					daysToDue, due = st.DaysToDue, st.Due.String()
				}
				dueSoon = true
				dueUnits = append(dueUnits, a.UnitName)
			}
		}
		if len(overdue) > 0 {
			sort.SliceStable(overdue, func(i, j int) bool { return overdue[i].Days > overdue[j].Days })
			m.Overdue = append(m.Overdue, web.OverdueRow{Number: ts.Task.Number, Title: ts.Task.Title, Href: href,
				Due: ts.Rollup.Worst.Due.String(), DaysOverdue: ts.Rollup.MaxDaysOverdue, Units: firstUnits(overdue), Total: len(overdue)})
		}
		if len(lagging) > 0 {
			sort.SliceStable(lagging, func(i, j int) bool { return lagging[i].Days > lagging[j].Days })
			m.Lagging = append(m.Lagging, web.LagRow{Number: ts.Task.Number, Title: ts.Task.Title, Href: href, Units: firstUnits(lagging), Total: len(lagging)})
		}
		if dueSoon {
			m.DueSoon = append(m.DueSoon, web.DueRow{Number: ts.Task.Number, Title: ts.Task.Title, Href: href, Due: due, DaysToDue: daysToDue, Units: dueUnits})
		}
	}
	sort.SliceStable(m.Overdue, func(i, j int) bool { return m.Overdue[i].DaysOverdue > m.Overdue[j].DaysOverdue })
	sort.SliceStable(m.DueSoon, func(i, j int) bool { return m.DueSoon[i].DaysToDue < m.DueSoon[j].DaysToDue })
	m.OverdueUnits = unitList(plan.Slug, asOf, ps.Picture.Overdue, "overdue")
	m.LaggingUnits = unitList(plan.Slug, asOf, ps.Picture.Lagging, "lagging")
	byText := map[string]*web.UnmappedRow{}
	for _, d := range ps.Unmapped {
		row := byText[d.Text]
		if row == nil {
			m.Unmapped = append(m.Unmapped, web.UnmappedRow{Text: d.Text})
			row = &m.Unmapped[len(m.Unmapped)-1]
			byText[d.Text] = row
		}
		if ts := taskOf(ps, d.TaskID); ts != nil {
			row.Tasks = append(row.Tasks, web.TaskLink{Number: ts.Task.Number, Href: taskHref(plan.Slug, ts.Task.Number) + "#designations"})
		}
	}
	var stats []web.SectionStat
	for _, key := range sectionOrder {
		sa := sections[key]
		avg := 0
		if sa.pctN > 0 {
			avg = (sa.pctSum + sa.pctN/2) / sa.pctN
		}
		stats = append(stats, web.SectionStat{Label: key, Done: sa.done, Total: sa.total, AvgPercent: avg})
	}
	m.Sections = web.SectionBars(stats)
	m.Matrix = matrix(ctx, ps)
	return m
}

// taskOf returns the task of ps with ID id, or nil.
func taskOf(ps *planState, id int64) *status.Task {
	for _, ts := range ps.Tasks {
		if ts.Task.ID == id {
			return ts
		}
	}
	return nil
}

// unitList is the list of late units shown above a dashboard list: every
// unit counted, the first few named, each linked to the ledger filtered to
// its assignments in that category.
func unitList(slug, asOf string, us []status.UnitLate, cat string) web.UnitList {
	l := web.UnitList{Total: len(us)}
	for i, u := range us {
		if i == dashboardUnitList {
			break
		}
		href := "/plans/" + slug + "/tasks?unit=" + strconv.FormatInt(u.UnitID, 10) + "&cat=" + cat
		if asOf != "" {
			href += "&as_of=" + asOf
		}
		l.Units = append(l.Units, web.UnitDays{Name: u.Name, Days: u.MaxDays, Tasks: u.Tasks, Href: href})
	}
	return l
}

// dashboardUnitList is how many late units the line above a list names
// before "and N more".
const dashboardUnitList = 20

// dashboardUnits is how many units a dashboard row names before "共 N 个单位".
const dashboardUnits = 6

func firstUnits(us []web.UnitDays) []web.UnitDays {
	if len(us) <= dashboardUnits {
		return us
	}
	return us[:dashboardUnits]
}

func asOfQuery(asOf string) string {
	if asOf == "" {
		return ""
	}
	return "?as_of=" + asOf
}

// matrix lays out the tasks × units grid.
func matrix(ctx context.Context, ps *planState) web.Matrix {
	units := ps.Units()
	col := make(map[int64]int, len(units))
	var mx web.Matrix
	for i, u := range units {
		col[u.UnitID] = i
		label := u.UnitShort
		if label == "" {
			label = u.UnitName
		}
		mx.Units = append(mx.Units, web.MatrixUnit{Name: u.UnitName, Label: label, Group: string(u.UnitKind)})
	}
	for _, ts := range ps.Tasks {
		row := web.MatrixRow{Number: ts.Task.Number, Title: ts.Task.Title, Href: taskHref(ps.Plan.Slug, ts.Task.Number) + asOfQuery(ps.AsOf),
			Light: taskLightView(ctx, ts), Cells: make([]web.MatrixCell, len(units))}
		for _, a := range ts.Assignments {
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
