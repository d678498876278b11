package notify_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
	"duban/internal/notify"
	"duban/internal/status"
	"duban/internal/workplan"
)

var sh = deadline.Shanghai

func calendar(t *testing.T) notify.Calendar {
	t.Helper()
	b, err := os.ReadFile("../../seeds/holidays.json")
	require.NoError(t, err)
	c, err := notify.ParseCalendar(b)
	require.NoError(t, err)
	return c
}

func d(s string) deadline.Date {
	v, err := deadline.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestCalendarFollowsTheOfficialNotices(t *testing.T) {
	t.Parallel()
	c := calendar(t)
	tests := []struct {
		day     string
		working bool
	}{
		{"2023-01-28", true},  // Saturday, 春节调休
		{"2023-10-02", false}, // Monday, 国庆节
		{"2023-10-07", true},  // Saturday, 国庆节调休
		{"2024-02-04", true},  // Sunday, 春节调休
		{"2024-02-12", false}, // Monday, 春节
		{"2024-09-14", true},  // Saturday, 中秋节调休
		{"2025-01-28", false}, // 除夕 (from 2025)
		{"2025-04-27", true},  // Sunday, 劳动节调休
		{"2026-01-04", true},  // Sunday, 元旦调休
		{"2026-02-23", false}, // Monday, 春节
		{"2026-10-10", true},  // Saturday, 国庆节调休
		{"2026-12-07", true},  // an ordinary Monday
		{"2026-12-06", false}, // an ordinary Sunday
		{"2027-02-08", false}, // 春节 (statutory, provisional)
	}
	for _, tt := range tests {
		assert.Equal(t, tt.working, c.Working(d(tt.day)), tt.day)
	}
	assert.Equal(t, d("2023-10-07"), c.NextWorking(d("2023-09-28")), "after 9-28 the next working day is the make-up Saturday")
	assert.Equal(t, 3, c.WorkingBetween(d("2024-02-08"), d("2024-02-19")), "2-9, 2-18 (make-up) and 2-19")
	admin := c.With(map[deadline.Date]notify.Day{d("2026-12-07"): {Working: false, Note: "停电"}})
	assert.False(t, admin.Working(d("2026-12-07")), "an administrator's decision overrides")
	assert.True(t, c.Working(d("2026-12-07")), "With does not change the original")
	for _, y := range c.Years {
		assert.Equal(t, y.Year == 2027, y.Provisional, "only 2027 is provisional")
	}
}

// picture is one assignment with facts, evaluated at at.
func picture(dl deadline.Deadline, f deadline.Facts, at time.Time) *status.Picture {
	f.Deadline = dl
	f.Start = d("2024-01-01")
	pa := workplan.PlanAt{Plan: workplan.Plan{ID: 1, Slug: "p", IssuedOn: d("2024-01-01")}, At: at, Version: 1,
		Tasks: []workplan.Task{{ID: 10, Number: 1, Title: "任务", Deadline: dl}},
		Assignments: []workplan.AssignmentFacts{
			{Assignment: workplan.Assignment{ID: 100, TaskID: 10, UnitID: 7, UnitName: "市大数据中心", Role: workplan.RoleLead}, Facts: f},
			{Assignment: workplan.Assignment{ID: 101, TaskID: 10, UnitID: 8, UnitName: "配合单位", Role: workplan.RoleCooperating}, Facts: f},
		}}
	return status.Evaluate(pa, deadline.DefaultPolicy())
}

func TestAssess(t *testing.T) {
	t.Parallel()
	c := calendar(t)
	due := func(s string) deadline.Deadline { return deadline.Deadline{Kind: deadline.KindDue, Due: d(s), Text: s} }
	reported := deadline.Facts{Reports: 1, LastReportAt: time.Date(2024, 3, 1, 9, 0, 0, 0, sh), Percent: 90}
	tests := []struct {
		name   string
		dl     deadline.Deadline
		facts  deadline.Facts
		at     string
		extra  map[int64]notify.Extra
		rules  []notify.Rule
		keys   []string
		levels []int
	}{
		{name: "a week before", dl: due("2024-03-12"), facts: reported, at: "2024-03-05", rules: []notify.Rule{notify.RuleDueSoon}, keys: []string{"2024-03-12:7"}},
		{name: "more than a week before", dl: due("2024-03-13"), facts: reported, at: "2024-03-05"},
		{name: "a Monday deadline is announced on the Friday", dl: due("2024-03-11"), facts: reported, at: "2024-03-08",
			rules: []notify.Rule{notify.RuleDueSoon}, keys: []string{"2024-03-11:1", "2024-03-11:7"}},
		{name: "nothing on a day off", dl: due("2024-03-11"), facts: reported, at: "2024-03-09"},
		{name: "first working day after the due day", dl: due("2024-03-08"), facts: reported, at: "2024-03-11",
			rules: []notify.Rule{notify.RuleOverdue}, keys: []string{"2024-03-08:0"}},
		{name: "second week overdue, level 1", dl: due("2024-03-08"), facts: reported, at: "2024-03-18",
			rules: []notify.Rule{notify.RuleOverdue, notify.RuleEscalate}, keys: []string{"2024-03-08:1", "2024-03-08:1"}, levels: []int{0, 1}},
		{name: "a month overdue, level 3", dl: due("2024-02-01"), facts: reported, at: "2024-03-05",
			rules: []notify.Rule{notify.RuleOverdue, notify.RuleEscalate}, keys: []string{"2024-02-01:4", "2024-02-01:3"}, levels: []int{0, 3}},
		{name: "a completion awaiting review is not urged", dl: due("2024-03-08"), at: "2024-03-11",
			facts: deadline.Facts{Reports: 1, LastReportAt: time.Date(2024, 3, 1, 9, 0, 0, 0, sh), Percent: 100, Claimed: true, ClaimedAt: time.Date(2024, 3, 1, 9, 0, 0, 0, sh)}},
		{name: "ongoing not reported within its cadence", dl: deadline.Deadline{Kind: deadline.KindOngoing, Text: "持续推进"}, at: "2024-03-12",
			facts: reported, rules: []notify.Rule{notify.RuleStale}, keys: []string{"2024-03-01:0"}},
		{name: "a return not refiled in 3 working days", dl: due("2024-06-30"), facts: reported, at: "2024-03-11",
			extra: map[int64]notify.Extra{100: {ReturnID: 5, ReturnedAt: time.Date(2024, 3, 6, 10, 0, 0, 0, sh), ReturnReason: "缺材料"}},
			rules: []notify.Rule{notify.RuleRefile}, keys: []string{"5"}},
		{name: "a return 2 working days ago waits", dl: due("2024-06-30"), facts: reported, at: "2024-03-11",
			extra: map[int64]notify.Extra{100: {ReturnID: 5, ReturnedAt: time.Date(2024, 3, 7, 10, 0, 0, 0, sh)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := d(tt.at).Time(sh).Add(8*time.Hour + 30*time.Minute)
			items := notify.Assess(picture(tt.dl, tt.facts, at), tt.extra, d(tt.at), c, notify.DefaultPolicy())
			require.Len(t, items, len(tt.rules), "%+v", items)
			for i, it := range items {
				assert.Equal(t, tt.rules[i], it.Rule)
				assert.Equal(t, int64(100), it.AssignmentID, "cooperating units are not urged")
				assert.Equal(t, tt.keys[i], it.Keys[0].Period)
				if tt.levels != nil {
					assert.Equal(t, tt.levels[i], it.Level)
				}
			}
		})
	}
}

func TestWeeklyDueAndPolicy(t *testing.T) {
	t.Parallel()
	c := calendar(t)
	ok, week := notify.WeeklyDue(d("2024-02-19"), c)
	assert.True(t, ok)
	assert.Equal(t, "2024-W08", week)
	ok, _ = notify.WeeklyDue(d("2024-02-18"), c)
	assert.True(t, ok, "a make-up Sunday is the week's first working day (ISO week 7)")
	ok, _ = notify.WeeklyDue(d("2024-02-12"), c)
	assert.False(t, ok, "春节: no working day yet that week")
	assert.NoError(t, notify.DefaultPolicy().Validate())
	p := notify.DefaultPolicy()
	p.Escalation = [3]int{10, 5, 30}
	assert.Error(t, p.Validate(), "levels must climb")
	assert.Equal(t, "督办〔2026〕7号", notify.OrderNumber(2026, 7))
	assert.False(t, notify.Escalation.Mutable())
	assert.True(t, notify.Reminder.Mutable())
}
