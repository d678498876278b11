package web

import (
	"context"
	"errors"
	"strings"

	"duban/internal/workplan"
)

func init() { register(errorMessages) }

// ErrorMessage returns the message of the first *workplan.Error in err's
// chain in the context's language, or a generic one for any other error,
// whose text is for the log and never shown.
func ErrorMessage(ctx context.Context, err error) string {
	var e *workplan.Error
	if errors.As(err, &e) {
		return T(ctx, e.Key, e.Args...)
	}
	return T(ctx, "err.internal")
}

// ErrorText returns err's text with the *workplan.Error in its chain, if
// any, rendered in language l: what a command prints, the trace of what it
// was doing followed by the message for a person.
func ErrorText(l Lang, err error) string {
	var e *workplan.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	return strings.Replace(err.Error(), e.Error(), Message(l, e.Key, e.Args...), 1)
}

// errorMessages are the messages of workplan.Error (err.*): the refusals of
// the domain, the store and the handlers. Keys name the area and the fault.
var errorMessages = map[string][2]string{
	"err.internal": {"服务器内部错误", "Internal server error"},

	"err.api.no_token":      {"需要有效的 API 令牌(Authorization: Bearer …)", "A valid API token is needed (Authorization: Bearer …)"},
	"err.api.task_not_yet":  {"任务 %d 在 %s 时尚未列入方案", "Task %d was not yet in the plan on %s"},
	"err.api.token_expired": {"API 令牌已过期", "The API token has expired"},

	"err.bulletin.forbidden": {"只有督查室可以发布专报", "Only the supervision office can publish bulletins"},

	"err.calendar.note_long": {"说明不能超过 100 字", "The note takes at most 100 characters"},

	"err.comment.forbidden": {"只有领导和督查室可以批示", "Only leaders and the supervision office can comment"},
	"err.comment.long":      {"批示不能超过 %d 字", "A comment takes at most %d characters"},
	"err.comment.required":  {"请填写批示内容", "Write the comment"},

	"err.conflict": {"数据已被他人修改", "Someone else changed this meanwhile"},

	"err.csrf.cross_origin": {"拒绝跨站请求", "Cross-site request refused"},
	"err.csrf.token":        {"表单已过期或来源无效,请返回上一页刷新后重试", "The form has expired or did not come from this site; go back, reload the page and try again"},

	"err.date.end_future": {"结束日期 end=%s 不能晚于今天", "The end date end=%s cannot be after today"},
	"err.date.future":     {"日期 %s=%s 不能晚于今天", "The date %s=%s cannot be after today"},
	"err.date.invalid":    {"日期 %s=%q 无效,应为 YYYY-MM-DD", "The date %s=%q is not valid: write it as YYYY-MM-DD"},

	"err.debug.cancelled": {"请求已取消", "Request cancelled"},
	"err.debug.duration":  {"参数 d 应为时长,如 3s(最长 10 分钟)", "d must be a duration such as 3s (at most 10 minutes)"},
	"err.debug.no_floor":  {"存储没有基准查询", "The store has no floor query"},
	"err.debug.no_sleep":  {"存储不支持等待", "The store cannot sleep"},

	"err.designation.archived":       {"任务 %d 已归档,不能再指定单位", "Task %d is archived: its units can no longer be designated"},
	"err.designation.member":         {"成员单位必须是已有的具体单位", "Member units must be existing units, not designations"},
	"err.designation.not_collective": {"“%s”不是集合称谓,不能指定成员单位", "“%s” is not a collective designation: it has no member units"},
	"err.designation.task":           {"请指定任务", "Choose a task"},
	"err.designation.task_gone":      {"任务不存在或已归档", "No such task, or it is archived"},
	"err.designation.unknown":        {"任务 %d 没有这个集合称谓", "Task %d has no such collective designation"},

	"err.duplicate": {"已存在相同的记录", "The same record exists already"},

	"err.evidence.forbidden": {"只能查看本单位或本单位牵头任务的佐证材料", "You can only see the evidence of your unit or of tasks your unit leads"},

	"err.extension.after_due":     {"申请的新截止日期(%s)须晚于当前截止日期 %s", "The new due date (%s) must be after the current one, %s"},
	"err.extension.after_today":   {"逾期申请的新截止日期(%s)须晚于今天", "For an overdue task the new due date (%s) must be after today"},
	"err.extension.decided":       {"该延期申请已经审批", "This request has been decided already"},
	"err.extension.decision":      {"审批结果应为 approve 或 reject", "The decision must be approve or reject"},
	"err.extension.due_format":    {"申请的新截止日期应为 YYYY-MM-DD", "The requested due date must be written as YYYY-MM-DD"},
	"err.extension.forbidden":     {"只有督查室可以审批延期申请", "Only the supervision office can decide on extension requests"},
	"err.extension.no_due":        {"该任务没有截止日期,无需申请延期", "This task has no due date, so it needs no extension"},
	"err.extension.own_unit":      {"只能为本单位承担的任务申请延期", "You can only ask for an extension of your own unit's tasks"},
	"err.extension.pending":       {"已有待审批的延期申请", "An extension request is already awaiting a decision"},
	"err.extension.reason":        {"请填写延期理由,不超过 %d 字", "Give a reason for the extension, at most %d characters"},
	"err.extension.reject_reason": {"驳回延期申请时请填写理由", "Give a reason for rejecting the request"},

	"err.forbidden": {"没有权限", "You do not have permission to do this"},

	"err.form.action":     {"未知操作(action=%q)", "Unknown action (action=%q)"},
	"err.form.invalid":    {"表单无效", "The form is not valid"},
	"err.form.unreadable": {"表单无法解析,请重新提交", "The form could not be read; submit it again"},
	"err.form.version":    {"表单缺少版本号,请刷新页面后重试", "The form lacks its version; reload the page and try again"},

	"err.import.applied":       {"该导入已于 %s 确认,不能重复导入", "This import was confirmed at %s and cannot be applied again"},
	"err.import.claim_percent": {"第%s行 %s列(%s):申报完成时应为 100", "Row %s, column %s (%s): must be 100 for a completion claim"},
	"err.import.claims":        {"第%s行 %s列(%s):应填“是”或“否”,实际为“%s”", "Row %s, column %s (%s): must be “是” (yes) or “否” (no), not “%s”"},
	"err.import.duplicate":     {"第%s行 %s列(%s):与第%s行是同一单位的同一任务", "Row %s, column %s (%s): the same task of the same unit as row %s"},
	"err.import.empty":         {"工作表“%s”是空的", "The sheet “%s” is empty"},
	"err.import.expired":       {"该导入预览已过期,请重新上传", "This import preview has expired; upload the file again"},
	"err.import.header":        {"第1行 %s列:表头应为“%s”,实际为“%s”。请不要增删或调换列,重新导出后再填报", "Row 1, column %s: the header should be “%s”, not “%s”. Do not add, remove or move columns; export again and fill that in"},
	"err.import.key":           {"第%s行 P列(系统键):无法识别“%s”,请勿修改该列", "Row %s, column P (system key): “%s” is not recognised; do not change this column"},
	"err.import.missing":       {"第%s行 %s列(%s):找不到该任务(可能不属于本方案或已归档),请重新导出", "Row %s, column %s (%s): no such task (it may not be in this plan, or be archived); export again"},
	"err.import.no_sheet":      {"文件中没有名为“%s”的工作表:请上传从台账导出的 .xlsx 文件", "The file has no sheet named “%s”: upload a .xlsx file exported from the ledger"},
	"err.import.not_editable":  {"第%s行 不是本单位承担的任务,不能导入(%s)", "Row %s: not a task of your unit, so it cannot be imported (%s)"},
	"err.import.nothing":       {"预览中有错误或没有需要导入的变化,不能确认", "The preview has errors or no changes to import: nothing to confirm"},
	"err.import.percent":       {"第%s行 %s列(%s):应为 0–100 的整数,实际为“%s”", "Row %s, column %s (%s): must be a whole number from 0 to 100, not “%s”"},
	"err.import.progress":      {"第%s行 %s列(%s):请填写本期进展", "Row %s, column %s (%s): fill in this period's progress"},
	"err.import.row_conflict":  {"第%d行:上传后该任务又有新的报送或审核,请重新导出后再填报;本次导入未生效", "Row %d: the task has a new report or review since the upload; export again and fill that in. Nothing was imported"},
	"err.import.rows":          {"文件有 %d 行,超过每次导入 %d 行的上限", "The file has %d rows, more than the %d an import takes"},
	"err.import.too_long":      {"第%s行 %s列(%s):不能超过 %s 字", "Row %s, column %s (%s): at most %s characters"},
	"err.import.unreadable":    {"无法读取上传的文件:请上传从台账导出的 .xlsx 文件", "The file cannot be read: upload a .xlsx file exported from the ledger"},
	"err.import.version":       {"第%s行 %s列(%s):导出后该任务已有新的报送或审核(版本 %s → %s),请重新导出后再填报", "Row %s, column %s (%s): the task has a new report or review since the export (version %s → %s); export again and fill that in"},

	"err.indicator.rule": {"汇总方式 %q 无效,应为 lead、each 或 sum", "Not a valid rule %q: use lead, each or sum"},

	"err.method": {"不支持的请求方法", "This request method is not supported"},

	"err.my.no_unit": {"您的账号未关联单位", "Your account belongs to no unit"},

	"err.not_found": {"未找到", "Not found"},

	"err.notify.email":      {"邮箱地址无效", "Not a valid email address"},
	"err.notify.leader":     {"分管领导必须是角色为“领导”的用户", "The leader in charge must be a user with the role Leader"},
	"err.notify.no_robot":   {"该单位尚未配置群机器人", "This unit has no group robot yet"},
	"err.notify.robot_kind": {"机器人类型无效", "Not a valid kind of robot"},
	"err.notify.robot_url":  {"机器人地址应以 https:// 开头", "The robot's address (webhook) must start with https://"},

	"err.order.answer":           {"请填写回复内容,不超过 5000 字", "Write the answer, at most 5000 characters"},
	"err.order.answer_forbidden": {"只有被督办单位可以回复督办单", "Only the unit the order is addressed to can answer it"},
	"err.order.answered":         {"该督办单已经回复", "This order has been answered already"},
	"err.order.archived":         {"该任务已归档,不能督办", "This task is archived: no order can be issued for it"},
	"err.order.forbidden":        {"只有督查室可以下发督办单", "Only the supervision office can issue supervision orders"},
	"err.order.level":            {"督办级别应为 1 到 3", "The level must be 1, 2 or 3"},
	"err.order.reason":           {"请填写督办事由,不超过 2000 字", "Give the order's reason, at most 2000 characters"},
	"err.order.reply_by":         {"回复期限应晚于今天", "The reply deadline must be after today"},

	"err.param.before": {"参数 before=%q 应为报送编号", "The parameter before=%q must be a report number"},

	"err.period.dates": {"请给出起止日期", "Give the start and end dates"},
	"err.period.long":  {"统计期间不能超过 400 天", "A period takes at most 400 days"},
	"err.period.month": {"月份 month=%q 无效,应为 YYYY-MM", "The month month=%q is not valid: write it as YYYY-MM"},
	"err.period.order": {"结束日期 %s 早于开始日期 %s", "The end date %s is before the start date %s"},

	"err.plans.base_version": {"表单缺少预览时的方案版本,请重新预览", "The form lacks the plan version it previewed; preview again"},

	"err.ranking.future": {"所选月份尚未开始(month=%s)", "That month has not started (month=%s)"},

	"err.reason.too_long": {"理由不能超过 %d 字", "The reason takes at most %d characters"},

	"err.report.archived":          {"该任务已归档,不能再报送", "This task is archived: it takes no more reports"},
	"err.report.claim_percent":     {"申报完成时完成百分比应为 100(填写的是 %d)", "A completion claim needs 100 percent (it is %d)"},
	"err.report.evidence_count":    {"佐证材料最多 %d 个文件", "At most %d evidence files"},
	"err.report.indicator_field":   {"指标字段 %q 无效", "Not a valid indicator field: %q"},
	"err.report.indicator_task":    {"指标 %d 不属于该任务", "Indicator %d is not one of this task's"},
	"err.report.indicator_value":   {"指标值 %q 不是数字", "The indicator value %q is not a number"},
	"err.report.next_long":         {"“下一步”不能超过 %d 字", "“Next steps” takes at most %d characters"},
	"err.report.not_own_unit":      {"只能报送本单位承担的任务", "You can only report on tasks assigned to your unit"},
	"err.report.nul":               {"报送内容含有空字符(NUL),请删除后重试", "The report contains a NUL character; remove it and try again"},
	"err.report.percent_int":       {"完成百分比应为 0 到 100 的整数", "The percentage must be a whole number from 0 to 100"},
	"err.report.percent_range":     {"完成百分比必须在 0 到 100 之间(填写的是 %d)", "The percentage must be from 0 to 100 (it is %d)"},
	"err.report.problems_long":     {"“问题”不能超过 %d 字", "“Problems” takes at most %d characters"},
	"err.report.progress_long":     {"“进展”不能超过 %d 字", "“Progress” takes at most %d characters"},
	"err.report.progress_required": {"请填写“进展”", "Fill in “Progress”"},

	"err.reports.forbidden": {"只能查看本单位或本单位牵头任务的报送", "You can only see the reports of your unit or of tasks your unit leads"},

	"err.review.already":         {"该报送已经是“%s”状态", "The report is already “%s”"},
	"err.review.decision":        {"审核结果无效(%q)", "Not a valid review decision (%q)"},
	"err.review.forbidden":       {"只有督查室或牵头单位可以审核该任务的报送", "Only the supervision office or the task's lead units can review its reports"},
	"err.review.own_unit":        {"不能审核本单位的报送", "You cannot review your own unit's reports"},
	"err.review.reason_required": {"退回时请填写理由", "Give a reason for returning the report"},
	"err.review.return_accepted": {"已通过的报送只有督查室可以退回", "Only the supervision office can return an accepted report"},

	"err.screen.name": {"请填写大屏令牌名称", "Give the wall-screen token a name"},

	"err.seed.applied":    {"该文件已经导入", "This file has been loaded already"},
	"err.seed.applied_at": {"该文件已于 %s 导入", "This file was loaded at %s"},
	"err.seed.version":    {"方案已被更新为第 %d 版(预览时为第 %d 版),请重新预览后再确认", "The plan has been updated to version %d (the preview showed version %d); preview again before confirming"},

	"err.throttle.which": {"请指定要解除限制的用户名或地址之一", "Name the username or the address whose throttle to lift"},

	"err.throttled": {"尝试次数过多,请稍后再试", "Too many attempts; try again later"},

	"err.token.name": {"请填写令牌名称", "Give the token a name"},
	"err.token.rate": {"限速不能为负数", "The rate limit cannot be negative"},

	"err.unavailable": {"数据库暂时不可用,请稍后重试", "The database is temporarily unavailable; try again shortly"},

	"err.unit.has_members":        {"该集合称谓还有成员单位,请先清空成员再修改类别", "This collective designation still has member units: remove them before changing its kind"},
	"err.unit.in_use":             {"该单位有用户或属于某个集合称谓,不能改为集合称谓", "This unit has users or belongs to a collective designation, so it cannot become one"},
	"err.unit.kind":               {"单位类别无效", "Not a valid kind of unit"},
	"err.unit.members_collective": {"只有集合称谓可以设置成员单位", "Only a collective designation has member units"},
	"err.unit.name_long":          {"单位名称不能超过 %d 个字", "A unit's name takes at most %d characters"},
	"err.unit.name_required":      {"请填写单位名称", "Fill in the unit's name"},
	"err.unit.short_long":         {"简称不能超过 %d 个字", "A short name takes at most %d characters"},

	"err.units.member": {"成员单位无效(member=%q)", "Not a valid member unit (member=%q)"},

	"err.user.name_long":       {"姓名不能超过 %d 个字", "The name takes at most %d characters"},
	"err.user.name_required":   {"请填写姓名", "Fill in the name"},
	"err.user.role":            {"角色无效", "Not a valid role"},
	"err.user.staff_unit":      {"经办人必须属于一个单位", "Staff must belong to a unit"},
	"err.user.unit_collective": {"集合称谓不能作为用户的单位", "A collective designation cannot be a user's unit"},
	"err.user.unit_unknown":    {"单位不存在", "No such unit"},
	"err.user.username":        {"用户名只能由小写字母、数字和 . _ - 组成,2 到 63 个字符,以字母或数字开头", "A username is 2 to 63 lower-case letters, digits and . _ -, starting with a letter or a digit"},
}
