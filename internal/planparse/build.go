package planparse

import (
	"fmt"
	"sort"
	"strings"

	"duban/internal/deadline"
)

// Limits that keep a hostile or accidental input from producing a result far
// bigger than itself; real plans stay well below them.
const (
	maxLines      = 100_000 // lines (paragraphs, rows) in a document
	maxIndicators = 50      // indicator candidates per task
	maxWarnings   = 500     // warnings listed; one more says how many were left out
	// maxAssignments bounds the task–unit pairs of a plan (the seed has 193):
	// a unit list given once for a heading applies to every task under it.
	maxAssignments = 100_000
)

// build parses the lines of a document into a Document.
func build(lines []line) (*Document, error) {
	empty := true
	for _, l := range lines {
		if l.text != "" {
			empty = false
			break
		}
	}
	if empty {
		return nil, NewError(ErrEmpty, 0, "err.empty")
	}
	p := &parser{}
	p.run(lines)

	// A (N) line in a prose part is a task only if it carries labels; the
	// others are the part's numbered prose.
	var bs []*draft
	for _, b := range p.tasks {
		if !b.provisional || b.own.any() {
			bs = append(bs, b)
		}
	}
	// Labels given in a heading or before its first task apply to each task
	// under it that lacks that role; the nearest heading wins.
	labelled, assignments := false, 0
	for _, b := range bs {
		for _, s := range b.chain {
			b.own.fill(&s.defaults)
		}
		if b.own.any() {
			labelled = true
		}
		assignments += len(b.own.lead) + len(b.own.resp) + len(b.own.coop)
	}
	if assignments > maxAssignments {
		return nil, NewError(ErrTooLarge, 0, "err.assignments", maxAssignments)
	}
	if len(bs) == 0 {
		return nil, NewError(ErrNotPlan, 0, "err.notplan")
	}
	if !labelled {
		return nil, NewError(ErrNotPlan, 0, "err.nolabels", len(bs))
	}

	m := readMeta(lines)
	doc := &Document{
		Title:      m.title,
		IssuedBy:   m.issuedBy,
		Addressees: m.addressees,
		Sections:   []Section{},
		Tasks:      make([]Task, 0, len(bs)),
	}
	if !m.issuedOn.IsZero() {
		d := m.issuedOn
		doc.IssuedOn = &d
	}
	doc.Year = planYear(m, bs)

	nums := p.numbers(bs)
	for i, b := range bs {
		doc.Tasks = append(doc.Tasks, p.finish(b, nums[i], doc.Year))
	}
	doc.Sections = p.sections(bs)
	sort.SliceStable(p.warnings, func(i, j int) bool { return p.warnings[i].Line < p.warnings[j].Line })
	if n := len(p.warnings); n > maxWarnings {
		p.warnings = append(p.warnings[:maxWarnings], newWarning(p.warnings[maxWarnings].Line, "warnings.more", n-maxWarnings))
	}
	doc.Warnings = p.warnings
	if doc.Warnings == nil {
		doc.Warnings = []Warning{}
	}
	return doc, nil
}

// planYear is the year for deadlines that name none: the issue date's, else
// the first in the title, else the first in any deadline.
func planYear(m meta, bs []*draft) int {
	if !m.issuedOn.IsZero() {
		return m.issuedOn.Year
	}
	if y := firstYear(m.title); y != 0 {
		return y
	}
	for _, b := range bs {
		if y := firstYear(b.own.deadline); y != 0 {
			return y
		}
	}
	return 0
}

// numbers decides the tasks' numbers.
//
// When the printed numbers increase through the document (the plan numbers
// its tasks across sections, as the seed does), they are the numbers; a gap
// is a warning. Otherwise — numbering restarts per section or group, numbers
// repeat or go backwards, or table rows carry none — tasks are numbered 1…K in
// document order, the printed number is kept as SourceNumber, and a warning
// says so. A number printed twice in one numbering space (a space begins
// where a section or group restarts the count) is a warning of its own.
func (p *parser) numbers(bs []*draft) []int {
	nums := make([]int, len(bs))
	increasing, prev := true, 0
	for _, b := range bs {
		if b.source <= prev {
			increasing = false
		}
		prev = b.source
	}
	if increasing {
		prev = 0
		for i, b := range bs {
			nums[i] = b.source
			if b.source > prev+1 {
				if b.source == prev+2 {
					p.warn(b.line, "number.gap1", prev+1)
				} else {
					p.warn(b.line, "number.gap", prev+1, b.source-1)
				}
			}
			prev = b.source
		}
		return nums
	}
	restartAt, printed := 0, false
	seen := make(map[int]int)
	var last *draft
	for i, b := range bs {
		nums[i] = i + 1
		if b.source == 0 {
			continue
		}
		printed = true
		if last != nil && b.source <= last.source && (b.section() != last.section() || b.group() != last.group()) {
			if restartAt == 0 {
				restartAt = b.line
			}
			clear(seen)
		}
		if at, ok := seen[b.source]; ok {
			p.warn(b.line, "number.repeat", b.source, at, i+1)
		}
		seen[b.source] = b.line
		last = b
	}
	switch {
	case restartAt > 0:
		p.warn(restartAt, "number.restart", len(bs))
	case printed:
		p.warn(bs[0].line, "number.order", len(bs))
	}
	return nums
}

// finish completes one task and warns about what it lacks.
func (p *parser) finish(b *draft, n, year int) Task {
	t := Task{
		Number:           n,
		SourceNumber:     b.source,
		Title:            b.title,
		Body:             joinText(b.body, strings.Join(b.more, "\n")),
		LeadUnits:        nonNil(b.own.lead),
		ResponsibleUnits: nonNil(b.own.resp),
		CooperatingUnits: nonNil(b.own.coop),
		People:           b.own.people,
		Line:             b.line,
	}
	if t.Title == "" && t.Body != "" {
		t.Title, t.Body = firstSentence(t.Body)
	}
	if t.Title == "" {
		p.warn(b.line, "task.notitle", n)
	}
	if s := b.section(); s != nil {
		t.Section, t.SectionNumeral = s.title, s.numeral
	}
	if g := b.group(); g != nil {
		t.Group, t.GroupNumber = g.title, g.number
	}
	switch {
	case len(t.LeadUnits) == 0 && len(t.ResponsibleUnits) == 0:
		p.warn(b.line, "task.nounits", n)
	case len(t.LeadUnits) == 0:
		p.warn(b.line, "task.nolead", n)
	}
	if b.own.hasDeadline {
		t.Deadline = deadline.Parse(b.own.deadline, year)
		if t.Deadline.Kind == deadline.KindUnknown {
			p.warn(b.own.deadlineLine, "deadline.unknown", n, clip(b.own.deadline))
		}
	} else {
		t.Deadline = deadline.Deadline{Kind: deadline.KindUnknown}
		p.warn(b.line, "task.nodeadline", n)
	}
	t.Indicators = indicators(t.Title, t.Body, b.extra)
	if len(t.Indicators) > maxIndicators {
		p.warn(b.line, "indicators.toomany", n, maxIndicators, maxIndicators)
		t.Indicators = t.Indicators[:maxIndicators]
	}
	return t
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// sections lists the sections that hold tasks, and those under a task part
// (二、主要任务) even when empty, with their groups, in document order. Headings
// of prose parts ((一)指导思想, (一)强化组织领导…) hold no tasks and are left out.
func (p *parser) sections(bs []*draft) []Section {
	usedSec := make(map[*scope]bool)
	usedGrp := make(map[*scope]bool)
	for _, b := range bs {
		if s := b.section(); s != nil {
			usedSec[s] = true
		}
		if g := b.group(); g != nil {
			usedGrp[g] = true
		}
	}
	out := []Section{}
	index := make(map[*scope]int)
	for _, s := range p.scopes {
		switch {
		case usedSec[s]:
		case s.level == 2 && s.kind == partTask && !s.promoted && len(s.tasks) == 0:
			p.warn(s.line, "section.empty", s.numeral, s.title)
		default:
			continue
		}
		index[s] = len(out)
		out = append(out, Section{Numeral: s.numeral, Title: s.title, Line: s.line, Groups: []Group{}})
	}
	for _, g := range p.scopes {
		if g.level != 3 {
			continue
		}
		sec := -1
		for s := g.parent; s != nil; s = s.parent {
			if i, ok := index[s]; ok {
				sec = i
				break
			}
		}
		switch {
		case sec < 0:
			continue
		case usedGrp[g]:
		case g.kind == partTask && !g.promoted && len(g.tasks) == 0:
			p.warn(g.line, "group.empty", g.number, g.title)
		default:
			continue
		}
		out[sec].Groups = append(out[sec].Groups, Group{Number: g.number, Title: g.title, Line: g.line})
	}
	return out
}

// String formats a task briefly, for test failures and logs.
func (t Task) String() string {
	return fmt.Sprintf("(%d)%s [%s|%s|%s] %s", t.Number, t.Title,
		strings.Join(t.LeadUnits, "、"), strings.Join(t.ResponsibleUnits, "、"),
		strings.Join(t.CooperatingUnits, "、"), t.Deadline.Text)
}
