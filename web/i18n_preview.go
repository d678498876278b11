package web

func init() { register(previewMessages) }

// previewMessages are the plan preview's (/admin/plans/uploads/…): the label
// of every field workplan.Diff reports (plans.field.* for a task,
// plans.meta.* for the plan), so that no field name reaches a person.
var previewMessages = map[string][2]string{
	"plans.field.title":             {"任务名称", "Title"},
	"plans.field.body":              {"任务内容", "Text"},
	"plans.field.section":           {"所属板块", "Section"},
	"plans.field.group":             {"所属类别", "Group"},
	"plans.field.deadline":          {"完成时限", "Deadline"},
	"plans.field.lead_units":        {"牵头单位", "Lead units"},
	"plans.field.responsible_units": {"责任单位", "Responsible units"},
	"plans.field.cooperating_units": {"配合单位", "Cooperating units"},
	"plans.field.indicators":        {"量化指标", "Targets"},
	"plans.field.assignments":       {"承办单位(含集合称谓所指单位)", "Assigned units (designations included)"},
	"plans.meta.title":              {"方案名称", "Plan title"},
	"plans.meta.issued_by":          {"印发单位", "Issued by"},
	"plans.meta.issued_on":          {"印发日期", "Issued on"},
	"plans.meta.addressees":         {"主送单位", "Addressees"},
	"plans.col.units":               {"单位变化", "Units"},
	"plans.fulltext":                {"查看“%s”全文", "Whole “%s”"},
	"plans.empty":                   {"(无)", "(none)"},
	"plans.unit.added":              {"新增:", "added:"},
	"plans.unit.removed":            {"移除:", "removed:"},
}
