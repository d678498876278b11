package server

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"duban/internal/deadline"
	"duban/internal/status"
	"duban/internal/workplan"
	"duban/web"
)

// ledgerFilter reads the ledger's filters from the query string.
func ledgerFilter(q url.Values) web.LedgerFilter {
	return web.LedgerFilter{Section: q.Get("section"), Unit: q.Get("unit"), Light: q.Get("light"), Category: q.Get("cat"),
		Kind: q.Get("kind"), Query: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"), AsOf: q.Get("as_of")}
}

// ledgerItem is one row of the ledger: a task, or with the unit filter one
// unit's part in it (Asg set).
type ledgerItem struct {
	Task *status.Task
	Asg  *status.Assignment
}

// light is the row's light: the unit's part, or the task's.
func (it ledgerItem) light() (deadline.Light, status.Category) {
	if it.Asg != nil {
		return it.Asg.Status.Light, it.Asg.Category
	}
	return it.Task.Rollup.Light, it.Task.Category
}

// worst is the status that orders the row by urgency.
func (it ledgerItem) worst() deadline.Status {
	if it.Asg != nil {
		return it.Asg.Status
	}
	return it.Task.Rollup.Worst
}

// filterLedger returns the rows of ps that pass f, sorted as f asks. With a
// unit, the rows are that unit's assignments, and the light and category
// filters select among them; without, they select tasks by their rollup. The
// search matches the number, the text and the names of the task's units and
// designations.
func filterLedger(ps *planState, f web.LedgerFilter) []ledgerItem {
	var out []ledgerItem
	for _, ts := range ps.Tasks {
		if f.Section != "" && ts.Task.Section.Numeral != f.Section {
			continue
		}
		if f.Kind != "" && string(ts.Task.Deadline.Kind) != f.Kind {
			continue
		}
		if f.Query != "" && !matchesQuery(ts, f.Query) {
			continue
		}
		it := ledgerItem{Task: ts}
		if f.Unit != "" {
			for i := range ts.Assignments {
				if strconv.FormatInt(ts.Assignments[i].UnitID, 10) == f.Unit {
					it.Asg = &ts.Assignments[i]
				}
			}
			if it.Asg == nil {
				continue
			}
		}
		light, cat := it.light()
		if f.Light != "" && string(light) != f.Light {
			continue
		}
		if f.Category != "" && string(cat) != f.Category {
			continue
		}
		out = append(out, it)
	}
	switch f.Sort {
	case "light":
		sort.SliceStable(out, func(i, j int) bool { return urgency(out[i].worst(), out[j].worst()) })
	case "due":
		sort.SliceStable(out, func(i, j int) bool {
			a, b := out[i].worst().Due, out[j].worst().Due
			if a.IsZero() {
				a = out[i].Task.Task.Deadline.Due
			}
			if b.IsZero() {
				b = out[j].Task.Task.Deadline.Due
			}
			if a.IsZero() != b.IsZero() {
				return !a.IsZero()
			}
			return a.Before(b)
		})
	case "progress":
		sort.SliceStable(out, func(i, j int) bool { return out[i].percent() < out[j].percent() })
	}
	return out
}

// matchesQuery reports whether the task's number, title, text, units or
// designations contain q.
func matchesQuery(ts *status.Task, q string) bool {
	if strconv.Itoa(ts.Task.Number) == q || strings.Contains(ts.Task.Title, q) || strings.Contains(ts.Task.Body, q) {
		return true
	}
	for _, a := range ts.Assignments {
		if strings.Contains(a.UnitName, q) || (a.UnitShort != "" && strings.Contains(a.UnitShort, q)) {
			return true
		}
	}
	for _, d := range ts.Designations {
		if strings.Contains(d.Text, q) {
			return true
		}
	}
	return false
}

// percent is the unit's percent complete, or the mean of the task's scored
// units.
func (it ledgerItem) percent() int {
	if it.Asg != nil {
		return it.Asg.Status.Percent
	}
	sum, n := 0, 0
	for _, a := range it.Task.Assignments {
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

// unitNames lists the names of the task's units in a role, with the
// designations it names (as the plan words them) after them.
func unitNames(ts *status.Task, roles ...workplan.Role) string {
	var names []string
	for _, a := range ts.Assignments {
		for _, r := range roles {
			if a.Role == r {
				names = append(names, a.UnitName)
			}
		}
	}
	for _, d := range ts.Designations {
		for _, r := range roles {
			if d.Role == r && len(d.Members) == 0 {
				names = append(names, d.Text)
			}
		}
	}
	return strings.Join(names, "、")
}

// ledger is the task ledger (任务台账) with filters kept in the query string,
// now or as of a past date.
//
// The page is the same for every reader: it is cached per plan generation,
// language, filters and version of the plan's statuses (statusKey).
func (s *Server) ledger(w http.ResponseWriter, r *http.Request) error {
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := ledgerFilter(q)
	f.AsOf = asOf
	// What the page reads of the query: the filters (exportLinks' too).
	filters := url.Values{}
	for _, k := range []string{"section", "unit", "cat", "light", "kind", "q", "sort", "as_of"} {
		if x := q.Get(k); x != "" {
			filters.Set(k, x)
		}
	}
	key, cacheable := s.cache.key(plan.ID, "ledger", langOf(r), filters.Encode())
	ps, err := s.loadPlanState(r.Context(), plan, at, asOf)
	if err != nil {
		return err
	}
	key += "|" + ps.statusKey() + "|" + s.today()
	return s.cachedPage(w, r, "ledger", key, cacheable, func(ctx context.Context) (string, []byte, error) {
		html, err := renderBody(ctx, web.Ledger(s.ledgerModel(ctx, ps, f, filters)))
		return web.T(ctx, "ledger.title"), html, err
	})
}

// ledgerModel lays out the ledger of ps with filters f (read from query).
func (s *Server) ledgerModel(ctx context.Context, ps *planState, f web.LedgerFilter, query url.Values) web.LedgerPage {
	plan, asOf := ps.Plan, ps.AsOf
	m := web.LedgerPage{PlanTitle: plan.Title, PlanSlug: plan.Slug, Filter: f, Total: len(ps.Tasks),
		Today: deadline.DateOf(s.now(), deadline.Shanghai).String()}
	m.ExportXLSX, m.ExportCSV = exportLinks(plan.Slug, query)
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
	for _, u := range ps.Units() {
		v := strconv.FormatInt(u.UnitID, 10)
		m.Units = append(m.Units, web.Option{Value: v, Label: u.UnitName, Selected: f.Unit == v})
	}
	m.Categories = []web.Option{{Value: "", Label: all}}
	for _, c := range status.Categories {
		m.Categories = append(m.Categories, web.Option{Value: string(c), Label: web.T(ctx, "cat."+string(c)), Selected: f.Category == string(c)})
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
	for _, it := range filterLedger(ps, f) {
		m.Rows = append(m.Rows, ledgerRow(ctx, plan.Slug, asOf, it))
	}
	return m
}

// ledgerRow is the view of one ledger row.
func ledgerRow(ctx context.Context, slug, asOf string, it ledgerItem) web.LedgerRow {
	ts := it.Task
	rep, done := reportedLabel(ctx, ts.Rollup)
	row := web.LedgerRow{
		Number: ts.Task.Number, Title: ts.Task.Title, Href: taskHref(slug, ts.Task.Number) + asOfQuery(asOf),
		Section: ts.Task.Section.Title, Deadline: ts.Task.Deadline.Text, Meaning: deadlineMeaning(ctx, ts.Task.Deadline),
		Light: taskLightView(ctx, ts), Category: web.T(ctx, "cat."+string(ts.Category)), Reported: rep, Completed: done,
		Leads: unitNames(ts, workplan.RoleLead), Others: unitNames(ts, workplan.RoleResponsible),
	}
	if a := it.Asg; a != nil {
		row.Href = assignmentHref(a.ID, asOf)
		row.Light, row.Category = lightView(ctx, a.Status), web.T(ctx, "cat."+string(a.Category))
		row.Unit, row.Role, row.Percent = a.UnitName, assignmentRole(ctx, a.Role), a.Status.Percent
	}
	return row
}
