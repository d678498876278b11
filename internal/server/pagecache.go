package server

// Pages served from the page cache (cache.go). A page's body is rendered
// once per key and kept, compressed, until what it depends on changes; the
// layout around it (the reader's name, bell and counts, the sign-out form)
// is rendered per request, and the reader's form token is spliced into the
// body's holes at serve time (compress.go). The key of each page names
// exactly what its body depends on:
//
//   - the change generation of the plans it shows (a report, review,
//     extension, 督办单, comment or reseed announces one: changes.go), or of
//     every plan, or of the reader's notifications;
//   - the class of reader it was rendered for: not the user, but the
//     smallest thing the page differs by — a unit's staff, a role, the set
//     of assignments whose reports the reader may read — computed by the
//     same function that the rendering takes its permissions from
//     (taskViewer, assignmentViewer), so that the key cannot leave out
//     what the body shows;
//   - the language, the query string as sent, and the minute (the status
//     of work depends on the clock).
//
// A body is rendered in a context that carries the language and nothing
// of the reader (viewerFree): whatever the rendering reads of the reader
// comes in through the viewer class, so no user's data can reach a body
// that others are served. Permissions are checked before the cache is
// looked at, from data cached per structure change (assignmentMeta).

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"duban/internal/deadline"
	"duban/internal/workplan"
	"duban/web"
)

// keyTokenHole marks a context whose form token is formTokenHole.
const keyTokenHole ctxKey = 400

// viewerFree returns the context a cached body is rendered in: the
// language of ctx and the form token's hole, nothing of the reader (no
// user, no session, no request), and the server's request timeout, since a
// rendering serves every reader waiting for it.
func (s *Server) viewerFree(ctx context.Context) (context.Context, context.CancelFunc) {
	b := web.WithLang(context.Background(), web.LangOf(ctx))
	b = context.WithValue(b, keyTokenHole, true)
	return context.WithTimeout(b, s.cfg.RequestTimeout)
}

// pageBuild renders a page's body in a viewer-free context: its title and
// its HTML (with formTokenHole where the reader's form token goes).
type pageBuild func(ctx context.Context) (title string, html []byte, err error)

// renderBody renders c into a new buffer.
func renderBody(ctx context.Context, c templ.Component) ([]byte, error) {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	defer bufPool.Put(b)
	if err := c.Render(ctx, b); err != nil {
		return nil, err
	}
	return bytes.Clone(b.Bytes()), nil
}

// cachedPage serves the page whose body build renders, from the cache
// under key when cacheable (see pageCache.key and its variants: take the
// key before reading anything the body shows). Readers that miss together
// wait for one rendering. Without the cache (change notifications down)
// the body is rendered for this request alone, the same way.
//
// A page shown again after a refused form (refused.go) carries what the
// reader typed and the message about it (web.FormStateOf): it is rendered
// for that request alone, never stored nor served from the cache.
func (s *Server) cachedPage(w http.ResponseWriter, r *http.Request, nav, key string, cacheable bool, build pageBuild) error {
	fs, again := web.FormStateOf(r.Context())
	if again || !cacheable {
		state := "off"
		if again {
			state = "bypass"
		}
		w.Header().Set("X-Duban-Cache", state)
		ctx, cancel := s.viewerFree(r.Context())
		defer cancel()
		if again {
			ctx = web.WithFormState(ctx, fs)
		}
		title, html, err := build(ctx)
		if err != nil {
			return err
		}
		s.renderCached(w, r, http.StatusOK, title, nav, onceBody(title, html))
		return nil
	}
	if rb, ok := s.cache.get(key); ok {
		w.Header().Set("X-Duban-Cache", "hit")
		s.renderCached(w, r, http.StatusOK, rb.title, nav, rb)
		return nil
	}
	w.Header().Set("X-Duban-Cache", "miss")
	// Rendered apart from any one reader's request, so that a reader who
	// leaves does not fail the others; compressed here, once.
	v, err, _ := s.flight.Do("page|"+key, func() (any, error) {
		ctx, cancel := s.viewerFree(r.Context())
		defer cancel()
		title, html, err := build(ctx)
		if err != nil {
			return nil, err
		}
		rb := newRenderedBody(title, html)
		s.cache.put(key, rb)
		return rb, nil
	})
	if err != nil {
		return err
	}
	rb := v.(*renderedBody)
	s.renderCached(w, r, http.StatusOK, rb.title, nav, rb)
	return nil
}

// minuteOf is the minute part of a page's key.
func minuteOf(t time.Time) string { return strconv.FormatInt(t.Unix()/60, 10) }

// today is the date part of the key of a page that shows today's date or
// a date from it (a date picker's bounds).
func (s *Server) today() string { return deadline.DateOf(s.now(), deadline.Shanghai).String() }

// langOf is the language part of a page's key.
func langOf(r *http.Request) string { return string(web.LangOf(r.Context())) }

// flags encodes booleans for a key.
func flags(bs ...bool) string {
	var b strings.Builder
	for _, v := range bs {
		if v {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

// ids encodes IDs for a key.
func ids(list []int64) string {
	var b strings.Builder
	for i, id := range list {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// assignmentMeta is what deciding who may read an assignment needs, and
// where it belongs: it changes only with structure changes (a reseed, a
// designation mapped, a unit renamed), and is kept until one is heard.
type assignmentMeta struct {
	asg   workplan.Assignment
	leads []int64
	plan  workplan.Plan
}

// assignmentMeta returns assignment id with its task's lead units and its
// plan, from the memo or the store.
func (s *Server) assignmentMeta(ctx context.Context, id int64) (assignmentMeta, error) {
	key := "asg:" + strconv.FormatInt(id, 10)
	if v, ok := s.cache.memoGet(key); ok {
		return v.(assignmentMeta), nil
	}
	seen := s.cache.mark()
	var m assignmentMeta
	var err error
	if m.asg, err = s.store.AssignmentByID(ctx, id); err != nil {
		return m, err
	}
	if m.leads, err = s.store.TaskLeads(ctx, m.asg.TaskID); err != nil {
		return m, err
	}
	if _, m.plan, err = s.store.TaskByID(ctx, m.asg.TaskID); err != nil {
		return m, err
	}
	s.cache.memoPut(key, m, seen)
	return m, nil
}

// requestedAssignment returns the assignment of r's {id} with what
// deciding who may read it needs, and the mark of structure changes taken
// before it was read (for assignmentPageKey).
func (s *Server) requestedAssignment(r *http.Request) (assignmentMeta, uint64, error) {
	id, err := intParam(r, "id")
	if err != nil {
		return assignmentMeta{}, 0, err
	}
	seen := s.cache.mark()
	meta, err := s.assignmentMeta(r.Context(), id)
	return meta, seen, err
}

// assignmentPageKey returns the key of page (with parts) of assignment
// meta, read after mark returned seen, and its plan's state at at (asOf)
// that the page shows: the key names the version of the statuses of the
// assignment's task in that state (taskKey).
func (s *Server) assignmentPageKey(r *http.Request, meta assignmentMeta, seen uint64, at time.Time, asOf, page string, parts ...string) (string, bool, *planState, error) {
	key, cacheable := s.cache.keySince(seen, meta.plan.ID, append([]string{page, strconv.FormatInt(meta.asg.ID, 10)}, parts...)...)
	ps, err := s.loadPlanState(r.Context(), meta.plan, at, asOf)
	if err != nil {
		return "", false, nil, err
	}
	return key + "|" + ps.taskKey(meta.asg.TaskID), cacheable, ps, nil
}

// unitPlans returns the plans unit unitID has assignments in, in the order
// ListPlans gives them, from the memo or the store.
func (s *Server) unitPlans(ctx context.Context, unitID int64) ([]workplan.Plan, error) {
	key := "unitplans:" + strconv.FormatInt(unitID, 10)
	if v, ok := s.cache.memoGet(key); ok {
		return v.([]workplan.Plan), nil
	}
	seen := s.cache.mark()
	in, err := s.store.UnitPlans(ctx, unitID)
	if err != nil {
		return nil, err
	}
	all, err := s.store.ListPlans(ctx)
	if err != nil {
		return nil, err
	}
	var out []workplan.Plan
	for _, p := range all {
		if slices.Contains(in, p.ID) {
			out = append(out, p.Plan)
		}
	}
	s.cache.memoPut(key, out, seen)
	return out, nil
}

// planIDs lists the plans' IDs.
func planIDs(plans []workplan.Plan) []int64 {
	out := make([]int64, len(plans))
	for i, p := range plans {
		out[i] = p.ID
	}
	return out
}

// nameWrites names each request that may write (any but GET, HEAD and
// OPTIONS), for the changes it announces (workplan.WithWrite): the
// database's notification of a change this replica told its caches of
// already (changedHere) is then known when it arrives, and not applied
// twice (pageCache.changed).
func (s *Server) nameWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			r = r.WithContext(workplan.WithWrite(r.Context(), s.cache.newWrite()))
		}
		next.ServeHTTP(w, r)
	})
}

// changedHere tells this replica's caches at once of a change that the
// write of ctx made (after its commit), so that the writer's next page
// (after the redirect) shows it even if the database's notification has
// not arrived yet. The notification carries the write's name: whichever
// of the two comes first is applied, the other is not (pageCache.changed).
func (s *Server) changedHere(ctx context.Context, ch workplan.Change) {
	ch.Write = workplan.WriteOf(ctx)
	s.cache.changedHere(ch)
}

// wroteReport is changedHere for a write about report id (a review): its
// assignment's plan changed.
func (s *Server) wroteReport(ctx context.Context, id int64) {
	if d, err := s.store.ReportDetails(ctx, []int64{id}); err == nil && d[id].AssignmentID != 0 {
		s.wroteAssignment(ctx, d[id].AssignmentID)
	}
}

// wroteAssignment is changedHere for a write to assignment id (a report,
// a review, an extension, a 督办单): its plan changed.
func (s *Server) wroteAssignment(ctx context.Context, id int64) {
	if m, err := s.assignmentMeta(ctx, id); err == nil {
		s.changedHere(ctx, workplan.Change{Plan: m.plan.ID})
	}
}
