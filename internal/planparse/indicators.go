package planparse

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Indicator candidates are found by these rules, clause by clause (a clause
// runs between , ; 。 : ! ? and line breaks):
//
//  1. A figure is a run of ASCII digits (with an optional decimal part)
//     followed by a unit from measureUnits: 项, 类, %, 亿条, 小时, 个工作日 …;
//     a bare 个 takes the noun after it (1个环节 → 个环节). A figure after 第
//     (an ordinal), after a letter or digit, or inside 〔〕 (a document number)
//     is not one, and years, months and days are not units, so dates and
//     document numbers never count.
//  2. A figure is a target only when words around it say so. After it:
//     以上 / 及以上 → ">="; 以内 / 之内 / 内 / 以下 → "<="; 左右 → "="; and for
//     a time (小时, 工作日 …) 办结 / 办完 / 完成 → "<=" (3小时办结 means within
//     3 hours). Before it: 达到, 达, 不少于, 超过, 提升至 … → ">="; 不超过,
//     低于, 控制在, 压缩至, 缩短至, 降至 … → "<=". Words after the figure win.
//     A percentage with no such word is still a target, "=" (100%纳入).
//     A count with no such word is a description, not a target: "设置10个
//     综合窗口", "对照国家905类电子证照", "6个事项同步申请" are not taken.
//  3. Text is the clause. When the clause's subject is a list of parallel
//     items sharing one measure — 政务事项、公共服务事项数据编目率达到100% — each
//     item is its own indicator (政务事项数据编目率…, 公共服务事项数据编目率…),
//     since each is measured and reported separately.
//  4. The body is read first, then a table's target column, then the title;
//     a target of the title that repeats one of the body (same comparator,
//     value and unit: 实行企业开办3小时办结 / 压缩至3小时内办结) is not repeated.
func indicators(title, body, extra string) []Indicator {
	out := scanIndicators(body)
	for _, more := range [][]Indicator{scanIndicators(extra), scanIndicators(title)} {
		if len(out) > maxIndicators {
			break
		}
		for _, in := range more {
			dup := false
			for _, o := range out {
				if o.Comparator == in.Comparator && o.Value == in.Value && o.Unit == in.Unit {
					dup = true
					break
				}
			}
			if !dup {
				out = append(out, in)
			}
		}
	}
	if out == nil {
		out = []Indicator{}
	}
	return out
}

// measureUnits are the units a target figure can have, longest first where
// one starts another.
var measureUnits = []string{
	"个工作日", "个百分点", "个小时", "万人次", "个月", "工作日", "百分点", "亿条", "万条", "亿元", "万元",
	"万人", "万户", "人次", "小时", "分钟", "公里", "公顷", "亩", "%", "‰",
	"项", "类", "条", "个", "件", "家", "户", "次", "天", "倍", "人", "所", "座", "套", "台", "种", "批", "份", "周",
}

var timeUnits = map[string]bool{"个工作日": true, "工作日": true, "个小时": true, "小时": true, "分钟": true, "天": true, "个月": true, "周": true}

type cue struct {
	word, cmp string
}

// prefixCues are the words before a figure that make it a target, longest
// first so that 不低于 is not read as 低于.
var prefixCues = func() []cue {
	cs := []cue{}
	for _, w := range []string{"达到", "达", "不少于", "不低于", "超过", "高于", "提高到", "提高至", "提升到", "提升至",
		"增加到", "增加至", "增长到", "增至", "至少", "多于", "突破"} {
		cs = append(cs, cue{w, ">="})
	}
	for _, w := range []string{"不超过", "不高于", "低于", "少于", "控制在", "压缩至", "压缩到", "压缩为", "压减至", "压减到",
		"缩短至", "缩短到", "缩短为", "减少到", "减少至", "减至", "降至", "降到", "降低到", "降低至"} {
		cs = append(cs, cue{w, "<="})
	}
	sort.SliceStable(cs, func(i, j int) bool { return len(cs[i].word) > len(cs[j].word) })
	return cs
}()

// notWithin are words starting with 内 that do not mean "within".
var notWithin = []string{"内容", "内部", "内涵", "内外", "内网", "内设", "内控", "内生", "内需"}

// scanIndicators finds the candidates of a text, stopping once it has more
// than maxIndicators (the caller keeps maxIndicators and says so).
func scanIndicators(text string) []Indicator {
	var out []Indicator
	start := 0
	for i, r := range text {
		switch r {
		case ',', ';', '。', ':', '!', '?', '\n':
			out = scanClause(out, strings.TrimSpace(text[start:i]))
			start = i + utf8.RuneLen(r)
			if len(out) > maxIndicators {
				return out
			}
		}
	}
	return scanClause(out, strings.TrimSpace(text[start:]))
}

func scanClause(out []Indicator, c string) []Indicator {
	short := utf8.RuneCountInString(c) <= 80
	for i := 0; i < len(c) && len(out) <= maxIndicators; {
		if !isDigit(c[i]) {
			i++
			continue
		}
		start := i
		for i < len(c) && isDigit(c[i]) {
			i++
		}
		if i+1 < len(c) && c[i] == '.' && isDigit(c[i+1]) {
			i++
			for i < len(c) && isDigit(c[i]) {
				i++
			}
		}
		if !figureStart(c[:start]) {
			continue
		}
		after := strings.TrimLeft(c[i:], " ")
		unit := matchUnit(after)
		if unit == "" {
			continue
		}
		tail := strings.TrimLeft(after[len(unit):], " ")
		pre := strings.TrimRight(c[:start], " ")
		cmp := suffixCue(tail, unit)
		subject := pre
		for _, cu := range prefixCues {
			if strings.HasSuffix(pre, cu.word) {
				if cmp == "" {
					cmp = cu.cmp
				}
				subject = pre[:len(pre)-len(cu.word)]
				break
			}
		}
		if cmp == "" {
			if unit != "%" && unit != "‰" {
				continue
			}
			cmp = "="
		}
		v, err := strconv.ParseFloat(c[start:i], 64)
		if err != nil {
			continue
		}
		text := c
		var items []string
		if short { // a short clause: its subject may be a list
			items = splitSubjects(subject)
		} else {
			text = window(c, start, i+len(unit))
		}
		if items == nil {
			out = append(out, Indicator{Text: text, Comparator: cmp, Value: v, Unit: unit})
			continue
		}
		for _, it := range items {
			out = append(out, Indicator{Text: it + c[len(subject):], Comparator: cmp, Value: v, Unit: unit})
		}
	}
	return out
}

// window returns the part of a long clause (a run-on sentence, or not prose
// at all) from 40 characters before the figure at c[start:end] to 20 after it.
func window(c string, start, end int) string {
	from := start
	for n := 0; n < 40 && from > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(c[:from])
		from -= size
	}
	to := end
	for n := 0; n < 20 && to < len(c); n++ {
		_, size := utf8.DecodeRuneInString(c[to:])
		to += size
	}
	return c[from:to]
}

// figureStart reports whether a figure may start after before: not after 第,
// a letter, a digit, a point or an opening bracket of a document number.
func figureStart(before string) bool {
	r, _ := utf8.DecodeLastRuneInString(before)
	switch {
	case before == "":
		return true
	case r == '第' || r == '〔' || r == '[' || r == '.' || r == '-' || r == '/' || r == '#':
		return false
	case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		return false
	}
	return true
}

// matchUnit returns the unit at the start of s, or "".
func matchUnit(s string) string {
	for _, u := range measureUnits {
		if !strings.HasPrefix(s, u) {
			continue
		}
		if u != "个" {
			return u
		}
		// 个 is a classifier: the unit is the noun it counts, up to four
		// characters, stopping at the words that end a target.
		end := len(u)
		for n := 0; n < 4 && end < len(s); n++ {
			rest := s[end:]
			if stopWord(rest) {
				break
			}
			r, size := utf8.DecodeRuneInString(rest)
			if !unicode.Is(unicode.Han, r) {
				break
			}
			end += size
		}
		return s[:end]
	}
	return ""
}

func stopWord(s string) bool {
	for _, w := range []string{"以上", "以内", "以下", "之内", "内", "左右", "办结", "及以上", "的"} {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// suffixCue reads the words after a figure's unit.
func suffixCue(tail, unit string) string {
	switch {
	case strings.HasPrefix(tail, "及以上"), strings.HasPrefix(tail, "以上"):
		return ">="
	case strings.HasPrefix(tail, "以内"), strings.HasPrefix(tail, "之内"), strings.HasPrefix(tail, "以下"):
		return "<="
	case strings.HasPrefix(tail, "左右"):
		return "="
	case strings.HasPrefix(tail, "内"):
		for _, w := range notWithin {
			if strings.HasPrefix(tail, w) {
				return ""
			}
		}
		return "<="
	case timeUnits[unit]:
		for _, w := range []string{"办结", "办完", "办理完毕", "完成"} {
			if strings.HasPrefix(tail, w) {
				return "<="
			}
		}
	}
	return ""
}

// splitSubjects splits a subject such as 政务事项、公共服务事项数据编目率 into one
// subject per item (政务事项数据编目率, 公共服务事项数据编目率). It applies only when
// every item but the last ends with the same two characters as the first, and
// the last item has those characters followed by the shared measure; otherwise
// it returns nil and the clause stays one indicator.
func splitSubjects(subject string) []string {
	if !strings.Contains(subject, "、") {
		return nil
	}
	items, _, balanced := splitList(subject, true)
	if !balanced || len(items) < 2 {
		return nil
	}
	first := []rune(items[0])
	if len(first) < 2 {
		return nil
	}
	suffix := string(first[len(first)-2:])
	for _, it := range items[:len(items)-1] {
		if !strings.HasSuffix(it, suffix) {
			return nil
		}
	}
	last := items[len(items)-1]
	k := strings.LastIndex(last, suffix)
	if k < 0 || k+len(suffix) == len(last) {
		return nil
	}
	measure := last[k+len(suffix):]
	items[len(items)-1] = last[:k+len(suffix)]
	for i := range items {
		items[i] += measure
	}
	return items
}
