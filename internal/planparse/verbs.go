package planparse

import (
	"strings"
	"unicode/utf8"
)

// Units written with verbs, as task breakdowns of a government work report
// (政府工作报告重点工作任务分解) write them at the end of each task:
//
//	(市发展改革委牵头,市财政局等按职责分工负责)
//	(市商务局牵头,市发展改革委、市财政局配合)
//	〔责任单位:省发展改革委、省市场监管局按职责分工负责〕
//	(各县区政府负责)    (市经信委牵头落实)    由市教育局牵头,市财政局配合。
//
// The verb says the role: 牵头 leads, 负责 (按职责分工负责, 落实 …) is
// responsible, 配合 (协助, 参与 …) cooperates.

// verbRoles are the endings of a clause that give its units a role, longest
// first where one ends another.
var verbRoles = []struct {
	verb string
	role role
}{
	{"牵头负责", roleLead}, {"牵头落实", roleLead}, {"牵头抓总", roleLead}, {"牵头组织", roleLead},
	{"牵头实施", roleLead}, {"牵头推进", roleLead}, {"共同牵头", roleLead}, {"分别牵头", roleLead}, {"牵头", roleLead},
	{"按职责分工负责", roleResp}, {"按照职责分工负责", roleResp}, {"按职责分工落实", roleResp}, {"按职能职责负责", roleResp},
	{"按职责负责", roleResp}, {"分工负责", roleResp}, {"负责落实", roleResp}, {"具体负责", roleResp},
	{"共同负责", roleResp}, {"分别负责", roleResp}, {"组织实施", roleResp}, {"负责实施", roleResp},
	{"负责", roleResp}, {"落实", roleResp}, {"承办", roleResp},
	{"按职责配合", roleCoop}, {"积极配合", roleCoop}, {"协同配合", roleCoop}, {"共同配合", roleCoop},
	{"配合", roleCoop}, {"协助", roleCoop}, {"协办", roleCoop}, {"参与", roleCoop},
}

// verbQualifiers are words between the units and the verb: 按职责, 分别 ….
var verbQualifiers = []string{"按职责分工", "按照职责", "按职责", "分别", "共同", "积极", "协同", "等"}

// verbUnits are the units and deadline read from a clause list with verbs.
type verbUnits struct {
	lists    [3][]string // by role: lead, responsible, cooperating
	deadline string
	notes    []string // clauses that are neither units nor a deadline
}

// clauseVerb splits a clause into its units and the role its verb gives them.
func clauseVerb(c string) (units string, r role, ok bool) {
	for _, v := range verbRoles {
		if head, found := strings.CutSuffix(c, v.verb); found {
			head = strings.TrimSpace(head)
			for changed := true; changed; {
				changed = false
				for _, q := range verbQualifiers {
					if h, cut := strings.CutSuffix(head, q); cut && h != "" {
						head, changed = strings.TrimSpace(h), true
					}
				}
			}
			return head, v.role, head != ""
		}
	}
	return "", 0, false
}

// readVerbs reads a clause list with verbs. It is ok only when at least one
// clause has a verb and every unit it names looks like a unit, so that a
// bracketed remark in running text ("(由企业自主负责)") is not mistaken for
// units. Clauses before a verb that name units share its role
// ("市财政局,市商务局配合"); a clause that reads as a deadline is the deadline.
func readVerbs(s string) (v verbUnits, ok bool) {
	s = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), "。.;"))
	if s == "" || utf8.RuneCountInString(s) > 300 {
		return v, false
	}
	var pending []string
	for _, c := range splitTop(s, ",;。") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		c = strings.TrimPrefix(c, "由")
		units, r, found := clauseVerb(c)
		if !found {
			switch {
			case isDeadlineText(c):
				if v.deadline == "" {
					v.deadline = c
				}
			case unitList(c):
				pending = append(pending, c)
			default:
				v.notes = append(v.notes, c)
			}
			continue
		}
		list := splitConj(SplitUnits(strings.Join(append(pending, units), "、")))
		pending = nil
		if len(list) == 0 || !allUnitLike(list) {
			return v, false
		}
		v.lists[r] = append(v.lists[r], list...)
		ok = true
	}
	if !ok {
		return v, false
	}
	if len(pending) > 0 {
		v.lists[roleResp] = append(v.lists[roleResp], splitConj(SplitUnits(strings.Join(pending, "、")))...)
	}
	if len(v.notes) > 0 && len(v.notes) >= len(v.lists[0])+len(v.lists[1])+len(v.lists[2]) {
		return v, false // more prose than units: a remark, not a unit list
	}
	return v, true
}

// splitTop splits s at any of seps outside brackets.
func splitTop(s, seps string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch {
		case strings.ContainsRune("([【〔《“", r):
			depth++
		case strings.ContainsRune(")]】〕》”", r):
			if depth > 0 {
				depth--
			}
		case depth == 0 && strings.ContainsRune(seps, r):
			out = append(out, s[start:i])
			start = i + utf8.RuneLen(r)
		}
	}
	return append(out, s[start:])
}

// splitConj splits units joined by 及 or 以及 ("市级各有关部门及各县市区政府")
// when both sides look like units.
func splitConj(units []string) []string {
	var out []string
	for _, u := range units {
		parts := []string{u}
		for _, conj := range []string{"以及", "及"} {
			if a, b, found := strings.Cut(u, conj); found && unitLike(a) && unitLike(b) {
				parts = []string{a, b}
				break
			}
		}
		out = append(out, parts...)
	}
	return out
}

// isDeadlineText reports a short clause that names a time: 2023年底前,
// 6月底完成, 年内完成, 长期坚持.
func isDeadlineText(c string) bool {
	if utf8.RuneCountInString(c) > 24 {
		return false
	}
	for _, w := range []string{"年底", "月底", "年内", "季度", "上半年", "下半年", "持续推进", "长期坚持", "持续开展", "长期推进", "日前", "月前", "年前"} {
		if strings.Contains(c, w) {
			return true
		}
	}
	return false
}

// unitList reports a clause that is a list of unit-like names.
func unitList(c string) bool {
	us := SplitUnits(c)
	return len(us) > 0 && allUnitLike(us)
}

func allUnitLike(us []string) bool {
	for _, u := range us {
		if !unitLike(u) {
			return false
		}
	}
	return true
}

// orgSuffixes end the names of offices, governments and companies.
var orgSuffixes = []string{
	"政府", "党委", "委员会", "管委会", "管委", "办事处", "办公室", "办公厅", "领导小组", "指挥部", "工作组", "专班",
	"局", "委", "办", "厅", "署", "部", "处", "科", "室", "所", "站", "队", "院", "馆", "校", "中心", "集团", "公司",
	"银行", "行", "社", "会", "联", "团", "海关", "单位", "部门", "机构", "企业", "街道", "乡镇", "镇", "乡", "园区", "开发区", "高新区",
	"分局", "支队", "大队", "法院", "检察院", "组", "网", "台", "报社", "协会", "工委", "区", "县", "市", "州", "旗", "盟",
}

// proseWords are verbs of running text that unit names do not contain.
var proseWords = []string{"推进", "加快", "加强", "支持", "实现", "建设", "开展", "完善", "提升", "推动", "落实", "确保", "做好", "组织", "鼓励", "引导"}

// unitLike reports a name that may be a unit: short, no sentence in it, and
// ending as offices, governments or places end, or a designation such as
// 各乡镇 or 有关企业.
func unitLike(u string) bool {
	n := utf8.RuneCountInString(u)
	if n < 2 || n > 40 || strings.ContainsAny(u, "。:!?") {
		return false
	}
	for _, w := range proseWords {
		if strings.Contains(u, w) {
			return false
		}
	}
	t := u
	for strings.HasSuffix(t, ")") {
		k := matchOpen(t, len(t)-1)
		if k <= 0 {
			break
		}
		t = t[:k]
	}
	if strings.HasPrefix(t, "各") || strings.HasPrefix(t, "有关") || strings.HasPrefix(t, "相关") {
		return true
	}
	for _, s := range orgSuffixes {
		if strings.HasSuffix(t, s) {
			return true
		}
	}
	return false
}

// bracketPairs are the brackets a block of units may be written in.
var bracketPairs = map[rune]rune{')': '(', '〕': '〔', '】': '【', ']': '['}

// trailingBlock finds a bracketed block at the end of s (before a final 。
// or ;), returning s without it and the block's inside; ok is false when s
// does not end with a closed block.
func trailingBlock(s string) (text, inner string, ok bool) {
	t := strings.TrimRight(s, " 。;.")
	closer, size := utf8.DecodeLastRuneInString(t)
	opener, isCloser := bracketPairs[closer]
	if !isCloser {
		return s, "", false
	}
	depth := 0
	for i := len(t) - size; i >= 0; {
		r, sz := utf8.DecodeLastRuneInString(t[:i])
		if sz == 0 {
			break
		}
		i -= sz
		switch r {
		case closer:
			depth++
		case opener:
			if depth == 0 {
				return strings.TrimSpace(t[:i]), strings.TrimSpace(t[i+sz : len(t)-size]), true
			}
			depth--
		}
	}
	return s, "", false
}

// cutVerbs finds units written with verbs at the end of a paragraph: a
// bracketed block, or a closing sentence starting with 由. It returns the
// paragraph without them and the units' text.
func cutVerbs(s string) (text, block string) {
	if t, inner, ok := trailingBlock(s); ok {
		if _, ok := readVerbs(inner); ok {
			return t, inner
		}
		// A task may end with a block of labels in other brackets:
		// 〔责任单位:…〕.
		if labelLine(inner) != nil {
			return t, inner
		}
	}
	body := strings.TrimRight(s, " 。")
	k := strings.LastIndex(body, "。")
	last := body
	if k >= 0 {
		last = body[k+len("。"):]
	}
	if strings.HasPrefix(last, "由") {
		if _, ok := readVerbs(last); ok {
			if k < 0 {
				return "", last
			}
			return body[:k+len("。")], last
		}
	}
	return s, ""
}

// splitInlineTasks splits a paragraph that holds several numbered tasks, as
// some documents run them on: "1.深化商事制度改革。(1)全面落实…。(市工商质监局
// 牵头负责)(2)完善企业登记…。(市工商质监局牵头负责)". It splits before a (N)
// that follows a block of units, and before a (1) that follows a heading's
// 。; otherwise it returns the paragraph whole.
func splitInlineTasks(t string) []string {
	if !strings.Contains(t, ")(") && !strings.Contains(t, "。(1)") {
		return []string{t}
	}
	var parts []string
	start := 0
	for i := 1; i < len(t); i++ {
		if t[i] != '(' {
			continue
		}
		n, _, ok := taskStart(t[i:])
		if !ok {
			continue
		}
		before := t[start:i]
		switch {
		case strings.HasSuffix(before, "。") && n == 1 && start == 0:
		case strings.HasSuffix(before, ")"):
			_, inner, ok := trailingBlock(before)
			if !ok {
				continue
			}
			if _, verbs := readVerbs(inner); !verbs && labelLine(inner) == nil {
				continue
			}
		default:
			continue
		}
		parts = append(parts, strings.TrimSpace(before))
		start = i
	}
	return append(parts, strings.TrimSpace(t[start:]))
}
