package deadline

import (
	"fmt"
	"strconv"
	"strings"
)

// Explanation says why a status has its light (or what a deadline means),
// as a message of the message table, which the web package renders in
// Chinese or English: Key with Args. An argument is a number, a date or a
// figure as a string, or an Explanation itself (a span of days, or the line
// a note is added to), rendered in the same language. Explain composes
// them; the words are all in the table.
type Explanation struct {
	Key  string
	Args []any
}

// String returns the key with its arguments, nested explanations included:
// "explain.overdue(explain.days(12))". It is for tests and logs; people read
// the rendered message.
func (e Explanation) String() string {
	if len(e.Args) == 0 {
		return e.Key
	}
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		parts[i] = fmt.Sprint(a)
	}
	return e.Key + "(" + strings.Join(parts, ", ") + ")"
}

// phrase returns the Explanation of message key with args.
func phrase(key string, args ...any) Explanation { return Explanation{Key: key, Args: args} }

// Explain says in one line why s has its light, for a leader: "超期 12 天"
// (overdue by 12 days), "已 3 周未报送" (no report for 3 weeks), "距截止 5 天",
// "进度落后序时 25 个百分点", "已按时完成", "逾期完成 3 天", "完成时限无法识别".
// Notes follow in parentheses: a pending completion claim "(已报完成,待审核)"
// and an extension "(已延期至 2023-10-31)". Staleness is said in weeks from
// 14 days on (whole weeks, rounded down) and in days below.
func (s Status) Explain() Explanation {
	var line Explanation
	switch s.Reason {
	case ReasonUnknownDeadline:
		if s.Completed {
			return phrase("explain.unknown_deadline.completed")
		}
		return phrase("explain.unknown_deadline")
	case ReasonBeforeStart:
		line = phrase("explain.before_start")
	case ReasonOverdue:
		line = phrase("explain.overdue", days(s.DaysOverdue))
	case ReasonCompleted:
		line = phrase("explain.completed")
	case ReasonCompletedLate:
		line = phrase("explain.completed_late", days(s.DaysLate))
	case ReasonReporting:
		line = phrase("explain.reporting")
		if s.Reports == 0 {
			line = phrase("explain.reporting.none")
		}
	case ReasonStale:
		line = phrase("explain.stale", span(s.DaysSinceReport))
		if s.Reports == 0 {
			line = phrase("explain.stale.never", span(s.DaysSinceReport))
		}
	case ReasonPaceLag:
		line = phrase("explain.pace_lag", points(s.PaceLag))
	case ReasonDueSoon:
		line = dueIn(s.DaysToDue)
	case ReasonOnTrack:
		line = phrase("explain.on_track", dueIn(s.DaysToDue))
	case ReasonNotStarted:
		line = phrase("explain.not_started", dueIn(s.DaysToDue))
	case ReasonAwaitingReview:
		line = phrase("explain.awaiting_review")
	default:
		return phrase("explain.unknown")
	}
	if s.State == StateNotStarted && (s.Reason == ReasonPaceLag || s.Reason == ReasonDueSoon) {
		line = phrase("explain.not_started", line)
	}
	if s.Phase == PhaseOngoing {
		if s.DaysLate > 0 {
			line = phrase("explain.then.late", days(s.DaysLate), line)
		} else {
			line = phrase("explain.then.on_time", line)
		}
	}
	if s.AwaitingReview && s.Reason != ReasonAwaitingReview {
		line = phrase("explain.note.awaiting_review", line)
	}
	if s.extended() {
		line = phrase("explain.note.extended", line, s.Due.String())
	}
	return line
}

// extended reports whether an extension moved the due date.
func (s Status) extended() bool { return !s.Due.IsZero() && s.Due != s.OriginalDue }

// points formats a pace figure held to 0.1 point: "25" or "25.3".
func points(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// span is a silence of d days: in whole weeks from 14 days on, else in days.
func span(d int) Explanation {
	if d >= 14 {
		return phrase("explain.weeks", d/7)
	}
	return days(d)
}

// days is a number of days; one day has its own message, for languages
// that say it differently.
func days(n int) Explanation {
	if n == 1 {
		return phrase("explain.day")
	}
	return phrase("explain.days", n)
}

// dueIn is how far the due date is: today, or in some days.
func dueIn(d int) Explanation {
	if d == 0 {
		return phrase("explain.due_today")
	}
	return phrase("explain.due_in", days(d))
}
