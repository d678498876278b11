// Package workplan is the domain of duban: a work plan (工作方案) of numbered tasks,
// the units (单位) assigned to them, and the progress reports those units file.
//
// It holds plain types, their rules and the errors every other package shares.
// It imports no other package of the application except the pure value package
// deadline, whose Date and Deadline types it uses as values.
package workplan

import (
	"time"

	"duban/internal/deadline"
)

// Role is the part a unit plays in a task.
type Role string

// The roles a unit can have on a task, from the plan's labelled lines.
const (
	// RoleLead is 牵头单位 / 牵头部门.
	RoleLead Role = "lead"
	// RoleResponsible is 责任单位 / 责任部门.
	RoleResponsible Role = "responsible"
	// RoleCooperating is 配合单位 / 配合部门 / 协办单位: shown, not scored.
	RoleCooperating Role = "cooperating"
)

// Roles lists every role in display order.
var Roles = []Role{RoleLead, RoleResponsible, RoleCooperating}

// Valid reports whether r is a defined role.
func (r Role) Valid() bool {
	return r == RoleLead || r == RoleResponsible || r == RoleCooperating
}

// Scored reports whether assignments in role r count towards a task's status.
func (r Role) Scored() bool { return r == RoleLead || r == RoleResponsible }

// Label returns the Chinese label of r as plans write it.
func (r Role) Label() string {
	switch r {
	case RoleLead:
		return "牵头单位"
	case RoleResponsible:
		return "责任单位"
	case RoleCooperating:
		return "配合单位"
	}
	return string(r)
}

// UnitKind classifies a unit.
type UnitKind string

// The kinds of unit in the registry.
const (
	UnitCityDepartment    UnitKind = "city_department"    // 市直部门
	UnitCountyGovernment  UnitKind = "county_government"  // 县(市、区)人民政府
	UnitEnterprise        UnitKind = "enterprise"         // 企业
	UnitCentralProvincial UnitKind = "central_provincial" // 中、省驻平单位
	UnitCollective        UnitKind = "collective"         // 集合称谓, mapped to members
	UnitOther             UnitKind = "other"
)

// UnitKinds lists every unit kind.
var UnitKinds = []UnitKind{UnitCityDepartment, UnitCountyGovernment, UnitEnterprise, UnitCentralProvincial, UnitCollective, UnitOther}

// Valid reports whether k is a defined unit kind.
func (k UnitKind) Valid() bool {
	for _, v := range UnitKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Unit is an office that can be assigned tasks, or a collective designation
// (such as 各县(市、区)人民政府) that stands for several.
type Unit struct {
	ID   int64
	Name string
	// Short is the registry's short name for narrow columns ("" if none).
	Short string
	Kind  UnitKind
	// Confirmed is false for a name that came from a plan but is not in the
	// registry: an administrator must confirm or map it.
	Confirmed bool
	// Members are the IDs of the concrete units a collective designation stands for.
	Members []int64
	// Version is the optimistic-concurrency token of the unit's registry entry.
	Version int
}

// Plan is a work plan document as loaded into duban.
type Plan struct {
	ID         int64
	Slug       string
	Title      string
	IssuedBy   string
	IssuedOn   deadline.Date
	Addressees []string
	// Version is the number of the plan version currently applied.
	Version   int
	CreatedAt time.Time
}

// Year is the plan's year, used for deadlines that name none ("年内").
func (p Plan) Year() int { return p.IssuedOn.Year }

// Section is a top-level part of the plan's tasks, such as (一)提升数字资源支撑能力.
type Section struct {
	ID       int64
	PlanID   int64
	Position int
	Numeral  string // 一, 二, …
	Title    string
}

// Group is a numbered group of tasks within a section, such as 1.推进全市政务"一朵云"建设.
type Group struct {
	ID        int64
	SectionID int64
	Position  int
	Title     string
}

// Task is one numbered task of the plan.
type Task struct {
	ID       int64
	PlanID   int64
	Number   int
	Section  Section
	Group    Group
	Title    string
	Body     string
	Deadline deadline.Deadline
	// Start is when work on the task began, for expected progress (序时进度);
	// the plan's issue date unless the task says otherwise.
	Start deadline.Date
	// AddedAt is when the task entered the plan: zero for a task of the
	// plan's first version, else the moment the version that added it took
	// effect.
	AddedAt time.Time
	// ArchivedAt is when a later version dropped the task, ArchivedVersion
	// that version's number; nil and 0 while the task is in force.
	ArchivedAt      *time.Time
	ArchivedVersion int
	Version         int
}

// Indicator is a quantitative target (指标) named in a task's text.
type Indicator struct {
	ID         int64
	TaskID     int64
	Position   int
	Text       string
	Comparator string // ">=", "<=", "="
	Value      float64
	Unit       string // 项, %, 亿条, 小时, 个工作日 …
	// Combine is how the values units report make the task's value, as an
	// administrator set it; "" until one does (then DefaultCombine applies:
	// see Rule).
	Combine Combine
}

// Assignment is one unit's part in one task.
type Assignment struct {
	ID       int64
	TaskID   int64
	UnitID   int64
	UnitName string
	// UnitShort is the registry's short name of the unit for narrow
	// columns, "" when it has none (then the full name is shown).
	UnitShort string
	Role      Role
	// Via is the name of the collective designation this assignment was
	// expanded from, or "" when the plan named the unit itself; ViaID its
	// unit ID (0).
	Via   string
	ViaID int64
	// ArchivedAt is when the unit stopped being accountable for the task
	// (it left the task, or the task was archived); nil while it is.
	ArchivedAt *time.Time
}

// PlanSummary is a plan with counts for lists.
type PlanSummary struct {
	Plan
	Tasks int
}
