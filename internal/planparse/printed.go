package planparse

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// unprint undoes what printing did to text extracted from a printed document
// (pdftotext writes a form feed after each page):
//
//   - page numbers (— 3 —, - 3 -, 第3页, 第3页 共9页, 3/9, a lone 3) at the top
//     or bottom of a page are dropped;
//   - headers and footers, lines that recur at the top or bottom of at least
//     half of the pages (digits aside, so "1/9" and "2/9" recur), are dropped;
//   - lines wrapped by the page width are joined again: a line that fills
//     the text width continues on the next line, unless the next line starts
//     something (a heading, a task, a label, a table row). Joined lines take
//     no space between them (Chinese text), except between two Latin letters.
//
// Each line of the result keeps the number of its first line in the
// extracted text, so that warnings point into the document as stored.
func unprint(raw []rawLine) []rawLine {
	pages := splitPages(raw)
	dropFurniture(pages)
	var lines []rawLine
	for i, pg := range pages {
		// A blank line at a page boundary is the page's margin, not a
		// paragraph break.
		for len(pg) > 0 && strings.TrimSpace(pg[0].text) == "" {
			pg = pg[1:]
		}
		for len(pg) > 0 && strings.TrimSpace(pg[len(pg)-1].text) == "" {
			pg = pg[:len(pg)-1]
		}
		if i > 0 && len(pg) > 0 && len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1].text) == "" {
			lines = lines[:len(lines)-1]
		}
		lines = append(lines, pg...)
	}
	full := textWidth(lines)
	out := make([]rawLine, 0, len(lines))
	joinNext := false
	for _, l := range lines {
		t := strings.TrimSpace(l.text)
		if joinNext && t != "" && !startsSomething(t) {
			last := &out[len(out)-1]
			last.text = joinWrapped(last.text, t)
			joinNext = width(t) >= full
			continue
		}
		out = append(out, rawLine{no: l.no, text: t})
		// The first line of a paragraph is indented (two characters in
		// Chinese documents, lost in extraction) and may stop a character or
		// two short where a quote or bracket may not end a line; it is taken
		// to wrap when it nearly fills the width and does not end a sentence.
		w := width(t)
		joinNext = t != "" && !endsSomething(t) && (w >= full || w >= full-6 && !endsSentence(t))
	}
	return out
}

// endsSentence reports a line ending with sentence-final punctuation.
func endsSentence(t string) bool {
	r, _ := utf8.DecodeLastRuneInString(t)
	return strings.ContainsRune("。!?;:…", r)
}

// splitPages splits lines at form feeds; a line holding one ends its page.
func splitPages(raw []rawLine) [][]rawLine {
	var pages [][]rawLine
	var cur []rawLine
	for _, l := range raw {
		parts := strings.Split(l.text, "\f")
		for k, part := range parts {
			if k > 0 {
				pages = append(pages, cur)
				cur = nil
			}
			if part != "" || len(parts) == 1 {
				cur = append(cur, rawLine{no: l.no, text: part})
			}
		}
	}
	if len(cur) > 0 {
		pages = append(pages, cur)
	}
	return pages
}

// furnitureLines is how many lines at each end of a page are looked at for
// page numbers, headers and footers.
const furnitureLines = 3

// dropFurniture blanks the page numbers, headers and footers of pages.
func dropFurniture(pages [][]rawLine) {
	edges := func(pg []rawLine, f func(i int)) {
		seen := 0
		for i := 0; i < len(pg) && seen < furnitureLines; i++ {
			if strings.TrimSpace(pg[i].text) != "" {
				f(i)
				seen++
			}
		}
		seen = 0
		for i := len(pg) - 1; i >= 0 && seen < furnitureLines; i-- {
			if strings.TrimSpace(pg[i].text) != "" {
				f(i)
				seen++
			}
		}
	}
	count := map[string]int{}
	for _, pg := range pages {
		onPage := map[string]bool{}
		edges(pg, func(i int) { onPage[digitless(pg[i].text)] = true })
		for k := range onPage {
			count[k]++
		}
	}
	recurs := func(t string) bool {
		n := count[digitless(t)]
		return n >= 2 && n*2 >= len(pages) && !startsSomething(strings.TrimSpace(t))
	}
	for _, pg := range pages {
		edges(pg, func(i int) {
			if t := pg[i].text; pageNumber(t) || recurs(t) {
				pg[i].text = ""
			}
		})
	}
}

// digitless is a line with its digits and spaces removed: "1/9" and "2/9"
// are the same footer.
func digitless(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

// pageNumber recognises a line that is a page number: 3, — 3 —, - 3 -, ·3·,
// 第3页, 第3页 共9页, 第3页/共9页, 3/9, Page 3, 3 of 9.
func pageNumber(s string) bool {
	t := strings.Join(strings.Fields(s), "")
	if t == "" {
		return false
	}
	t = strings.Trim(t, "-—–－‒―·•")
	t = strings.TrimPrefix(strings.TrimPrefix(t, "Page"), "page")
	digits := 0
	for _, r := range t {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits == 0 || digits > 8 {
		return false
	}
	rest := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return -1
		case strings.ContainsRune("第页共/of", r):
			return -1
		}
		return r
	}, t)
	return rest == ""
}

// textWidth is the width from which a line counts as filling the text width:
// a little less than the width most long lines reach, since a line of Latin
// letters and digits in a proportional font, or one that could not fit its
// next character, stops short of the margin.
func textWidth(lines []rawLine) int {
	var ws []int
	for _, l := range lines {
		if w := width(strings.TrimSpace(l.text)); w > 0 {
			ws = append(ws, w)
		}
	}
	if len(ws) < 4 {
		return 1 << 30 // too little text to tell: join nothing
	}
	sort.Ints(ws)
	top := ws[len(ws)*9/10]
	return top - max(top/10, 4)
}

// width estimates a line's printed width: two for a Chinese character or
// full-width form, one for ASCII.
func width(s string) int {
	w := 0
	for _, r := range s {
		if r < 0x80 {
			w++
		} else {
			w += 2
		}
	}
	return w
}

// startsSomething reports a line that cannot continue the line before it: a
// heading, a task, a label, a page-wide table row.
func startsSomething(t string) bool {
	if structural(t) {
		return true
	}
	if _, _, ok := groupHeading(t); ok {
		return true
	}
	if _, _, ok := altTaskStart(t); ok {
		return true
	}
	return strings.ContainsRune(t, '\t') || strings.Count(t, "|") >= 2
}

// endsSomething reports a full line that nonetheless ends its paragraph: a
// heading, or a line ending a label's list with 。.
func endsSomething(t string) bool {
	if _, _, _, ok := partHeading(t); ok && utf8.RuneCountInString(t) < 30 {
		return true
	}
	return false
}

// joinWrapped joins a line and its continuation.
func joinWrapped(a, b string) string {
	ra, _ := utf8.DecodeLastRuneInString(a)
	rb, _ := utf8.DecodeRuneInString(b)
	if isLatin(ra) && isLatin(rb) {
		return a + " " + b
	}
	return a + b
}

func isLatin(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
