package planparse

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// line is one line of a text document or one paragraph or table row of a .docx,
// already normalised (see norm) and trimmed of spaces.
type line struct {
	no   int    // 1-based
	text string // for a row: its non-empty cells joined by spaces
	// cells is non-nil for a table row: a .docx table row (merged cells
	// expanded) or a text line with at least two tab-separated cells.
	cells []string
}

// textLines decodes a text document and splits it into lines.
func textLines(b []byte) ([]line, error) {
	var s string
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		u, err := decodeUTF16(b[2:], binary.LittleEndian)
		if err != nil {
			return nil, err
		}
		s = u
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		u, err := decodeUTF16(b[2:], binary.BigEndian)
		if err != nil {
			return nil, err
		}
		s = u
	default:
		if !utf8.Valid(b) {
			return nil, &UTF8Error{Offset: invalidOffset(b)}
		}
		s = string(b)
	}
	s = norm(strings.TrimPrefix(s, "\uFEFF"))
	if i := strings.IndexByte(s, 0); i >= 0 {
		// No plan holds NUL, and PostgreSQL cannot store it in text.
		return nil, fmt.Errorf("%w: a NUL character at byte %d: a binary file, not text", ErrUnsupported, i)
	}
	if n := strings.Count(s, "\n") + strings.Count(s, "\r"); n > 2*maxLines {
		return nil, tooManyLines()
	}
	var lines []line
	for no := 1; ; no++ {
		if no > maxLines {
			return nil, tooManyLines()
		}
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			lines = append(lines, makeLine(no, s))
			break
		}
		lines = append(lines, makeLine(no, s[:i]))
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
	}
	return lines, nil
}

func tooManyLines() error {
	return fmt.Errorf("%w: more than %d lines", ErrTooLarge, maxLines)
}

func decodeUTF16(b []byte, order binary.ByteOrder) (string, error) {
	if len(b)%2 != 0 {
		return "", fmt.Errorf("%w: UTF-16 text with an odd number of bytes", ErrUnsupported)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = order.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}

// invalidOffset returns the offset of the first byte of b that is not part of
// valid UTF-8.
func invalidOffset(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// makeLine builds a line from raw (normalised) text; a line with two or more
// non-empty tab-separated cells is a table row.
func makeLine(no int, raw string) line {
	raw = strings.Trim(raw, " \r\n")
	if strings.IndexByte(raw, '\t') < 0 {
		return line{no: no, text: strings.TrimSpace(raw)}
	}
	cells := strings.Split(raw, "\t")
	var filled []string
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
		if cells[i] != "" {
			filled = append(filled, cells[i])
		}
	}
	l := line{no: no, text: strings.Join(filled, " ")}
	if len(filled) >= 2 {
		l.cells = cells
	}
	return l
}

// norm maps the full-width ASCII forms (（）：，；０-９ …) to ASCII and the
// ideographic and no-break spaces to a space, and drops zero-width characters
// and stray byte order marks. The canonical text of a plan is thus the
// half-width spelling the seed plan uses, and the half- and full-width
// spellings of one plan parse to identical results.
func norm(s string) string {
	clean := true
	for _, r := range s {
		if needsNorm(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			b.WriteRune(r - 0xFEE0)
		case r == 0x3000 || r == 0x00A0:
			b.WriteByte(' ')
		case r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsNorm(r rune) bool {
	return r >= 0xFF01 && r <= 0xFF5E || r == 0x3000 || r == 0x00A0 ||
		r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF
}

// firstSentence splits s at its first 。 (or line break) outside brackets and
// quotes: the title of a task and the rest of its text. If brackets never
// close, the first 。 anywhere counts.
func firstSentence(s string) (title, rest string) {
	depth := 0
	for i, r := range s {
		switch r {
		case '(', '“', '《', '[', '【', '〔':
			depth++
		case ')', '”', '》', ']', '】', '〕':
			if depth > 0 {
				depth--
			}
		case '\n':
			return trimTitle(s[:i]), strings.TrimSpace(s[i+1:])
		case '。':
			if depth == 0 {
				return trimTitle(s[:i]), strings.TrimSpace(s[i+len("。"):])
			}
		}
	}
	if i := strings.Index(s, "。"); i >= 0 {
		return trimTitle(s[:i]), strings.TrimSpace(s[i+len("。"):])
	}
	return trimTitle(s), ""
}

// trimTitle drops spaces and a final 。 (or ;) from a title.
func trimTitle(s string) string {
	s = strings.TrimSpace(s)
	for {
		t := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "。"), ";"), ".")
		t = strings.TrimSpace(t)
		if t == s {
			return s
		}
		s = t
	}
}

// joinText appends a paragraph to a body, separated by a newline.
func joinText(body, more string) string {
	switch {
	case more == "":
		return body
	case body == "":
		return more
	}
	return body + "\n" + more
}

var cnDigit = map[rune]int{'〇': 0, '零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// cnValue reads a Chinese numeral from 一 to 九十九.
func cnValue(s string) (int, bool) {
	n, cur, seen := 0, 0, false
	for _, r := range s {
		if r == '十' {
			if cur == 0 {
				cur = 1
			}
			n += cur * 10
			cur, seen = 0, true
			continue
		}
		d, ok := cnDigit[r]
		if !ok || r == '两' {
			return 0, false
		}
		cur, seen = d, true
	}
	n += cur
	return n, seen && n > 0 && n < 100
}

func isCNNumeral(r rune) bool {
	_, ok := cnDigit[r]
	return ok && r != '两' || r == '十'
}

// leadingDigits returns the number made of the ASCII digits at the start of s
// (at most four) and how many bytes they take.
func leadingDigits(s string) (n, size int) {
	for size < len(s) && size < 4 && s[size] >= '0' && s[size] <= '9' {
		n = n*10 + int(s[size]-'0')
		size++
	}
	if size < len(s) && s[size] >= '0' && s[size] <= '9' {
		return 0, 0 // five digits or more: a figure, not a number of the plan
	}
	return n, size
}

// partHeading recognises "二、主要任务": a part of the plan.
func partHeading(t string) (n int, numeral, rest string, ok bool) {
	i := 0
	for i < len(t) {
		r, size := utf8.DecodeRuneInString(t[i:])
		if !isCNNumeral(r) {
			break
		}
		i += size
	}
	if i == 0 || !strings.HasPrefix(t[i:], "、") {
		return 0, "", "", false
	}
	n, ok = cnValue(t[:i])
	rest = strings.TrimSpace(t[i+len("、"):])
	if !ok || rest == "" {
		return 0, "", "", false
	}
	return n, t[:i], rest, true
}

// sectionHeading recognises "(一)提升数字资源支撑能力".
func sectionHeading(t string) (n int, numeral, rest string, ok bool) {
	if !strings.HasPrefix(t, "(") {
		return 0, "", "", false
	}
	end := strings.IndexByte(t, ')')
	if end < 2 {
		return 0, "", "", false
	}
	numeral = strings.TrimSpace(t[1:end])
	for _, r := range numeral {
		if !isCNNumeral(r) {
			return 0, "", "", false
		}
	}
	n, ok = cnValue(numeral)
	rest = strings.TrimSpace(t[end+1:])
	if !ok || rest == "" {
		return 0, "", "", false
	}
	return n, numeral, rest, true
}

// groupHeading recognises "1.推进全市政务“一朵云”建设" (or "1、…"), but not a
// decimal such as "1.5倍".
func groupHeading(t string) (n int, rest string, ok bool) {
	n, size := leadingDigits(t)
	if size == 0 || n == 0 || size >= len(t) {
		return 0, "", false
	}
	sep := t[size:]
	switch {
	case strings.HasPrefix(sep, "."):
		sep = sep[1:]
	case strings.HasPrefix(sep, "、"):
		sep = sep[len("、"):]
	default:
		return 0, "", false
	}
	if sep == "" || sep[0] >= '0' && sep[0] <= '9' {
		return 0, "", false
	}
	rest = strings.TrimSpace(sep)
	return n, rest, rest != ""
}

// taskStart recognises "(1)统筹整合现有政务云资源。…"; the rest may be empty.
func taskStart(t string) (n int, rest string, ok bool) {
	if !strings.HasPrefix(t, "(") {
		return 0, "", false
	}
	s := strings.TrimLeft(t[1:], " ")
	n, size := leadingDigits(s)
	if size == 0 || n == 0 {
		return 0, "", false
	}
	s = strings.TrimLeft(s[size:], " ")
	if !strings.HasPrefix(s, ")") {
		return 0, "", false
	}
	return n, strings.TrimSpace(s[1:]), true
}

// altTaskStart recognises a task numbered in another style: "①…" or "1)…".
// Inside a task such lines are usually numbered points of its text, so the
// caller decides.
func altTaskStart(t string) (n int, rest string, ok bool) {
	r, size := utf8.DecodeRuneInString(t)
	if r >= '①' && r <= '⑳' {
		return int(r-'①') + 1, strings.TrimSpace(t[size:]), true
	}
	n, size = leadingDigits(t)
	if n > 0 && size < len(t) && t[size] == ')' {
		return n, strings.TrimSpace(t[size+1:]), true
	}
	return 0, "", false
}

// isAttachment recognises "附件:…", the start of the attachments: what follows
// is a new context, not part of the last task.
func isAttachment(t string) bool {
	rest, ok := strings.CutPrefix(t, "附件")
	if !ok {
		return false
	}
	return rest == "" || rest[0] == ':' || rest[0] == ' ' || rest[0] >= '0' && rest[0] <= '9'
}

// matchClose returns the index of the ')' that closes the '(' at s[open], or -1.
func matchClose(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// matchOpen returns the index of the '(' that opens the ')' at s[end], or -1.
func matchOpen(s string, end int) int { return matchOpenWithin(s, end, end+1) }

// matchOpenWithin is matchOpen looking back at most limit bytes, so that a
// scan repeated along a line stays linear.
func matchOpenWithin(s string, end, limit int) int {
	depth := 0
	for i := end; i >= 0 && i > end-limit; i-- {
		switch s[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
