package gen

import (
	"fmt"
	"slices"
	"time"

	"duban/internal/postgres"
	"duban/internal/workplan"
)

// SupervisorUnits are the base registry's names of the units whose staff
// supervise a plan (督查室): the public resources office and the city
// government office.
var SupervisorUnits = []string{"市公管办", "市政府办公室"}

// AdminUsername is the one administrator account of a generated database.
const AdminUsername = "admin"

// Usernames of generated accounts, for load tests:
//
//	c001-staff-017     staff of the 17th unit (by name) with assignments in plan 1
//	c001-supervisor-1  supervisors (督查室) of plan 1's city, -1 and -2
//	c001-leader-1      leaders of plan 1's city, -1 and -2
//	admin              the administrator
func staffUsername(city, n int) string      { return fmt.Sprintf("c%03d-staff-%03d", city, n) }
func supervisorUsername(city, n int) string { return fmt.Sprintf("c%03d-supervisor-%d", city, n) }
func leaderUsername(city, n int) string     { return fmt.Sprintf("c%03d-leader-%d", city, n) }

// Account is what a generated account gets beside its identity.
type Account struct {
	// PasswordHash is stored for every account ("" makes accounts nobody can
	// sign in to until an administrator sets a password).
	PasswordHash string
	// MustChangePassword is stored for every account.
	MustChangePassword bool
	// CreatedAt is when the accounts were made.
	CreatedAt time.Time
}

// PlanUsers returns the accounts of city c's plan, without IDs: one staff
// member per unit with assignments (collective designations excluded: they
// are placeholders for units an administrator has not named), two
// supervisors (of the units named SupervisorUnits in c, when they exist in
// units) and two leaders. The staff come first, in the order of their units'
// names.
func PlanUsers(p Params, c City, as []postgres.PlanAssignment, units map[string]int64, acct Account) []postgres.BulkUser {
	type unit struct {
		id   int64
		name string
	}
	var list []unit
	seen := map[int64]bool{}
	for _, a := range as {
		if a.UnitKind == workplan.UnitCollective || seen[a.UnitID] {
			continue
		}
		seen[a.UnitID] = true
		list = append(list, unit{a.UnitID, a.UnitName})
	}
	slices.SortFunc(list, func(a, b unit) int {
		if a.name < b.name {
			return -1
		}
		if a.name > b.name {
			return 1
		}
		return 0
	})
	r := rngFor(p.Seed, "people", c.Index)
	user := func(username string, role workplan.UserRole, unitID int64) postgres.BulkUser {
		return postgres.BulkUser{Username: username, DisplayName: personName(r), UnitID: unitID, Role: role,
			PasswordHash: acct.PasswordHash, MustChangePassword: acct.MustChangePassword, CreatedAt: acct.CreatedAt}
	}
	var out []postgres.BulkUser
	for i, u := range list {
		out = append(out, user(staffUsername(c.Index, i+1), workplan.UserStaff, u.id))
	}
	for i, name := range SupervisorUnits {
		out = append(out, user(supervisorUsername(c.Index, i+1), workplan.UserSupervisor, units[c.UnitName(name)]))
	}
	for i := range 2 {
		out = append(out, user(leaderUsername(c.Index, i+1), workplan.UserLeader, 0))
	}
	return out
}

// StaffOf sorts a plan's accounts (with IDs) into who reports and who
// supervises.
func StaffOf(users []postgres.BulkUser) Staff {
	s := Staff{ByUnit: map[int64]postgres.BulkUser{}}
	for _, u := range users {
		switch u.Role {
		case workplan.UserStaff:
			s.ByUnit[u.UnitID] = u
		case workplan.UserSupervisor:
			s.Supervisors = append(s.Supervisors, u)
		}
	}
	return s
}
