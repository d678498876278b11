package planparse

import (
	"fmt"
	"strings"
)

// partKind says whether a part (一、…) of the plan holds tasks.
type partKind int

const (
	partNeutral partKind = iota // a part that is neither, or no part at all
	partTask                    // 主要任务, 重点任务, 工作措施 …
	partProse                   // 总体要求, 保障措施 …: (N) lines here are prose unless labelled
)

// classifyPart tells a part's kind from its title. 保障措施 is prose although
// it ends in 措施, so the prose words are checked first for it.
func classifyPart(title string) partKind {
	if strings.Contains(title, "保障") {
		return partProse
	}
	for _, w := range []string{"任务", "重点工作", "主要工作", "工作措施", "主要措施", "具体措施", "重点举措", "工作内容", "主要内容"} {
		if strings.Contains(title, w) {
			return partTask
		}
	}
	for _, w := range []string{"要求", "目标", "思想", "原则", "步骤", "组织", "机制", "安排", "背景", "依据"} {
		if strings.Contains(title, w) {
			return partProse
		}
	}
	return partNeutral
}

// scope is an open heading: the root (level 0), a part (1, 一、), a section
// (2, (一)) or a group (3, 1.).
type scope struct {
	level   int
	numeral string // as printed: "一", "1"
	number  int
	title   string
	rest    []string // the heading's text after its title, and prose before its first task
	line    int
	kind    partKind // of the part the scope is in
	parent  *scope
	// defaults are labels given in the heading or before its first task; they
	// apply to each task under it that lacks that role.
	defaults  labels
	tasks     []*draft // tasks under the scope, in order
	trailFrom int      // tasks[trailFrom:] have not yet had a trailing label block
	promoted  bool     // the heading became a task
}

// draft is a task being assembled.
type draft struct {
	source      int // the printed number, 0 if none
	title, body string
	more        []string // continuation paragraphs of the body
	line        int
	own         labels // its own labels, and those of a trailing block
	sawLabels   bool   // its labelled lines began: later prose is suspicious
	chain       []*scope
	provisional bool   // a (N) line in a prose part: a task only if labelled
	extra       string // a task table's target column (目标, 指标), read for indicators
}

// section and group return the scopes a task belongs to.
func (b *draft) section() *scope {
	for _, s := range b.chain {
		if s.level == 2 {
			return s
		}
	}
	for _, s := range b.chain {
		if s.level == 1 {
			return s
		}
	}
	return nil
}

func (b *draft) group() *scope {
	for _, s := range b.chain {
		if s.level == 3 {
			return s
		}
	}
	return nil
}

// parser walks the lines of a document once, building tasks.
type parser struct {
	warnings []Warning
	root     *scope
	cur      *scope // innermost open heading
	task     *draft // the task whose lines are being read
	tasks    []*draft
	scopes   []*scope // every heading, in document order
	table    *tableMap
	pending  *pending
	// firstLeads is set by a note such as "(列第一位为牵头单位,下同)": from
	// there on the first unit of a 责任单位 list leads.
	firstLeads bool
}

// pending is a label whose value is on the next line ("责任单位:" then the list).
type pending struct {
	line int
	word string
	fill func(value string)
}

// warn records a warning: the message key and its arguments.
func (p *parser) warn(line int, key string, args ...any) {
	p.warnings = append(p.warnings, newWarning(line, key, args...))
}

func newWarning(line int, key string, args ...any) Warning {
	a := stringArgs(args)
	if a == nil {
		a = []string{}
	}
	return Warning{Line: line, Key: key, Args: a, Message: Text(key, a)}
}

func (p *parser) run(lines []line) {
	p.root = &scope{}
	p.cur = p.root
	for _, l := range lines {
		if l.cells != nil {
			p.row(l)
			continue
		}
		p.text(l.no, l.text)
	}
	if p.pending != nil {
		p.warn(p.pending.line, "label.empty", p.pending.word)
		p.pending = nil
	}
	p.task = nil
	p.closeScopes(1)
}

// chain returns the open headings, innermost first.
func (p *parser) chain() []*scope {
	var c []*scope
	for s := p.cur; s != nil; s = s.parent {
		c = append(c, s)
	}
	return c
}

// open returns the open heading at level, or nil.
func (p *parser) open(level int) *scope {
	for s := p.cur; s != nil; s = s.parent {
		if s.level == level {
			return s
		}
	}
	return nil
}

// structural reports a line that starts something: it cannot be the value of
// a label left without one.
func structural(t string) bool {
	if _, _, _, ok := partHeading(t); ok {
		return true
	}
	if _, _, _, ok := sectionHeading(t); ok {
		return true
	}
	if _, _, ok := taskStart(t); ok {
		return true
	}
	return isAttachment(t) || knownLabels(labelLine(t))
}

// knownLabels reports hits of which at least one is a label the parser
// knows: a line of unknown words alone ("发布时间:…" in a page's header) does
// not start anything.
func knownLabels(hits []hit) bool {
	for _, h := range hits {
		if h.role != roleUnknown {
			return true
		}
	}
	return false
}

// text handles one line of text (or one cell of a table that is not a task table).
func (p *parser) text(no int, t string) {
	if t == "" {
		return
	}
	if strings.IndexByte(t, '\n') >= 0 {
		for _, part := range strings.Split(t, "\n") {
			p.text(no, strings.TrimSpace(part))
		}
		return
	}
	if parts := splitInlineTasks(t); len(parts) > 1 {
		for _, part := range parts {
			p.text(no, part)
		}
		return
	}
	if p.pending != nil {
		pd := p.pending
		p.pending = nil
		if !structural(t) {
			pd.fill(t)
			return
		}
		p.warn(pd.line, "label.empty", pd.word)
	}
	if isAttachment(t) {
		// Attachments start afresh: a task list attached to a notice has its own
		// headings, and nothing after 附件 belongs to the last task.
		p.task = nil
		p.closeScopes(1)
		return
	}
	if n, numeral, rest, ok := partHeading(t); ok {
		p.task = nil
		p.closeScopes(1)
		p.openScope(no, 1, n, numeral, rest)
		return
	}
	if n, numeral, rest, ok := sectionHeading(t); ok && p.headingHere(2, n) {
		p.task = nil
		p.closeScopes(2)
		p.openScope(no, 2, n, numeral, rest)
		return
	}
	if n, rest, ok := groupHeading(t); ok && p.headingHere(3, n) {
		p.task = nil
		p.closeScopes(3)
		p.openScope(no, 3, n, fmt.Sprint(n), rest)
		return
	}
	if n, rest, ok := taskStart(t); ok {
		p.startTask(no, n, rest)
		return
	}
	if n, rest, ok := altTaskStart(t); ok && (p.task == nil || p.task.sawLabels) && p.cur.kind == partTask {
		p.warn(no, "task.altnumber", clip(t))
		p.startTask(no, n, rest)
		return
	}
	if inner, ok := parenBlock(t); ok {
		if p.task != nil {
			p.task.sawLabels = true
		}
		p.scopeLabels(no, inner, findHits(inner), false)
		return
	}
	if hits := labelLine(t); hits != nil && (p.task != nil || knownLabels(hits)) {
		if b := p.task; b != nil {
			b.sawLabels = true
			p.apply(&b.own, no, t, hits, true)
			return
		}
		p.scopeLabels(no, t, hits, true)
		return
	}
	p.prose(no, t)
}

// headingHere decides whether a numbered line is a heading or, inside a task
// whose labelled lines have not begun, a numbered point of the task's text:
// there it is a heading only if it continues the numbering of the headings at
// its level ((二) after (一), 3. after 2.).
func (p *parser) headingHere(level, n int) bool {
	if p.task == nil || p.task.sawLabels {
		return true
	}
	sib := p.open(level)
	return sib != nil && n == sib.number+1
}

// openScope opens a heading; labels written in it are its defaults.
func (p *parser) openScope(no, level, n int, numeral, text string) {
	text, block := cutInline(text)
	title, rest := firstSentence(text)
	s := &scope{level: level, numeral: numeral, number: n, title: title, line: no, parent: p.cur, kind: p.cur.kind}
	if level == 1 {
		s.kind = classifyPart(title)
	}
	if rest != "" {
		s.rest = append(s.rest, rest)
	}
	if block != "" {
		p.applyBlock(&s.defaults, no, block)
	}
	p.cur = s
	p.scopes = append(p.scopes, s)
}

// closeScopes closes the open headings at level and below (deeper).
func (p *parser) closeScopes(level int) {
	for p.cur != p.root && p.cur.level >= level {
		s := p.cur
		p.cur = s.parent
		if len(s.tasks) == 0 && s.defaults.any() && s.level >= 2 {
			p.promote(s)
		}
	}
}

// promote turns a heading that carries labels but has no tasks under it into
// a task: plans often write "1.标题。正文(牵头单位:…)" with no (N) tasks.
func (p *parser) promote(s *scope) {
	s.promoted = true
	b := &draft{
		source:    s.number,
		title:     s.title,
		body:      strings.Join(s.rest, "\n"),
		line:      s.line,
		own:       s.defaults,
		sawLabels: true,
	}
	s.defaults = labels{}
	for c := s.parent; c != nil; c = c.parent {
		b.chain = append(b.chain, c)
	}
	p.add(b)
}

// add records a task under every open heading of its chain.
func (p *parser) add(b *draft) {
	p.tasks = append(p.tasks, b)
	for _, s := range b.chain {
		s.tasks = append(s.tasks, b)
	}
}

func (p *parser) startTask(no, n int, rest string) {
	text, block := cutInline(rest)
	title, body := firstSentence(text)
	b := &draft{source: n, title: title, body: body, line: no, chain: p.chain()}
	b.provisional = b.chain[0].kind == partProse
	if block != "" {
		b.sawLabels = true
		p.applyBlock(&b.own, no, block)
	}
	p.add(b)
	p.task = b
}

// scopeLabels handles labels outside a task's own lines: a block after tasks
// applies to each of the preceding tasks of the innermost heading that lacks
// that role; labels before any task are the heading's defaults.
func (p *parser) scopeLabels(no int, t string, hits []hit, line bool) {
	s := p.cur
	if len(s.tasks) > s.trailFrom {
		var l labels
		p.applyHits(&l, no, t, hits, false)
		used := false
		for _, b := range s.tasks[s.trailFrom:] {
			if b.own.fill(&l) {
				used = true
			}
		}
		s.trailFrom = len(s.tasks)
		if !used && l.any() {
			p.warn(no, "labels.unused", clip(t))
		}
		return
	}
	if s.level == 0 || s.level == 1 && s.kind == partProse {
		p.warn(no, "labels.outside", clip(t))
		return
	}
	p.applyHits(&s.defaults, no, t, hits, line)
}

// applyHits reads labels into dst, or, when t has none, units with verbs.
func (p *parser) applyHits(dst *labels, no int, t string, hits []hit, line bool) {
	if len(hits) > 0 {
		p.apply(dst, no, t, hits, line)
		return
	}
	p.applyBlock(dst, no, t)
}

// applyBlock reads a block cut from a paragraph (see cutInline): labels, or
// units with verbs.
func (p *parser) applyBlock(dst *labels, no int, block string) {
	if hits := findHits(block); len(hits) > 0 {
		p.apply(dst, no, block, hits, false)
		return
	}
	if v, ok := readVerbs(block); ok {
		p.setVerbs(dst, no, v, -1)
	}
}

// setVerbs stores units read with verbs. A label's role (as) applies to
// units whose clause names no other role: a 责任单位 list ending in 按职责分工
// 负责 is responsible, one saying X牵头 has X lead. as < 0 means no label.
func (p *parser) setVerbs(dst *labels, no int, v verbUnits, as role) {
	dropped := 0
	for r := roleLead; r <= roleCoop; r++ {
		to := r
		if as == roleLead && r == roleResp || as == roleCoop && r == roleResp {
			to = as
		}
		dropped += addUnits(dst.list(to), v.lists[r])
	}
	if dropped > 0 {
		p.warn(no, "units.toomany", maxUnits, dropped, clip(strings.Join(v.lists[roleResp], "、")))
	}
	if v.deadline != "" {
		p.setLabel(dst, no, hit{role: roleDeadline, word: "完成时限"}, v.deadline)
	}
	for _, n := range v.notes {
		p.warn(no, "units.note", clip(n))
	}
}

// apply reads labels into dst. With line set, a last label without a value
// takes the next line as its value.
func (p *parser) apply(dst *labels, no int, s string, hits []hit, line bool) {
	for k, h := range hits {
		end := len(s)
		if k+1 < len(hits) {
			end = hits[k+1].start
		}
		v := trimValue(s[h.valStart:end])
		if v == "" {
			if line && k == len(hits)-1 {
				h := h
				p.pending = &pending{line: no, word: h.word, fill: func(v string) {
					p.setLabel(dst, no, h, trimValue(v))
				}}
				continue
			}
			p.warn(no, "label.empty", h.word)
			continue
		}
		p.setLabel(dst, no, h, v)
	}
}

// setLabel stores one label's value.
func (p *parser) setLabel(dst *labels, no int, h hit, v string) {
	switch h.role {
	case roleDeadline:
		if dst.hasDeadline {
			p.warn(no, "deadline.repeat", clip(dst.deadline), clip(v))
			return
		}
		dst.deadline, dst.deadlineLine, dst.hasDeadline = v, no, true
		return
	case rolePeople:
		for _, name := range SplitUnits(v) {
			if len(dst.people) < maxUnits {
				dst.people = append(dst.people, Person{Role: h.word, Name: name})
			}
		}
		return
	case roleUnknown:
		p.warn(no, "label.unknown", h.word, clip(v))
		return
	}
	v, note := cutNote(v)
	if note != "" {
		p.warn(no, "units.note", clip(note))
	}
	qual := h.qual
	if q, rest, ahead := firstLeadNote(v); q != "" {
		v, qual = rest, q
		p.firstLeads = p.firstLeads || ahead
	}
	firstLeads := h.role == roleResp && (leadQualifier(qual) || p.firstLeads)
	if vu, ok := readVerbs(v); ok {
		if firstLeads && len(vu.lists[roleLead]) == 0 && len(vu.lists[roleResp]) > 0 {
			vu.lists[roleLead], vu.lists[roleResp] = vu.lists[roleResp][:1], vu.lists[roleResp][1:]
		}
		p.setVerbs(dst, no, vu, h.role)
		return
	}
	lead, rest := leadMarkers(SplitUnits(v), qual, h.role)
	if firstLeads && len(lead) == 0 && len(rest) > 0 {
		lead, rest = rest[:1], rest[1:]
	}
	dropped := addUnits(&dst.lead, lead)
	if h.role != roleLead {
		dropped += addUnits(dst.list(h.role), rest)
	}
	if dropped > 0 {
		p.warn(no, "units.toomany", maxUnits, dropped, clip(v))
	}
}

// cutNote cuts a unit list at its first 。 outside brackets: what follows is
// a note ("具体任务均涉及相关市(州)人民政府,不再做分工,下同"), not units.
func cutNote(v string) (units, note string) {
	parts := splitTop(v, "。")
	if len(parts) < 2 {
		return v, ""
	}
	return parts[0], strings.Trim(strings.Join(parts[1:], "。"), " 。")
}

// firstLeadNote finds a bracketed note in a unit list saying that its first
// unit leads, "(列第一位者为牵头或汇总单位,下同)", and returns it, the list
// without it, and whether it applies to the lists that follow (下同).
func firstLeadNote(v string) (note, rest string, ahead bool) {
	for i := 0; i < len(v); i++ {
		if v[i] != '(' {
			continue
		}
		end := matchClose(v, i)
		if end < 0 {
			return "", v, false
		}
		inner := v[i+1 : end]
		if leadQualifier(inner) {
			return inner, strings.TrimSpace(v[:i] + v[end+1:]), strings.Contains(inner, "下同")
		}
		i = end
	}
	return "", v, false
}

// prose handles a line that is none of the above.
func (p *parser) prose(no int, t string) {
	if b := p.task; b != nil {
		if b.sawLabels {
			p.warn(no, "task.textafter", b.source, clip(t))
		}
		text, block := cutInline(t)
		if text != "" {
			b.more = append(b.more, text)
		}
		if block != "" {
			b.sawLabels = true
			p.applyBlock(&b.own, no, block)
		}
		return
	}
	s := p.cur
	if text, block := cutInline(t); block != "" && s.level > 0 {
		if s.level >= 2 && len(s.tasks) == 0 && text != "" {
			s.rest = append(s.rest, text)
		}
		p.scopeLabels(no, block, findHits(block), false)
		return
	}
	if s.level >= 2 && len(s.tasks) == 0 {
		s.rest = append(s.rest, t)
	}
}

// clip shortens a line for a warning to 40 characters.
func clip(s string) string {
	n := 0
	for i := range s {
		if n == 40 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
