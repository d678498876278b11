package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"duban/web"
)

// Errors never dead-end. A refused form (422) is shown again on the page it
// was on, with what the user typed kept in its fields and the message
// beside the field it is about; any other error page links back to where
// the user was.

// fieldError is a refusal about one form field, which the page shown again
// marks (aria-invalid) and puts the message beside.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// onField says that err, when it refuses the input, is about form field name.
func onField(name string, err error) error {
	if err == nil {
		return nil
	}
	return &fieldError{field: name, err: err}
}

// fieldOf names the field err is about, or "".
func fieldOf(err error) string {
	var fe *fieldError
	if errors.As(err, &fe) {
		return fe.field
	}
	return ""
}

// pageChains maps each GET route to its handler behind the route's own
// middleware (session, sign-in and role checks), without the router-wide
// middleware the request that ends here has passed already: what showing a
// page again runs.
func (s *Server) pageChains() map[string]http.Handler {
	top := len(s.router.Middlewares())
	pages := map[string]http.Handler{}
	_ = chi.Walk(s.router, func(method, route string, h http.Handler, mws ...func(http.Handler) http.Handler) error {
		if method != http.MethodGet || len(mws) < top {
			return nil
		}
		for i := len(mws) - 1; i >= top; i-- {
			h = mws[i](h)
		}
		pages[route] = h
		return nil
	})
	return pages
}

// formAgain shows the page that held a refused form again, as the same
// user would get it now, with the form's input and err's message, status
// 422. It says false, having written nothing, when there is no such page
// to show (the request was not a form post, or its page is not known).
func (s *Server) formAgain(w http.ResponseWriter, r *http.Request, err error) bool {
	if r.Method != http.MethodPost || statusOf(err) != http.StatusUnprocessableEntity || strings.HasPrefix(r.URL.Path, "/api/") {
		return false
	}
	if _, again := web.FormStateOf(r.Context()); again {
		return false // the page itself failed: no second try
	}
	back := s.backPath(r)
	if back == "" {
		return false
	}
	u, perr := url.Parse(back)
	if perr != nil {
		return false
	}
	rctx := chi.NewRouteContext()
	pattern := s.router.Find(rctx, http.MethodGet, u.Path)
	page := s.pages[pattern]
	if page == nil {
		return false
	}
	ctx := web.WithFormState(r.Context(), web.FormState{Action: r.URL.Path, Values: r.PostForm,
		Field: fieldOf(err), Message: s.errorMessage(r.Context(), err)})
	ctx = context.WithValue(ctx, chi.RouteCtxKey, rctx)
	g := r.Clone(ctx)
	g.Method, g.URL, g.RequestURI = http.MethodGet, u, u.RequestURI()
	g.Body, g.ContentLength = http.NoBody, 0
	g.Form, g.PostForm, g.MultipartForm = nil, nil, nil
	g.Header.Del("Content-Type")
	rec := &pageRecorder{header: http.Header{}}
	page.ServeHTTP(rec, g)
	if rec.status != http.StatusOK || !bytes.Contains(rec.body.Bytes(), []byte(`id="form-error"`)) {
		// The page could not be shown, or does not hold the form (the
		// list above a form of its own): the refusal's error page says
		// what was wrong and links back.
		return false
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(http.StatusUnprocessableEntity)
	_, _ = w.Write(rec.body.Bytes())
	return true
}

// pageRecorder holds a page shown again until it is known to have been
// shown.
type pageRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (p *pageRecorder) Header() http.Header { return p.header }
func (p *pageRecorder) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}
func (p *pageRecorder) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return p.body.Write(b)
}

// backPath is where the user was before this request, as a path on this
// site: the page that sent it (the Referer, when it is this site's and not
// this very request), else the nearest page above the request's path (the
// task above one of its forms, the list above a record).
func (s *Server) backPath(r *http.Request) string {
	here := r.URL.RequestURI()
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && sitePath(ref.Path) {
		p := ref.Path
		if ref.RawQuery != "" {
			p += "?" + ref.RawQuery
		}
		if p != here || r.Method != http.MethodGet {
			return p
		}
	}
	p := r.URL.Path
	if r.Method == http.MethodGet {
		p = parentPath(p)
	}
	for ; p != "" && p != "/"; p = parentPath(p) {
		if s.router.Match(chi.NewRouteContext(), http.MethodGet, p) {
			return p
		}
	}
	return ""
}

// parentPath is path without its last segment.
func parentPath(p string) string {
	p = strings.TrimSuffix(p, "/")
	if i := strings.LastIndexByte(p, '/'); i > 0 {
		return p[:i]
	}
	return ""
}

// sitePath says whether p is a path on this site (not //host, nor /\host,
// which browsers read as another site).
func sitePath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\")
}

// errorMessage is what the user reads about err.
func (s *Server) errorMessage(ctx context.Context, err error) string {
	status := statusOf(err)
	switch {
	case status == http.StatusServiceUnavailable:
		return web.T(ctx, "error.unavailable")
	case status >= 500:
		return web.T(ctx, "error.internal")
	case status == http.StatusNotFound && errors.Is(err, errNotFoundPage):
		return web.T(ctx, "error.not_found")
	}
	return web.ErrorMessage(ctx, err)
}
