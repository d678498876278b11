package planparse

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"duban/internal/deadline"
)

// meta is what the cover notice says about the plan.
type meta struct {
	title      string
	issuedBy   string
	issuedOn   deadline.Date
	addressees []string
}

// coverLines returns the text before the plan's structure begins: the lines
// before the first heading, task, labelled line or task table. A row's cells
// count as lines of their own.
func coverLines(lines []line) []string {
	var out []string
	for _, l := range lines {
		if l.cells != nil {
			if headerMap(l.cells) != nil {
				break
			}
			for _, c := range l.cells {
				if c != "" {
					out = append(out, c)
				}
			}
			continue
		}
		t := l.text
		if t == "" {
			continue
		}
		if _, _, ok := groupHeading(t); ok || structural(t) {
			break
		}
		out = append(out, t)
	}
	return out
}

// readMeta reads the cover notice:
//   - addressees: the first line ending with a colon (主送), split as units;
//   - the date: a line that is a whole date, 2023年8月1日 or 二〇二三年八月一日;
//   - the issuing office: the line before the date that names an office
//     (…人民政府办公室), or the date line's own prefix;
//   - the title: the last line before the structure that ends as plan titles
//     end (方案, 计划, 要点, 清单 …), possibly after a bracketed note such as
//     (2023—2025年) and possibly wrapped over two lines; failing that, the first
//     《…》 in the notice that names such a document.
//
// Each is left empty when the notice does not have it.
func readMeta(lines []line) meta {
	var m meta
	cover := coverLines(lines)
	dateAt := -1
	for i, t := range cover {
		if m.addressees == nil && strings.HasSuffix(t, ":") && !isAttachment(t) && labelLine(t) == nil {
			m.addressees = SplitUnits(strings.TrimSuffix(t, ":"))
			continue
		}
		if dateAt < 0 {
			// A date ending a sentence is not the notice's date: only a line
			// that is a date, or an office and a date, counts.
			if d, prefix, ok := dateLine(t); ok && (prefix == "" || isIssuer(prefix)) {
				m.issuedOn, dateAt, m.issuedBy = d, i, prefix
			}
		}
	}
	if m.issuedBy == "" {
		if dateAt >= 0 {
			for i := dateAt - 1; i >= 0 && i >= dateAt-3; i-- {
				if isIssuer(cover[i]) {
					m.issuedBy = cover[i]
					break
				}
			}
		} else {
			for _, t := range cover {
				if isIssuer(t) {
					m.issuedBy = t
					break
				}
			}
		}
	}
	for i := len(cover) - 1; i >= 0; i-- {
		t := cover[i]
		if !isTitle(t) || t == m.issuedBy {
			continue
		}
		m.title = t
		if i > 0 && i-1 != dateAt && wrapped(cover[i-1]) && cover[i-1] != m.issuedBy {
			m.title = cover[i-1] + t
		}
		break
	}
	if m.title == "" {
		m.title = quotedTitle(cover)
	}
	if m.addressees == nil {
		m.addressees = []string{}
	}
	return m
}

var titleEnds = []string{"方案", "计划", "要点", "清单", "意见", "办法", "细则", "安排", "规划", "措施", "分工", "台账", "任务书", "分解表", "纲要"}

// isTitle reports a line that reads as a plan's title.
func isTitle(t string) bool {
	if utf8.RuneCountInString(t) > 80 || strings.ContainsAny(t, "。:,;") {
		return false
	}
	t = strings.Trim(t, "《》")
	for strings.HasSuffix(t, ")") {
		k := matchOpen(t, len(t)-1)
		if k <= 0 {
			break
		}
		t = strings.TrimSpace(t[:k])
	}
	for _, e := range titleEnds {
		if strings.HasSuffix(t, e) {
			return true
		}
	}
	return false
}

// wrapped reports a line that may be the first half of a title wrapped onto
// two lines: short, without punctuation, not an office or a date.
func wrapped(t string) bool {
	if utf8.RuneCountInString(t) > 40 || strings.ContainsAny(t, "。:,;()、《》") || isIssuer(t) || isTitle(t) {
		return false
	}
	if _, _, ok := dateLine(t); ok {
		return false
	}
	return true
}

// quotedTitle finds 《X》 in the notice where X reads as a plan title.
func quotedTitle(cover []string) string {
	for _, t := range cover {
		for {
			i := strings.Index(t, "《")
			if i < 0 {
				break
			}
			j := strings.Index(t[i:], "》")
			if j < 0 {
				break
			}
			x := t[i+len("《") : i+j]
			if isTitle(x) {
				return x
			}
			t = t[i+j+len("》"):]
		}
	}
	return ""
}

var issuerEnds = []string{"办公室", "办公厅", "人民政府", "委员会", "领导小组", "指挥部", "工作组", "政府", "小组", "党委", "局", "厅", "委", "中心", "办"}

// isIssuer reports a line that names an office.
func isIssuer(t string) bool {
	n := utf8.RuneCountInString(t)
	if n < 3 || n > 40 || strings.ContainsAny(t, "。:,;、《》 ") {
		return false
	}
	for _, e := range issuerEnds {
		if strings.HasSuffix(t, e) {
			return true
		}
	}
	return false
}

// dateLine recognises a line that ends with a whole date, in digits or in
// Chinese numerals, and returns the date and whatever precedes it.
func dateLine(t string) (deadline.Date, string, bool) {
	t = strings.Join(strings.Fields(t), "")
	if !strings.HasSuffix(t, "日") {
		return deadline.Date{}, "", false
	}
	yi := strings.LastIndex(t, "年")
	if yi < 0 {
		return deadline.Date{}, "", false
	}
	// The year is the four characters before 年.
	start := yi
	for k := 0; k < 4 && start > 0; k++ {
		_, size := utf8.DecodeLastRuneInString(t[:start])
		start -= size
	}
	y, ok := yearValue(t[start:yi])
	if !ok {
		return deadline.Date{}, "", false
	}
	md := t[yi+len("年") : len(t)-len("日")]
	mi := strings.Index(md, "月")
	if mi < 0 {
		return deadline.Date{}, "", false
	}
	mo, ok1 := smallNumber(md[:mi])
	dd, ok2 := smallNumber(md[mi+len("月"):])
	if !ok1 || !ok2 || mo < 1 || mo > 12 || dd < 1 || dd > 31 {
		return deadline.Date{}, "", false
	}
	d := deadline.NewDate(y, time.Month(mo), dd)
	if d.Day != dd {
		return deadline.Date{}, "", false
	}
	return d, t[:start], true
}

// yearValue reads 2023 or 二〇二三.
func yearValue(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil && len(s) == 4 {
		return n, n >= 1900 && n <= 2200
	}
	n, count := 0, 0
	for _, r := range s {
		d, ok := cnDigit[r]
		if !ok || r == '两' {
			return 0, false
		}
		n = n*10 + d
		count++
	}
	return n, count == 4 && n >= 1900 && n <= 2200
}

// smallNumber reads 8, 08 or 八, 十二, 三十一.
func smallNumber(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil && len(s) <= 2 {
		return n, true
	}
	return cnValue(s)
}

// firstYear returns the first four-digit year (19xx or 20xx) in s, or 0.
func firstYear(s string) int {
	for i := 0; i+4 <= len(s); i++ {
		if (s[i] == '1' && s[i+1] == '9' || s[i] == '2' && s[i+1] == '0') && isDigit(s[i+2]) && isDigit(s[i+3]) &&
			(i == 0 || !isDigit(s[i-1])) && (i+4 == len(s) || !isDigit(s[i+4])) {
			n, _ := strconv.Atoi(s[i : i+4])
			return n
		}
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
