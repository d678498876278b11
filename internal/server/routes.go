package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// routes lists every route of the application.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.requestID, s.logRequests, s.recoverPanic, s.securityHeaders, s.timeout, s.language)
	r.NotFound(s.h(func(w http.ResponseWriter, r *http.Request) error { return errNotFoundPage }))
	r.MethodNotAllowed(s.h(func(w http.ResponseWriter, r *http.Request) error { return errMethod }))

	r.Get("/livez", s.livez)
	r.Get("/readyz", s.readyz)
	r.Get("/static/{name}", s.static)

	r.Get("/", s.h(s.home))

	if s.extra != nil {
		s.extra(r)
	}
	return r
}
