package planparse

import (
	"strings"
	"unicode/utf8"
)

// tableMap says which column of a task table holds what, from its header row.
type tableMap struct {
	ncols    int
	number   int   // 序号, or -1
	text     []int // the task columns: one (任务) or two (重点任务, 具体措施)
	units    [3]int
	quals    [3]string // a header such as 责任单位(排第一位的为牵头单位) qualifies its column
	deadline int
	extra    []int // 目标, 指标: read for indicators only
	people   int   // 责任领导, 分管领导: people, or -1
	role     string
}

// headerMap recognises the header row of a task table: short cells naming a
// task column and at least one unit or deadline column. It returns nil for any
// other row.
func headerMap(cells []string) *tableMap {
	m := &tableMap{ncols: len(cells), number: -1, units: [3]int{-1, -1, -1}, deadline: -1, people: -1}
	for i, c := range cells {
		c = strings.Join(strings.Fields(c), "")
		if c == "" {
			continue
		}
		if utf8.RuneCountInString(c) > 20 {
			return nil
		}
		switch {
		case strings.Contains(c, "领导") || strings.HasSuffix(c, "责任人") || strings.HasSuffix(c, "负责人"):
			// 牵头领导, 责任领导: people, not units
			m.people, m.role = i, c
		case strings.Contains(c, "牵头") && !leadQualifier(c):
			// 牵头单位, 牵头部门, 牵头责任单位
			m.units[roleLead], m.quals[roleLead] = i, c
		case strings.Contains(c, "责任") || strings.Contains(c, "主责") || strings.Contains(c, "承办"):
			// 责任单位, or 责任单位(排第一位的为牵头单位)
			m.units[roleResp], m.quals[roleResp] = i, c
		case strings.Contains(c, "配合") || strings.Contains(c, "协办") || strings.Contains(c, "协同") || strings.Contains(c, "参与"):
			m.units[roleCoop], m.quals[roleCoop] = i, c
		case strings.Contains(c, "时限") || strings.Contains(c, "时间") || strings.Contains(c, "节点") || strings.Contains(c, "期限"):
			m.deadline = i
		case c == "序号" || c == "编号" || c == "序" || c == "No." || c == "No":
			m.number = i
		case strings.Contains(c, "任务") || strings.Contains(c, "措施") || strings.Contains(c, "内容") ||
			strings.Contains(c, "事项") || strings.Contains(c, "工作"):
			if len(m.text) < 2 {
				m.text = append(m.text, i)
			}
		case strings.Contains(c, "目标") || strings.Contains(c, "指标") || strings.Contains(c, "成效"):
			m.extra = append(m.extra, i)
		}
	}
	if len(m.text) == 0 || m.units == [3]int{-1, -1, -1} && m.deadline < 0 {
		return nil
	}
	return m
}

// row handles a table row: a header, a task, a heading written in a row, or,
// outside a task table, cells read as lines.
func (p *parser) row(l line) {
	if m := headerMap(l.cells); m != nil {
		p.task = nil
		p.table = m
		return
	}
	m := p.table
	if m == nil || labelLine(firstCell(l.cells)) != nil || len(l.cells) <= m.text[0] {
		for _, c := range l.cells {
			p.text(l.no, c)
		}
		return
	}
	get := func(i int) string {
		if i < 0 || i >= len(l.cells) {
			return ""
		}
		return l.cells[i]
	}
	text := get(m.text[0])
	second := ""
	if len(m.text) > 1 {
		second = get(m.text[1])
	}
	num := get(m.number)
	hasLabels := get(m.units[0]) != "" || get(m.units[1]) != "" || get(m.units[2]) != "" || get(m.deadline) != ""
	filled := 0
	for _, c := range l.cells {
		if c != "" {
			filled++
		}
	}
	switch {
	case filled == 0:
		return
	case filled == 1 && !hasLabels:
		// A merged row: a section or group heading inside the table.
		p.text(l.no, l.text)
		return
	case text == "" && second == "":
		p.warn(l.no, "row.notext", clip(l.text))
		return
	case !hasLabels && num != "" && isCNNumber(num):
		p.text(l.no, "("+num+")"+text)
		return
	}
	p.task = nil
	if p.pending != nil {
		p.warn(p.pending.line, "label.empty", p.pending.word)
		p.pending = nil
	}
	n := cellNumber(num)
	if tn, rest, ok := taskStart(text); ok {
		text = rest
		if n == 0 {
			n = tn
		}
	}
	text, block := cutInline(text)
	b := &draft{source: n, line: l.no, chain: p.chain(), sawLabels: true}
	if second != "" {
		b.title, b.body = trimTitle(text), second
	} else {
		b.title, b.body = firstSentence(text)
	}
	if block != "" {
		p.applyBlock(&b.own, l.no, block)
	}
	for r := roleLead; r <= roleCoop; r++ {
		c := trimValue(get(m.units[r]))
		if c == "" {
			continue
		}
		if hits := labelLine(c); hits != nil {
			p.apply(&b.own, l.no, c, hits, false)
			continue
		}
		p.setLabel(&b.own, l.no, hit{role: r, qual: m.quals[r]}, c)
	}
	if d := trimValue(get(m.deadline)); d != "" {
		if hits := labelLine(d); hits != nil {
			p.apply(&b.own, l.no, d, hits, false)
		} else {
			p.setLabel(&b.own, l.no, hit{role: roleDeadline, word: "完成时限"}, d)
		}
	}
	for _, i := range m.extra {
		b.extra = joinText(b.extra, get(i))
	}
	if c := trimValue(get(m.people)); c != "" {
		p.setLabel(&b.own, l.no, hit{role: rolePeople, word: m.role}, c)
	}
	p.add(b)
}

func firstCell(cells []string) string {
	for _, c := range cells {
		if c != "" {
			return c
		}
	}
	return ""
}

func isCNNumber(s string) bool {
	_, ok := cnValue(s)
	return ok
}

// cellNumber reads a 序号 cell: "1", "1.", "(1)", "一".
func cellNumber(s string) int {
	s = strings.Trim(s, " ().、")
	if n, size := leadingDigits(s); size > 0 && size == len(s) {
		return n
	}
	if n, ok := cnValue(s); ok {
		return n
	}
	return 0
}

// leadQualifier reports a header or qualifier saying that the first unit of a
// list leads: 责任单位(排第一位的为牵头单位).
func leadQualifier(s string) bool {
	return strings.Contains(s, "牵头") &&
		(strings.Contains(s, "第一") || strings.Contains(s, "首") || strings.Contains(s, "第1"))
}
