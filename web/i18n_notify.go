package web

// Messages of 催办: notifications (their subjects, bodies and the lines of
// grouped reminders and digests), the notification pages, 督办单, the
// delivery log, the working-day calendar and the notification settings.
func init() {
	register(map[string][2]string{
		"notice.returned.subject":      {"报送被退回:%s", "Report returned: %s"},
		"notice.returned.body":         {"%s 退回了%s的报送。理由:%s。请修改后重新报送。", "%s returned the report of %s. Reason: %s. Please revise and file it again."},
		"notice.accepted.subject":      {"报送已通过:%s", "Report accepted: %s"},
		"notice.accepted.body":         {"%s 通过了%s的报送。", "%s accepted the report of %s."},
		"notice.ext.approved.subject":  {"延期申请已批准:%s", "Extension approved: %s"},
		"notice.ext.approved.body":     {"%s 批准延期,新的截止日期为 %s。", "%s approved the extension; the new due date is %s."},
		"notice.ext.rejected.subject":  {"延期申请未批准:%s", "Extension rejected: %s"},
		"notice.ext.rejected.body":     {"%s 驳回了延期申请。理由:%s。", "%s rejected the extension request. Reason: %s."},
		"notice.comment.subject":       {"领导批示:%s", "Leader's comment: %s"},
		"notice.comment.body":          {"%s 批示:%s", "%s commented: %s"},
		"notice.assigned.subject":      {"新承担任务:%s", "New task: %s"},
		"notice.assigned.body":         {"%s 自今日起承担该任务,请按时报送进展。", "%s is assigned this task from today; please report progress on time."},
		"notice.answered.subject":      {"督办单 %s 已回复(%s)", "Order %s answered (%s)"},
		"notice.answered.body":         {"%s 回复:%s", "%s answered: %s"},
		"notice.order.subject":         {"督办单 %s:%s %s", "Supervision order %s: %s %s"},
		"notice.order.body":            {"第%d级(%s)督办 %s:%s。请于 %s 前在任务页面回复。", "Level %d (%s) order to %s: %s. Please answer on the assignment page by %s."},
		"notice.escalation.subject":    {"督办提醒:%d 项,含督办单", "Supervision: %d item(s), with orders"},
		"notice.reminder.subject":      {"催办提醒:%d 项待办", "Reminder: %d item(s) to act on"},
		"notice.digest.daily.subject":  {"督办日报:%d 项变化", "Daily digest: %d change(s)"},
		"notice.digest.weekly.subject": {"本单位周报:%d 项待办", "Weekly digest: %d open item(s)"},
		"notice.digest.daily.head":     {"自 %s 以来的变化:", "Changes since %s:"},
		"notice.digest.weekly.head":    {"本单位尚未完成的事项:", "Your unit's open items:"},
		"notice.digest.more":           {"另有 %d 项,请登录查看。", "And %d more: sign in to see them."},
		"notice.test.subject":          {"督办系统测试消息", "Duban test message"},
		"notice.test.body":             {"这是 %s 发送的测试消息:群机器人配置正确。", "A test message sent by %s: the group robot works."},

		"notice.item.due_soon": {"%s(%s):还有 %d 天到期(%s)", "%s (%s): due in %d day(s) (%s)"},
		"notice.item.overdue":  {"%s(%s):已超期 %d 天(截止 %s)", "%s (%s): overdue by %d day(s) (due %s)"},
		"notice.item.stale":    {"%s(%s):已 %d 天未报送进展", "%s (%s): no progress reported for %d days"},
		"notice.item.refile":   {"%s(%s):报送被退回 %d 个工作日仍未重新报送(理由:%s)", "%s (%s): returned %d working day(s) ago and not refiled (reason: %s)"},
		"notice.item.escalate": {"%s(%s):督办单 %s,第%d级(%s),超期 %d 天,请于 %s 前回复", "%s (%s): order %s, level %d (%s), overdue by %d day(s); answer by %s"},

		"notice.digest.newly_overdue":   {"新超期:%s(%s),已超期 %d 天", "Newly overdue: %s (%s), %d day(s)"},
		"notice.digest.newly_completed": {"新完成:%s(%s)", "Newly completed: %s (%s)"},
		"notice.digest.escalated":       {"督办升级:%s(%s)第%d级(%s)", "Escalated: %s (%s) to level %d (%s)"},
		"notice.digest.bulletin":        {"发布专报:第%d期《%s》", "Bulletin published: no. %d, %s"},
		"notice.digest.overdue":         {"超期:%s,已超期 %d 天", "Overdue: %s, by %d day(s)"},
		"notice.digest.lagging":         {"滞后:%s", "Lagging: %s"},
		"notice.digest.due_soon":        {"临期:%s,还有 %d 天", "Due soon: %s, in %d day(s)"},

		"notice.open": {"办理:", "Act here:"},

		"order.level.1": {"提醒", "reminder"},
		"order.level.2": {"督办通知", "notice to the unit's head"},
		"order.level.3": {"约谈", "meeting with the leader in charge"},
	})
}
