package server

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"duban/internal/deadline"
	"duban/internal/workplan"
	"duban/web"
)

// ledgerFilter reads the ledger's filters from the query string.
func ledgerFilter(q url.Values) web.LedgerFilter {
	return web.LedgerFilter{Section: q.Get("section"), Unit: q.Get("unit"), Light: q.Get("light"), Kind: q.Get("kind"),
		Query: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort")}
}

// filterTasks returns the tasks of ps that pass f, sorted as f asks.
func filterTasks(ps *planState, f web.LedgerFilter) []*taskStatus {
	var out []*taskStatus
	for _, ts := range ps.Tasks {
		if f.Section != "" && ts.Task.Section.Numeral != f.Section {
			continue
		}
		if f.Light != "" && string(ts.Rollup.Light) != f.Light {
			continue
		}
		if f.Kind != "" && string(ts.Task.Deadline.Kind) != f.Kind {
			continue
		}
		if f.Unit != "" {
			found := false
			for _, a := range ts.Asg {
				if strconv.FormatInt(a.UnitID, 10) == f.Unit {
					found = true
				}
			}
			if !found {
				continue
			}
		}
		if f.Query != "" && !strings.Contains(ts.Task.Title+ts.Task.Body, f.Query) && strconv.Itoa(ts.Task.Number) != f.Query {
			continue
		}
		out = append(out, ts)
	}
	switch f.Sort {
	case "light":
		sort.SliceStable(out, func(i, j int) bool { return urgency(out[i].Rollup.Worst, out[j].Rollup.Worst) })
	case "due":
		sort.SliceStable(out, func(i, j int) bool {
			a, b := out[i].Task.Deadline.Due, out[j].Task.Deadline.Due
			if a.IsZero() != b.IsZero() {
				return !a.IsZero()
			}
			return a.Before(b)
		})
	case "progress":
		sort.SliceStable(out, func(i, j int) bool { return avgPercent(out[i]) < avgPercent(out[j]) })
	}
	return out
}

func avgPercent(ts *taskStatus) int {
	sum, n := 0, 0
	for _, a := range ts.Asg {
		if a.Role.Scored() {
			sum += a.Status.Percent
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / n
}

// unitNames lists the names of the task's units in a role.
func unitNames(ts *taskStatus, roles ...workplan.Role) string {
	var names []string
	for _, a := range ts.Asg {
		for _, r := range roles {
			if a.Role == r {
				names = append(names, a.UnitName)
			}
		}
	}
	return strings.Join(names, "、")
}

// ledger is the task ledger (任务台账) with filters kept in the query string.
func (s *Server) ledger(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	ps, err := s.loadPlanState(ctx, plan, s.now(), "")
	if err != nil {
		return err
	}
	f := ledgerFilter(r.URL.Query())
	m := web.LedgerPage{PlanTitle: plan.Title, PlanSlug: plan.Slug, Filter: f, Total: len(ps.Tasks)}
	m.ExportXLSX, m.ExportCSV = exportLinks(plan.Slug, r.URL.Query())
	all := web.T(ctx, "ledger.all")
	m.Sections = []web.Option{{Value: "", Label: all}}
	m.Units = []web.Option{{Value: "", Label: all}}
	seenSec := map[string]bool{}
	for _, ts := range ps.Tasks {
		n := ts.Task.Section.Numeral
		if !seenSec[n] {
			seenSec[n] = true
			m.Sections = append(m.Sections, web.Option{Value: n, Label: "(" + n + ")" + ts.Task.Section.Title, Selected: f.Section == n})
		}
	}
	for _, u := range sortedUnits(ps) {
		v := strconv.FormatInt(u.UnitID, 10)
		m.Units = append(m.Units, web.Option{Value: v, Label: u.UnitName, Selected: f.Unit == v})
	}
	m.Lights = []web.Option{{Value: "", Label: all}}
	for _, l := range []deadline.Light{deadline.LightRed, deadline.LightYellow, deadline.LightGreen, deadline.LightDone, deadline.LightGrey} {
		m.Lights = append(m.Lights, web.Option{Value: string(l), Label: web.T(ctx, "light."+string(l)), Selected: f.Light == string(l)})
	}
	m.Kinds = []web.Option{{Value: "", Label: all}}
	for _, k := range []deadline.Kind{deadline.KindDue, deadline.KindOngoing, deadline.KindDueThenOngoing, deadline.KindUnknown} {
		m.Kinds = append(m.Kinds, web.Option{Value: string(k), Label: web.T(ctx, "kind."+string(k)), Selected: f.Kind == string(k)})
	}
	for _, so := range []string{"number", "light", "due", "progress"} {
		v := so
		if so == "number" {
			v = ""
		}
		m.Sorts = append(m.Sorts, web.Option{Value: v, Label: web.T(ctx, "ledger.sort."+so), Selected: f.Sort == v})
	}
	for _, ts := range filterTasks(ps, f) {
		rep, done := reportedLabel(ctx, ts.Rollup)
		m.Rows = append(m.Rows, web.LedgerRow{
			Number: ts.Task.Number, Title: ts.Task.Title, Href: taskHref(plan.Slug, ts.Task.Number),
			Section: ts.Task.Section.Title, Deadline: ts.Task.Deadline.Text, Meaning: deadlineMeaning(ctx, ts.Task.Deadline),
			Light: taskLightView(ctx, ts.Rollup), Reported: rep, Completed: done,
			Leads: unitNames(ts, workplan.RoleLead), Others: unitNames(ts, workplan.RoleResponsible),
		})
	}
	s.render(w, r, http.StatusOK, web.T(ctx, "ledger.title"), "ledger", web.Ledger(m))
	return nil
}
