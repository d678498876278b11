package status

import (
	"math"
	"time"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// IndicatorStatus says whether an indicator's target (指标) is met, as the
// values its units reported combine under its rule (workplan.Combine).
type IndicatorStatus string

// The statuses of an indicator.
const (
	// IndicatorMet (已达标): the task's value meets the target.
	IndicatorMet IndicatorStatus = "met"
	// IndicatorNotMet (未达标): the task's value, or under CombineEach one
	// counted unit's value, misses the target.
	IndicatorNotMet IndicatorStatus = "not_met"
	// IndicatorNoData (无数据): nothing reported that decides it: no value
	// yet, or under CombineEach some counted units have not reported while
	// those that did meet the target.
	IndicatorNoData IndicatorStatus = "no_data"
)

// IndicatorStatuses lists the statuses in the order pages show them.
var IndicatorStatuses = []IndicatorStatus{IndicatorMet, IndicatorNotMet, IndicatorNoData}

// Valid reports whether s is one of the statuses.
func (s IndicatorStatus) Valid() bool {
	return s == IndicatorMet || s == IndicatorNotMet || s == IndicatorNoData
}

// maxTrend bounds the points of an indicator's trend: the newest ones are
// kept, one per day.
const maxTrend = 60

// UnitValue is one unit's latest value of an indicator.
type UnitValue struct {
	AssignmentID int64
	UnitID       int64
	UnitName     string
	UnitShort    string
	Role         workplan.Role
	// Has says the unit reported a value; Value is its latest, reported At.
	Has   bool
	Value float64
	At    time.Time
	// Met says Value meets the target (false without a value).
	Met bool
	// Counted says the rule counts this unit's values for the task.
	Counted bool
}

// Label is the unit's short name, else its name.
func (u UnitValue) Label() string {
	if u.UnitShort != "" {
		return u.UnitShort
	}
	return u.UnitName
}

// TrendPoint is the task's value of an indicator after a report changed it.
type TrendPoint struct {
	At    time.Time
	Value float64
}

// Indicator is an indicator of a task in force, with its status at the
// picture's instant.
type Indicator struct {
	Indicator workplan.Indicator
	Task      *Task
	// Rule is how unit values combine; RuleSet says an administrator chose
	// it (else the wording did: workplan.DefaultCombine).
	Rule    workplan.Combine
	RuleSet bool
	Status  IndicatorStatus
	// HasValue says the task as a whole has a value: Value, as it stood
	// after the counted report of At.
	HasValue bool
	Value    float64
	At       time.Time
	// LastAt is when any unit of the task last reported a value of it
	// (zero: never).
	LastAt time.Time
	// Units are the task's units in force that the rule counts or that
	// reported a value, in the task's order (lead, responsible, cooperating).
	Units []UnitValue
	// Counted is how many units the rule counts, Reported how many of them
	// have a value.
	Counted, Reported int
	// Trend is the task's value after each counted report, at most one
	// point a day (the day's last), the newest maxTrend days with a change.
	Trend []TrendPoint
}

// Unit returns the value of unit id, or false when the unit is not listed.
func (i *Indicator) Unit(id int64) (UnitValue, bool) {
	for _, u := range i.Units {
		if u.UnitID == id {
			return u, true
		}
	}
	return UnitValue{}, false
}

// Indicators is the indicator board (日监测) of a picture: every indicator
// of the tasks in force, with its status, and the counts per status.
type Indicators struct {
	List   []*Indicator
	Counts map[IndicatorStatus]int
	byTask map[int64][]*Indicator
}

// OfTask returns the indicators of task id, by position.
func (b *Indicators) OfTask(id int64) []*Indicator { return b.byTask[id] }

// ByID returns the indicator id, or nil when it is not on the board.
func (b *Indicators) ByID(id int64) *Indicator {
	for _, i := range b.List {
		if i.Indicator.ID == id {
			return i
		}
	}
	return nil
}

// EvaluateIndicators decides, at the picture's instant, the status of every
// indicator of the tasks in force: inds are the indicators (by task and
// position), readings every value reported up to that instant, oldest
// first. Values of units not in force on their task then are left out, as
// are indicators of tasks not in force. Like Evaluate it is pure: the same
// picture and rows give the same board.
func EvaluateIndicators(p *Picture, inds []workplan.Indicator, readings []workplan.IndicatorReading) *Indicators {
	b := &Indicators{Counts: map[IndicatorStatus]int{}, byTask: map[int64][]*Indicator{}}
	if p.NotIssued {
		return b
	}
	tasks := make(map[int64]*Task, len(p.Tasks))
	for _, ts := range p.Tasks {
		tasks[ts.Task.ID] = ts
	}
	type slot struct {
		ind *Indicator
		// unit maps an assignment ID to its index in ind.Units.
		unit map[int64]int
	}
	slots := map[int64]*slot{}
	for _, in := range inds {
		ts := tasks[in.TaskID]
		if ts == nil {
			continue
		}
		rule, set := in.Rule()
		ind := &Indicator{Indicator: in, Task: ts, Rule: rule, RuleSet: set, Status: IndicatorNoData}
		counted := countedRoles(ts, rule)
		sl := &slot{ind: ind, unit: map[int64]int{}}
		for _, a := range ts.Assignments {
			u := UnitValue{AssignmentID: a.ID, UnitID: a.UnitID, UnitName: a.UnitName, UnitShort: a.UnitShort, Role: a.Role,
				Counted: counted[a.Role]}
			sl.unit[a.ID] = len(ind.Units)
			ind.Units = append(ind.Units, u)
			if u.Counted {
				ind.Counted++
			}
		}
		slots[in.ID] = sl
		b.List = append(b.List, ind)
		b.byTask[in.TaskID] = append(b.byTask[in.TaskID], ind)
	}
	for _, r := range readings {
		sl := slots[r.IndicatorID]
		if sl == nil {
			continue
		}
		k, ok := sl.unit[r.AssignmentID]
		if !ok {
			continue
		}
		ind := sl.ind
		u := &ind.Units[k]
		u.Has, u.Value, u.At, u.Met = true, r.Value, r.At, ind.Indicator.Meets(r.Value)
		if r.At.After(ind.LastAt) {
			ind.LastAt = r.At
		}
		if !u.Counted {
			continue
		}
		combine(ind, u)
		if ind.HasValue {
			ind.Trend = addPoint(ind.Trend, TrendPoint{At: r.At, Value: ind.Value})
		}
	}
	for _, ind := range b.List {
		// Units that neither count nor reported say nothing here.
		kept := ind.Units[:0]
		for _, u := range ind.Units {
			if u.Counted || u.Has {
				kept = append(kept, u)
			}
		}
		ind.Units = kept
		ind.Trend = trimTrend(ind.Trend)
		ind.Status = indicatorStatus(ind)
		b.Counts[ind.Status]++
	}
	return b
}

// countedRoles are the roles whose values a rule counts on task ts.
func countedRoles(ts *Task, rule workplan.Combine) map[workplan.Role]bool {
	has := map[workplan.Role]bool{}
	for _, a := range ts.Assignments {
		has[a.Role] = true
	}
	switch rule {
	case workplan.CombineEach:
		if has[workplan.RoleResponsible] {
			return map[workplan.Role]bool{workplan.RoleResponsible: true}
		}
		return map[workplan.Role]bool{workplan.RoleLead: true}
	case workplan.CombineSum:
		return map[workplan.Role]bool{workplan.RoleLead: true, workplan.RoleResponsible: true}
	}
	if has[workplan.RoleLead] {
		return map[workplan.Role]bool{workplan.RoleLead: true}
	}
	return map[workplan.Role]bool{workplan.RoleLead: true, workplan.RoleResponsible: true, workplan.RoleCooperating: true}
}

// combine updates the task's value of ind after counted unit u reported.
func combine(ind *Indicator, u *UnitValue) {
	switch ind.Rule {
	case workplan.CombineEach, workplan.CombineSum:
		has, sum, worst, at := false, 0.0, 0.0, time.Time{}
		for _, x := range ind.Units {
			if !x.Counted || !x.Has {
				continue
			}
			if !has || worse(ind.Indicator, x.Value, worst) {
				worst = x.Value
			}
			has = true
			sum += x.Value
			if x.At.After(at) {
				at = x.At
			}
		}
		ind.HasValue, ind.At = has, at
		ind.Value = worst
		if ind.Rule == workplan.CombineSum {
			ind.Value = sum
		}
	default:
		// The newest counted value is the task's.
		ind.HasValue, ind.Value, ind.At = true, u.Value, u.At
	}
}

// worse reports whether value v is further from in's target than w.
func worse(in workplan.Indicator, v, w float64) bool {
	switch in.Comparator {
	case ">=":
		return v < w
	case "<=":
		return v > w
	}
	return math.Abs(v-in.Value) > math.Abs(w-in.Value)
}

// indicatorStatus decides the status of ind once every reading is in.
func indicatorStatus(ind *Indicator) IndicatorStatus {
	ind.Reported = 0
	missed := false
	for _, u := range ind.Units {
		if u.Counted && u.Has {
			ind.Reported++
			if !u.Met {
				missed = true
			}
		}
	}
	switch {
	case !ind.HasValue:
		return IndicatorNoData
	case ind.Rule == workplan.CombineEach && missed:
		return IndicatorNotMet
	case ind.Rule == workplan.CombineEach && ind.Reported < ind.Counted:
		return IndicatorNoData
	case ind.Indicator.Meets(ind.Value):
		return IndicatorMet
	}
	return IndicatorNotMet
}

// addPoint appends pt to a trend, replacing a point of the same day, and
// keeps the newest maxTrend points.
func addPoint(tr []TrendPoint, pt TrendPoint) []TrendPoint {
	if n := len(tr); n > 0 && deadline.DateOf(tr[n-1].At, deadline.Shanghai) == deadline.DateOf(pt.At, deadline.Shanghai) {
		tr[n-1] = pt
		return tr
	}
	tr = append(tr, pt)
	if len(tr) > 2*maxTrend {
		tr = append(tr[:0], tr[len(tr)-maxTrend:]...)
	}
	return tr
}

// trimTrend returns the newest maxTrend points of tr.
func trimTrend(tr []TrendPoint) []TrendPoint {
	if len(tr) > maxTrend {
		return tr[len(tr)-maxTrend:]
	}
	return tr
}
