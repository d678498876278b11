package workplan

import (
	"strings"
	"time"
)

// Combine is how the values the units of a task report for one indicator
// make the value of the task as a whole (and so whether the target is met).
// The plan's wording rarely says: 县级大厅进驻事项1400项以上 is a target for
// each county hall, 网上可办率达99%以上 a figure for the whole city reported by
// the lead unit. DefaultCombine guesses from the wording; an administrator
// can set the rule of each indicator (Indicator.Combine).
type Combine string

// The rules.
const (
	// CombineLead (以牵头单位报送为准): the task's value is the newest value a
	// lead unit reported, the city's figure; a task without lead units takes
	// the newest value of any of its units.
	CombineLead Combine = "lead"
	// CombineEach (各单位分别达标): every responsible unit (a task without
	// responsible units: every lead unit) must meet the target with its own
	// value; the task's value is the worst of theirs, and the target is met
	// only when all of them reported and met it.
	CombineEach Combine = "each"
	// CombineSum (各单位合计): the task's value is the sum of the latest values
	// of its lead and responsible units (records collected, items listed).
	CombineSum Combine = "sum"
)

// Combines lists the rules in the order forms offer them.
var Combines = []Combine{CombineLead, CombineEach, CombineSum}

// Valid reports whether c is one of the rules.
func (c Combine) Valid() bool {
	return c == CombineLead || c == CombineEach || c == CombineSum
}

// perUnitWords are words of an indicator's text that name a level made of
// many units, each with the target of its own (县级大厅, 乡镇便民服务中心, 村便民服务站).
var perUnitWords = []string{"县级", "各县", "乡镇", "村(社区)", "村（社区）", "每个", "每家", "各单位", "各部门"}

// DefaultCombine is the rule of an indicator no administrator has set:
// CombineEach when its text names a level made of many units (县级, 乡镇,
// 村(社区), 每个 …), else CombineLead.
func DefaultCombine(text string) Combine {
	for _, w := range perUnitWords {
		if strings.Contains(text, w) {
			return CombineEach
		}
	}
	return CombineLead
}

// Rule returns the rule i follows and whether an administrator set it.
func (i Indicator) Rule() (Combine, bool) {
	if i.Combine.Valid() {
		return i.Combine, true
	}
	return DefaultCombine(i.Text), false
}

// Meets reports whether value v meets the target of i: at least, at most or
// equal to its value (equal within a millionth, since values are decimals).
func (i Indicator) Meets(v float64) bool {
	switch i.Comparator {
	case ">=":
		return v >= i.Value
	case "<=":
		return v <= i.Value
	}
	d := v - i.Value
	return d < 1e-6 && d > -1e-6
}

// IndicatorReading is one value of an indicator reported with a report of
// one assignment: the rows indicator boards are computed from.
type IndicatorReading struct {
	IndicatorID  int64
	AssignmentID int64
	ReportID     int64
	At           time.Time
	Value        float64
}

// ScreenToken is a credential that opens the wall screen of the operations
// centre (/plans/{slug}/screen) and nothing else: no page, no API. Only its
// hash is stored.
type ScreenToken struct {
	ID   int64
	Name string
	// PlanSlug is the one plan whose screen it opens, "" for every plan.
	PlanSlug      string
	CreatedByName string
	CreatedAt     time.Time
	LastUsedAt    *time.Time
	RevokedAt     *time.Time
}

// OpensPlan reports whether t opens the screen of the plan with slug.
func (t ScreenToken) OpensPlan(slug string) bool { return t.PlanSlug == "" || t.PlanSlug == slug }
