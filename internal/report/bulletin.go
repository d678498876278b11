package report

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"duban/internal/deadline"
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
	Preview    bool
	Summary    Summary
	Ranking    Ranking
	Overdue    []OverdueTask
	Laggards   []Laggard
	Indicators []IndicatorLine
}

// Summary are the headline figures at the end of the period.
type Summary struct {
	Tasks, CompleteTasks int
	// Assignments counts the scored assignments; the rest are per state.
	Assignments, Completed, Overdue, DueSoon, Stale int
	// TaskLights counts tasks per light, in the order red, yellow, green, done, grey.
	TaskLights []LightCount
	// CompletedInPeriod counts completions accepted within the period.
	CompletedInPeriod int
	// Reports is the number of reports filed in the period: shown as
	// information, never scored.
	Reports int
}

// LightCount is a number of tasks with one light.
type LightCount struct {
	Light deadline.Light
	Label string
	Count int
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

// TaskRef is what the bulletin needs to know of a task.
type TaskRef struct {
	Number int
	Title  string
}

// BulletinInput is everything NewBulletin needs.
type BulletinInput struct {
	Title, PlanTitle string
	Number           int
	Period           Period
	PublishedAt      time.Time
	Publisher        string
	Preview          bool
	Tasks            []TaskRef
	// Items are the statuses at the end of the period; Start the statuses at
	// its beginning (the end of the day before).
	Items, Start []Item
	Ranking      Ranking
	Reports      int
	Indicators   []workplan.TaskIndicator
	// IndicatorTask maps an indicator's task ID to the task number.
	IndicatorTask map[int64]int
}

// laggardsPerGroup is how many of the lowest-ranked units of a group the
// bulletin names.
const laggardsPerGroup = 3

// NewBulletin assembles a bulletin. Laggards are, in each ranked group, the
// units ranked in the last three places whose score is below the group's
// best (nobody is named when a whole group is level), plus any unit with an
// assignment overdue by more than 30 days.
func NewBulletin(in BulletinInput) Bulletin {
	b := Bulletin{Title: in.Title, Number: in.Number, PlanTitle: in.PlanTitle, Period: in.Period, PublishedAt: in.PublishedAt,
		Publisher: in.Publisher, Preview: in.Preview, Ranking: in.Ranking}
	s := &b.Summary
	s.Tasks = len(in.Tasks)
	s.Reports = in.Reports
	startDone := map[int64]bool{}
	for _, it := range in.Start {
		startDone[it.ID] = it.Status.Completed
	}
	type taskAgg struct {
		statuses []deadline.Scored
		overdue  []UnitDays
	}
	byTask := map[int]*taskAgg{}
	maxOverdue := map[string]int{}
	for _, it := range in.Items {
		ta := byTask[it.TaskNumber]
		if ta == nil {
			ta = &taskAgg{}
			byTask[it.TaskNumber] = ta
		}
		ta.statuses = append(ta.statuses, deadline.Scored{Status: it.Status, Scored: it.Role.Scored()})
		if !it.Role.Scored() {
			continue
		}
		st := it.Status
		s.Assignments++
		switch {
		case st.Completed:
			s.Completed++
			if !startDone[it.ID] {
				s.CompletedInPeriod++
			}
		case st.State == deadline.StateOverdue:
			s.Overdue++
			ta.overdue = append(ta.overdue, UnitDays{UnitName: it.UnitName, Days: st.DaysOverdue})
			maxOverdue[it.UnitName] = max(maxOverdue[it.UnitName], st.DaysOverdue)
		case st.State == deadline.StateDueSoon:
			s.DueSoon++
		}
		if st.State == deadline.StateOngoingStale {
			s.Stale++
		}
	}
	lights := map[deadline.Light]int{}
	for _, t := range in.Tasks {
		ta := byTask[t.Number]
		if ta == nil {
			lights[deadline.LightGrey]++
			continue
		}
		ru := deadline.Rollup(ta.statuses)
		lights[ru.Light]++
		if ru.Complete {
			s.CompleteTasks++
		}
		if len(ta.overdue) > 0 {
			slices.SortStableFunc(ta.overdue, func(a, b UnitDays) int {
				return cmp.Or(cmp.Compare(b.Days, a.Days), cmp.Compare(a.UnitName, b.UnitName))
			})
			b.Overdue = append(b.Overdue, OverdueTask{TaskNumber: t.Number, TaskTitle: t.Title, Due: ru.Worst.Due.String(), Units: ta.overdue})
		}
	}
	for _, l := range []deadline.Light{deadline.LightRed, deadline.LightYellow, deadline.LightGreen, deadline.LightDone, deadline.LightGrey} {
		if l == deadline.LightGrey && lights[l] == 0 {
			continue
		}
		s.TaskLights = append(s.TaskLights, LightCount{Light: l, Label: LightLabel(l), Count: lights[l]})
	}
	slices.SortStableFunc(b.Overdue, func(x, y OverdueTask) int {
		return cmp.Or(cmp.Compare(y.Units[0].Days, x.Units[0].Days), cmp.Compare(x.TaskNumber, y.TaskNumber))
	})
	named := map[string]bool{}
	for _, g := range [][]UnitScore{in.Ranking.County, in.Ranking.City} {
		if len(g) == 0 {
			continue
		}
		best := g[0].Score
		from := max(0, len(g)-laggardsPerGroup)
		for _, u := range g[from:] {
			if u.Score >= best {
				continue
			}
			named[u.UnitName] = true
			b.Laggards = append(b.Laggards, Laggard{Group: u.Group, UnitName: u.UnitName, Rank: u.Rank, Score: u.Score,
				Overdue: maxOverdue[u.UnitName], Reason: "综合得分排名靠后(第" + strconv.Itoa(u.Rank) + "名,共" + strconv.Itoa(len(g)) + "个单位)"})
		}
	}
	var long []string
	for name, days := range maxOverdue {
		if days > 30 && !named[name] {
			long = append(long, name)
		}
	}
	slices.SortFunc(long, func(a, b string) int { return cmp.Or(cmp.Compare(maxOverdue[b], maxOverdue[a]), cmp.Compare(a, b)) })
	for _, name := range long {
		b.Laggards = append(b.Laggards, Laggard{UnitName: name, Overdue: maxOverdue[name], Reason: "有任务超期 " + strconv.Itoa(maxOverdue[name]) + " 天"})
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
