package workplan

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"duban/internal/deadline"
)

// Document is a plan document as the parser read it: what the plan says,
// before anything is stored. The caller (the command line, the upload
// page) parses; Diff compares a document with the plan as stored; the
// store applies the change.
type Document struct {
	Title      string
	IssuedBy   string
	IssuedOn   deadline.Date
	Addressees []string
	// Year is the year deadlines without one fall in; 0 when unknown.
	Year     int
	Sections []DocSection
	Tasks    []DocTask
	Warnings []SeedWarning
}

// DocSection is a section of the plan's tasks with its numbered groups.
type DocSection struct {
	Numeral string
	Title   string
	Groups  []DocGroup
}

// DocGroup is a numbered group of tasks within a section.
type DocGroup struct {
	Number int
	Title  string
}

// DocTask is one task as the document writes it.
type DocTask struct {
	Number         int
	SectionNumeral string
	Section        string
	GroupNumber    int
	Group          string
	Title          string
	Body           string
	Deadline       deadline.Deadline
	// Units are the unit names per role, as written (designations included).
	Units      map[Role][]string
	Indicators []DocIndicator
}

// DocIndicator is a quantitative target named in a task's text.
type DocIndicator struct {
	Text       string
	Comparator string
	Value      float64
	Unit       string
}

// String is the indicator as the preview shows it: 文本(>=1200项).
func (i DocIndicator) String() string {
	return fmt.Sprintf("%s(%s%s%s)", i.Text, i.Comparator, strconv.FormatFloat(i.Value, 'f', -1, 64), i.Unit)
}

// DefaultSlug is the plan key used when none is given: plan-YEAR from the
// document's year.
func (d *Document) DefaultSlug() string {
	if d.Year > 0 {
		return "plan-" + strconv.Itoa(d.Year)
	}
	return "plan"
}

// UnitNames returns the distinct unit names of all tasks, in order of first
// appearance.
func (d *Document) UnitNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range d.Tasks {
		for _, r := range Roles {
			for _, u := range t.Units[r] {
				if !seen[u] {
					seen[u] = true
					out = append(out, u)
				}
			}
		}
	}
	return out
}

// SeedInput is a plan document to preview or to apply.
type SeedInput struct {
	// Slug names the plan the document loads into; "" means the document's
	// DefaultSlug.
	Slug string
	// SourceName is the file name, kept with the version and used in messages.
	SourceName string
	// Source is the document as uploaded (text or .docx bytes, or the text of
	// a PDF), kept whole as the plan version with its SHA-256.
	Source []byte
	// Document is what the caller's parser read from Source.
	Document *Document
	// DryRun computes the changes and rolls everything back (the preview).
	DryRun bool
	// ExpectVersion, when not nil, is the plan version the preview was made
	// against (0 for a plan that did not exist): if another document was
	// applied since, Seed refuses with a conflict and changes nothing.
	ExpectVersion *int
	Actor         Actor
}

// StoredPlan is a plan as stored, in the form a document is compared with.
type StoredPlan struct {
	// Exists is false for a plan that is not stored yet.
	Exists  bool
	Version int
	// SHA256 is the hex digest of the current version's document.
	SHA256     string
	Title      string
	IssuedBy   string
	IssuedOn   deadline.Date
	Addressees []string
	// Tasks are the plan's tasks by number, archived ones included.
	Tasks map[int]StoredTask
}

// StoredTask is a task as stored.
type StoredTask struct {
	ID         int64
	Title      string
	Body       string
	Section    string
	Group      string
	Deadline   string
	Start      deadline.Date
	Archived   bool
	Units      map[Role][]string
	Indicators []DocIndicator
}

// TaskAction is what applying a document does to one task.
type TaskAction string

// The task actions.
const (
	ActionAdd     TaskAction = "add"
	ActionChange  TaskAction = "change"
	ActionRestore TaskAction = "restore"
	ActionArchive TaskAction = "archive"
	ActionKeep    TaskAction = "keep"
)

// PlannedTask is one task's part of a PlanChange: the action, the fields
// that change, the document's task (nil when archived) and the stored one
// (nil when added).
type PlannedTask struct {
	Number int
	Action TaskAction
	Fields []FieldChange
	Doc    *DocTask
	Stored *StoredTask
}

// Revises reports whether the task's revision (its text, place, deadline
// or units) changes, so that a new revision must be recorded.
func (p PlannedTask) Revises() bool {
	if p.Action == ActionAdd || p.Action == ActionRestore {
		return true
	}
	for _, f := range p.Fields {
		if f.Field != "indicators" {
			return true
		}
	}
	return false
}

// PlanChange is the change between a stored plan and a document: computed
// by Diff without a database, applied by the store.
type PlanChange struct {
	NewPlan      bool
	SameDocument bool
	BaseVersion  int
	Metadata     []FieldChange
	// Tasks are the document's tasks in its order (the first of a repeated
	// number; the parser warned about the others), then the stored tasks it
	// no longer names, by number.
	Tasks []PlannedTask
}

// unitFields are the preview names of the unit lists, per role.
var unitFields = map[Role]string{RoleLead: "lead_units", RoleResponsible: "responsible_units", RoleCooperating: "cooperating_units"}

// Diff computes what applying doc (whose digest is sha) to the stored plan
// changes: the plan's metadata, and for every task whether it is added,
// changed field by field, restored from the archive, archived (no longer
// named) or kept. Tasks are keyed by number. Pure: the same inputs give the
// same change.
func Diff(stored StoredPlan, doc *Document, sha string) PlanChange {
	c := PlanChange{NewPlan: !stored.Exists, BaseVersion: stored.Version}
	if stored.Exists {
		c.SameDocument = stored.SHA256 == sha
		add := func(field, before, after string) {
			if before != after {
				c.Metadata = append(c.Metadata, FieldChange{Field: field, Before: before, After: after})
			}
		}
		add("title", stored.Title, doc.Title)
		add("issued_by", stored.IssuedBy, doc.IssuedBy)
		add("issued_on", stored.IssuedOn.String(), doc.IssuedOn.String())
		add("addressees", strings.Join(stored.Addressees, "、"), strings.Join(doc.Addressees, "、"))
	}
	seen := map[int]bool{}
	for i := range doc.Tasks {
		t := &doc.Tasks[i]
		if seen[t.Number] {
			continue
		}
		seen[t.Number] = true
		p := PlannedTask{Number: t.Number, Doc: t, Action: ActionAdd}
		if e, ok := stored.Tasks[t.Number]; ok {
			e := e
			p.Stored = &e
			p.Fields = taskFields(e, t)
			switch {
			case e.Archived:
				p.Action = ActionRestore
			case len(p.Fields) > 0:
				p.Action = ActionChange
			default:
				p.Action = ActionKeep
			}
		}
		c.Tasks = append(c.Tasks, p)
	}
	var gone []int
	for n, e := range stored.Tasks {
		if !seen[n] && !e.Archived {
			gone = append(gone, n)
		}
	}
	sort.Ints(gone)
	for _, n := range gone {
		e := stored.Tasks[n]
		c.Tasks = append(c.Tasks, PlannedTask{Number: n, Action: ActionArchive, Stored: &e})
	}
	return c
}

// taskFields lists the fields of a stored task that the document changes.
func taskFields(e StoredTask, t *DocTask) []FieldChange {
	var out []FieldChange
	add := func(field, before, after string) {
		if before != after {
			out = append(out, FieldChange{Field: field, Before: before, After: after})
		}
	}
	add("title", e.Title, t.Title)
	add("body", e.Body, t.Body)
	add("section", e.Section, t.Section)
	add("group", e.Group, t.Group)
	add("deadline", e.Deadline, t.Deadline.Text)
	for _, r := range Roles {
		add(unitFields[r], strings.Join(e.Units[r], "、"), strings.Join(t.Units[r], "、"))
	}
	add("indicators", indicatorsText(e.Indicators), indicatorsText(t.Indicators))
	return out
}

// IndicatorsText joins indicators as the preview shows them.
func indicatorsText(inds []DocIndicator) string {
	parts := make([]string, len(inds))
	for i, ind := range inds {
		parts[i] = ind.String()
	}
	return strings.Join(parts, ";")
}

// SameIndicators reports whether two lists of indicators say the same.
func SameIndicators(a, b []DocIndicator) bool { return indicatorsText(a) == indicatorsText(b) }

// Report turns the change into the preview's summary (SeedDiff) for plan
// slug: the store adds what only it knows (units not in the registry, the
// assignments each task gains or loses, the new version number).
func (c PlanChange) Report(slug, sha string, warnings []SeedWarning) SeedDiff {
	d := SeedDiff{PlanSlug: slug, NewPlan: c.NewPlan, BaseVersion: c.BaseVersion, SHA256: sha, SameDocument: c.SameDocument,
		Metadata: c.Metadata, Warnings: warnings}
	for _, p := range c.Tasks {
		title := ""
		switch {
		case p.Doc != nil:
			title = p.Doc.Title
		case p.Stored != nil:
			title = p.Stored.Title
		}
		ch := TaskChange{Number: p.Number, Title: title, Fields: p.Fields}
		switch p.Action {
		case ActionAdd:
			d.Added = append(d.Added, ch)
		case ActionChange:
			d.Changed = append(d.Changed, ch)
		case ActionRestore:
			d.Restored = append(d.Restored, ch)
		case ActionArchive:
			d.Archived = append(d.Archived, TaskChange{Number: p.Number, Title: title})
		default:
			d.Unchanged = append(d.Unchanged, p.Number)
		}
	}
	return d
}

// NoteAssignments records that task n's assignments change (from before to
// after) although the document does not change its units: a mapping of a
// designation or the registry changed. A task otherwise unchanged becomes
// changed.
func (d *SeedDiff) NoteAssignments(n int, title, before, after string) {
	f := FieldChange{Field: "assignments", Before: before, After: after}
	for _, list := range []*[]TaskChange{&d.Changed, &d.Restored} {
		for i := range *list {
			if (*list)[i].Number == n {
				(*list)[i].Fields = append((*list)[i].Fields, f)
				return
			}
		}
	}
	for i, u := range d.Unchanged {
		if u == n {
			d.Unchanged = append(d.Unchanged[:i], d.Unchanged[i+1:]...)
			break
		}
	}
	at := sort.Search(len(d.Changed), func(i int) bool { return d.Changed[i].Number > n })
	d.Changed = append(d.Changed[:at], append([]TaskChange{{Number: n, Title: title, Fields: []FieldChange{f}}}, d.Changed[at:]...)...)
}
