package server

import (
	"net/http"

	"duban/web"
)

// home lists the plans in the database, or says how to load one.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	plans, err := s.store.ListPlans(r.Context())
	if err != nil {
		return err
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
