package web

import "context"

func init() { register(auditMessages) }

// auditMessages are the audit trail's words: a name for every action the
// store writes (audit.action.*), every kind of entity (audit.entity.*),
// every key of the before and after states (audit.field.*) and the coded
// values worth a word (audit.value.KEY.VALUE; roles and unit kinds use
// the account pages' acct.role.* and acct.kind.*). TestEveryAuditActionHasALabel
// and TestEveryAuditFieldHasALabel scan the store's source for them.
//
// Some actions and keys are written only by branches not merged yet
// (reminders: order.*, calendar.set, unit.channels …; indicators:
// indicator.combine, screen_token.*): labelled here so that the trail reads
// well the day they arrive.
var auditMessages = map[string][2]string{
	"audit.filter.entity_id":      {"对象编号", "Entity ID"},
	"audit.filter.entity_id.hint": {"如用户或单位的编号、方案标识", "e.g. a user's or unit's number, a plan's key"},
	"audit.filter.clear":          {"清除筛选", "Clear"},
	"audit.entity.all":            {"该对象的全部记录", "all entries of this"},
	"audit.filtered":              {"正在查看:%s %s 的记录", "Showing the entries of %s %s"},
	"audit.items":                 {"%d 项", "%d items"},
	"audit.more":                  {"%s 等 %d 项", "%s and %d more"},
	"audit.yes":                   {"是", "yes"},
	"audit.no":                    {"否", "no"},
	"audit.none":                  {"(无)", "(none)"},
	"audit.task":                  {"任务(%d)%s", "task (%d) %s"},
	"audit.task.n":                {"任务(%s)", "task (%s)"},
	"audit.assignment":            {"%s 承担的任务(%d)", "%s on task (%d)"},
	"audit.bulletin":              {"第 %s 期", "no. %s"},
	"audit.session":               {"会话 #%s", "session #%s"},
	"audit.id":                    {"#%s", "#%s"},

	// Actions, as verb phrases: "<who> <action> <what>".
	"audit.action.bulletin.publish":        {"发布专报", "published a bulletin"},
	"audit.action.data.generate":           {"生成模拟数据", "generated synthetic data"},
	"audit.action.designation.map":         {"指定集合称谓所指单位", "mapped a designation to units"},
	"audit.action.extension.decide":        {"审批延期申请", "decided an extension request"},
	"audit.action.extension.request":       {"申请延期", "requested an extension"},
	"audit.action.import.apply":            {"导入报送表格", "imported reports from a sheet"},
	"audit.action.login.failure":           {"登录失败", "failed to sign in"},
	"audit.action.login.success":           {"登录", "signed in"},
	"audit.action.login.throttled":         {"登录被限制(密码错误次数过多)", "was refused sign-in by the throttle"},
	"audit.action.logout":                  {"退出登录", "signed out"},
	"audit.action.password.failure":        {"修改密码时原密码错误", "gave a wrong current password"},
	"audit.action.password.throttled":      {"修改密码被限制(密码错误次数过多)", "was refused a password change by the throttle"},
	"audit.action.plan.seed":               {"导入方案", "loaded the plan"},
	"audit.action.report.file":             {"报送进展", "filed a report"},
	"audit.action.report.review":           {"审核完成申报", "reviewed a completion claim"},
	"audit.action.session.end":             {"结束会话", "ended a session"},
	"audit.action.task.comment":            {"在任务上批示留言", "commented on a task"},
	"audit.action.throttle.lift":           {"解除登录限制", "lifted a sign-in throttle"},
	"audit.action.token.create":            {"创建 API 令牌", "created an API token"},
	"audit.action.token.revoke":            {"吊销 API 令牌", "revoked an API token"},
	"audit.action.unit.confirm":            {"确认单位", "confirmed a unit"},
	"audit.action.unit.create":             {"新建单位", "created a unit"},
	"audit.action.unit.create_unconfirmed": {"导入方案时新建待确认单位", "created an unconfirmed unit from a plan"},
	"audit.action.unit.members":            {"设置集合称谓的成员单位", "set a designation's member units"},
	"audit.action.unit.update":             {"修改单位", "edited a unit"},
	"audit.action.user.create":             {"新建账号", "created an account"},
	"audit.action.user.disable":            {"停用账号", "disabled an account"},
	"audit.action.user.enable":             {"启用账号", "enabled an account"},
	"audit.action.user.password_change":    {"修改密码", "changed a password"},
	"audit.action.user.password_reset":     {"重置密码", "reset a password"},
	"audit.action.user.update":             {"修改账号", "edited an account"},
	// Written by branches not merged yet.
	"audit.action.calendar.set":         {"调整工作日历", "changed the working calendar"},
	"audit.action.indicator.combine":    {"设置指标汇总方式", "set how an indicator is combined"},
	"audit.action.order.answer":         {"答复督办单", "answered a supervision order"},
	"audit.action.order.issue":          {"发出督办单", "issued a supervision order"},
	"audit.action.screen_token.create":  {"创建大屏令牌", "created a screen token"},
	"audit.action.screen_token.revoke":  {"吊销大屏令牌", "revoked a screen token"},
	"audit.action.unit.channels":        {"设置单位通知渠道", "set a unit's channels"},
	"audit.action.unit.robot_test":      {"发送群机器人测试消息", "sent a robot's test message"},
	"audit.action.user.notify_settings": {"修改通知设置", "changed notification settings"},

	// Entities.
	"audit.entity.address":      {"地址", "address"},
	"audit.entity.api_token":    {"API 令牌", "API token"},
	"audit.entity.assignment":   {"任务分工", "assignment"},
	"audit.entity.bulletin":     {"专报", "bulletin"},
	"audit.entity.calendar":     {"工作日历", "calendar"},
	"audit.entity.database":     {"数据库", "database"},
	"audit.entity.indicator":    {"指标", "indicator"},
	"audit.entity.plan":         {"方案", "plan"},
	"audit.entity.report":       {"报送", "report"},
	"audit.entity.screen_token": {"大屏令牌", "screen token"},
	"audit.entity.session":      {"会话", "session"},
	"audit.entity.task":         {"任务", "task"},
	"audit.entity.unit":         {"单位", "unit"},
	"audit.entity.user":         {"用户", "user"},

	// Keys of the before and after states.
	"audit.field.account_failures":     {"账号失败次数", "account failures"},
	"audit.field.added":                {"新增任务", "tasks added"},
	"audit.field.address":              {"地址", "address"},
	"audit.field.address_failures":     {"地址失败次数", "address failures"},
	"audit.field.aliases":              {"别名", "aliases"},
	"audit.field.answer":               {"答复", "answer"},
	"audit.field.approved":             {"批准", "approved"},
	"audit.field.archived":             {"归档任务", "tasks archived"},
	"audit.field.automatic":            {"自动发出", "automatic"},
	"audit.field.changed":              {"修改任务", "tasks changed"},
	"audit.field.claimed":              {"已申报完成", "completion claimed"},
	"audit.field.clear":                {"恢复默认", "cleared"},
	"audit.field.collective_id":        {"集合称谓", "designation"},
	"audit.field.combine":              {"汇总方式", "combination"},
	"audit.field.comment_id":           {"留言编号", "comment no."},
	"audit.field.completed_at":         {"完成时间", "completed at"},
	"audit.field.confirmed":            {"已确认", "confirmed"},
	"audit.field.decision":             {"审核结论", "decision"},
	"audit.field.designation":          {"集合称谓", "designation"},
	"audit.field.disabled":             {"已停用", "disabled"},
	"audit.field.display_name":         {"姓名", "name"},
	"audit.field.docx_bytes":           {"Word 文件大小(字节)", "Word file (bytes)"},
	"audit.field.elapsed_seconds":      {"用时(秒)", "time taken (s)"},
	"audit.field.email":                {"电子邮箱", "email"},
	"audit.field.evidence":             {"佐证材料数", "evidence files"},
	"audit.field.expires_at":           {"到期时间", "expires"},
	"audit.field.extended_due":         {"延期后的截止日期", "extended due date"},
	"audit.field.html_bytes":           {"网页大小(字节)", "page (bytes)"},
	"audit.field.kind":                 {"类别", "kind"},
	"audit.field.late":                 {"逾期提出", "late"},
	"audit.field.leader_id":            {"分管领导", "leader in charge"},
	"audit.field.level":                {"督办级别", "level"},
	"audit.field.members":              {"成员单位", "member units"},
	"audit.field.muted":                {"暂停提醒", "muted"},
	"audit.field.name":                 {"名称", "name"},
	"audit.field.note":                 {"说明", "note"},
	"audit.field.number":               {"编号", "number"},
	"audit.field.one_time":             {"一次性密码", "one-time password"},
	"audit.field.order_id":             {"督办单编号", "order no."},
	"audit.field.other_sessions_ended": {"结束的其他会话", "other sessions ended"},
	"audit.field.outbox_id":            {"消息编号", "message no."},
	"audit.field.percent":              {"完成百分比", "percent complete"},
	"audit.field.period_end":           {"统计截止", "period end"},
	"audit.field.period_start":         {"统计起始", "period start"},
	"audit.field.plan":                 {"方案", "plan"},
	"audit.field.plan_id":              {"方案", "plan"},
	"audit.field.plans":                {"方案数", "plans"},
	"audit.field.rate_per_minute":      {"每分钟请求上限", "requests per minute"},
	"audit.field.reason":               {"理由", "reason"},
	"audit.field.reply_by":             {"答复期限", "reply by"},
	"audit.field.report_id":            {"报送编号", "report no."},
	"audit.field.reports":              {"报送数", "reports"},
	"audit.field.request_id":           {"申请编号", "request no."},
	"audit.field.requested_due":        {"申请的截止日期", "requested due date"},
	"audit.field.restored":             {"恢复任务", "tasks restored"},
	"audit.field.robot":                {"群机器人", "robot"},
	"audit.field.role":                 {"角色", "role"},
	"audit.field.rows":                 {"表格行数", "rows"},
	"audit.field.scale":                {"规模", "scale"},
	"audit.field.seed":                 {"随机种子", "seed"},
	"audit.field.session_id":           {"会话编号", "session no."},
	"audit.field.sessions_ended":       {"结束的会话", "sessions ended"},
	"audit.field.sha256":               {"文件指纹(SHA-256)", "SHA-256"},
	"audit.field.short":                {"简称", "short name"},
	"audit.field.signed":               {"加签", "signed"},
	"audit.field.source_name":          {"文件名", "file"},
	"audit.field.tasks":                {"涉及任务", "tasks"},
	"audit.field.text":                 {"内容", "text"},
	"audit.field.title":                {"标题", "title"},
	"audit.field.unit":                 {"单位", "unit"},
	"audit.field.unit_head":            {"单位负责人", "unit head"},
	"audit.field.unit_id":              {"单位", "unit"},
	"audit.field.unit_name":            {"单位名称", "unit name"},
	"audit.field.unknown_units":        {"新出现的单位", "new units"},
	"audit.field.until":                {"限制至", "throttled until"},
	"audit.field.url":                  {"地址", "URL"},
	"audit.field.user_id":              {"用户", "user"},
	"audit.field.username":             {"用户名", "username"},
	"audit.field.value":                {"内容", "content"},
	"audit.field.version":              {"版本", "version"},
	"audit.field.weeks":                {"周数", "weeks"},
	"audit.field.working":              {"工作日", "working day"},

	// Coded values.
	"audit.value.decision.accept":         {"通过", "accepted"},
	"audit.value.decision.return":         {"退回", "returned"},
	"audit.value.reason.bad_password":     {"密码错误", "wrong password"},
	"audit.value.reason.unknown_user":     {"用户名不存在", "unknown username"},
	"audit.value.reason.disabled":         {"账号已停用", "account disabled"},
	"audit.value.reason.bad_hash":         {"密码记录损坏", "damaged password record"},
	"audit.value.reason.logout":           {"退出登录", "signed out"},
	"audit.value.reason.ended_by_user":    {"本人结束", "ended by its user"},
	"audit.value.reason.expired":          {"超过最长登录时间", "expired"},
	"audit.value.reason.idle":             {"长时间未操作", "idle"},
	"audit.value.reason.user_disabled":    {"账号被停用", "account disabled"},
	"audit.value.reason.password_reset":   {"密码被重置", "password reset"},
	"audit.value.reason.password_changed": {"修改了密码", "password changed"},
}

// HasMessage reports whether key is in the message table, for words looked
// up by a code that may have none (an audit value, an action written by a
// newer release).
func HasMessage(key string) bool {
	_, ok := messages[key]
	return ok
}

// AuditAction names an audit action for people ("plan.seed" → 导入方案), or
// returns the code itself when the table has no name for it.
func AuditAction(ctx context.Context, action string) string {
	if HasMessage("audit.action." + action) {
		return T(ctx, "audit.action."+action)
	}
	return action
}

// AuditEntity names a kind of entity ("task" → 任务), or returns the code.
func AuditEntity(ctx context.Context, entity string) string {
	if HasMessage("audit.entity." + entity) {
		return T(ctx, "audit.entity."+entity)
	}
	return entity
}

// AuditField labels a key of an audit entry's state ("display_name" → 姓名),
// or returns the key.
func AuditField(ctx context.Context, key string) string {
	if HasMessage("audit.field." + key) {
		return T(ctx, "audit.field."+key)
	}
	return key
}
