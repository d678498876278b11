package deadline

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedTexts are the 完成时限 of the 27 tasks of the seed plan (平凉市深化数字政府
// 建设提升政务服务能力工作方案, issued 2023-08-01), by task number.
var seedTexts = func() map[int]string {
	m := map[int]string{}
	set := func(text string, tasks ...int) {
		for _, n := range tasks {
			m[n] = text
		}
	}
	set("持续推进", 1, 2, 3, 4, 5, 7, 8, 20)
	set("2023年底前完成并持续推进", 6)
	set("2023年10月底前完成并持续推进", 9)
	set("2023年底前", 10)
	set("2023年9月底前", 11, 12, 13, 16, 18, 19, 23, 24)
	set("2023年8月底前", 14, 17, 22)
	set("2023年12月底前", 15, 25, 26, 27)
	set("2023年8月底前完成并长期坚持", 21)
	return m
}()

func TestSeedPlanWithoutReports(t *testing.T) {
	t.Parallel()
	require.Len(t, seedTexts, 27)
	var withDue, ongoingTasks []int
	for n := 1; n <= 27; n++ {
		d := Parse(seedTexts[n], 2023)
		require.NotEqual(t, KindUnknown, d.Kind, "task %d: %q", n, seedTexts[n])
		if d.Kind.HasDue() {
			withDue = append(withDue, n)
		} else {
			ongoingTasks = append(ongoingTasks, n)
		}
	}
	require.Len(t, withDue, 19)
	require.Equal(t, []int{1, 2, 3, 4, 5, 7, 8, 20}, ongoingTasks)

	tests := []struct {
		now     string
		overdue []int
		stale   []int // ongoing_stale
	}{
		{"2023-08-01 00:00:00", nil, nil},
		{"2023-08-08 23:59:59", nil, nil},
		{"2023-08-09 00:00:00", nil, ongoingTasks},
		{"2023-08-31 23:59:59", nil, ongoingTasks},
		{"2023-09-01 00:00:00", []int{14, 17, 21, 22}, ongoingTasks},
		{"2023-09-30 23:59:59", []int{14, 17, 21, 22}, ongoingTasks},
		{"2023-10-01 00:00:00", []int{11, 12, 13, 14, 16, 17, 18, 19, 21, 22, 23, 24}, ongoingTasks},
		{"2023-11-01 00:00:00", []int{9, 11, 12, 13, 14, 16, 17, 18, 19, 21, 22, 23, 24}, ongoingTasks},
		{"2023-12-31 23:59:59", []int{9, 11, 12, 13, 14, 16, 17, 18, 19, 21, 22, 23, 24}, ongoingTasks},
		{"2024-01-01 00:00:00", withDue, ongoingTasks},
	}
	for _, tt := range tests {
		t.Run(tt.now, func(t *testing.T) {
			t.Parallel()
			now := at(tt.now)
			var overdue, stale []int
			for n := 1; n <= 27; n++ {
				s := Evaluate(Facts{Deadline: Parse(seedTexts[n], 2023), Start: planStart}, now, DefaultPolicy())
				switch s.State {
				case StateOverdue:
					overdue = append(overdue, n)
					assert.Equal(t, LightRed, s.Light, "task %d", n)
				case StateOngoingStale:
					stale = append(stale, n)
				}
			}
			assert.Equal(t, tt.overdue, overdue, "overdue tasks")
			assert.Equal(t, tt.stale, stale, "stale ongoing tasks")
		})
	}
}

func TestSeedPlanCounts(t *testing.T) {
	t.Parallel()
	count := func(now string) (overdue int) {
		for n := 1; n <= 27; n++ {
			if Evaluate(Facts{Deadline: Parse(seedTexts[n], 2023), Start: planStart}, at(now), DefaultPolicy()).State == StateOverdue {
				overdue++
			}
		}
		return overdue
	}
	assert.Equal(t, 0, count("2023-08-31 23:59:59"))
	assert.Equal(t, 4, count("2023-09-01 00:00:00"))
	assert.Equal(t, 12, count("2023-10-01 00:00:00"))
	assert.Equal(t, 19, count("2024-01-01 00:00:00"))
	// Task 21 is due-then-ongoing: overdue in its due phase.
	s := Evaluate(Facts{Deadline: Parse(seedTexts[21], 2023), Start: planStart}, at("2023-09-01 00:00:00"), DefaultPolicy())
	assert.Equal(t, PhaseDue, s.Phase)
	assert.Equal(t, "explain.overdue(explain.day)", s.Explain().String())
}
