package planparse

import (
	"io"

	"duban/internal/workplan"
)

// Plan is d as the domain's Document: what the store compares with the plan
// as stored (workplan.Diff) and applies. planparse depends on the domain
// only here, inward: the domain knows nothing of parsing.
func (d *Document) Plan() *workplan.Document {
	out := &workplan.Document{Title: d.Title, IssuedBy: d.IssuedBy, Addressees: d.Addressees, Year: d.Year}
	if d.IssuedOn != nil {
		out.IssuedOn = *d.IssuedOn
	}
	for _, s := range d.Sections {
		sec := workplan.DocSection{Numeral: s.Numeral, Title: s.Title}
		for _, g := range s.Groups {
			sec.Groups = append(sec.Groups, workplan.DocGroup{Number: g.Number, Title: g.Title})
		}
		out.Sections = append(out.Sections, sec)
	}
	for _, t := range d.Tasks {
		dt := workplan.DocTask{Number: t.Number, SectionNumeral: t.SectionNumeral, Section: t.Section, GroupNumber: t.GroupNumber,
			Group: t.Group, Title: t.Title, Body: t.Body, Deadline: t.Deadline,
			Units: map[workplan.Role][]string{workplan.RoleLead: t.LeadUnits, workplan.RoleResponsible: t.ResponsibleUnits,
				workplan.RoleCooperating: t.CooperatingUnits}}
		for _, i := range t.Indicators {
			dt.Indicators = append(dt.Indicators, workplan.DocIndicator{Text: i.Text, Comparator: i.Comparator, Value: i.Value, Unit: i.Unit})
		}
		out.Tasks = append(out.Tasks, dt)
	}
	for _, w := range d.Warnings {
		out.Warnings = append(out.Warnings, workplan.SeedWarning{Line: w.Line, Key: w.Key, Args: w.Args, Message: w.Message})
	}
	return out
}

// Read parses a plan document from r (see Parse) into the domain's Document.
func Read(r io.Reader, name string) (*workplan.Document, error) {
	d, err := Parse(r, name)
	if err != nil {
		return nil, err
	}
	return d.Plan(), nil
}
