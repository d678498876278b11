package workplan

// AuditRefs are the things one page of the audit trail refers to, by kind
// and ID, so that the page can name them and link to them.
type AuditRefs struct {
	Users, Units, Tasks, Assignments, Bulletins []int64
}

// AuditNames are what AuditRefs refer to, as people know them. An ID
// missing from a map was not found. Plans holds every plan, since entries
// name plans by ID or by key (slug).
type AuditNames struct {
	Users       map[int64]User
	Units       map[int64]string
	Plans       []Plan
	Tasks       map[int64]AuditTask
	Assignments map[int64]AuditTask
	// Bulletins maps a bulletin's ID to its number (第 N 期).
	Bulletins map[int64]int
}

// AuditTask names a task, or an assignment (a unit's part in a task), by
// its plan's key, its number and title, and the unit.
type AuditTask struct {
	PlanSlug string
	Number   int
	Title    string
	// UnitName is the assignment's unit ("" for a task).
	UnitName string
}
