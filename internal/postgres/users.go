package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"duban/internal/workplan"
)

const userColumns = `u.id, u.username, u.display_name, COALESCE(u.unit_id, 0), COALESCE(un.name, ''), u.role,
	u.must_change_password, u.disabled_at IS NOT NULL, u.version`

const userFrom = ` FROM users u LEFT JOIN units un ON un.id = u.unit_id`

func scanUser(row pgx.Row) (workplan.User, error) {
	var u workplan.User
	var role string
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.UnitID, &u.UnitName, &role, &u.MustChangePassword, &u.Disabled, &u.Version)
	u.Role = workplan.UserRole(role)
	return u, err
}

// userAudit is what the audit trail records of a user: never the hash.
type userAudit struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	UnitID      int64  `json:"unit_id,omitempty"`
	UnitName    string `json:"unit_name,omitempty"`
	Role        string `json:"role"`
	Disabled    bool   `json:"disabled"`
	Version     int    `json:"version"`
}

func auditUser(u workplan.User) userAudit {
	return userAudit{u.Username, u.DisplayName, u.UnitID, u.UnitName, string(u.Role), u.Disabled, u.Version}
}

// NormalizeUsername is how usernames are compared and stored: trimmed and
// lower-cased.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// validateUser checks the fields both creation and editing set.
func validateUser(displayName string, unitID int64, role workplan.UserRole) error {
	switch {
	case strings.TrimSpace(displayName) == "":
		return workplan.E(workplan.EInvalid, "err.user.name_required")
	case utf8.RuneCountInString(displayName) > workplan.MaxDisplayName:
		return workplan.E(workplan.EInvalid, "err.user.name_long", workplan.MaxDisplayName)
	case !role.Valid():
		return workplan.E(workplan.EInvalid, "err.user.role")
	case role == workplan.UserStaff && unitID == 0:
		return workplan.E(workplan.EInvalid, "err.user.staff_unit")
	}
	return nil
}

// checkUnit refuses a unit that does not exist or is a collective
// designation: a person works in one concrete office.
func checkUnit(ctx context.Context, tx pgx.Tx, unitID int64) error {
	if unitID == 0 {
		return nil
	}
	var kind string
	err := tx.QueryRow(ctx, `SELECT kind FROM units WHERE id = $1`, unitID).Scan(&kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return workplan.E(workplan.EInvalid, "err.user.unit_unknown")
	}
	if err != nil {
		return err
	}
	if kind == string(workplan.UnitCollective) {
		return workplan.E(workplan.EInvalid, "err.user.unit_collective")
	}
	return nil
}

// CreateUser creates an account and records it in the audit trail. A taken
// username is a conflict.
func (db *DB) CreateUser(ctx context.Context, actor workplan.Actor, nu workplan.NewUser) (workplan.User, error) {
	nu.Username = NormalizeUsername(nu.Username)
	nu.DisplayName = strings.TrimSpace(nu.DisplayName)
	if err := validateUser(nu.DisplayName, nu.UnitID, nu.Role); err != nil {
		return workplan.User{}, err
	}
	if !validUsername(nu.Username) {
		return workplan.User{}, workplan.E(workplan.EInvalid, "err.user.username")
	}
	var u workplan.User
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkUnit(ctx, tx, nu.UnitID); err != nil {
			return err
		}
		var id int64
		err := tx.QueryRow(ctx, `
			INSERT INTO users (username, display_name, unit_id, role, password_hash, must_change_password)
			VALUES ($1, $2, NULLIF($3, 0), $4, $5, $6) RETURNING id`,
			nu.Username, nu.DisplayName, nu.UnitID, string(nu.Role), nu.PasswordHash, nu.MustChangePassword).Scan(&id)
		if err != nil {
			return err
		}
		if u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+userFrom+` WHERE u.id = $1`, id)); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "user.create", "user", u.ID, nil, auditUser(u))
	})
	if err != nil {
		return workplan.User{}, userErr(err, "create user %q", nu.Username)
	}
	return u, nil
}

func validUsername(s string) bool {
	if len(s) < 2 || len(s) > 63 {
		return false
	}
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || i > 0 && (r == '.' || r == '_' || r == '-')
		if !ok {
			return false
		}
	}
	return true
}

// User returns the user with id.
func (db *DB) User(ctx context.Context, id int64) (workplan.User, error) {
	u, err := scanUser(db.Pool.QueryRow(ctx, `SELECT `+userColumns+userFrom+` WHERE u.id = $1`, id))
	return u, mapErr(err, "find user %d", id)
}

// UserCredentials returns the user named username and their password hash,
// for signing in. A missing user is workplan.ErrNotFound.
func (db *DB) UserCredentials(ctx context.Context, username string) (workplan.User, string, error) {
	var hash string
	row := db.Pool.QueryRow(ctx, `SELECT `+userColumns+`, u.password_hash`+userFrom+` WHERE u.username = $1`, NormalizeUsername(username))
	var u workplan.User
	var role string
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.UnitID, &u.UnitName, &role, &u.MustChangePassword, &u.Disabled, &u.Version, &hash)
	u.Role = workplan.UserRole(role)
	if err != nil {
		return workplan.User{}, "", mapErr(err, "find user %q", username)
	}
	return u, hash, nil
}

// PasswordHash returns the current password hash of user id.
func (db *DB) PasswordHash(ctx context.Context, id int64) (string, error) {
	var hash string
	err := db.Pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, id).Scan(&hash)
	return hash, mapErr(err, "password of user %d", id)
}

// ListUsers returns every user, ordered by unit and username.
func (db *DB) ListUsers(ctx context.Context) ([]workplan.User, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+userColumns+userFrom+` ORDER BY un.name NULLS FIRST, u.username`)
	if err != nil {
		return nil, mapErr(err, "list users")
	}
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (workplan.User, error) { return scanUser(row) })
	return users, mapErr(err, "list users")
}

// UpdateUser changes a user's name, unit and role, if the user is still at
// version. Otherwise it writes nothing and returns a *workplan.ConflictError
// holding the current user. The audit trail records before and after.
func (db *DB) UpdateUser(ctx context.Context, actor workplan.Actor, id int64, version int, e workplan.UserEdit) (workplan.User, error) {
	e.DisplayName = strings.TrimSpace(e.DisplayName)
	if err := validateUser(e.DisplayName, e.UnitID, e.Role); err != nil {
		return workplan.User{}, err
	}
	var after workplan.User
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockUser(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if err := checkUnit(ctx, tx, e.UnitID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE users SET display_name = $2, unit_id = NULLIF($3, 0), role = $4, version = version + 1, updated_at = now()
			WHERE id = $1`, id, e.DisplayName, e.UnitID, string(e.Role)); err != nil {
			return err
		}
		if after, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+userFrom+` WHERE u.id = $1`, id)); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "user.update", "user", id, auditUser(before), auditUser(after))
	})
	if err != nil {
		return workplan.User{}, userErr(err, "update user %d", id)
	}
	return after, nil
}

// lockUser locks user id for update and checks it is at version; a stale
// version is a *workplan.ConflictError with the current user. Concurrent
// savers queue on the row lock, so exactly one of them sees its version.
func lockUser(ctx context.Context, tx pgx.Tx, id int64, version int) (workplan.User, error) {
	u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+userFrom+` WHERE u.id = $1 FOR UPDATE OF u`, id))
	if err != nil {
		return u, err
	}
	if u.Version != version {
		return u, &workplan.ConflictError{Current: u}
	}
	return u, nil
}

// userErr passes user-facing errors through and maps the rest.
func userErr(err error, format string, args ...any) error {
	var ce *workplan.ConflictError
	var we *workplan.Error
	if errors.As(err, &ce) || errors.As(err, &we) && we.Code != workplan.EInternal {
		return fmt.Errorf("postgres: %s: %w", fmt.Sprintf(format, args...), err)
	}
	return mapErr(err, format, args...)
}

// SetUserDisabled disables or re-enables user id at version. Disabling ends
// every session of the user in the same transaction.
func (db *DB) SetUserDisabled(ctx context.Context, actor workplan.Actor, id int64, version int, disabled bool) (workplan.User, error) {
	var after workplan.User
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockUser(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE users SET disabled_at = CASE WHEN $2 THEN now() END, version = version + 1, updated_at = now()
			WHERE id = $1`, id, disabled); err != nil {
			return err
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
			if _, err := endUserSessions(ctx, tx, actor, id, 0, "user_disabled"); err != nil {
				return err
			}
		}
		if after, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+userFrom+` WHERE u.id = $1`, id)); err != nil {
			return err
		}
		return audit(ctx, tx, actor, action, "user", id, auditUser(before), auditUser(after))
	})
	if err != nil {
		return workplan.User{}, userErr(err, "disable user %d", id)
	}
	return after, nil
}

// ResetPassword sets a one-time password chosen by an administrator: the
// user must change it at the next sign-in, and every session of theirs ends.
func (db *DB) ResetPassword(ctx context.Context, actor workplan.Actor, id int64, hash string) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, must_change_password = true, updated_at = now() WHERE id = $1`, id, hash)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		n, err := endUserSessions(ctx, tx, actor, id, 0, "password_reset")
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "user.password_reset", "user", id, nil, map[string]any{"one_time": true, "sessions_ended": n})
	})
	return mapErr(err, "reset password of user %d", id)
}

// ChangePassword sets the user's own new password, after the caller checked
// the current one. The password stops being one-time, and every other
// session of the user ends (keep is the session making the change).
func (db *DB) ChangePassword(ctx context.Context, actor workplan.Actor, id int64, hash string, keep int64) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, must_change_password = false, updated_at = now() WHERE id = $1`, id, hash)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		n, err := endUserSessions(ctx, tx, actor, id, keep, "password_changed")
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "user.password_change", "user", id, nil, map[string]any{"other_sessions_ended": n})
	})
	return mapErr(err, "change password of user %d", id)
}

// RehashPassword replaces a hash made with old parameters after a successful
// sign-in. It is not audited: the password itself did not change.
func (db *DB) RehashPassword(ctx context.Context, id int64, oldHash, newHash string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2`, id, oldHash, newHash)
	return mapErr(err, "rehash password of user %d", id)
}
