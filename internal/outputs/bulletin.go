package outputs

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"duban/internal/deadline"
	"duban/internal/status"
	"duban/internal/workplan"
)

// Bulletin is the content of one issue of the bulletin (专报): everything it
// shows, computed once. A published issue keeps this as data beside its
// rendered bytes.
type Bulletin struct {
	Title       string
	Number      int
	PlanTitle   string
	Period      Period
	PublishedAt time.Time
	Publisher   string
	// Preview marks a draft that is not stored.
	Preview  bool
	Summary  Summary
	Ranking  Ranking
	Overdue  []OverdueTask
	Laggards []Laggard
	// LaggardRule is the rule by which Laggards are named, printed with them.
	LaggardRule string
	Indicators  []IndicatorLine
}

// Summary are the headline figures at the end of the period.
type Summary struct {
	Tasks, CompleteTasks int
	// TaskCategories counts the tasks per category (超期, 滞后, 临期 …), worst first.
	TaskCategories []CategoryCount
	// Assignments counts the scored assignments (lead and responsible units
	// in force); the rest are per category.
	Assignments, Completed, Overdue, Lagging, DueSoon int
	// OverdueUnits is the number of units with overdue assignments.
	OverdueUnits int
	// CompletedInPeriod counts completions accepted within the period.
	CompletedInPeriod int
	// Unmapped counts designations (集合称谓) nobody has mapped: not counted.
	Unmapped int
	// Reports is the number of reports filed in the period: shown as
	// information, never scored.
	Reports int
}

// CategoryCount is a number of tasks in one category.
type CategoryCount struct {
	Category status.Category
	Label    string
	Count    int
}

// OverdueTask is an overdue task with its late units.
type OverdueTask struct {
	TaskNumber int
	TaskTitle  string
	Due        string
	Units      []UnitDays
}

// UnitDays is a unit with its days overdue.
type UnitDays struct {
	UnitName string
	Days     int
}

// Laggard is a unit named for rectification (倒逼整改).
type Laggard struct {
	Group    Group
	UnitName string
	Rank     int
	Score    float64
	Overdue  int
	Reason   string
}

// IndicatorLine is an indicator's target against its latest value.
type IndicatorLine struct {
	TaskNumber int
	Text       string
	Target     string
	Latest     string
	By         string
	Has, Met   bool
}

// BulletinInput is everything NewBulletin needs.
type BulletinInput struct {
	Title, PlanTitle string
	Number           int
	Period           Period
	PublishedAt      time.Time
	Publisher        string
	Preview          bool
	// End is the plan at the end of the period, Begin at its beginning (the
	// end of the day before).
	End, Begin *status.Picture
	Ranking    Ranking
	Reports    int
	Indicators []workplan.TaskIndicator
	// IndicatorTask maps an indicator's task ID to the task number.
	IndicatorTask map[int64]int
}

// LaggardShare is the share of a ranked group, from the bottom, that the
// bulletin names (with every unit tied with them).
const LaggardShare = 0.2

// LaggardLongOverdue is the days overdue beyond which a unit is named
// whatever its rank.
const LaggardLongOverdue = 30

// LaggardRule says in Chinese by which rule the bulletin names units: it is
// printed in the bulletin, so that nobody is named by name order.
func LaggardRule() string {
	return fmt.Sprintf("点名规则:各排名组中,本期有未完成任务却未报送任何进展的单位;综合得分排名后 %d%%(按单位数向上取整)的单位及与其得分相同的单位(全组得分相同时不按此项点名);以及有任务超期 %d 天以上的单位。",
		int(LaggardShare*100), LaggardLongOverdue)
}

// NewBulletin assembles a bulletin. Laggards are named by LaggardRule: in
// each ranked group, the silent units, the units ranked in the bottom
// LaggardShare (rounded up) and every unit tied with them, unless the whole
// group is level; then every unit overdue by more than LaggardLongOverdue
// days. Ties and names never decide who is named.
func NewBulletin(in BulletinInput) Bulletin {
	b := Bulletin{Title: in.Title, Number: in.Number, PlanTitle: in.PlanTitle, Period: in.Period, PublishedAt: in.PublishedAt,
		Publisher: in.Publisher, Preview: in.Preview, Ranking: in.Ranking, LaggardRule: LaggardRule()}
	s := &b.Summary
	s.Reports = in.Reports
	end := in.End
	startDone := map[int64]bool{}
	if in.Begin != nil {
		for _, it := range Items(in.Begin) {
			startDone[it.ID] = it.Status.Completed
		}
	}
	s.Tasks = len(end.Tasks)
	s.Unmapped = len(end.Unmapped)
	s.Assignments = end.AssignmentCounts.Total()
	s.Completed, s.Overdue, s.Lagging, s.DueSoon = end.AssignmentCounts[status.Done], end.AssignmentCounts[status.Overdue],
		end.AssignmentCounts[status.Lagging], end.AssignmentCounts[status.DueSoon]
	s.OverdueUnits = len(end.Overdue)
	maxOverdue := map[int64]int{}
	for _, u := range end.Overdue {
		maxOverdue[u.UnitID] = u.MaxDays
	}
	for _, ts := range end.Tasks {
		if ts.Rollup.Complete {
			s.CompleteTasks++
		}
		var overdue []UnitDays
		for _, it := range ts.Assignments {
			if !it.Role.Scored() {
				continue
			}
			if it.Status.Completed && !startDone[it.ID] {
				s.CompletedInPeriod++
			}
			if it.Category == status.Overdue {
				overdue = append(overdue, UnitDays{UnitName: it.UnitName, Days: it.Status.DaysOverdue})
			}
		}
		if len(overdue) > 0 {
			slices.SortStableFunc(overdue, func(a, b UnitDays) int {
				return cmp.Or(cmp.Compare(b.Days, a.Days), cmp.Compare(a.UnitName, b.UnitName))
			})
			b.Overdue = append(b.Overdue, OverdueTask{TaskNumber: ts.Task.Number, TaskTitle: ts.Task.Title, Due: ts.Rollup.Worst.Due.String(), Units: overdue})
		}
	}
	for _, c := range status.Categories {
		if n := end.TaskCounts[c]; n > 0 || c == status.Overdue || c == status.Lagging || c == status.Done {
			s.TaskCategories = append(s.TaskCategories, CategoryCount{Category: c, Label: CategoryLabel(c), Count: n})
		}
	}
	slices.SortStableFunc(b.Overdue, func(x, y OverdueTask) int {
		return cmp.Or(cmp.Compare(y.Units[0].Days, x.Units[0].Days), cmp.Compare(x.TaskNumber, y.TaskNumber))
	})
	named := map[int64]bool{}
	for _, g := range [][]UnitScore{in.Ranking.County, in.Ranking.City} {
		n := len(g)
		if n == 0 {
			continue
		}
		k := int(math.Ceil(LaggardShare * float64(n)))
		threshold := g[n-k].Rank
		for _, u := range g {
			var reason string
			switch {
			case u.Silent:
				reason = "本期有未完成任务,未报送任何进展"
			case u.Rank >= threshold && threshold > 1:
				reason = "综合得分排名后 " + strconv.Itoa(int(LaggardShare*100)) + "%(第" + strconv.Itoa(u.Rank) + "名,共" + strconv.Itoa(n) + "个单位)"
				if u.Tied {
					reason = "综合得分排名后 " + strconv.Itoa(int(LaggardShare*100)) + "%(并列第" + strconv.Itoa(u.Rank) + "名,共" + strconv.Itoa(n) + "个单位)"
				}
			default:
				continue
			}
			named[u.UnitID] = true
			b.Laggards = append(b.Laggards, Laggard{Group: u.Group, UnitName: u.UnitName, Rank: u.Rank, Score: u.Score,
				Overdue: maxOverdue[u.UnitID], Reason: reason})
		}
	}
	for _, u := range end.Overdue {
		if u.MaxDays > LaggardLongOverdue && !named[u.UnitID] {
			b.Laggards = append(b.Laggards, Laggard{UnitName: u.Name, Overdue: u.MaxDays, Reason: "有任务超期 " + strconv.Itoa(u.MaxDays) + " 天"})
		}
	}
	for _, ind := range in.Indicators {
		line := IndicatorLine{TaskNumber: in.IndicatorTask[ind.TaskID], Text: ind.Text,
			Target: ind.Comparator + " " + formatNum(ind.Value) + ind.Unit, Has: ind.HasLatest, Met: ind.Met()}
		if ind.HasLatest {
			line.Latest = formatNum(ind.Latest) + ind.Unit
			line.By = ind.LatestUnit
		}
		b.Indicators = append(b.Indicators, line)
	}
	slices.SortStableFunc(b.Indicators, func(x, y IndicatorLine) int { return cmp.Compare(x.TaskNumber, y.TaskNumber) })
	return b
}

// CategoryLabel is the Chinese name of a category in a bulletin.
func CategoryLabel(c status.Category) string {
	switch c {
	case status.Overdue:
		return "超期"
	case status.Lagging:
		return "滞后"
	case status.DueSoon:
		return "临期"
	case status.Unknown:
		return "时限待确认"
	case status.Unassigned:
		return "承办单位待明确"
	case status.Normal:
		return "正常推进"
	case status.Done:
		return "已完成"
	}
	return string(c)
}

// LightLabel is the Chinese name of a light in a bulletin.
func LightLabel(l deadline.Light) string {
	switch l {
	case deadline.LightRed:
		return "红灯(超期或严重滞后)"
	case deadline.LightYellow:
		return "黄灯(预警)"
	case deadline.LightGreen:
		return "绿灯(正常)"
	case deadline.LightDone:
		return "已完成"
	}
	return "待确认"
}

func formatNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// NumberLabel is "第N期".
func NumberLabel(n int) string { return "第" + strconv.Itoa(n) + "期" }
