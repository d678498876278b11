package deadline

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExplain(t *testing.T) {
	t.Parallel()
	lateStart := history{base: Facts{Deadline: Parse(sep30, 2023), Start: day("2023-09-20")}}
	tests := []struct {
		name string
		h    history
		now  string
		zh   string
		en   string
	}{
		{"overdue 12 days", hist(sep30, rep("2023-09-28 10:00:00", 95)), "2023-10-12 00:00:00",
			"超期 12 天", "overdue by 12 days"},
		{"overdue 1 day", hist(sep30, rep("2023-09-28 10:00:00", 95)), "2023-10-01 00:00:00",
			"超期 1 天", "overdue by 1 day"},
		{"stale 3 weeks", hist(ongoing, rep("2023-09-04 10:00:00", 10)), "2023-09-25 00:00:00",
			"已 3 周未报送", "no report for 3 weeks"},
		{"stale 20 days says whole weeks", hist(ongoing, rep("2023-09-04 10:00:00", 10)), "2023-09-24 00:00:00",
			"已 2 周未报送", "no report for 2 weeks"},
		{"stale 8 days", hist(ongoing, rep("2023-09-04 10:00:00", 10)), "2023-09-12 00:00:00",
			"已 8 天未报送", "no report for 8 days"},
		{"never reported, stale", hist(ongoing), "2023-08-22 00:00:00",
			"已 3 周未报送(从未报送)", "no report for 3 weeks (never reported)"},
		{"due soon", hist(sep30, rep("2023-09-24 10:00:00", 95)), "2023-09-25 00:00:00",
			"距截止 5 天", "due in 5 days"},
		{"due today", hist(sep30, rep("2023-09-29 10:00:00", 95)), "2023-09-30 08:00:00",
			"今天截止", "due today"},
		{"pace lag", hist(nov08, rep("2023-08-30 10:00:00", 5)), "2023-08-31 00:00:00",
			"进度落后序时 25 个百分点", "behind expected progress by 25 points"},
		{"pace lag with a decimal", hist(nov08, rep("2023-08-30 10:00:00", 0)), "2023-08-31 02:24:00",
			"进度落后序时 30.1 个百分点", "behind expected progress by 30.1 points"},
		{"completed on time", hist(sep30, claim("2023-09-20 10:00:00"), acc("2023-09-21 10:00:00", "2023-09-20 10:00:00")), "2023-10-05 00:00:00",
			"已按时完成", "completed on time"},
		{"completed late", hist(sep30, claim("2023-10-03 10:00:00"), acc("2023-10-04 10:00:00", "2023-10-03 10:00:00")), "2023-10-05 00:00:00",
			"逾期完成 3 天", "completed 3 days late"},
		{"completed late 1 day", hist(sep30, claim("2023-10-01 00:00:00"), acc("2023-10-04 10:00:00", "2023-10-01 00:00:00")), "2023-10-05 00:00:00",
			"逾期完成 1 天", "completed 1 day late"},
		{"ongoing, reporting", hist(ongoing, rep("2023-09-04 10:00:00", 10)), "2023-09-05 00:00:00",
			"持续推进,按期报送", "ongoing, reporting on schedule"},
		{"ongoing, first week without report", hist(ongoing), "2023-08-03 00:00:00",
			"持续推进,尚未报送", "ongoing, no report yet"},
		{"on track", hist(sep30, rep("2023-08-20 10:00:00", 50)), "2023-08-21 00:00:00",
			"进度正常,距截止 40 天", "on track, due in 40 days"},
		{"not started, green", hist(sep30), "2023-08-01 12:00:00",
			"尚未报送,距截止 60 天", "no report yet, due in 60 days"},
		{"not started, behind pace", hist(sep30), "2023-08-08 23:59:59",
			"尚未报送,进度落后序时 13.1 个百分点", "no report yet, behind expected progress by 13.1 points"},
		{"not started, due soon", lateStart, "2023-09-20 00:30:00",
			"尚未报送,距截止 10 天", "no report yet, due in 10 days"},
		{"awaiting review", hist(sep30, claim("2023-08-20 10:00:00")), "2023-08-21 00:00:00",
			"已报完成,待审核", "completion claimed, awaiting review"},
		{"overdue, awaiting review", hist(sep30, claim("2023-09-30 23:59:59")), "2023-10-01 00:00:00",
			"超期 1 天(已报完成,待审核)", "overdue by 1 day (completion claimed, awaiting review)"},
		{"overdue after extension", hist(sep30, ext("2023-09-25 10:00:00", "2023-10-31"), rep("2023-09-28 10:00:00", 95)), "2023-11-01 00:00:00",
			"超期 1 天(已延期至 2023-10-31)", "overdue by 1 day (extended to 2023-10-31)"},
		{"unknown deadline", hist("尽快"), "2023-09-01 00:00:00",
			"完成时限无法识别", "deadline not recognised"},
		{"unknown deadline, completed", hist("尽快", claim("2023-08-20 10:00:00"), acc("2023-08-21 10:00:00", "2023-08-20 10:00:00")), "2023-09-01 00:00:00",
			"完成时限无法识别,已完成", "deadline not recognised, completed"},
		{"before start", hist(sep30), "2023-07-31 23:59:59",
			"未到开始日期", "not yet started"},
		{"due then ongoing, completed on time, reporting", hist(aug31DO, claim("2023-08-30 10:00:00"), acc("2023-09-05 10:00:00", "2023-08-30 10:00:00")), "2023-09-05 10:00:00",
			"已按时完成,持续推进,按期报送", "completed on time; ongoing, reporting on schedule"},
		{"due then ongoing, completed late, stale", hist(aug31DO, claim("2023-09-03 10:00:00"), acc("2023-09-04 10:00:00", "2023-09-03 10:00:00")), "2023-09-20 00:00:00",
			"逾期 3 天完成,已 2 周未报送", "completed 3 days late; no report for 2 weeks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := at(tt.now)
			s := Evaluate(tt.h.asOf(now), now, DefaultPolicy())
			assert.Equal(t, tt.zh, s.Explain(), "state %s reason %s", s.State, s.Reason)
			assert.Equal(t, tt.en, s.ExplainEN())
		})
	}
}

func TestExplainZeroStatus(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "状态未知", Status{}.Explain())
	assert.Equal(t, "status unknown", Status{}.ExplainEN())
}

func TestLabels(t *testing.T) {
	t.Parallel()
	states := map[State]string{
		StateNotStarted: "未启动", StateOnTrack: "正常推进", StateDueSoon: "临期", StateOverdue: "超期",
		StateCompletedOnTime: "按时完成", StateCompletedLate: "逾期完成", StateOngoing: "持续推进",
		StateOngoingStale: "未按期报送", StateUnknown: "时限待确认", State("odd"): "odd",
	}
	for s, want := range states {
		t.Run(string(s), func(t *testing.T) {
			assert.Equal(t, want, s.Label())
			assert.Equal(t, s != "odd", s.Valid())
		})
	}
	lights := map[Light]string{
		LightRed: "红灯", LightYellow: "黄灯", LightGrey: "未亮灯", LightGreen: "绿灯", LightDone: "已完成", Light("odd"): "odd",
	}
	for l, want := range lights {
		t.Run(string(l), func(t *testing.T) {
			assert.Equal(t, want, l.Label())
			assert.Equal(t, l != "odd", l.Valid())
		})
	}
}
