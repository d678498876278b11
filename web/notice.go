package web

import (
	"context"
	"fmt"
	"strconv"

	"duban/internal/notify"
)

// NoticeSubject is a notification's one-line subject in ctx's language.
func NoticeSubject(ctx context.Context, k notify.Kind, a notify.Args) string {
	task := taskRef(a.Task, a.TaskTitle)
	switch k {
	case notify.ReviewReturned:
		return T(ctx, "notice.returned.subject", task)
	case notify.ReviewAccepted:
		return T(ctx, "notice.accepted.subject", task)
	case notify.ExtensionDecided:
		if a.Approved {
			return T(ctx, "notice.ext.approved.subject", task)
		}
		return T(ctx, "notice.ext.rejected.subject", task)
	case notify.Comment:
		return T(ctx, "notice.comment.subject", task)
	case notify.Assigned:
		return T(ctx, "notice.assigned.subject", task)
	case notify.OrderAnswered:
		return T(ctx, "notice.answered.subject", orderNumber(a.Order), a.Unit)
	case notify.Escalation:
		if a.Order != nil && len(a.Items) == 0 {
			return T(ctx, "notice.order.subject", a.Order.Number, a.Unit, task)
		}
		return T(ctx, "notice.escalation.subject", len(a.Items)+a.More)
	case notify.Reminder:
		if a.Test {
			return T(ctx, "notice.test.subject")
		}
		return T(ctx, "notice.reminder.subject", len(a.Items)+a.More)
	case notify.Digest:
		if a.Digest != nil && a.Digest.Weekly {
			return T(ctx, "notice.digest.weekly.subject", digestCount(a.Digest))
		}
		return T(ctx, "notice.digest.daily.subject", digestCount(a.Digest))
	}
	return string(k)
}

// NoticeLines are a notification's body, one line each, in ctx's language.
func NoticeLines(ctx context.Context, k notify.Kind, a notify.Args) []string {
	var out []string
	switch k {
	case notify.ReviewReturned:
		out = append(out, T(ctx, "notice.returned.body", a.By, a.Unit, a.Reason))
	case notify.ReviewAccepted:
		out = append(out, T(ctx, "notice.accepted.body", a.By, a.Unit))
	case notify.ExtensionDecided:
		if a.Approved {
			out = append(out, T(ctx, "notice.ext.approved.body", a.By, a.NewDue))
		} else {
			out = append(out, T(ctx, "notice.ext.rejected.body", a.By, a.Reason))
		}
	case notify.Comment:
		out = append(out, T(ctx, "notice.comment.body", a.By, a.Text))
	case notify.Assigned:
		out = append(out, T(ctx, "notice.assigned.body", a.Unit))
	case notify.OrderAnswered:
		out = append(out, T(ctx, "notice.answered.body", a.By, a.Text))
	case notify.Escalation, notify.Reminder, notify.Digest:
		if a.Test {
			return []string{T(ctx, "notice.test.body", a.By)}
		}
		if a.Order != nil && len(a.Items) == 0 {
			out = append(out, T(ctx, "notice.order.body", a.Order.Level, orderLevel(ctx, a.Order.Level), a.Unit, a.Order.Reason, a.Order.ReplyBy))
		}
		for _, it := range a.Items {
			out = append(out, ItemLine(ctx, it))
		}
		if a.More > 0 {
			out = append(out, T(ctx, "notice.digest.more", a.More))
		}
		if d := a.Digest; d != nil {
			if d.Weekly {
				out = append(out, T(ctx, "notice.digest.weekly.head"))
			} else {
				out = append(out, T(ctx, "notice.digest.daily.head", d.Since))
			}
			for _, l := range d.Lines {
				out = append(out, digestLine(ctx, l))
			}
			if d.More > 0 {
				out = append(out, T(ctx, "notice.digest.more", d.More))
			}
		}
	}
	return out
}

// ItemLine is one reminder or escalation of a pass, in ctx's language.
func ItemLine(ctx context.Context, it notify.Item) string {
	task := taskRef(it.Task, it.TaskTitle)
	switch it.Rule {
	case notify.RuleDueSoon:
		return T(ctx, "notice.item.due_soon", task, it.Unit, it.Days, it.Due)
	case notify.RuleOverdue:
		return T(ctx, "notice.item.overdue", task, it.Unit, it.Days, it.Due)
	case notify.RuleStale:
		return T(ctx, "notice.item.stale", task, it.Unit, it.Days)
	case notify.RuleRefile:
		return T(ctx, "notice.item.refile", task, it.Unit, it.Days, it.Reason)
	case notify.RuleEscalate:
		num, reply := "", ""
		if it.Order != nil {
			num, reply = it.Order.Number, it.Order.ReplyBy
		}
		return T(ctx, "notice.item.escalate", task, it.Unit, num, it.Level, orderLevel(ctx, it.Level), it.Days, reply)
	}
	return task
}

func digestLine(ctx context.Context, l notify.DigestLine) string {
	task := taskRef(l.Task, l.Title)
	switch l.What {
	case "newly_overdue":
		return T(ctx, "notice.digest.newly_overdue", task, l.Unit, l.Days)
	case "newly_completed":
		return T(ctx, "notice.digest.newly_completed", task, l.Unit)
	case "escalated":
		return T(ctx, "notice.digest.escalated", task, l.Unit, l.Days, orderLevel(ctx, l.Days))
	case "bulletin":
		return T(ctx, "notice.digest.bulletin", l.Days, l.Title)
	case "overdue":
		return T(ctx, "notice.digest.overdue", task, l.Days)
	case "lagging":
		return T(ctx, "notice.digest.lagging", task)
	case "due_soon":
		return T(ctx, "notice.digest.due_soon", task, l.Days)
	}
	return task
}

func digestCount(d *notify.DigestPart) int {
	if d == nil {
		return 0
	}
	return len(d.Lines) + d.More
}

func taskRef(n int, title string) string {
	if n == 0 {
		return title
	}
	return fmt.Sprintf("(%d)%s", n, title)
}

func orderNumber(o *notify.OrderRef) string {
	if o == nil {
		return ""
	}
	return o.Number
}

// orderLevel names a level of the ladder: 提醒, 督办通知, 约谈.
func orderLevel(ctx context.Context, level int) string {
	return T(ctx, "order.level."+strconv.Itoa(min(max(level, 1), 3)))
}

// OrderLevel names a level of the ladder in ctx's language.
func OrderLevel(ctx context.Context, level int) string { return orderLevel(ctx, level) }
