package deadline

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Kind says what sort of deadline a text names.
type Kind string

// The kinds of deadline.
const (
	// KindDue is a deadline with an end date.
	KindDue Kind = "due"
	// KindOngoing has no end date: progress is reported on a cadence.
	KindOngoing Kind = "ongoing"
	// KindDueThenOngoing is due on a date, then continues as ongoing work.
	KindDueThenOngoing Kind = "due_then_ongoing"
	// KindUnknown is text the parser does not understand; it is kept verbatim
	// and flagged for an administrator, never guessed.
	KindUnknown Kind = "unknown"
)

// Valid reports whether k is one of the defined kinds.
func (k Kind) Valid() bool {
	switch k {
	case KindDue, KindOngoing, KindDueThenOngoing, KindUnknown:
		return true
	}
	return false
}

// HasDue reports whether deadlines of kind k carry a due date.
func (k Kind) HasDue() bool { return k == KindDue || k == KindDueThenOngoing }

// Deadline is the structured meaning of a deadline text.
type Deadline struct {
	// Text is the original words, exactly as written in the plan.
	Text string
	// Kind is what sort of deadline Text names.
	Kind Kind
	// Due is the last day on which the work is on time; zero unless Kind.HasDue().
	Due Date
}

// MarshalJSON encodes d as {"text","kind","due"} with due null when there is none.
func (d Deadline) MarshalJSON() ([]byte, error) {
	var due *string
	if !d.Due.IsZero() {
		s := d.Due.String()
		due = &s
	}
	return json.Marshal(struct {
		Text string  `json:"text"`
		Kind Kind    `json:"kind"`
		Due  *string `json:"due"`
	}{d.Text, d.Kind, due})
}

// UnmarshalJSON decodes the form written by MarshalJSON.
func (d *Deadline) UnmarshalJSON(b []byte) error {
	var v struct {
		Text string  `json:"text"`
		Kind Kind    `json:"kind"`
		Due  *string `json:"due"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*d = Deadline{Text: v.Text, Kind: v.Kind}
	if v.Due != nil && *v.Due != "" {
		due, err := ParseDate(*v.Due)
		if err != nil {
			return err
		}
		d.Due = due
	}
	return nil
}

// Describe says what d means, for a person (rendered by the web package):
// "2023-09-30 到期" (due 2023-09-30), "持续推进,按周期报送进展", "2023-08-31 前完成,之后持续推进",
// or that the text was not understood.
func (d Deadline) Describe() Explanation {
	switch d.Kind {
	case KindDue:
		return phrase("explain.deadline.due", d.Due.String())
	case KindOngoing:
		return phrase("explain.deadline.ongoing")
	case KindDueThenOngoing:
		return phrase("explain.deadline.due_then_ongoing", d.Due.String())
	}
	return phrase("explain.deadline.unknown")
}

// ongoingPhrases are the words that mean "no end date", longest first so that a
// suffix match finds the whole phrase.
var ongoingPhrases = []string{
	"持续推进", "长期坚持", "长期推进", "持续开展", "常态化推进", "常态化开展",
	"长期执行", "持续实施", "长期", "持续", "常态化",
}

var (
	reYMD     = regexp.MustCompile(`^(\d{4})年(\d{1,2})月(\d{1,2})日$`)
	reYM      = regexp.MustCompile(`^(\d{4})年(\d{1,2})月(?:份)?(?:底|末|末期)?$`)
	reMD      = regexp.MustCompile(`^(\d{1,2})月(\d{1,2})日$`)
	reM       = regexp.MustCompile(`^(\d{1,2})月(?:份)?(?:底|末)?$`)
	reYearEnd = regexp.MustCompile(`^(\d{4})年(?:底|末|年底|年末|内|全年)?$`)
	reHalf    = regexp.MustCompile(`^(?:(\d{4})年)?(上|下)半年(?:末|底)?$`)
	reQuarter = regexp.MustCompile(`^(?:(\d{4})年)?(?:第)?([1-4])季度(?:末|底)?$`)
)

// Parse reads a deadline text in the forms Chinese work plans use (DOMAIN.md):
// "2023年9月底前", "2023年底前", "2023年12月31日前", "上半年", "年内", "第三季度",
// "持续推进", "长期坚持", "2023年底前完成并持续推进" and their variants. planYear
// fills in the year for texts that name none ("年内", "三季度末"). Text that is
// not understood gives KindUnknown with the text kept verbatim.
func Parse(text string, planYear int) Deadline {
	d := Deadline{Text: text, Kind: KindUnknown}
	s := normalize(text)
	if s == "" {
		return d
	}
	if isOngoing(s) {
		d.Kind = KindOngoing
		return d
	}
	if due, ok := parseDue(s, planYear); ok {
		d.Kind, d.Due = KindDue, due
		return d
	}
	for _, p := range ongoingPhrases {
		head, ok := strings.CutSuffix(s, p)
		if !ok {
			continue
		}
		head = trimAny(head, "并且", "并", "然后", "后", ",", ";")
		if due, ok := parseDue(head, planYear); ok {
			d.Kind, d.Due = KindDueThenOngoing, due
		}
		break
	}
	return d
}

func isOngoing(s string) bool {
	for _, p := range ongoingPhrases {
		if s == p {
			return true
		}
	}
	return false
}

// parseDue reads a single due phrase such as "2023年9月底前" or "三季度末".
func parseDue(s string, planYear int) (Date, bool) {
	s = trimAny(s, "完成", "以前", "之前", "前", "完成")
	if s == "" {
		return Date{}, false
	}
	year := func(m string) int {
		if m == "" {
			return planYear
		}
		y, _ := strconv.Atoi(m)
		return y
	}
	switch s {
	case "年内", "年底", "年末", "今年底", "今年内", "本年底", "本年内", "全年":
		return yearEnd(planYear)
	}
	if m := reYMD.FindStringSubmatch(s); m != nil {
		return validDate(year(m[1]), atoi(m[2]), atoi(m[3]))
	}
	if m := reMD.FindStringSubmatch(s); m != nil {
		return validDate(planYear, atoi(m[1]), atoi(m[2]))
	}
	if m := reYM.FindStringSubmatch(s); m != nil {
		return monthEnd(year(m[1]), atoi(m[2]))
	}
	if m := reM.FindStringSubmatch(s); m != nil {
		return monthEnd(planYear, atoi(m[1]))
	}
	if m := reYearEnd.FindStringSubmatch(s); m != nil {
		return yearEnd(year(m[1]))
	}
	if m := reHalf.FindStringSubmatch(s); m != nil {
		if m[2] == "上" {
			return monthEnd(year(m[1]), 6)
		}
		return monthEnd(year(m[1]), 12)
	}
	if m := reQuarter.FindStringSubmatch(s); m != nil {
		return monthEnd(year(m[1]), 3*atoi(m[2]))
	}
	return Date{}, false
}

func yearEnd(y int) (Date, bool) {
	if y < 1900 || y > 2200 {
		return Date{}, false
	}
	return Date{y, time.December, 31}, true
}

func monthEnd(y, m int) (Date, bool) {
	if m < 1 || m > 12 || y < 1900 || y > 2200 {
		return Date{}, false
	}
	return NewDate(y, time.Month(m)+1, 0), true
}

func validDate(y, m, d int) (Date, bool) {
	if m < 1 || m > 12 || d < 1 || y < 1900 || y > 2200 {
		return Date{}, false
	}
	v := NewDate(y, time.Month(m), d)
	if v.Day != d {
		return Date{}, false
	}
	return v, true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// trimAny removes any of the suffixes from the end of s, repeatedly.
func trimAny(s string, suffixes ...string) string {
	for changed := true; changed; {
		changed = false
		for _, x := range suffixes {
			if t, ok := strings.CutSuffix(s, x); ok && t != "" {
				s, changed = t, true
			}
		}
	}
	return s
}

var cnDigits = map[rune]int{'〇': 0, '零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// normalize maps full-width forms to ASCII, removes spaces and closing
// punctuation, and writes Chinese numerals for months, days and quarters as digits.
func normalize(text string) string {
	var b strings.Builder
	for _, r := range text {
		switch {
		case r >= '０' && r <= '９':
			r = r - '０' + '0'
		case r == '，' || r == '、':
			r = ','
		case r == '；':
			r = ';'
		case r == '。' || r == '．' || r == '.' || unicode.IsSpace(r):
			continue
		}
		b.WriteRune(r)
	}
	return chineseNumerals(b.String())
}

// chineseNumerals rewrites runs of Chinese numerals (一 … 十二, 二〇二三) that are
// followed by 月, 日, 季 or 年 as Arabic digits.
func chineseNumerals(s string) string {
	rs := []rune(s)
	var out []rune
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && (cnDigits[rs[j]] > 0 || rs[j] == '〇' || rs[j] == '零' || rs[j] == '十') {
			j++
		}
		if j > i && j < len(rs) && strings.ContainsRune("月日季年", rs[j]) {
			if n, ok := cnNumber(rs[i:j], rs[j] == '年'); ok {
				out = append(out, []rune(strconv.Itoa(n))...)
				i = j
				continue
			}
		}
		if j == i {
			j = i + 1
		}
		out = append(out, rs[i:j]...)
		i = j
	}
	return string(out)
}

// cnNumber reads 一…九十九 or, for years, digit by digit (二〇二三).
func cnNumber(rs []rune, year bool) (int, bool) {
	if year {
		if len(rs) != 4 {
			return 0, false
		}
		n := 0
		for _, r := range rs {
			d, ok := cnDigits[r]
			if !ok {
				return 0, false
			}
			n = n*10 + d
		}
		return n, true
	}
	n, cur := 0, 0
	for _, r := range rs {
		if r == '十' {
			if cur == 0 {
				cur = 1
			}
			n += cur * 10
			cur = 0
			continue
		}
		d, ok := cnDigits[r]
		if !ok {
			return 0, false
		}
		cur = d
	}
	return n + cur, n+cur > 0
}
