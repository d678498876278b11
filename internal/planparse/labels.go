package planparse

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// role is what a labelled line sets.
type role int

const (
	roleLead role = iota
	roleResp
	roleCoop
	roleDeadline
	rolePeople  // 责任领导, 分管领导 …: people, not units
	roleUnknown // a label the parser does not know: warned of, never used
)

// labelWords are the label words of a plan. A label is only a label when a
// colon follows it, optionally after a bracketed qualifier: 责任单位(排第一位
// 的为牵头单位):. They are tried longest first (see init), so that 协同责任单位
// is not read as 责任单位.
var labelWords = []struct {
	word string
	role role
}{
	{"牵头责任单位", roleLead}, {"主要责任单位", roleLead}, {"牵头负责单位", roleLead},
	{"牵头单位", roleLead}, {"牵头部门", roleLead}, {"牵头科室", roleLead}, {"牵头处室", roleLead}, {"牵头机构", roleLead},
	{"主办单位", roleLead}, {"主办部门", roleLead},
	{"责任单位", roleResp}, {"责任部门", roleResp}, {"责任主体", roleResp}, {"主责单位", roleResp}, {"主责部门", roleResp}, {"承办单位", roleResp},
	{"其他责任单位", roleResp}, {"责任处室", roleResp}, {"实施单位", roleResp},
	{"配合单位", roleCoop}, {"配合部门", roleCoop}, {"协办单位", roleCoop}, {"协办部门", roleCoop},
	{"协同单位", roleCoop}, {"协同部门", roleCoop}, {"参与单位", roleCoop}, {"参与部门", roleCoop},
	{"协同责任单位", roleCoop}, {"配合责任单位", roleCoop}, {"协作单位", roleCoop}, {"协助单位", roleCoop}, {"协同配合单位", roleCoop},
	{"完成时限", roleDeadline}, {"完成时间", roleDeadline}, {"完成期限", roleDeadline},
	{"时间节点", roleDeadline}, {"时限要求", roleDeadline}, {"时间要求", roleDeadline},
}

func init() {
	sort.SliceStable(labelWords, func(i, j int) bool {
		return utf8.RuneCountInString(labelWords[i].word) > utf8.RuneCountInString(labelWords[j].word)
	})
}

// peopleEnds end the labels that name people: 责任领导, 牵头负责领导,
// 分管市领导, 责任人 ….
var peopleEnds = []string{"领导", "责任人", "负责人", "联系人"}

// unknownEnds end words that look like labels of units or times; one the
// parser does not know is warned of rather than read into the task's text.
var unknownEnds = []string{"单位", "部门", "处室", "科室", "时限", "时间", "期限", "节点"}

// unknownLabel reports a word that looks like a label the parser does not
// know, followed by a value: not an addressee line such as "各单位:" or
// "市直有关部门:".
func unknownLabel(word, after string) bool {
	for _, p := range []string{"各", "有关", "相关", "市直", "县直", "区直", "省直"} {
		if strings.HasPrefix(word, p) {
			return false
		}
	}
	return strings.TrimSpace(after) != ""
}

// labelWord returns the word before a colon when it is 2 to 8 Chinese
// characters ending in one of ends: 分管市领导 in "…。分管市领导:".
func labelWord(pre string, ends []string) (string, bool) {
	found := false
	for _, e := range ends {
		if strings.HasSuffix(pre, e) {
			found = true
			break
		}
	}
	if !found {
		return "", false
	}
	i, n := len(pre), 0
	for i > 0 && n < 8 {
		r, size := utf8.DecodeLastRuneInString(pre[:i])
		if r < 0x4E00 || r > 0x9FFF {
			break
		}
		i -= size
		n++
	}
	if n < 2 {
		return "", false
	}
	return pre[i:], true
}

// hit is one label found in a text: the label starts at start and its value at
// valStart (after the colon).
type hit struct {
	start, valStart int
	role            role
	word            string
	qual            string // the bracketed qualifier, if any
}

// findHits finds the labels in s, in order. It looks only at colons, which are
// rare, so it costs little on long paragraphs.
func findHits(s string) []hit {
	var hits []hit
	for i := 0; i < len(s); i++ {
		if s[i] != ':' {
			continue
		}
		pre := strings.TrimRight(s[:i], " ")
		qual := ""
		if strings.HasSuffix(pre, ")") {
			if k := matchOpenWithin(pre, len(pre)-1, 90); k >= 0 {
				qual = pre[k+1 : len(pre)-1]
				pre = strings.TrimRight(pre[:k], " ")
			}
		}
		known := false
		for _, w := range labelWords {
			if strings.HasSuffix(pre, w.word) {
				hits = append(hits, hit{start: len(pre) - len(w.word), valStart: i + 1, role: w.role, word: w.word, qual: qual})
				known = true
				break
			}
		}
		if known {
			continue
		}
		if w, ok := labelWord(pre, peopleEnds); ok {
			hits = append(hits, hit{start: len(pre) - len(w), valStart: i + 1, role: rolePeople, word: w, qual: qual})
		} else if w, ok := labelWord(pre, unknownEnds); ok && qual == "" && unknownLabel(w, s[i+1:]) {
			hits = append(hits, hit{start: len(pre) - len(w), valStart: i + 1, role: roleUnknown, word: w})
		}
	}
	return hits
}

// labelLine returns the labels of a line that starts with a label.
func labelLine(t string) []hit {
	if !strings.ContainsRune(t, ':') {
		return nil
	}
	hits := findHits(t)
	if len(hits) == 0 || hits[0].start != 0 {
		return nil
	}
	return hits
}

// parenBlock recognises a line that is one bracketed block of labels,
// "(责任单位:市公管办、市大数据中心)", and returns its inside.
func parenBlock(t string) (string, bool) {
	text, inner, ok := trailingBlock(t)
	if !ok || text != "" {
		return "", false
	}
	if labelLine(inner) != nil {
		return inner, true
	}
	if _, ok := readVerbs(inner); ok {
		return inner, true
	}
	return "", false
}

// cutInline finds labels written inside a paragraph, as a bracketed block
// "…。(牵头单位:A;责任单位:B)" or as a tail after a sentence "…。牵头单位:A", and
// returns the paragraph without them and the labels' text. A label word in
// running text ("明确责任单位:…") is not a boundary and is left alone.
func cutInline(s string) (text, block string) {
	if !strings.ContainsRune(s, ':') {
		return cutVerbs(s)
	}
	// A block at the end in any brackets: …。〔牵头单位:A,责任单位:B〕.
	if t, inner, ok := trailingBlock(s); ok && labelLine(inner) != nil {
		return t, inner
	}
	for _, h := range findHits(s) {
		i := h.start
		if i > 0 && s[i-1] == '(' {
			open := i - 1
			end := matchClose(s, open)
			if end < 0 {
				return strings.TrimSpace(s[:open]), strings.TrimSpace(s[i:])
			}
			return strings.TrimSpace(s[:open] + s[end+1:]), strings.TrimSpace(s[i:end])
		}
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		if i == 0 || r == '。' || r == ';' || r == ',' || r == ' ' || r == '\n' {
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i:])
		}
	}
	return cutVerbs(s)
}

// labels are the units, people and deadline a task (or, as defaults, a
// heading) has.
type labels struct {
	lead, resp, coop []string
	people           []Person
	deadline         string
	deadlineLine     int
	hasDeadline      bool
}

func (l *labels) list(r role) *[]string {
	switch r {
	case roleLead:
		return &l.lead
	case roleResp:
		return &l.resp
	}
	return &l.coop
}

func (l *labels) any() bool {
	return len(l.lead)+len(l.resp)+len(l.coop) > 0 || l.hasDeadline
}

// fill copies into l each role that l lacks and from has; it reports whether
// it copied anything.
func (l *labels) fill(from *labels) bool {
	copied := false
	for _, r := range []role{roleLead, roleResp, roleCoop} {
		if dst, src := l.list(r), from.list(r); len(*dst) == 0 && len(*src) > 0 {
			// Shared, not copied: a heading's list may go to thousands of
			// tasks. The capacity is clamped so that an append copies.
			*dst = (*src)[:len(*src):len(*src)]
			copied = true
		}
	}
	if len(l.people) == 0 && len(from.people) > 0 {
		l.people = from.people[:len(from.people):len(from.people)]
	}
	if !l.hasDeadline && from.hasDeadline {
		l.deadline, l.deadlineLine, l.hasDeadline = from.deadline, from.deadlineLine, true
		copied = true
	}
	return copied
}

// maxUnits bounds a role's unit list: plans name a few dozen units at most,
// and an unbounded list copied to thousands of tasks would blow up the result.
const maxUnits = 200

// addUnits appends the units dst does not have yet, up to maxUnits, and
// reports how many it had to leave out.
func addUnits(dst *[]string, units []string) (dropped int) {
	have := make(map[string]bool, min(len(*dst)+len(units), maxUnits))
	for _, v := range *dst {
		have[v] = true
	}
	for _, u := range units {
		switch {
		case have[u]:
		case len(*dst) >= maxUnits:
			dropped++
		default:
			have[u] = true
			*dst = append(*dst, u)
		}
	}
	return dropped
}

// leadMarkers moves the units a list marks as lead out of it: "市工信局(牵头)",
// or the first unit when the label's qualifier says the first one leads
// (责任单位(排第一位的为牵头单位):…).
func leadMarkers(units []string, qual string, r role) (lead, rest []string) {
	for _, u := range units {
		trimmed := u
		for _, m := range []string{"(牵头)", "(牵头单位)", "(牵头部门)"} {
			if x, ok := strings.CutSuffix(u, m); ok && x != "" {
				trimmed = x
				break
			}
		}
		if trimmed != u || r == roleLead {
			lead = append(lead, trimmed)
			continue
		}
		rest = append(rest, u)
	}
	if r != roleLead && len(rest) > 0 && leadQualifier(qual) {
		lead = append(lead, rest[0])
		rest = rest[1:]
	}
	return lead, rest
}

// trimValue trims a label's value of spaces and separators.
func trimValue(s string) string {
	return strings.Trim(s, " \t;,。.、:")
}
