package planparse

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
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

// rawLine is a line of a text document before it is read: its number and
// text, or, for a table flattened one cell per line, the cells of a row.
type rawLine struct {
	no    int
	text  string
	cells []string
}

// textLines decodes a text document and splits it into lines. printed
// reports text extracted from a printed document (it has form feeds), which
// is unprinted first.
func textLines(b []byte) (lines []line, printed bool, err error) {
	s, err := decodeText(b)
	if err != nil {
		return nil, false, err
	}
	s = norm(strings.TrimPrefix(s, "\uFEFF"))
	if i := strings.IndexByte(s, 0); i >= 0 {
		// No plan holds NUL, and PostgreSQL cannot store it in text.
		return nil, false, NewError(ErrUnsupported, 0, "err.nul", i)
	}
	if n := strings.Count(s, "\n") + strings.Count(s, "\r"); n > 2*maxLines {
		return nil, false, tooManyLines()
	}
	var raw []rawLine
	for no := 1; ; no++ {
		if no > maxLines {
			return nil, false, tooManyLines()
		}
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			raw = append(raw, rawLine{no: no, text: s})
			break
		}
		raw = append(raw, rawLine{no: no, text: s[:i]})
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
	}
	for _, r := range raw {
		if strings.IndexByte(r.text, '\f') >= 0 {
			printed = true
			break
		}
	}
	if printed {
		raw = unprint(raw)
	}
	raw = flatTables(raw)
	raw = spaceTables(raw)
	lines = make([]line, 0, len(raw))
	for _, r := range raw {
		if r.cells != nil {
			lines = append(lines, cellsLine(r.no, r.cells))
			continue
		}
		lines = append(lines, makeLine(r.no, r.text))
	}
	return lines, printed, nil
}

// decodeText returns the text of b: UTF-16 when it starts with a UTF-16 byte
// order mark, else UTF-8 when it is valid UTF-8, else GB18030 (a superset of
// GBK and GB2312) when it is valid GB18030. Anything else is an ErrEncoding
// naming the line and byte where the text stops making sense in the
// encoding that read further.
func decodeText(b []byte) (string, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return decodeUTF16(b[2:], binary.LittleEndian)
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return decodeUTF16(b[2:], binary.BigEndian)
	}
	if utf8.Valid(b) {
		return string(b), nil
	}
	bad := invalidOffset(b)
	if gb := invalidGB18030(b); gb < 0 {
		s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		if err == nil {
			return string(s), nil
		}
	} else if gb > bad {
		bad = gb
	}
	line := bytes.Count(b[:bad], []byte{'\n'}) + 1
	return "", NewError(ErrEncoding, line, "err.encoding", bad+1)
}

// invalidGB18030 returns the offset of the first byte of b that does not fit
// GB18030's structure, or -1 when all of b does: ASCII; a lead byte
// 0x81–0xFE with a trail byte 0x40–0x7E or 0x80–0xFE; or four bytes
// 0x81–0xFE, 0x30–0x39, 0x81–0xFE, 0x30–0x39.
func invalidGB18030(b []byte) int {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80:
			i++
			continue
		case c == 0x80 || c == 0xFF:
			return i
		}
		if i+1 >= len(b) {
			return i
		}
		t := b[i+1]
		switch {
		case t >= 0x40 && t <= 0x7E || t >= 0x80 && t <= 0xFE:
			i += 2
		case t >= 0x30 && t <= 0x39:
			if i+3 >= len(b) || b[i+2] < 0x81 || b[i+2] > 0xFE || b[i+3] < 0x30 || b[i+3] > 0x39 {
				return i
			}
			i += 4
		default:
			return i
		}
	}
	return -1
}

func tooManyLines() error {
	return NewError(ErrTooLarge, 0, "err.toomanylines", maxLines)
}

func decodeUTF16(b []byte, order binary.ByteOrder) (string, error) {
	if len(b)%2 != 0 {
		return "", NewError(ErrEncoding, 0, "err.utf16odd")
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

// makeLine builds a line from raw (normalised) text. A line with two or
// more non-empty tab-separated cells is a table row, and so is a line of
// cells separated by | (a table pasted from a web page or written in
// Markdown); a Markdown rule (|---|---|) is an empty line.
func makeLine(no int, raw string) line {
	raw = strings.Trim(raw, " \r\n\f")
	var cells []string
	switch {
	case strings.IndexByte(raw, '\t') >= 0:
		cells = strings.Split(raw, "\t")
	case strings.Count(raw, "|") >= 2:
		t := strings.TrimSpace(raw)
		if strings.Trim(t, "|-: ") == "" {
			return line{no: no}
		}
		t = strings.TrimSuffix(strings.TrimPrefix(t, "|"), "|")
		cells = strings.Split(t, "|")
	default:
		return line{no: no, text: strings.TrimSpace(raw)}
	}
	return cellsLine(no, cells)
}

// cellsLine builds a line from the cells of a table row; with fewer than two
// non-empty cells it is a line of text.
func cellsLine(no int, cells []string) line {
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
		case r == 0xFE52: // ﹒ small full stop, in "1﹒" numbering
			b.WriteByte('.')
		case r == 0xFE50: // ﹐ small comma
			b.WriteByte(',')
		case r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsNorm(r rune) bool {
	return r >= 0xFF01 && r <= 0xFF5E || r == 0x3000 || r == 0x00A0 || r == 0xFE52 || r == 0xFE50 ||
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
