package server

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"duban/internal/auth"
	"duban/internal/deadline"
	"duban/internal/outputs"
	"duban/internal/status"
	"duban/internal/workplan"
	"duban/web"
)

// The wall screen (督办大屏) of the operations centre: one page per plan,
// read-only, that reloads itself. It opens for signed-in leaders,
// supervisors and administrators, and for a screen token (`duban
// screen-token create`), which opens nothing else. It shows what every
// signed-in user may read on the dashboard and the indicator board —
// counts, lights, task titles, unit names, indicator values — and never
// report text, evidence or names of people.

// screenCookie holds a wall screen's token, set when the screen is first
// opened with ?key=TOKEN so that the token leaves the address bar (and the
// logs of later reloads). Its path is the screen's own, so the browser
// sends it nowhere else.
const screenCookie = "duban_screen"

// screenRoles are the users who read the wall screen without a token.
var screenRoles = []workplan.UserRole{workplan.UserLeader, workplan.UserSupervisor, workplan.UserAdmin}

// screen serves the wall screen of a plan (see above for who may read it).
func (s *Server) screen(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	slug := chi.URLParam(r, "slug")
	if key := r.URL.Query().Get("key"); key != "" {
		return s.screenKey(w, r, slug, key)
	}
	ok, err := s.screenViewer(w, r, slug)
	if err != nil || !ok {
		return err
	}
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	dark := r.URL.Query().Get("theme") == "dark"
	paused := r.URL.Query().Get("refresh") == "off"
	now := s.now()
	key, cacheable := s.cache.key(plan.ID, "screen", string(web.LangOf(ctx)), strconv.FormatBool(dark), strconv.FormatBool(paused),
		now.Truncate(time.Minute).Format(time.RFC3339))
	var body *renderedBody
	if cacheable {
		if b, ok := s.cache.get(key); ok {
			w.Header().Set("X-Duban-Cache", "hit")
			body = b
		}
	}
	if body == nil {
		v, err, _ := s.flight.Do("screen|"+key, func() (any, error) {
			bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.RequestTimeout)
			defer cancel()
			html, err := s.screenBody(bctx, plan, now, dark, paused)
			if err != nil {
				return nil, err
			}
			b := newRenderedBody("", html)
			if cacheable {
				s.cache.put(key, b)
			}
			return b, nil
		})
		if err != nil {
			return err
		}
		body = v.(*renderedBody)
	}
	// The screen is a whole page: compressed once, like a cached page's
	// body (compress.go), with nothing around it.
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	var deflate [][]byte
	gz := acceptsGzip(r)
	if gz {
		deflate, gz = body.deflated()
	}
	if !gz {
		var out bytes.Buffer
		body.appendHTML(&out, nil)
		h.Set("Content-Length", strconv.Itoa(out.Len()))
		_, _ = w.Write(out.Bytes())
		return nil
	}
	var out bytes.Buffer
	writeGzipPage(&out, nil, body.parts, deflate, nil, nil)
	h.Set("Content-Encoding", "gzip")
	h.Add("Vary", "Accept-Encoding")
	h.Set("Content-Length", strconv.Itoa(out.Len()))
	_, _ = w.Write(out.Bytes())
	return nil
}

// screenViewer decides whether the request may read the screen of the plan
// with slug: a signed-in leader, supervisor or administrator, or a live
// screen token for that plan (the cookie set by screenKey, or
// "Authorization: Bearer dbs_…"). It returns false after answering itself
// (sign-in redirect).
func (s *Server) screenViewer(w http.ResponseWriter, r *http.Request, slug string) (bool, error) {
	ctx := r.Context()
	u, signedIn := userOf(ctx)
	if signedIn && !u.MustChangePassword && isScreenRole(u.Role) {
		return true, nil
	}
	tok := ""
	if c, err := r.Cookie(screenCookie); err == nil {
		tok = c.Value
	}
	if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		tok = strings.TrimSpace(h)
	}
	if tok != "" {
		t, err := s.screenToken(ctx, tok)
		switch {
		case err == nil && t.OpensPlan(slug):
			return true, nil
		case err != nil && !errors.Is(err, workplan.ErrNotFound):
			return false, err
		}
		if !signedIn {
			s.clearScreenCookie(w, slug)
			return false, workplan.E(workplan.EUnauthorized, "screen.token.bad")
		}
	}
	if signedIn {
		return false, workplan.E(workplan.EForbidden, "screen.forbidden")
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	return false, nil
}

func isScreenRole(role workplan.UserRole) bool {
	for _, x := range screenRoles {
		if role == x {
			return true
		}
	}
	return false
}

// screenToken looks up a screen token; anything that is not one is
// workplan.ErrNotFound without a query.
func (s *Server) screenToken(ctx context.Context, tok string) (workplan.ScreenToken, error) {
	if !auth.LooksLikeScreenToken(tok) {
		return workplan.ScreenToken{}, workplan.ErrNotFound
	}
	return s.store.ScreenTokenByHash(ctx, auth.HashToken(tok), s.now())
}

// screenKey opens the screen with ?key=TOKEN: a valid token is kept in the
// screen's cookie and the browser sent on to the address without it; an
// invalid one is refused (401).
func (s *Server) screenKey(w http.ResponseWriter, r *http.Request, slug, key string) error {
	ctx := r.Context()
	t, err := s.screenToken(ctx, key)
	if err != nil && !errors.Is(err, workplan.ErrNotFound) {
		return err
	}
	if err != nil || !t.OpensPlan(slug) {
		return workplan.E(workplan.EUnauthorized, "screen.token.bad")
	}
	http.SetCookie(w, &http.Cookie{Name: screenCookie, Value: key, Path: screenPath(slug), HttpOnly: true, Secure: s.cfg.Secure(),
		SameSite: http.SameSiteStrictMode, MaxAge: 400 * 24 * 3600})
	q := r.URL.Query()
	q.Del("key")
	dest := screenPath(slug)
	if enc := q.Encode(); enc != "" {
		dest += "?" + enc
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
	return nil
}

func (s *Server) clearScreenCookie(w http.ResponseWriter, slug string) {
	http.SetCookie(w, &http.Cookie{Name: screenCookie, Value: "", Path: screenPath(slug), MaxAge: -1, HttpOnly: true, Secure: s.cfg.Secure(),
		SameSite: http.SameSiteStrictMode})
}

func screenPath(slug string) string { return "/plans/" + url.PathEscape(slug) + "/screen" }

// screenBody renders the whole screen page of plan as of now.
// With paused set it does not reload itself (?refresh=off: someone reading
// it at a desk), and links back to the reloading screen.
func (s *Server) screenBody(ctx context.Context, plan workplan.Plan, now time.Time, dark, paused bool) ([]byte, error) {
	ps, err := s.loadPlanState(ctx, plan, now, "")
	if err != nil {
		return nil, err
	}
	board, err := s.planIndicators(ctx, ps)
	if err != nil {
		return nil, err
	}
	m := screenModel(ctx, ps, board)
	m.Refresh, m.Dark = int(s.cfg.ScreenRefresh/time.Second), dark
	q := url.Values{}
	if dark {
		q.Set("theme", "dark")
	}
	if paused {
		m.Refresh = 0
		m.ToggleLabel = web.T(ctx, "screen.resume")
	} else {
		q.Set("refresh", "off")
		m.ToggleLabel = web.T(ctx, "screen.pause")
	}
	m.ToggleHref = screenPath(plan.Slug)
	if enc := q.Encode(); enc != "" {
		m.ToggleHref += "?" + enc
	}
	if !ps.NotIssued {
		if m.Week, err = s.screenWeek(ctx, plan, ps, now); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if err := web.Screen(m).Render(ctx, &b); err != nil {
		return nil, fmt.Errorf("server: render screen: %w", err)
	}
	return b.Bytes(), nil
}

// screenRows bounds the lists of the screen, which must fit 1080 pixels.
const (
	screenOverdueRows = 7
	screenNotMetRows  = 8
	screenWeekNames   = 4
)

// screenModel lays out the screen of ps: the category cards, the overdue
// tasks, the lights by section and the indicators.
func screenModel(ctx context.Context, ps *planState, board *status.Indicators) web.ScreenPage {
	m := web.ScreenPage{PlanTitle: ps.Plan.Title, StatusAt: fmtTime(ps.At), NotIssued: ps.NotIssued, IssuedOn: ps.Plan.IssuedOn.String(),
		TotalTasks: len(ps.Tasks)}
	if ps.NotIssued {
		return m
	}
	for _, c := range []status.Category{status.Overdue, status.Lagging, status.DueSoon, status.Done} {
		m.Cards = append(m.Cards, web.ScreenCard{Class: string(c), Label: web.T(ctx, "cat."+string(c)), Count: ps.TaskCounts[c],
			Note: web.T(ctx, "screen.card.asg", ps.AssignmentCounts[c])})
	}
	m.Cards = append(m.Cards, web.ScreenCard{Class: "met", Label: web.T(ctx, "screen.card.ind"), Count: board.Counts[status.IndicatorMet],
		Note: web.T(ctx, "screen.card.ind.note", len(board.List))})
	m.Cards = append(m.Cards, web.ScreenCard{Class: "total", Label: web.T(ctx, "screen.card.total"), Count: len(ps.Tasks)})
	m.OverdueUnits = len(ps.Picture.Overdue)
	var overdue []web.ScreenOverdue
	type sec struct {
		label  string
		counts map[status.Category]int
		total  int
	}
	var secs []*sec
	byKey := map[string]*sec{}
	for _, ts := range ps.Tasks {
		key := ts.Task.Section.Numeral + "、" + ts.Task.Section.Title
		sc := byKey[key]
		if sc == nil {
			sc = &sec{label: key, counts: map[status.Category]int{}}
			byKey[key] = sc
			secs = append(secs, sc)
		}
		sc.counts[ts.Category]++
		sc.total++
		if ts.Category != status.Overdue {
			continue
		}
		var units []string
		for _, a := range ts.Assignments {
			if a.Role.Scored() && a.Category == status.Overdue {
				units = append(units, workplan.UnitRef{Name: a.UnitName, Short: a.UnitShort}.Label())
			}
		}
		overdue = append(overdue, web.ScreenOverdue{Number: ts.Task.Number, Title: ts.Task.Title, Days: ts.Rollup.MaxDaysOverdue,
			Units: screenUnits(ctx, units)})
	}
	slices.SortStableFunc(overdue, func(a, b web.ScreenOverdue) int { return cmp.Compare(b.Days, a.Days) })
	if len(overdue) > screenOverdueRows {
		m.OverdueMore = len(overdue) - screenOverdueRows
		overdue = overdue[:screenOverdueRows]
	}
	m.Overdue = overdue
	for _, sc := range secs {
		out := web.ScreenSection{Label: sc.label, Total: sc.total}
		x := 0
		var parts []string
		for _, c := range status.Categories {
			n := sc.counts[c]
			if n == 0 {
				continue
			}
			wd := n * 1000 / sc.total
			label := web.T(ctx, "cat."+string(c))
			out.Segments = append(out.Segments, web.ScreenSegment{Class: string(c), Label: label, Count: n, X: x, Width: wd})
			x += wd
			parts = append(parts, label+" "+strconv.Itoa(n))
		}
		if k := len(out.Segments); k > 0 {
			out.Segments[k-1].Width += 1000 - x // rounding: the bar is full
		}
		out.Summary = web.T(ctx, "screen.section.sum", sc.label, strings.Join(parts, "、"))
		m.Sections = append(m.Sections, out)
	}
	m.IndicatorsTotal = len(board.List)
	for _, st := range status.IndicatorStatuses {
		m.Indicators = append(m.Indicators, web.IndicatorCount{Class: string(st), Light: indicatorLight(st),
			Label: web.T(ctx, "ind.status."+string(st)), Count: board.Counts[st]})
	}
	for _, ind := range board.List {
		if ind.Status != status.IndicatorNotMet {
			continue
		}
		if len(m.NotMet) == screenNotMetRows {
			m.NotMetMore++
			continue
		}
		m.NotMet = append(m.NotMet, web.ScreenIndicator{Task: ind.Task.Task.Number, Text: ind.Indicator.Text,
			Value: fmtValue(ind.Value) + ind.Indicator.Unit, Target: indicatorTarget(ind.Indicator)})
	}
	return m
}

// screenWeek is what changed in the seven days up to now: completions
// accepted, assignments newly overdue or back on track, reports filed and
// by how many units (counted, never read out).
func (s *Server) screenWeek(ctx context.Context, plan workplan.Plan, now *planState, at time.Time) (web.ScreenWeek, error) {
	to := deadline.DateOf(at, deadline.Shanghai)
	from := to.AddDays(-7)
	fromAt := outputs.EndOfDay(from)
	before, err := s.stateAt(ctx, plan, fromAt)
	if err != nil {
		return web.ScreenWeek{}, err
	}
	reports, err := s.store.ReportsBetween(ctx, plan.ID, fromAt, at)
	if err != nil {
		return web.ScreenWeek{}, err
	}
	wk := outputs.Compare(from, to, outputs.Items(before.Picture), outputs.Items(now.Picture), reports)
	names := func(cs []outputs.Change) []string {
		var out []string
		for i, c := range cs {
			if i == screenWeekNames {
				out = append(out, web.T(ctx, "screen.more", len(cs)-i))
				break
			}
			out = append(out, "("+strconv.Itoa(c.TaskNumber)+")"+c.UnitName)
		}
		return out
	}
	units := map[string]bool{}
	for _, rp := range wk.Reports {
		units[rp.UnitName] = true
	}
	return web.ScreenWeek{From: from.String(), To: to.String(),
		Completed: len(wk.Completed), CompletedUnits: names(wk.Completed),
		NewlyOverdue: len(wk.NewlyOverdue), NewlyOverdueUnits: names(wk.NewlyOverdue),
		BackOnTrack: len(wk.BackOnTrack), BackOnTrackUnits: names(wk.BackOnTrack),
		Reports: len(wk.Reports), Units: len(units)}, nil
}

// screenUnits names the first few overdue units of a task and how many
// there are in all.
func screenUnits(ctx context.Context, units []string) string {
	const shown = 5
	if len(units) <= shown {
		return strings.Join(units, "、")
	}
	return web.T(ctx, "screen.units", strings.Join(units[:shown], "、"), len(units))
}
