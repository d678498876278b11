package workplan

import "slices"

// UserRole is what a person may do in duban.
type UserRole string

// The roles of users.
const (
	// UserAdmin loads plans and manages units and accounts.
	UserAdmin UserRole = "admin"
	// UserSupervisor (督查室) sees everything, reviews reports, approves
	// extensions, urges units and publishes bulletins.
	UserSupervisor UserRole = "supervisor"
	// UserLeader (领导) reads everything and writes nothing but comments.
	UserLeader UserRole = "leader"
	// UserStaff (经办人) reports their own unit's progress; staff of a lead unit
	// also review the reports on the tasks their unit leads.
	UserStaff UserRole = "staff"
)

// UserRoles lists every role.
var UserRoles = []UserRole{UserAdmin, UserSupervisor, UserLeader, UserStaff}

// Valid reports whether r is a defined role.
func (r UserRole) Valid() bool { return slices.Contains(UserRoles, r) }

// Limits of account fields, in characters.
const (
	// MaxDisplayName bounds a person's name as shown: a name, perhaps with
	// a title or office.
	MaxDisplayName = 50
	// MaxUsername bounds a username (letters, digits and . _ -).
	MaxUsername = 63
)

// User is a person who signs in.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	// UnitID is the user's unit; 0 for users who belong to none.
	UnitID   int64
	UnitName string
	Role     UserRole
	// MustChangePassword is set when an administrator set the password: it is
	// one-time and must be changed at the next sign-in.
	MustChangePassword bool
	Disabled           bool
	Version            int
}

// Actor is who performs a write, with the request it came from, for the audit
// trail. The zero Actor is the system itself (command line, jobs).
type Actor struct {
	UserID     int64
	Name       string
	UnitID     int64
	Role       UserRole
	RequestID  string
	ClientAddr string
}

// ActorOf returns the Actor for u performing a request.
func ActorOf(u User, requestID, clientAddr string) Actor {
	return Actor{UserID: u.ID, Name: u.DisplayName, UnitID: u.UnitID, Role: u.Role, RequestID: requestID, ClientAddr: clientAddr}
}

// System is the Actor for work done by duban itself or its command line.
func System(name string) Actor { return Actor{Name: name} }

// CanFileReport reports whether a may file or edit progress for assignment as:
// only staff of the assignment's own unit can.
func (a Actor) CanFileReport(as Assignment) bool {
	return a.Role == UserStaff && a.UnitID != 0 && a.UnitID == as.UnitID
}

// CanReview reports whether a may accept or return reports on a task whose
// lead units are leads: supervisors always, staff of a lead unit for that task.
func (a Actor) CanReview(leads []int64) bool {
	if a.Role == UserSupervisor {
		return true
	}
	return a.Role == UserStaff && a.UnitID != 0 && slices.Contains(leads, a.UnitID)
}

// CanReadReports reports whether a may read the reports of assignment as on a
// task led by leads: everyone but staff; staff for their own unit and for the
// tasks their unit leads.
func (a Actor) CanReadReports(as Assignment, leads []int64) bool {
	if a.Role != UserStaff {
		return a.Role.Valid()
	}
	return a.UnitID != 0 && (a.UnitID == as.UnitID || slices.Contains(leads, a.UnitID))
}

// CanDecideExtension reports whether a may approve or reject extension requests.
func (a Actor) CanDecideExtension() bool { return a.Role == UserSupervisor }

// CanAdminister reports whether a may load plans and manage units and accounts.
func (a Actor) CanAdminister() bool { return a.Role == UserAdmin }

// CanMapDesignations reports whether a may say which units a collective
// designation means on a task: the supervision office and administrators.
func (a Actor) CanMapDesignations() bool { return a.Role == UserSupervisor || a.Role == UserAdmin }
