package server

import (
	"context"
	"net/http"
	"sort"
	"strconv"

	"duban/internal/deadline"
	"duban/internal/workplan"
	"duban/web"
)

// myTasks lists the signed-in staff member's assignments, most urgent first.
//
// Every staff member of a unit reads the same list: it is cached per unit,
// the generations of the unit's plans and the versions of their statuses
// (statusKey), language and as-of date.
func (s *Server) myTasks(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u, _ := userOf(ctx)
	if u.UnitID == 0 {
		return workplan.E(workplan.EForbidden, "err.my.no_unit")
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return err
	}
	seen := s.cache.mark()
	plans, err := s.unitPlans(ctx, u.UnitID)
	if err != nil {
		return err
	}
	key, cacheable := s.cache.keyPlans(planIDs(plans), "my", strconv.FormatInt(u.UnitID, 10), u.UnitName, langOf(r), asOf)
	cacheable = cacheable && s.cache.stillFresh(seen)
	states := make([]*planState, len(plans))
	for i, p := range plans {
		// The unit's part as every other page shows it: read from the
		// plan's state.
		if states[i], err = s.loadPlanState(ctx, p, at, asOf); err != nil {
			return err
		}
		key += "|" + states[i].statusKey()
	}
	unitID, unitName := u.UnitID, u.UnitName
	return s.cachedPage(w, r, "my", key, cacheable, func(ctx context.Context) (string, []byte, error) {
		m, err := s.myTasksModel(ctx, unitID, unitName, states, asOf)
		if err != nil {
			return "", nil, err
		}
		html, err := renderBody(ctx, web.MyTasks(m))
		return web.T(ctx, "my.title"), html, err
	})
}

// myTasksModel lists unit unitID's assignments in plans, returned reports
// first, then most urgent first.
func (s *Server) myTasksModel(ctx context.Context, unitID int64, unitName string, states []*planState, asOf string) (web.MyTasksPage, error) {
	type row struct {
		st deadline.Status
		r  web.MyTaskRow
		id int64
	}
	var rows []row
	for _, ps := range states {
		p := ps.Plan
		for _, ua := range ps.UnitAssignments(unitID) {
			t, st := ua.Task.Task, ua.Status
			last := fmtTime(ua.Facts.LastReportAt)
			if last == "" {
				last = web.T(ctx, "my.never")
			}
			id := strconv.FormatInt(ua.ID, 10)
			rows = append(rows, row{st, web.MyTaskRow{
				Number: t.Number, Title: t.Title, TaskHref: taskHref(p.Slug, t.Number) + asOfQuery(asOf), Role: assignmentRole(ctx, ua.Role),
				Deadline: t.Deadline.Text, Light: lightView(ctx, st), Percent: st.Percent, LastReport: last,
				ReportHref: "/assignments/" + id + "/report", ViewHref: assignmentHref(ua.ID, asOf),
			}, ua.ID})
		}
	}
	// Returned reports come first, with the reviewer's reason (issue 14).
	if asOf == "" && len(rows) > 0 {
		ids := make([]int64, len(rows))
		for i := range rows {
			ids[i] = rows[i].id
		}
		returned, err := s.store.LatestReturns(ctx, ids)
		if err != nil {
			return web.MyTasksPage{}, err
		}
		for i := range rows {
			rows[i].r.Returned = returned[rows[i].id].ReturnReason
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if ri, rj := rows[i].r.Returned != "", rows[j].r.Returned != ""; ri != rj {
			return ri
		}
		return urgency(rows[i].st, rows[j].st)
	})
	m := web.MyTasksPage{Unit: unitName, Empty: len(rows) == 0, AsOf: asOf}
	for _, r := range rows {
		m.Rows = append(m.Rows, r.r)
	}
	return m, nil
}
