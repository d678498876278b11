package server

import (
	"net/http"
	"slices"
	"sort"
	"strconv"

	"duban/internal/deadline"
	"duban/internal/workplan"
	"duban/web"
)

// myTasks lists the signed-in staff member's assignments, most urgent first.
func (s *Server) myTasks(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u, _ := userOf(ctx)
	if u.UnitID == 0 {
		return workplan.E(workplan.EForbidden, "err.my.no_unit")
	}
	ids, err := s.store.UnitPlans(ctx, u.UnitID)
	if err != nil {
		return err
	}
	plans, err := s.store.ListPlans(ctx)
	if err != nil {
		return err
	}
	at, asOf, err := s.asOfInstant(r)
	if err != nil {
		return err
	}
	type row struct {
		st deadline.Status
		r  web.MyTaskRow
		id int64
	}
	var rows []row
	for _, p := range plans {
		if !slices.Contains(ids, p.ID) {
			continue
		}
		// The unit's part as every other page shows it: read from the
		// plan's state.
		ps, err := s.loadPlanState(ctx, p.Plan, at, asOf)
		if err != nil {
			return err
		}
		for _, ua := range ps.UnitAssignments(u.UnitID) {
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
			return err
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
	m := web.MyTasksPage{Unit: u.UnitName, Empty: len(rows) == 0, AsOf: asOf}
	for _, r := range rows {
		m.Rows = append(m.Rows, r.r)
	}
	s.render(w, r, http.StatusOK, web.T(ctx, "my.title"), "my", web.MyTasks(m))
	return nil
}
