package planparse

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// spaceTables finds task tables whose cells a copy from a web page joined
// with spaces:
//
//	…分解表 序号 名称 工作任务 牵头责任单位
//	一、经济社会发展主要预期目标分解(11项)
//	1 地区生产总值增长7%以上,服务业增加值占GDP比重47.1%. 发改委
//	7 全社会固定资产投资额550亿元,…. 发改委、经信委、科技局
//
// A header is a line that ends with at least three column headings, the
// first of them 序号 (or 编号), naming a task column and a unit column
// (headerMap); text before it on the line stays a line of text. Rows start
// with a number alone (1, 1., 1、): the first may be any, the next one more,
// or 1 again after a heading. A row's cells are read from its end, by the
// header's columns after the task column: a deadline column takes a last
// token that names a time (isDeadlineText), unit columns take the trailing
// tokens that are lists of unit-like names (one per column, the leftmost
// unit column also taking any further unit tokens before them, since a list
// may itself have been joined with spaces); columns such as 名称, 备注 or
// 责任领导 stay empty, their words (if any) left in the task's text. What is
// left between the number and those cells is the task's text, spaces kept.
// A row whose units did not come on its line takes the lines that follow
// (at most spaceWrap) until its end reads as units.
//
// Headings (一、…, (一)…) and blank lines between rows stay lines; any other
// line ends the table. A table is read only when its first row ends in
// units: otherwise the header-like line and what follows are left as they
// were, so that prose with spaces after a line that ends in column names is
// never read as tasks.
func spaceTables(raw []rawLine) []rawLine {
	var out []rawLine
	for i := 0; i < len(raw); {
		prefix, header, ok := spaceHeader(raw[i])
		if !ok {
			out = append(out, raw[i])
			i++
			continue
		}
		rows, next := spaceRows(raw, i+1, header)
		if rows == nil {
			out = append(out, raw[i])
			i++
			continue
		}
		if prefix != "" {
			out = append(out, rawLine{no: raw[i].no, text: prefix})
		}
		out = append(out, rawLine{no: raw[i].no, cells: header})
		out = append(out, rows...)
		i = next
	}
	return out
}

// spaceWrap is how many lines a row of a space-joined table may run over
// after its first before its units.
const spaceWrap = 3

// spaceHeader recognises a line ending with the space-joined header of a
// task table; it returns the text before the header and the header's cells.
func spaceHeader(r rawLine) (prefix string, header []string, ok bool) {
	t := strings.TrimSpace(r.text)
	if r.cells != nil || t == "" || strings.IndexByte(t, '\t') >= 0 || strings.Count(t, "|") >= 2 {
		return "", nil, false
	}
	f := strings.Fields(t)
	start := len(f)
	for start > 0 && headerWords[f[start-1]] {
		start--
	}
	// The header starts at its number column.
	for start < len(f) && f[start] != "序号" && f[start] != "编号" {
		start++
	}
	if len(f)-start < 3 {
		return "", nil, false
	}
	header = f[start:]
	m := headerMap(header)
	if m == nil || m.number != 0 || m.units == [3]int{-1, -1, -1} {
		return "", nil, false
	}
	// The text before the header, as written: cut at the header's first word.
	at := len(t)
	for k := len(f) - 1; k >= start; k-- {
		at = strings.LastIndex(t[:at], f[k])
	}
	return strings.TrimSpace(t[:at]), header, true
}

// spaceRowStart reads the number a row of a space-joined table starts with
// ("1 …", "1. …", "1、 …") and the rest of the line.
func spaceRowStart(t string) (n int, rest string, ok bool) {
	num, rest, found := strings.Cut(t, " ")
	if !found {
		return 0, "", false
	}
	num = strings.TrimRight(num, ".、")
	n, size := leadingDigits(num)
	if size == 0 || size != len(num) || n == 0 {
		return 0, "", false
	}
	rest = strings.TrimSpace(rest)
	return n, rest, rest != ""
}

// spaceRows reads the rows of a space-joined table from raw[i]. It returns
// nil when the first row does not end in units: not a table after all.
func spaceRows(raw []rawLine, i int, header []string) ([]rawLine, int) {
	m := headerMap(header)
	var rows []rawLine
	want := 0 // the number the next row takes; 0 before the first
	afterHeading := false
	for i < len(raw) {
		t := strings.TrimSpace(raw[i].text)
		if raw[i].cells != nil {
			break
		}
		if t == "" {
			rows = append(rows, raw[i])
			i++
			continue
		}
		if spaceHeading(t) {
			rows = append(rows, raw[i])
			afterHeading = true
			i++
			continue
		}
		n, rest, ok := spaceRowStart(t)
		if !ok || want > 0 && n != want && !(afterHeading && n == 1) {
			break
		}
		// The row, with the lines it runs over until its units.
		text := rest
		cells, units := spaceCells(n, text, header, m)
		j := i + 1
		for k := 0; !units && k < spaceWrap && j < len(raw); k++ {
			u := strings.TrimSpace(raw[j].text)
			if raw[j].cells != nil || u == "" || structural(u) {
				break
			}
			if _, _, ok := spaceRowStart(u); ok {
				break
			}
			text += " " + u
			j++
			if c, ok := spaceCells(n, text, header, m); ok {
				cells, units = c, true
			}
		}
		if !units {
			if want == 0 {
				return nil, i // the first row has no units: no table
			}
			j = i + 1 // a row without units: the lines after it are not its own
		}
		rows = append(rows, rawLine{no: raw[i].no, cells: cells})
		want, afterHeading = n+1, false
		i = j
	}
	if want == 0 {
		return nil, i
	}
	// Blank lines and headings after the last row are not the table's.
	for len(rows) > 0 && rows[len(rows)-1].cells == nil {
		rows = rows[:len(rows)-1]
		i--
	}
	return rows, i
}

// spaceCells lays out one row of a space-joined table as the header's
// cells; units reports whether its end read as units.
func spaceCells(n int, rest string, header []string, m *tableMap) (cells []string, units bool) {
	cells = make([]string, len(header))
	cells[0] = strconv.Itoa(n)
	toks := strings.Fields(rest)
	end := len(toks)
	textCol := m.text[len(m.text)-1]
	unitCol := func(c int) bool {
		for _, u := range m.units {
			if u == c {
				return true
			}
		}
		return false
	}
	leftmost := -1 // the leftmost unit column that took a token
	for c := len(header) - 1; c > textCol; c-- {
		switch {
		case c == m.deadline:
			if end > 1 && isDeadlineText(toks[end-1]) {
				cells[c] = toks[end-1]
				end--
			}
		case unitCol(c):
			if end > 1 && unitToken(toks[end-1]) {
				cells[c] = toks[end-1]
				end--
				leftmost = c
			}
		}
	}
	if leftmost < 0 {
		cells[m.text[0]] = rest
		return cells, false
	}
	for end > 1 && unitToken(toks[end-1]) {
		cells[leftmost] = toks[end-1] + "、" + cells[leftmost]
		end--
	}
	cells[m.text[0]] = strings.Join(toks[:end], " ")
	return cells, true
}

// unitToken reports a space-separated token that is a list of unit-like
// names: no full stops, colons or figures, every item unit-like.
func unitToken(t string) bool {
	if utf8.RuneCountInString(t) > 80 || strings.ContainsAny(t, ".:%。!?“”0123456789") {
		return false
	}
	return unitList(t)
}

// spaceHeading reports a heading between the rows of a table: 一、… or (一)….
func spaceHeading(t string) bool {
	if _, _, _, ok := partHeading(t); ok {
		return true
	}
	_, _, _, ok := sectionHeading(t)
	return ok
}
