package server

import "github.com/go-chi/chi/v5"

// apiRoutes mounts the read-only JSON API under /api/v1. Every request has
// passed requireToken (Authorization: Bearer, see `duban token create`);
// tokenOf(ctx) returns the token. Add each route to the permission matrix.
func (s *Server) apiRoutes(r chi.Router) {}
