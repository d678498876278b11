package deadline

import (
	"strconv"
)

// Explain says in one line of Chinese why s has its light, for a leader:
// "超期 12 天", "已 3 周未报送", "距截止 5 天", "进度落后序时 25 个百分点",
// "已按时完成", "逾期完成 3 天", "完成时限无法识别". Notes follow in parentheses:
// a pending completion claim "(已报完成,待审核)" and an extension
// "(已延期至 2023-10-31)". Staleness is said in weeks from 14 days on
// (whole weeks, rounded down) and in days below.
func (s Status) Explain() string {
	var line string
	switch s.Reason {
	case ReasonUnknownDeadline:
		line = "完成时限无法识别"
		if s.Completed {
			line += ",已完成"
		}
		return line
	case ReasonBeforeStart:
		line = "未到开始日期"
	case ReasonOverdue:
		line = "超期 " + itoa(s.DaysOverdue) + " 天"
	case ReasonCompleted:
		line = "已按时完成"
	case ReasonCompletedLate:
		line = "逾期完成 " + itoa(s.DaysLate) + " 天"
	case ReasonReporting:
		line = "持续推进,按期报送"
		if s.Reports == 0 {
			line = "持续推进,尚未报送"
		}
	case ReasonStale:
		line = "已 " + spanZH(s.DaysSinceReport) + "未报送"
		if s.Reports == 0 {
			line += "(从未报送)"
		}
	case ReasonPaceLag:
		line = "进度落后序时 " + points(s.PaceLag) + " 个百分点"
	case ReasonDueSoon:
		line = dueInZH(s.DaysToDue)
	case ReasonOnTrack:
		line = "进度正常," + dueInZH(s.DaysToDue)
	case ReasonNotStarted:
		line = "尚未报送," + dueInZH(s.DaysToDue)
	case ReasonAwaitingReview:
		line = "已报完成,待审核"
	default:
		return "状态未知"
	}
	if s.State == StateNotStarted && (s.Reason == ReasonPaceLag || s.Reason == ReasonDueSoon) {
		line = "尚未报送," + line
	}
	if s.Phase == PhaseOngoing {
		if s.DaysLate > 0 {
			line = "逾期 " + itoa(s.DaysLate) + " 天完成," + line
		} else {
			line = "已按时完成," + line
		}
	}
	if s.AwaitingReview && s.Reason != ReasonAwaitingReview {
		line += "(已报完成,待审核)"
	}
	if s.extended() {
		line += "(已延期至 " + s.Due.String() + ")"
	}
	return line
}

// ExplainEN is Explain in English: "overdue by 12 days", "no report for 3 weeks",
// "due in 5 days", "behind expected progress by 25 points", "completed on time",
// "completed 3 days late", "deadline not recognised".
func (s Status) ExplainEN() string {
	var line string
	switch s.Reason {
	case ReasonUnknownDeadline:
		line = "deadline not recognised"
		if s.Completed {
			line += ", completed"
		}
		return line
	case ReasonBeforeStart:
		line = "not yet started"
	case ReasonOverdue:
		line = "overdue by " + days(s.DaysOverdue)
	case ReasonCompleted:
		line = "completed on time"
	case ReasonCompletedLate:
		line = "completed " + days(s.DaysLate) + " late"
	case ReasonReporting:
		line = "ongoing, reporting on schedule"
		if s.Reports == 0 {
			line = "ongoing, no report yet"
		}
	case ReasonStale:
		line = "no report for " + spanEN(s.DaysSinceReport)
		if s.Reports == 0 {
			line += " (never reported)"
		}
	case ReasonPaceLag:
		line = "behind expected progress by " + points(s.PaceLag) + " points"
	case ReasonDueSoon:
		line = dueInEN(s.DaysToDue)
	case ReasonOnTrack:
		line = "on track, " + dueInEN(s.DaysToDue)
	case ReasonNotStarted:
		line = "no report yet, " + dueInEN(s.DaysToDue)
	case ReasonAwaitingReview:
		line = "completion claimed, awaiting review"
	default:
		return "status unknown"
	}
	if s.State == StateNotStarted && (s.Reason == ReasonPaceLag || s.Reason == ReasonDueSoon) {
		line = "no report yet, " + line
	}
	if s.Phase == PhaseOngoing {
		if s.DaysLate > 0 {
			line = "completed " + days(s.DaysLate) + " late; " + line
		} else {
			line = "completed on time; " + line
		}
	}
	if s.AwaitingReview && s.Reason != ReasonAwaitingReview {
		line += " (completion claimed, awaiting review)"
	}
	if s.extended() {
		line += " (extended to " + s.Due.String() + ")"
	}
	return line
}

// extended reports whether an extension moved the due date.
func (s Status) extended() bool { return !s.Due.IsZero() && s.Due != s.OriginalDue }

// Label names s in Chinese for a dashboard: "超期", "临期", "持续推进" …
func (s State) Label() string {
	switch s {
	case StateNotStarted:
		return "未启动"
	case StateOnTrack:
		return "正常推进"
	case StateDueSoon:
		return "临期"
	case StateOverdue:
		return "超期"
	case StateCompletedOnTime:
		return "按时完成"
	case StateCompletedLate:
		return "逾期完成"
	case StateOngoing:
		return "持续推进"
	case StateOngoingStale:
		return "未按期报送"
	case StateUnknown:
		return "时限待确认"
	}
	return string(s)
}

// Label names l in Chinese: "红灯", "黄灯", "绿灯", "未亮灯", "已完成".
func (l Light) Label() string {
	switch l {
	case LightRed:
		return "红灯"
	case LightYellow:
		return "黄灯"
	case LightGrey:
		return "未亮灯"
	case LightGreen:
		return "绿灯"
	case LightDone:
		return "已完成"
	}
	return string(l)
}

func itoa(n int) string { return strconv.Itoa(n) }

// points formats a pace figure held to 0.1 point: "25" or "25.3".
func points(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func spanZH(d int) string {
	if d >= 14 {
		return itoa(d/7) + " 周"
	}
	return itoa(d) + " 天"
}

func spanEN(d int) string {
	if d >= 14 {
		return itoa(d/7) + " weeks"
	}
	return days(d)
}

func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return itoa(n) + " days"
}

func dueInZH(d int) string {
	if d == 0 {
		return "今天截止"
	}
	return "距截止 " + itoa(d) + " 天"
}

func dueInEN(d int) string {
	if d == 0 {
		return "due today"
	}
	return "due in " + days(d)
}
