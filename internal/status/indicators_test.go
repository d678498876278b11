package status

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// indicatorWorld is one task with a lead unit (1) and three responsible
// units (2, 3, 4), and assignment IDs by unit.
func indicatorWorld(t *testing.T, at time.Time) (*Picture, map[int64]int64) {
	t.Helper()
	b := newBuilder(at)
	task := b.task(11, due(2023, 12, 31))
	asg := map[int64]int64{}
	for unit, role := range map[int64]workplan.Role{1: workplan.RoleLead, 2: workplan.RoleResponsible, 3: workplan.RoleResponsible, 4: workplan.RoleResponsible} {
		b.unit(task, unit, role, deadline.Facts{})
		asg[unit] = b.p.Assignments[len(b.p.Assignments)-1].ID
	}
	require.Equal(t, int64(1), task)
	return Evaluate(b.p, deadline.DefaultPolicy()), asg
}

func reading(ind, asg int64, at time.Time, v float64) workplan.IndicatorReading {
	return workplan.IndicatorReading{IndicatorID: ind, AssignmentID: asg, ReportID: at.Unix(), At: at, Value: v}
}

// TestEvaluateIndicators: the rules decide how unit values make the task's
// value and status; units not counted are shown, not counted; values of
// units and tasks not in force are ignored.
func TestEvaluateIndicators(t *testing.T) {
	t.Parallel()
	at := day(2023, 10, 1)
	pic, asg := indicatorWorld(t, at)
	city := workplan.Indicator{ID: 1, TaskID: 1, Position: 1, Text: "市级大厅进驻事项1200项以上", Comparator: ">=", Value: 1200, Unit: "项"}
	county := workplan.Indicator{ID: 2, TaskID: 1, Position: 2, Text: "县级大厅进驻事项1400项以上", Comparator: ">=", Value: 1400, Unit: "项"}
	hours := workplan.Indicator{ID: 3, TaskID: 1, Position: 3, Text: "全流程压缩至3小时内办结", Comparator: "<=", Value: 3, Unit: "小时"}
	total := workplan.Indicator{ID: 4, TaskID: 1, Position: 4, Text: "向省级归集数据达到50亿条以上", Comparator: ">=", Value: 50, Unit: "亿条", Combine: workplan.CombineSum}
	gone := workplan.Indicator{ID: 5, TaskID: 99, Position: 1, Text: "已归档任务的指标", Comparator: ">=", Value: 1, Unit: "项"}
	rs := []workplan.IndicatorReading{
		reading(1, asg[2], day(2023, 9, 1), 1300), // a responsible unit: shown, not counted under the lead rule
		reading(1, asg[1], day(2023, 9, 2), 1100),
		reading(1, asg[1], day(2023, 9, 20), 1250),
		reading(2, asg[2], day(2023, 9, 5), 1450),
		reading(2, asg[3], day(2023, 9, 6), 1500),
		reading(2, asg[1], day(2023, 9, 7), 10), // the lead's value does not count for each county
		reading(3, asg[1], day(2023, 9, 8), 4),
		reading(3, asg[1], day(2023, 9, 8).Add(time.Hour), 2.5), // same day: one trend point
		reading(4, asg[1], day(2023, 9, 9), 20),
		reading(4, asg[3], day(2023, 9, 10), 25),
		reading(4, 999, day(2023, 9, 11), 100), // an assignment not in force
		reading(5, asg[1], day(2023, 9, 12), 1),
	}
	b := EvaluateIndicators(pic, []workplan.Indicator{city, county, hours, total, gone}, rs)
	require.Len(t, b.List, 4, "the indicator of a task not in force is left out")

	c := b.ByID(1)
	assert.Equal(t, workplan.CombineLead, c.Rule)
	assert.False(t, c.RuleSet)
	assert.Equal(t, IndicatorMet, c.Status)
	assert.Equal(t, 1250.0, c.Value)
	assert.Equal(t, day(2023, 9, 20), c.At)
	assert.Equal(t, day(2023, 9, 20), c.LastAt)
	assert.Equal(t, []TrendPoint{{day(2023, 9, 2), 1100}, {day(2023, 9, 20), 1250}}, c.Trend)
	assert.Equal(t, 1, c.Counted)
	assert.Equal(t, 1, c.Reported)
	u2, ok := c.Unit(2)
	require.True(t, ok, "a unit that reported is listed though not counted")
	assert.False(t, u2.Counted)
	assert.True(t, u2.Met)
	_, ok = c.Unit(3)
	assert.False(t, ok, "a unit neither counted nor reporting is not listed")

	k := b.ByID(2)
	assert.Equal(t, workplan.CombineEach, k.Rule, "县级 in the wording: each county")
	assert.Equal(t, IndicatorNoData, k.Status, "two of three counties met the target, the third has not reported")
	assert.Equal(t, 1450.0, k.Value, "the worst county so far")
	assert.Equal(t, 3, k.Counted)
	assert.Equal(t, 2, k.Reported)
	u4, ok := k.Unit(4)
	require.True(t, ok, "a counted unit without a value is listed")
	assert.False(t, u4.Has)

	h := b.ByID(3)
	assert.Equal(t, IndicatorMet, h.Status)
	assert.Equal(t, 2.5, h.Value)
	assert.Len(t, h.Trend, 1, "one point per day")

	s := b.ByID(4)
	assert.Equal(t, workplan.CombineSum, s.Rule)
	assert.True(t, s.RuleSet)
	assert.Equal(t, 45.0, s.Value, "the sum of the units in force")
	assert.Equal(t, IndicatorNotMet, s.Status)

	assert.Equal(t, map[IndicatorStatus]int{IndicatorMet: 2, IndicatorNotMet: 1, IndicatorNoData: 1}, b.Counts)
	assert.Len(t, b.OfTask(1), 4)

	// The fourth county reports below target: not met.
	rs = append(rs, reading(2, asg[4], day(2023, 9, 30), 1399))
	k = EvaluateIndicators(pic, []workplan.Indicator{county}, rs).ByID(2)
	assert.Equal(t, IndicatorNotMet, k.Status)
	assert.Equal(t, 1399.0, k.Value)
	// … and then meets it: met.
	rs = append(rs, reading(2, asg[4], day(2023, 9, 30).Add(time.Hour), 1401))
	k = EvaluateIndicators(pic, []workplan.Indicator{county}, rs).ByID(2)
	assert.Equal(t, IndicatorMet, k.Status)
	assert.Equal(t, 1401.0, k.Value)

	// An administrator says the county figure is the lead unit's: not met.
	county.Combine = workplan.CombineLead
	k = EvaluateIndicators(pic, []workplan.Indicator{county}, rs).ByID(2)
	assert.Equal(t, IndicatorNotMet, k.Status)
	assert.Equal(t, 10.0, k.Value)
}

// TestEvaluateIndicatorsNotIssued: before the plan's issue date there is
// nothing to judge.
func TestEvaluateIndicatorsNotIssued(t *testing.T) {
	t.Parallel()
	pic, _ := indicatorWorld(t, day(2023, 7, 1))
	b := EvaluateIndicators(pic, []workplan.Indicator{{ID: 1, TaskID: 1, Text: "x", Comparator: ">=", Value: 1}}, nil)
	assert.Empty(t, b.List)
	assert.Empty(t, b.Counts)
}

// TestDefaultCombine: a level made of many units is judged unit by unit.
func TestDefaultCombine(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]workplan.Combine{
		"县级大厅进驻事项1400项以上":         workplan.CombineEach,
		"乡镇(街道)便民服务中心进驻事项达到50项以上": workplan.CombineEach,
		"村(社区)便民服务站进驻事项达到20项以上":   workplan.CombineEach,
		"政务服务事项网上可办率达99%以上":       workplan.CombineLead,
		"市级大厅进驻事项1200项以上":         workplan.CombineLead,
	} {
		assert.Equal(t, want, workplan.DefaultCombine(text), text)
	}
}
