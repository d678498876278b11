package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"duban/internal/auth"
	"duban/internal/workplan"
)

// DemoAccount is one account made by CreateDemoAccounts. Password is set
// only for an account created now; Skipped says why one was not.
type DemoAccount struct {
	Username    string
	DisplayName string
	Role        workplan.UserRole
	// Unit is the unit's name, or "" for none.
	Unit     string
	Password string
	Skipped  string
}

// demoAccounts are the people of a demonstration: one per role, and staff of
// a lead unit, of the supervision office and of a county government.
var demoAccounts = []DemoAccount{
	{Username: "admin", DisplayName: "系统管理员", Role: workplan.UserAdmin},
	{Username: "supervisor", DisplayName: "督查室(演示)", Role: workplan.UserSupervisor, Unit: "市公管办"},
	{Username: "leader", DisplayName: "市领导(演示)", Role: workplan.UserLeader},
	{Username: "bigdata", DisplayName: "市大数据中心经办人(演示)", Role: workplan.UserStaff, Unit: "市大数据中心"},
	{Username: "gongguan", DisplayName: "市公管办经办人(演示)", Role: workplan.UserStaff, Unit: "市公管办"},
	{Username: "kongtong", DisplayName: "崆峒区经办人(演示)", Role: workplan.UserStaff, Unit: "崆峒区人民政府"},
}

// CreateDemoAccounts creates the demonstration accounts for development
// (`duban-dev dev` on a freshly seeded database): an administrator, a
// supervisor of 市公管办, a leader, and staff of 市大数据中心, 市公管办 and
// 崆峒区人民政府, each with a random password that is NOT one-time, for
// convenience. It must never be called in production mode: the caller
// checks config.Development().
//
// It returns one entry per demo account: created ones carry their password,
// to be printed once (only its hash is stored); an account whose username
// exists already, or whose unit is not in the registry, is skipped with the
// reason in Skipped. Running it again therefore creates nothing.
func (db *DB) CreateDemoAccounts(ctx context.Context) ([]DemoAccount, error) {
	h := auth.NewHasher(auth.DefaultParams)
	actor := workplan.System("duban-dev dev (demo accounts)")
	out := make([]DemoAccount, 0, len(demoAccounts))
	for _, d := range demoAccounts {
		var unitID int64
		if d.Unit != "" {
			err := db.Pool.QueryRow(ctx, `SELECT id FROM units WHERE name = $1 AND kind <> 'collective'`, d.Unit).Scan(&unitID)
			if errors.Is(err, pgx.ErrNoRows) {
				d.Skipped = fmt.Sprintf("unit %s is not in the registry", d.Unit)
				out = append(out, d)
				continue
			}
			if err != nil {
				return out, mapErr(err, "demo accounts: find unit %q", d.Unit)
			}
		}
		var exists bool
		if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE username = $1)`, d.Username).Scan(&exists); err != nil {
			return out, mapErr(err, "demo accounts")
		}
		if exists {
			d.Skipped = "the username exists already"
			out = append(out, d)
			continue
		}
		pw := auth.NewPassword()
		hash, err := h.Hash(pw)
		if err != nil {
			return out, err
		}
		_, err = db.CreateUser(ctx, actor, workplan.NewUser{Username: d.Username, DisplayName: d.DisplayName, UnitID: unitID, Role: d.Role, PasswordHash: hash})
		if err != nil {
			return out, fmt.Errorf("postgres: demo account %s: %w", d.Username, err)
		}
		d.Password = pw
		out = append(out, d)
	}
	return out, nil
}
