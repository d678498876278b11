package web

func init() { register(hardeningMessages) }

// hardeningMessages are the messages of input checks: evidence files,
// malformed or over-long input, throttling, API tokens.
var hardeningMessages = map[string][2]string{
	"evidence.file":       {"文件“%s”", "File “%s”"},
	"evidence.in_archive": {"压缩包“%s”中的“%s”", "“%[2]s” in the archive “%[1]s”"},
	"evidence.empty":      {"%s是空文件(0 字节),请重新选择", "%s is empty (0 bytes); choose it again"},
	"evidence.too_large":  {"%s超过 %d MB,请压缩或分成几个文件后上传", "%s is larger than %d MB; compress it or split it into several files"},
	"evidence.type": {"%s的类型不能作为佐证材料。可以上传:PDF、OFD、照片(JPG、PNG、WebP、HEIC)、Word(.doc .docx)、Excel(.xls .xlsx)、WPS(.wps .et)、文本(.txt),或装有这些文件的 .zip 压缩包",
		"%s is not of a type accepted as evidence. Accepted: PDF, OFD, photos (JPG, PNG, WebP, HEIC), Word (.doc .docx), Excel (.xls .xlsx), WPS (.wps .et), text (.txt), or a .zip archive of these"},
	"evidence.executable": {"%s是程序、脚本或网页文件,出于安全考虑不能作为佐证材料", "%s is a program, a script or a web page, which cannot be evidence for safety reasons"},
	"evidence.mismatch": {"%s的内容与扩展名不符,或文件已损坏(按内容识别),请用制作它的程序重新保存后上传",
		"%s: its content does not match its extension, or the file is damaged (checked by content); save it again from the program that made it"},
	"evidence.macro":     {"%s含有宏,不能作为佐证材料,请另存为不含宏的文档(.docx、.xlsx)或 PDF", "%s contains macros and cannot be evidence; save it without macros (.docx, .xlsx) or as PDF"},
	"evidence.bomb":      {"%s解压后过大(超过 %d MB,或压缩比异常),不能作为佐证材料", "%s unpacks to too much data (over %d MB, or an abnormal compression ratio) and cannot be evidence"},
	"evidence.encrypted": {"%s已加密,无法检查内容,请上传未加密的文件", "%s is encrypted and cannot be checked; upload it unencrypted"},
	"evidence.nested":    {"%s中的压缩包嵌套过深(最多 %d 层)", "%s nests archives too deeply (at most %d levels)"},
	"evidence.too_many":  {"佐证材料最多 %d 个文件,更多的照片请打包成一个 .zip", "At most %d evidence files per report; put more photos in one .zip"},
	"evidence.total":     {"一次报送的佐证材料合计不能超过 %d MB", "The evidence of one report must not exceed %d MB together"},
	"evidence.busy":      {"服务器正在处理其他单位上传的材料,请稍后再提交", "The server is busy storing other units' uploads; submit again shortly"},

	"input.body_too_large":  {"提交的内容超过 %d MB 的上限,请减少或压缩附件", "The submission exceeds the limit of %d MB; send fewer or smaller files"},
	"input.form_unreadable": {"表单无法解析,请刷新页面后重新提交", "The form could not be read; reload the page and submit it again"},
}

func init() { register(inputMessages) }

// inputMessages name what is wrong with a request's input, and the fields.
var inputMessages = map[string][2]string{
	"input.bad_path":  {"网址无效:含有空字符、控制字符或不是 UTF-8 编码的字符", "The address is not valid: it contains NUL, control characters or bytes that are not UTF-8"},
	"input.bad_query": {"网址中的参数无效,请检查 ? 之后的部分", "The parameters of the address (after ?) are not valid"},
	"input.bad_name":  {"表单字段名无效", "A form field's name is not valid"},
	"input.too_many":  {"表单字段过多(最多 %d 个)", "Too many form fields (at most %d)"},
	"input.utf8":      {"“%s”含有无效的字符编码(不是 UTF-8),请重新输入", "“%s” is not valid UTF-8 text; type it again"},
	"input.nul":       {"“%s”含有空字符(NUL),请删除后重试", "“%s” contains a NUL character; remove it and try again"},
	"input.control":   {"“%s”含有不可见的控制字符,请删除后重试", "“%s” contains invisible control characters; remove them and try again"},
	"input.too_long":  {"“%s”不能超过 %d 个字(现有 %d 个)", "“%s” takes at most %d characters (it has %d)"},
	"field.reason":    {"理由", "Reason"},
	"field.comment":   {"批示", "Comment"},
	"field.unit_name": {"单位名称", "Unit name"},
	"field.new_slug":  {"新方案标识", "New plan's identifier"},
	"field.plan":      {"方案", "Plan"},
	"field.search":    {"搜索", "Search"},
	"field.next":      {"跳转地址", "Return address"},
	"field.plan_text": {"方案文本", "Plan text"},
}

func init() { register(throttleMessages) }

// throttleMessages are those of password throttling and its lifting.
var throttleMessages = map[string][2]string{
	"acct.login.throttled_until": {"登录尝试次数过多,请于 %s 之后再试。如忘记密码,请联系管理员重置。", "Too many sign-in attempts: try again after %s. If you forgot your password, ask an administrator to reset it."},
	"acct.password.throttled":    {"当前密码输错的次数过多,请于 %s 之后再试。", "Too many wrong current passwords: try again after %s."},
	"throttle.title":             {"登录限制", "Sign-in throttles"},
	"throttle.help": {"密码(登录或修改密码时)输错过多的账号和地址:超过免费次数后,每次尝试须等待的时间成倍增加(地址最多 30 秒,账号最多 1 小时)。确认是本人误输后可以解除,解除会记入审计日志。",
		"Accounts and addresses with too many wrong passwords (at sign-in or when changing one's password): past the free failures, each attempt waits twice as long as the last (at most 30 seconds for an address, an hour for an account). Lift a throttle once you know it was the person's own mistakes; lifting is audited."},
	"throttle.none":        {"目前没有受限的账号或地址。", "No account or address is throttled."},
	"throttle.who":         {"账号或地址", "Account or address"},
	"throttle.account":     {"账号", "Account"},
	"throttle.address":     {"地址", "Address"},
	"throttle.failures":    {"失败次数", "Failures"},
	"throttle.last":        {"最近一次失败", "Last failure"},
	"throttle.until":       {"须等待至", "Waits until"},
	"throttle.not_waiting": {"无需等待(再错一次将需等待)", "Not waiting (the next failure will)"},
	"throttle.lift":        {"解除限制", "Lift"},
	"throttle.lifted":      {"已解除“%s”的限制。", "The throttle of “%s” is lifted."},
	"throttle.bad_addr":    {"地址无效", "Not a valid address"},
	"throttle.link":        {"登录限制", "Sign-in throttles"},
}

func init() { register(apiMessages) }

// apiMessages are the errors of the JSON API's tokens.
var apiMessages = map[string][2]string{
	"api.token_expired": {"API 令牌已于 %s 过期,请联系管理员换发", "The API token expired at %s; ask an administrator for a new one"},
	"api.rate_limited":  {"请求过于频繁:每个 API 令牌每分钟最多 %d 次请求,请按 Retry-After 等待后重试", "Too many requests: at most %d a minute per API token; wait as Retry-After says"},
}

func init() { register(reviewMessages) }

// reviewMessages keep review decisions consistent with what a report claims.
var reviewMessages = map[string][2]string{
	"review.noted": {"已阅(该报送未申报完成,不计为完成)", "Noted (the report claims no completion; nothing is completed)"},
	"review.err.nothing_claimed": {"该报送没有申报完成,无需审核:“通过”和“退回”只用于完成申报。",
		"This report claims no completion, so there is nothing to review: accepting and returning are for completion claims."},
	"review.err.superseded": {"该完成申报已被该单位之后的报送取代,或已被退回。请审核该单位最新的完成申报。",
		"This completion claim was superseded by a later report of the unit, or returned already. Review the unit's latest claim."},
}
