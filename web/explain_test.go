package web

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"duban/internal/deadline"
)

// The facts of one assignment of a plan issued on 2023-08-01, as
// internal/deadline's tests build them.
func exAt(s string) time.Time {
	t, err := time.ParseInLocation(time.DateTime, s, deadline.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func exDay(s string) deadline.Date {
	d, err := deadline.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func rep(when string, pct int) deadline.Event {
	return deadline.Event{Kind: deadline.EventReport, At: exAt(when), Percent: pct}
}
func claim(when string) deadline.Event {
	return deadline.Event{Kind: deadline.EventReport, At: exAt(when), Percent: 100, Claims: true}
}
func acc(when, report string) deadline.Event {
	return deadline.Event{Kind: deadline.EventAccept, At: exAt(when), ReportAt: exAt(report)}
}
func ext(when, due string) deadline.Event {
	return deadline.Event{Kind: deadline.EventExtension, At: exAt(when), NewDue: exDay(due)}
}

type history struct {
	base   deadline.Facts
	events []deadline.Event
}

func hist(text string, events ...deadline.Event) history {
	return history{deadline.Facts{Deadline: deadline.Parse(text, 2023), Start: exDay("2023-08-01")}, events}
}

const (
	sep30   = "2023年9月底前"
	nov08   = "2023年11月8日前"
	aug31DO = "2023年8月底前完成并长期坚持"
	ongoing = "持续推进"
)

// TestExplain renders why an assignment has its light, in both languages,
// for every reason and note: the one explanation (deadline.Status.Explain)
// and the words of the message table.
func TestExplain(t *testing.T) {
	t.Parallel()
	zh, en := context.Background(), WithLang(context.Background(), LangEN)
	lateStart := history{base: deadline.Facts{Deadline: deadline.Parse(sep30, 2023), Start: exDay("2023-09-20")}}
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
			now := exAt(tt.now)
			s := deadline.Evaluate(deadline.FoldUntil(tt.h.base, tt.h.events, now), now, deadline.DefaultPolicy())
			assert.Equal(t, tt.zh, Explain(zh, s.Explain()), "state %s reason %s", s.State, s.Reason)
			assert.Equal(t, tt.en, Explain(en, s.Explain()))
		})
	}
	assert.Equal(t, "状态未知", Explain(zh, deadline.Status{}.Explain()))
	assert.Equal(t, "status unknown", Explain(en, deadline.Status{}.Explain()))
}

// TestExplainTask renders a task's explanation and counts, and what a
// deadline means.
func TestExplainTask(t *testing.T) {
	t.Parallel()
	zh, en := context.Background(), WithLang(context.Background(), LangEN)
	done := deadline.Status{Light: deadline.LightDone, State: deadline.StateCompletedOnTime, Reason: deadline.ReasonCompleted, Completed: true, Reports: 1}
	late := deadline.Status{Light: deadline.LightDone, State: deadline.StateCompletedLate, Reason: deadline.ReasonCompletedLate, Completed: true, Reports: 1, DaysLate: 2}
	red := deadline.Status{Light: deadline.LightRed, State: deadline.StateOverdue, Reason: deadline.ReasonOverdue, DaysOverdue: 12, Reports: 1}
	tests := []struct {
		name   string
		items  []deadline.Scored
		zh, en string
	}{
		{"none", nil, "无承办单位", "no unit assigned"},
		{"all on time", []deadline.Scored{{Status: done, Scored: true}}, "已全部按时完成", "all completed on time"},
		{"some late", []deadline.Scored{{Status: done, Scored: true}, {Status: late, Scored: true}}, "已全部完成,其中有逾期", "all completed, some late"},
		{"the worst", []deadline.Scored{{Status: done, Scored: true}, {Status: red, Scored: true}}, "超期 12 天", "overdue by 12 days"},
	}
	for _, tt := range tests {
		r := deadline.Rollup(tt.items)
		assert.Equal(t, tt.zh, Explain(zh, r.Explain()), tt.name)
		assert.Equal(t, tt.en, Explain(en, r.Explain()), tt.name)
	}
	assert.Equal(t, "4/6 单位已报送", T(zh, "explain.task.reported", 4, 6))
	assert.Equal(t, "3/6 单位已完成", T(zh, "explain.task.completed", 3, 6))

	meanings := []struct{ text, zh, en string }{
		{sep30, "2023-09-30 到期", "due 2023-09-30"},
		{ongoing, "持续推进,按周期报送进展", "ongoing, reported on a cadence"},
		{aug31DO, "2023-08-31 前完成,之后持续推进", "due 2023-08-31, then ongoing"},
		{"尽快", "无法识别的完成时限,需管理员确认", "unrecognised deadline, to be confirmed by an administrator"},
	}
	for _, m := range meanings {
		d := deadline.Parse(m.text, 2023)
		assert.Equal(t, m.zh, Explain(zh, d.Describe()), m.text)
		assert.Equal(t, m.en, Explain(en, d.Describe()), m.text)
	}
}
