package web

import (
	"context"

	"duban/internal/deadline"
)

func init() { register(explainMessages) }

// Explain renders why a status has its light (deadline.Status.Explain,
// TaskStatus.Explain) or what a deadline means (Deadline.Describe) in the
// context's language.
func Explain(ctx context.Context, e deadline.Explanation) string {
	return T(ctx, e.Key, e.Args...)
}

// explainMessages are the words of deadline.Explanation: one line saying why
// an assignment or a task has its light, and what a deadline means. Phrases
// nest: "explain.overdue" takes a span of days ("explain.days"), a note
// takes the line it follows.
var explainMessages = map[string][2]string{
	"explain.day":                        {"1 天", "1 day"},
	"explain.days":                       {"%d 天", "%d days"},
	"explain.weeks":                      {"%d 周", "%d weeks"},
	"explain.due_today":                  {"今天截止", "due today"},
	"explain.due_in":                     {"距截止 %s", "due in %s"},
	"explain.unknown_deadline":           {"完成时限无法识别", "deadline not recognised"},
	"explain.unknown_deadline.completed": {"完成时限无法识别,已完成", "deadline not recognised, completed"},
	"explain.before_start":               {"未到开始日期", "not yet started"},
	"explain.overdue":                    {"超期 %s", "overdue by %s"},
	"explain.completed":                  {"已按时完成", "completed on time"},
	"explain.completed_late":             {"逾期完成 %s", "completed %s late"},
	"explain.reporting":                  {"持续推进,按期报送", "ongoing, reporting on schedule"},
	"explain.reporting.none":             {"持续推进,尚未报送", "ongoing, no report yet"},
	"explain.stale":                      {"已 %s未报送", "no report for %s"},
	"explain.stale.never":                {"已 %s未报送(从未报送)", "no report for %s (never reported)"},
	"explain.pace_lag":                   {"进度落后序时 %s 个百分点", "behind expected progress by %s points"},
	"explain.on_track":                   {"进度正常,%s", "on track, %s"},
	"explain.not_started":                {"尚未报送,%s", "no report yet, %s"},
	"explain.awaiting_review":            {"已报完成,待审核", "completion claimed, awaiting review"},
	"explain.unknown":                    {"状态未知", "status unknown"},
	"explain.then.late":                  {"逾期 %s完成,%s", "completed %s late; %s"},
	"explain.then.on_time":               {"已按时完成,%s", "completed on time; %s"},
	"explain.note.awaiting_review":       {"%s(已报完成,待审核)", "%s (completion claimed, awaiting review)"},
	"explain.note.extended":              {"%s(已延期至 %s)", "%s (extended to %s)"},

	"explain.task.none":        {"无承办单位", "no unit assigned"},
	"explain.task.all_on_time": {"已全部按时完成", "all completed on time"},
	"explain.task.all_late":    {"已全部完成,其中有逾期", "all completed, some late"},
	"explain.task.reported":    {"%d/%d 单位已报送", "%d/%d units reported"},
	"explain.task.completed":   {"%d/%d 单位已完成", "%d/%d completed"},

	"explain.deadline.due":              {"%s 到期", "due %s"},
	"explain.deadline.ongoing":          {"持续推进,按周期报送进展", "ongoing, reported on a cadence"},
	"explain.deadline.due_then_ongoing": {"%s 前完成,之后持续推进", "due %s, then ongoing"},
	"explain.deadline.unknown":          {"无法识别的完成时限,需管理员确认", "unrecognised deadline, to be confirmed by an administrator"},
}
