package web

func init() { register(adminPlanMessages) }

var adminPlanMessages = map[string][2]string{
	"nav.plans":           {"方案导入", "Plans"},
	"plans.title":         {"方案导入与版本", "Plans and versions"},
	"plans.version":       {"第 %d 版", "version %d"},
	"plans.tasks":         {"%d 项任务", "%d tasks"},
	"plans.col.version":   {"版本", "Version"},
	"plans.col.file":      {"文件", "File"},
	"plans.col.by":        {"导入人", "Applied by"},
	"plans.col.changes":   {"变化", "Changes"},
	"plans.col.field":     {"字段", "Field"},
	"plans.col.before":    {"原内容", "Before"},
	"plans.col.after":     {"新内容", "After"},
	"plans.upload":        {"导入或更新方案", "Load or update a plan"},
	"plans.upload.help":   {"上传方案原文(.docx、带文字层的PDF,或.txt:UTF-8、GBK均可;不超过 %d MB)或粘贴文本。先显示预览,确认后才生效;已有任务按编号对应,已删除的任务归档,报送记录全部保留。", "Upload the plan document (.docx, a PDF with a text layer, or .txt in UTF-8 or GBK; at most %d MB) or paste its text. A preview comes first and nothing changes until you confirm; tasks are matched by number, removed tasks are archived, and every report is kept."},
	"plans.target":        {"导入到", "Load into"},
	"plans.target.new":    {"新建方案…(填写下面的新方案标识)", "Create a new plan… (give its key below)"},
	"plans.newslug":       {"新方案标识(仅在新建方案时填写;小写字母、数字和连字符,不填则为 plan-年份)", "New plan key (only when creating a plan: lower-case letters, digits, hyphens; plan-YEAR if empty)"},
	"plans.file":          {"方案文件", "Document"},
	"plans.text":          {"或粘贴方案文本", "or paste the text"},
	"plans.preview":       {"预览变化", "Preview the changes"},
	"plans.preview.title": {"导入预览", "Preview"},
	"plans.applied.title": {"已导入", "Applied"},
	"plans.applied":       {"已应用 %d 处变化,方案现为第 %d 版。", "%d changes applied; the plan is now version %d."},
	"plans.nochange":      {"与当前方案相同,没有变化。", "Same as the current plan: nothing to change."},
	"plans.willapply":     {"确认后将应用 %d 处变化,成为第 %d 版。以下内容尚未生效。", "Confirming applies %d changes as version %d. Nothing has changed yet."},
	"plans.newplan":       {"确认后将新建方案“%s”。它将成为最新的方案:督办看板、任务台账和 API 默认显示它。", "Confirming creates the new plan “%s”. It becomes the newest plan: the dashboard, the ledger and the API show it by default."},
	"plans.metadata":      {"方案信息", "Plan details"},
	"plans.added":         {"新增任务", "Tasks added"},
	"plans.changed":       {"修改的任务", "Tasks changed"},
	"plans.restored":      {"恢复的任务", "Tasks restored"},
	"plans.archived":      {"归档的任务(报送记录保留)", "Tasks archived (reports kept)"},
	"plans.unchanged":     {"未变化的任务:%d 项", "Unchanged tasks: %d"},
	"plans.unknown":       {"以下单位不在单位库中,将作为待确认单位创建:", "These units are not in the registry and will be created unconfirmed:"},
	"plans.unknown.fix":   {"在单位管理中确认或归并", "Confirm or map them in the unit registry"},
	"plans.warnings":      {"解析提示(按行号)", "Parser warnings (by line)"},
	"plans.confirm":       {"确认导入", "Apply"},
	"plans.cancel":        {"取消", "Cancel"},
	"plans.back":          {"返回方案列表", "Back to the plans"},
	"plans.line":          {"第 %d 行:%s", "line %d: %s"},
	"plans.summary":       {"新增 %v,修改 %v,归档 %v,恢复 %v", "added %v, changed %v, archived %v, restored %v"},
	"plans.err.nofile":    {"请上传方案文件或粘贴方案文本", "Upload a document or paste its text"},
	"plans.err.both":      {"请只提供文件或文本中的一种", "Give a file or text, not both"},
	"plans.err.size":      {"文件超过 %d MB 的上限", "The file is over the %d MB limit"},
	"plans.err.slug":      {"方案标识(new_slug)只能包含小写字母、数字和连字符", "The plan key (new_slug) may hold only lower-case letters, digits and hyphens"},
}

func init() {
	register(map[string][2]string{
		"plans.target.choose": {"请选择:更新已有方案,或新建方案", "Choose: update an existing plan, or create a new one"},
		"plans.err.choose":    {"请选择要更新的方案,或选择“新建方案”", "Choose the plan to update, or “Create a new plan”"},
		"plans.err.unknown":   {"方案“%s”不存在。要新建方案,请在“导入到”中选择“新建方案”并填写新方案标识", "There is no plan “%s”. To create a plan, choose “Create a new plan” and give its key"},
		"plans.err.exists":    {"方案“%s”已经存在。要更新它,请在“导入到”中选择它;要新建方案,请填写另一个新方案标识", "The plan “%s” exists. To update it, choose it under “Load into”; to create a plan, give another key"},
	})
}
