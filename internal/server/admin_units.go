package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"duban/internal/workplan"
	"duban/web"
)

// adminUnits lists the unit registry, with a form to add a unit.
func (s *Server) adminUnits(w http.ResponseWriter, r *http.Request) error {
	return s.renderUnits(w, r, http.StatusOK, web.UnitForm{Confirmed: true}, workplan.UnitCityDepartment)
}

func (s *Server) renderUnits(w http.ResponseWriter, r *http.Request, status int, form web.UnitForm, kind workplan.UnitKind) error {
	ctx := r.Context()
	units, err := s.store.RegistryUnits(ctx)
	if err != nil {
		return err
	}
	names := make(map[int64]string, len(units))
	for _, u := range units {
		names[u.ID] = u.Name
	}
	m := web.AdminUnitsPage{CSRF: csrfTokenOf(ctx)}
	for _, u := range units {
		row := web.AdminUnitRow{ID: u.ID, Name: u.Name, Kind: kindLabel(r, u.Kind), Confirmed: u.Confirmed}
		for _, id := range u.Members {
			row.Members = append(row.Members, names[id])
		}
		m.Units = append(m.Units, row)
	}
	form.CSRF, form.Kinds = m.CSRF, kindChoices(r, kind)
	m.New = form
	s.render(w, r, status, web.T(ctx, "acct.units.title"), "units", web.AdminUnits(m))
	return nil
}

func kindLabel(r *http.Request, k workplan.UnitKind) string {
	return web.T(r.Context(), "acct.kind."+string(k))
}

func kindChoices(r *http.Request, selected workplan.UnitKind) []web.FormChoice {
	var out []web.FormChoice
	for _, k := range workplan.UnitKinds {
		out = append(out, web.FormChoice{Value: string(k), Label: kindLabel(r, k), Selected: k == selected})
	}
	return out
}

func unitEditOf(r *http.Request) workplan.UnitEdit {
	return workplan.UnitEdit{Name: r.PostFormValue("name"), Short: r.PostFormValue("short"), Kind: workplan.UnitKind(r.PostFormValue("kind")),
		Confirmed: r.PostFormValue("confirmed") != ""}
}

// adminCreateUnit adds a unit to the registry.
func (s *Server) adminCreateUnit(w http.ResponseWriter, r *http.Request) error {
	e := unitEditOf(r)
	_, err := s.store.CreateRegistryUnit(r.Context(), s.actor(r), e)
	if c := workplan.ErrorCode(err); c == workplan.EInvalid || c == workplan.EConflict {
		msg := web.ErrorMessage(r.Context(), err)
		if c == workplan.EConflict {
			msg = web.T(r.Context(), "acct.units.taken")
		}
		return s.renderUnits(w, r, statusOf(err), web.UnitForm{Name: e.Name, Confirmed: e.Confirmed, Error: msg}, e.Kind)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/units", http.StatusSeeOther)
	return nil
}

func (s *Server) adminEditUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.store.RegistryUnit(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderUnitForm(w, r, http.StatusOK, u, "")
}

func (s *Server) renderUnitForm(w http.ResponseWriter, r *http.Request, status int, u workplan.Unit, msg string) error {
	return s.renderUnitFormPreview(w, r, status, u, msg, nil)
}

func (s *Server) renderUnitFormPreview(w http.ResponseWriter, r *http.Request, status int, u workplan.Unit, msg string, preview *web.MappingPreview) error {
	ctx := r.Context()
	m := web.UnitForm{CSRF: csrfTokenOf(ctx), ID: u.ID, Version: u.Version, Name: u.Name, Short: u.Short, Kinds: kindChoices(r, u.Kind),
		Confirmed: u.Confirmed, Collective: u.Kind == workplan.UnitCollective, Error: msg, Preview: preview}
	if m.Collective {
		units, err := s.store.RegistryUnits(ctx)
		if err != nil {
			return err
		}
		for _, c := range units {
			if c.Kind == workplan.UnitCollective {
				continue
			}
			m.Candidates = append(m.Candidates, web.FormChoice{Value: strconv.FormatInt(c.ID, 10), Label: c.Name, Selected: slices.Contains(u.Members, c.ID)})
		}
	}
	s.render(w, r, status, web.T(ctx, "acct.units.edit", u.Name), "units", web.UnitEditForm(m))
	return nil
}

// adminUpdateUnit saves a unit's name, kind and confirmation, or shows the
// 409 page if someone changed the unit since the form was loaded.
func (s *Server) adminUpdateUnit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, version, err := editTarget(r)
	if err != nil {
		return err
	}
	e := unitEditOf(r)
	_, err = s.store.UpdateRegistryUnit(ctx, s.actor(r), id, version, e)
	var conflict *workplan.ConflictError
	switch {
	case errors.As(err, &conflict):
		cur, _ := conflict.Current.(workplan.Unit)
		s.renderConflict(w, r, web.Conflict{
			What: cur.Name,
			Fields: []web.ConflictField{
				{Label: web.T(ctx, "acct.units.name"), Yours: strings.TrimSpace(e.Name), Theirs: cur.Name},
				{Label: web.T(ctx, "acct.units.kind"), Yours: kindLabel(r, e.Kind), Theirs: kindLabel(r, cur.Kind)},
				{Label: web.T(ctx, "acct.units.confirmed"), Yours: yesNo(r, e.Confirmed), Theirs: yesNo(r, cur.Confirmed)},
			},
			ReloadHref: "/admin/units/" + strconv.FormatInt(cur.ID, 10),
		})
		return nil
	case workplan.ErrorCode(err) == workplan.EInvalid || workplan.ErrorCode(err) == workplan.EConflict:
		u, uerr := s.store.RegistryUnit(ctx, id)
		if uerr != nil {
			return uerr
		}
		msg := web.ErrorMessage(r.Context(), err)
		if workplan.ErrorCode(err) == workplan.EConflict {
			msg = web.T(ctx, "acct.units.taken")
		}
		u.Name, u.Kind, u.Confirmed = e.Name, e.Kind, e.Confirmed
		return s.renderUnitForm(w, r, statusOf(err), u, msg)
	case err != nil:
		return err
	}
	// Unit names and kinds show on every plan's pages.
	s.changedHere(r.Context(), workplan.Change{Structure: true})
	http.Redirect(w, r, "/admin/units/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// adminUnitMembers maps a collective designation to its member units
// registry-wide, taking effect at once on every task that names it (and has
// no decision of its own); with action=preview it shows what would change
// and writes nothing.
func (s *Server) adminUnitMembers(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, version, err := editTarget(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return workplan.E(workplan.EInvalid, "err.form.invalid")
	}
	members, err := formMembers(r)
	if err != nil {
		return err
	}
	preview := r.PostFormValue("action") == "preview"
	u, change, err := s.store.SetUnitMembers(ctx, s.actor(r), id, version, members, preview)
	if err == nil && preview {
		u.Members = members
		p := mappingPreview(ctx, change)
		return s.renderUnitFormPreview(w, r, http.StatusOK, u, "", &p)
	}
	var conflict *workplan.ConflictError
	if errors.As(err, &conflict) {
		cur, _ := conflict.Current.(workplan.Unit)
		units, uerr := s.store.RegistryUnits(ctx)
		if uerr != nil {
			return uerr
		}
		names := map[int64]string{}
		for _, u := range units {
			names[u.ID] = u.Name
		}
		list := func(ids []int64) string {
			var out []string
			for _, id := range ids {
				out = append(out, names[id])
			}
			slices.Sort(out)
			return strings.Join(out, "、")
		}
		s.renderConflict(w, r, web.Conflict{
			What:       cur.Name,
			Fields:     []web.ConflictField{{Label: web.T(ctx, "acct.units.members"), Yours: list(members), Theirs: list(cur.Members)}},
			ReloadHref: "/admin/units/" + strconv.FormatInt(cur.ID, 10),
		})
		return nil
	}
	if workplan.ErrorCode(err) == workplan.EInvalid {
		u, uerr := s.store.RegistryUnit(ctx, id)
		if uerr != nil {
			return uerr
		}
		return s.renderUnitForm(w, r, http.StatusUnprocessableEntity, u, web.ErrorMessage(r.Context(), err))
	}
	if err != nil {
		return err
	}
	// A designation's members show on every plan that names it.
	s.changedHere(r.Context(), workplan.Change{Structure: true})
	http.Redirect(w, r, "/admin/units/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

func yesNo(r *http.Request, b bool) string {
	if b {
		return web.T(r.Context(), "acct.yes")
	}
	return web.T(r.Context(), "acct.no")
}

// formMembers reads the member checkboxes of a mapping form.
func formMembers(r *http.Request) ([]int64, error) {
	var members []int64
	for _, v := range r.PostForm["member"] {
		m, err := strconv.ParseInt(v, 10, 64)
		if err != nil || m <= 0 {
			return nil, workplan.E(workplan.EInvalid, "err.units.member", v)
		}
		members = append(members, m)
	}
	return members, nil
}

// mappingPreview is the view of what a mapping does.
func mappingPreview(ctx context.Context, c workplan.MappingChange) web.MappingPreview {
	p := web.MappingPreview{Designation: c.Designation, Empty: c.Empty()}
	for _, t := range c.Tasks {
		p.Tasks = append(p.Tasks, web.MappingTaskView{Label: "(" + strconv.Itoa(t.Number) + ") " + t.Title, Href: taskHref(t.PlanSlug, t.Number),
			Added: t.Added, Removed: t.Removed})
	}
	return p
}
