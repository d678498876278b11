package server

import (
	"net/http"

	"duban/internal/workplan"
	"duban/web"
)

// home is where people land after signing in: staff on their tasks, leaders
// and supervisors on the dashboard of the newest plan, administrators on the
// list of plans (or how to load one).
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	plans, err := s.store.ListPlans(r.Context())
	if err != nil {
		return err
	}
	if u, ok := userOf(r.Context()); ok && r.URL.Query().Get("list") == "" {
		switch {
		case u.Role == workplan.UserStaff:
			http.Redirect(w, r, "/my", http.StatusSeeOther)
			return nil
		case len(plans) > 0 && (u.Role == workplan.UserLeader || u.Role == workplan.UserSupervisor):
			http.Redirect(w, r, "/plans/"+plans[0].Slug+"/dashboard", http.StatusSeeOther)
			return nil
		}
	}
	m := web.HomePage{}
	for _, p := range plans {
		m.Plans = append(m.Plans, web.PlanSummary{
			Slug: p.Slug, Title: p.Title, IssuedBy: p.IssuedBy, IssuedOn: p.IssuedOn.String(),
			Tasks: p.Tasks, Version: p.Version,
		})
	}
	s.render(w, r, http.StatusOK, web.T(r.Context(), "home.title"), "home", web.Home(m))
	return nil
}
