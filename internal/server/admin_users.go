package server

import (
	"errors"
	"net/http"
	"strconv"

	"duban/internal/auth"
	"duban/internal/workplan"
	"duban/web"
)

// adminUsers lists every account.
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.store.ListUsers(r.Context())
	if err != nil {
		return err
	}
	var m web.AdminUsersPage
	for _, u := range users {
		m.Users = append(m.Users, web.AdminUserRow{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Unit: u.UnitName,
			Role: roleLabel(r, u.Role), Disabled: u.Disabled, MustChange: u.MustChangePassword})
	}
	s.render(w, r, http.StatusOK, web.T(r.Context(), "acct.users.title"), "users", web.AdminUsers(m))
	return nil
}

// userForm fills the choices of the user form for unit and role.
func (s *Server) userForm(r *http.Request, m web.UserForm, unitID int64, role workplan.UserRole) (web.UserForm, error) {
	units, err := s.store.RegistryUnits(r.Context())
	if err != nil {
		return m, err
	}
	m.CSRF = csrfTokenOf(r.Context())
	m.Units = []web.FormChoice{{Value: "0", Label: web.T(r.Context(), "acct.users.no_unit"), Selected: unitID == 0}}
	for _, u := range units {
		if u.Kind == workplan.UnitCollective {
			continue
		}
		m.Units = append(m.Units, web.FormChoice{Value: strconv.FormatInt(u.ID, 10), Label: u.Name, Selected: u.ID == unitID})
	}
	for _, ro := range workplan.UserRoles {
		m.Roles = append(m.Roles, web.FormChoice{Value: string(ro), Label: roleLabel(r, ro), Selected: ro == role})
	}
	return m, nil
}

func (s *Server) adminNewUser(w http.ResponseWriter, r *http.Request) error {
	m, err := s.userForm(r, web.UserForm{}, 0, workplan.UserStaff)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, web.T(r.Context(), "acct.users.new"), "users", web.UserEditForm(m))
	return nil
}

// userEditOf reads the fields of the user form. The unit and role read here
// are the target user's, set by an administrator; never the actor's own.
func userEditOf(r *http.Request) workplan.UserEdit {
	unitID, _ := strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	return workplan.UserEdit{DisplayName: r.PostFormValue("display_name"), UnitID: unitID, Role: workplan.UserRole(r.PostFormValue("role"))}
}

// adminCreateUser creates an account with a generated one-time password,
// shown once on the response page.
func (s *Server) adminCreateUser(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	e := userEditOf(r)
	username := r.PostFormValue("username")
	password := auth.NewPassword()
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return err
	}
	u, err := s.store.CreateUser(ctx, s.actor(r), workplan.NewUser{Username: username, DisplayName: e.DisplayName, UnitID: e.UnitID,
		Role: e.Role, PasswordHash: hash, MustChangePassword: true})
	if c := workplan.ErrorCode(err); c == workplan.EInvalid || c == workplan.EConflict {
		m, ferr := s.userForm(r, web.UserForm{Username: username, DisplayName: e.DisplayName, Error: userErrorMessage(r, err)}, e.UnitID, e.Role)
		if ferr != nil {
			return ferr
		}
		s.render(w, r, statusOf(err), web.T(ctx, "acct.users.new"), "users", web.UserEditForm(m))
		return nil
	}
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusCreated, web.T(ctx, "acct.otp.title"), "users",
		web.OneTimePassword(web.OneTimePasswordPage{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Password: password}))
	return nil
}

func userErrorMessage(r *http.Request, err error) string {
	if workplan.ErrorCode(err) == workplan.EConflict {
		return web.T(r.Context(), "acct.users.taken")
	}
	return web.ErrorMessage(r.Context(), err)
}

func (s *Server) adminEditUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.store.User(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderUserForm(w, r, http.StatusOK, u, "")
}

func (s *Server) renderUserForm(w http.ResponseWriter, r *http.Request, status int, u workplan.User, msg string) error {
	me, _ := userOf(r.Context())
	m, err := s.userForm(r, web.UserForm{ID: u.ID, Version: u.Version, Username: u.Username, DisplayName: u.DisplayName,
		Disabled: u.Disabled, MustChange: u.MustChangePassword, Error: msg, Self: u.ID == me.ID}, u.UnitID, u.Role)
	if err != nil {
		return err
	}
	s.render(w, r, status, web.T(r.Context(), "acct.users.edit", u.Username), "users", web.UserEditForm(m))
	return nil
}

// adminUpdateUser saves the user form if nobody changed the user since the
// form was loaded; otherwise it shows the 409 conflict page.
func (s *Server) adminUpdateUser(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, version, err := editTarget(r)
	if err != nil {
		return err
	}
	e := userEditOf(r)
	me, _ := userOf(ctx)
	if id == me.ID && e.Role != workplan.UserAdmin {
		// An administrator cannot lock themselves out.
		return workplan.E(workplan.EInvalid, "acct.users.self_demote")
	}
	_, err = s.store.UpdateUser(ctx, s.actor(r), id, version, e)
	var conflict *workplan.ConflictError
	switch {
	case errors.As(err, &conflict):
		cur, _ := conflict.Current.(workplan.User)
		return s.renderUserConflict(w, r, e, cur)
	case workplan.ErrorCode(err) == workplan.EInvalid:
		u, uerr := s.store.User(ctx, id)
		if uerr != nil {
			return uerr
		}
		u.DisplayName, u.UnitID, u.Role = e.DisplayName, e.UnitID, e.Role
		return s.renderUserForm(w, r, http.StatusUnprocessableEntity, u, web.ErrorMessage(r.Context(), err))
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}

// renderUserConflict shows what the administrator submitted beside what is
// stored now.
func (s *Server) renderUserConflict(w http.ResponseWriter, r *http.Request, e workplan.UserEdit, cur workplan.User) error {
	ctx := r.Context()
	units, err := s.store.RegistryUnits(ctx)
	if err != nil {
		return err
	}
	names := map[int64]string{0: web.T(ctx, "acct.users.no_unit")}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	unitName := func(id int64) string {
		if n, ok := names[id]; ok {
			return n
		}
		return strconv.FormatInt(id, 10)
	}
	m := web.Conflict{
		What: cur.DisplayName + " (" + cur.Username + ")",
		Fields: []web.ConflictField{
			{Label: web.T(ctx, "acct.users.name"), Yours: e.DisplayName, Theirs: cur.DisplayName},
			{Label: web.T(ctx, "acct.users.unit"), Yours: unitName(e.UnitID), Theirs: unitName(cur.UnitID)},
			{Label: web.T(ctx, "acct.users.role"), Yours: roleLabel(r, e.Role), Theirs: roleLabel(r, cur.Role)},
		},
		ReloadHref: "/admin/users/" + strconv.FormatInt(cur.ID, 10),
	}
	s.renderConflict(w, r, m)
	return nil
}

func userState(r *http.Request, u workplan.User) string {
	if u.Disabled {
		return web.T(r.Context(), "acct.users.disabled")
	}
	return web.T(r.Context(), "acct.users.active")
}

// renderConflict writes the 409 page: nothing was saved.
func (s *Server) renderConflict(w http.ResponseWriter, r *http.Request, m web.Conflict) {
	s.render(w, r, http.StatusConflict, web.T(r.Context(), "conflict.title"), "", web.ConflictPage(m))
}

func (s *Server) adminDisableUser(w http.ResponseWriter, r *http.Request) error {
	return s.setDisabled(w, r, true)
}

func (s *Server) adminEnableUser(w http.ResponseWriter, r *http.Request) error {
	return s.setDisabled(w, r, false)
}

// setDisabled disables (ending every session) or re-enables a user.
func (s *Server) setDisabled(w http.ResponseWriter, r *http.Request, disabled bool) error {
	ctx := r.Context()
	id, version, err := editTarget(r)
	if err != nil {
		return err
	}
	if me, _ := userOf(ctx); me.ID == id {
		return workplan.E(workplan.EInvalid, "acct.users.self_disable")
	}
	_, err = s.store.SetUserDisabled(ctx, s.actor(r), id, version, disabled)
	var conflict *workplan.ConflictError
	if errors.As(err, &conflict) {
		cur, _ := conflict.Current.(workplan.User)
		want := cur
		want.Disabled = disabled
		s.renderConflict(w, r, web.Conflict{
			What: cur.DisplayName + " (" + cur.Username + ")",
			Fields: []web.ConflictField{
				{Label: web.T(ctx, "acct.users.name"), Yours: cur.DisplayName, Theirs: cur.DisplayName},
				{Label: web.T(ctx, "acct.users.role"), Yours: roleLabel(r, cur.Role), Theirs: roleLabel(r, cur.Role)},
				{Label: web.T(ctx, "acct.users.state"), Yours: userState(r, want), Theirs: userState(r, cur)},
			},
			ReloadHref: "/admin/users/" + strconv.FormatInt(cur.ID, 10),
		})
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// adminResetPassword sets a generated one-time password, shown once, and
// ends the user's sessions.
func (s *Server) adminResetPassword(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.store.User(ctx, id)
	if err != nil {
		return err
	}
	password := auth.NewPassword()
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return err
	}
	if err := s.store.ResetPassword(ctx, s.actor(r), id, hash); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, web.T(ctx, "acct.otp.title"), "users",
		web.OneTimePassword(web.OneTimePasswordPage{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Password: password}))
	return nil
}
