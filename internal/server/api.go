package server

import "github.com/go-chi/chi/v5"

// apiRoutes adds the routes of the read-only JSON API, mounted under
// /api/v1 (so r.Get("/plans", …) serves /api/v1/plans). Every request has
// passed requireToken (Authorization: Bearer, see `duban token create`);
// tokenOf(ctx) returns the token. Add each route to the permission matrix.
func (s *Server) apiRoutes(r chi.Router) {}
