package planparse

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SplitUnits splits a list of units (单位) as plans write it into unit names:
//
//   - items are separated by 、 , ， ; ； or line breaks;
//   - separators inside brackets do not split: 各县(市、区)人民政府 is one unit
//     (when brackets do not balance, they are ignored rather than swallowing
//     the rest of the list);
//   - a level word alone before a separator (中, 省, 市, 县 …, or 中直, 省直 …)
//     belongs to the next item: 中、省驻平有关单位 is one unit, written with 、;
//   - a trailing 。 and a trailing 等 (等, 等单位, 等相关部门 …) are dropped;
//   - spaces are removed and full-width forms made half-width, so brackets
//     inside names are always ();
//   - empty items and placeholders for "none" (无, /, —) are dropped, and a
//     name given twice is kept once.
//
// The result is never nil.
func SplitUnits(s string) []string {
	s = norm(s)
	items, seps, balanced := splitList(s, true)
	if !balanced {
		items, seps, _ = splitList(s, false)
	}
	type item struct {
		name string
		sep  rune // the separator after it
	}
	var list []item
	var prefix []string // level words waiting for the item they qualify
	for i, raw := range items {
		it := cleanUnit(raw)
		if it == "" || isNone(it) {
			continue
		}
		if levelWords[it] && i+1 < len(items) && seps[i] == '、' {
			prefix = append(prefix, it)
			continue
		}
		if len(prefix) > 0 {
			it = strings.Join(append(prefix, it), "、")
			prefix = prefix[:0]
		}
		list = append(list, item{it, seps[i]})
	}
	if p := strings.Join(prefix, "、"); p != "" {
		list = append(list, item{p, 0})
	}
	// Names that share one head stay whole: 东城、西城区人民政府 (a place
	// without an office, then the office of a place), 市直有关部门、单位 (a
	// bare noun after a name).
	var merged []item
	for _, it := range list {
		if n := len(merged); n > 0 && merged[n-1].sep == '、' &&
			(sharedNouns[it.name] || !hasOrgSuffix(merged[n-1].name) && governmentOf(it.name)) {
			merged[n-1] = item{merged[n-1].name + "、" + it.name, it.sep}
			continue
		}
		merged = append(merged, it)
	}
	out := []string{}
	seen := make(map[string]bool)
	for _, it := range merged {
		if !seen[it.name] {
			seen[it.name] = true
			out = append(out, it.name)
		}
	}
	return out
}

// sharedNouns are nouns that, alone after a 、, share the head of the name
// before them: 市直有关部门、单位 is 市直有关部门 and 市直有关单位.
var sharedNouns = map[string]bool{"单位": true, "部门": true, "企业": true, "机构": true, "单位等": true}

// governmentOf reports the government or committee of a place, the second
// half of a list with a shared head (东城、西城区人民政府).
func governmentOf(s string) bool {
	for _, e := range []string{"人民政府", "政府", "管委会", "党委", "党委和政府"} {
		if strings.HasSuffix(s, e) {
			return true
		}
	}
	return false
}

// hasOrgSuffix reports a name that ends as an office, government or company
// does, a bracketed note after it aside.
func hasOrgSuffix(s string) bool {
	for strings.HasSuffix(s, ")") {
		k := matchOpen(s, len(s)-1)
		if k <= 0 {
			break
		}
		s = s[:k]
	}
	for _, e := range orgSuffixes {
		switch e {
		case "区", "县", "市", "州", "旗", "盟", "镇", "乡", "街道", "乡镇", "园区", "开发区", "高新区":
			continue // places, not offices
		}
		if strings.HasSuffix(s, e) {
			return true
		}
	}
	return false
}

// levelWords are the words for an administrative level that, alone before a
// 、, qualify the next item rather than name a unit.
var levelWords = map[string]bool{
	"中": true, "省": true, "市": true, "县": true, "区": true, "乡": true, "镇": true, "村": true, "国": true,
	"中央": true, "中直": true, "省直": true, "市直": true, "县直": true, "区直": true,
	"省级": true, "市级": true, "县级": true, "乡级": true,
}

// splitList splits s at separators outside brackets (or anywhere, when
// useBrackets is false), dropping spaces. seps[i] is the separator after
// items[i]. balanced is false when brackets did not close.
func splitList(s string, useBrackets bool) (items []string, seps []rune, balanced bool) {
	depth, start, spaced := 0, 0, false
	cut := func(end int) string {
		item := s[start:end]
		if spaced {
			item = strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return -1
				}
				return r
			}, item)
		}
		return item
	}
	for i, r := range s {
		switch {
		case r == '\n' && depth == 0 || depth == 0 && (r == '、' || r == ',' || r == ';'):
			items = append(items, cut(i))
			seps = append(seps, r)
			start, spaced = i+utf8.RuneLen(r), false
		case unicode.IsSpace(r):
			spaced = true
		case useBrackets && (r == '(' || r == '[' || r == '【' || r == '〔' || r == '《'):
			depth++
		case useBrackets && (r == ')' || r == ']' || r == '】' || r == '〕' || r == '》'):
			if depth > 0 {
				depth--
			}
		}
	}
	items = append(items, cut(len(s)))
	seps = append(seps, 0)
	return items, seps, depth == 0
}

// unitTails are the endings that say "and others"; they are not part of a name.
var unitTails = []string{"等相关单位", "等有关单位", "等相关部门", "等有关部门", "等单位", "等部门", "等"}

func cleanUnit(s string) string {
	s = strings.Trim(s, "。.,;:、")
	for _, t := range unitTails {
		if x, ok := strings.CutSuffix(s, t); ok && x != "" {
			s = x
			break
		}
	}
	return strings.Trim(s, "。.,;:、")
}

func isNone(s string) bool {
	switch s {
	case "无", "暂无", "/", "-", "--", "—", "——", "…", "……":
		return true
	}
	return false
}
