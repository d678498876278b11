package server

import (
	"context"
	"slices"

	"duban/internal/planparse"
	"duban/internal/workplan"
	"duban/web"
)

// unitListFields are the fields of a task's diff that hold unit lists
// (joined with 、): the preview shows them as chips.
var unitListFields = map[string]bool{"lead_units": true, "responsible_units": true, "cooperating_units": true, "assignments": true}

// previewFields turns the changed fields of a plan's diff into what the
// preview shows: each field under its label (prefix "plans.field." for a
// task, "plans.meta." for the plan), unit lists as chips of units kept,
// added and removed, deadlines highlighted whole, other text side by side
// with the changed part marked.
func previewFields(ctx context.Context, prefix string, fs []workplan.FieldChange) []web.FieldChangeView {
	var out []web.FieldChangeView
	for _, f := range fs {
		v := web.FieldChangeView{Field: f.Field, Label: web.T(ctx, prefix+f.Field), Before: f.Before, After: f.After, Kind: web.PreviewText}
		switch {
		case prefix == "plans.field." && unitListFields[f.Field]:
			v.Kind = web.PreviewUnits
			v.Units = unitChips(planparse.SplitUnits(f.Before), planparse.SplitUnits(f.After))
		case prefix == "plans.field." && f.Field == "deadline":
			v.Kind = web.PreviewDeadline
			v.Old = web.TextChange{Parts: []web.TextPart{{Text: f.Before, Changed: true}}, Empty: f.Before == ""}
			v.New = web.TextChange{Parts: []web.TextPart{{Text: f.After, Changed: true}}, Empty: f.After == ""}
		default:
			v.Old, v.New, v.Full = textChanges(f.Before, f.After)
		}
		out = append(out, v)
	}
	return out
}

// unitChips lists the units after the change in their order, those not
// there before marked added, then the units removed.
func unitChips(before, after []string) []web.UnitChip {
	var out []web.UnitChip
	for _, u := range after {
		c := web.UnitChip{Name: u}
		if !slices.Contains(before, u) {
			c.Change = "added"
		}
		out = append(out, c)
	}
	for _, u := range before {
		if !slices.Contains(after, u) {
			out = append(out, web.UnitChip{Name: u, Change: "removed"})
		}
	}
	return out
}

// previewContext is how many characters of unchanged text the preview
// keeps beside a change; longer stretches are shortened to …, and the whole
// text is one click away.
const previewContext = 24

// maxDiffCells bounds the work of comparing two texts character by
// character (the product of the lengths of their differing middles): past
// it, the whole middle is marked changed.
const maxDiffCells = 400_000

// editOp is one step of an edit script: text both sides share (eq), or
// text only the old (del) or the new (ins) side has.
type editOp struct {
	kind byte // '=', '-', '+'
	text []rune
}

// textChanges compares before and after character by character (Chinese
// has no words to cut at) and returns each side in parts, the changes
// marked, long unchanged stretches shortened; shortened says whether any
// was.
func textChanges(before, after string) (oldSide, newSide web.TextChange, shortened bool) {
	ops := cleanupOps(diffRunes([]rune(before), []rune(after)))
	oldSide.Empty, newSide.Empty = before == "", after == ""
	for i, op := range ops {
		switch op.kind {
		case '=':
			t, cut := shorten(op.text, i == 0, i == len(ops)-1)
			shortened = shortened || cut
			oldSide.Parts = append(oldSide.Parts, web.TextPart{Text: t})
			newSide.Parts = append(newSide.Parts, web.TextPart{Text: t})
		case '-':
			oldSide.Parts = append(oldSide.Parts, web.TextPart{Text: string(op.text), Changed: true})
		case '+':
			newSide.Parts = append(newSide.Parts, web.TextPart{Text: string(op.text), Changed: true})
		}
	}
	return oldSide, newSide, shortened
}

// shorten keeps previewContext characters of an unchanged stretch on each
// side that touches a change: the end of the first stretch, the start of
// the last, both ends of one in the middle.
func shorten(r []rune, first, last bool) (string, bool) {
	const slack = 8 // a few characters cut save nothing and cost a click
	n := previewContext
	switch {
	case first && last:
		return string(r), false
	case first && len(r) > n+slack:
		return "…" + string(r[len(r)-n:]), true
	case last && len(r) > n+slack:
		return string(r[:n]) + "…", true
	case !first && !last && len(r) > 2*n+slack:
		return string(r[:n]) + "…" + string(r[len(r)-n:]), true
	}
	return string(r), false
}

// diffRunes is the edit script from a to b: the shared start and end, and
// between them a longest common subsequence (dynamic programming, within
// maxDiffCells; past it, the middle is one deletion and one insertion).
func diffRunes(a, b []rune) []editOp {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	var ops []editOp
	add := func(kind byte, r ...rune) {
		if len(r) == 0 {
			return
		}
		if n := len(ops); n > 0 && ops[n-1].kind == kind {
			ops[n-1].text = append(ops[n-1].text, r...)
			return
		}
		ops = append(ops, editOp{kind, append([]rune(nil), r...)})
	}
	add('=', a[:p]...)
	ma, mb := a[p:len(a)-s], b[p:len(b)-s]
	if len(ma)*len(mb) > maxDiffCells || len(ma) == 0 || len(mb) == 0 {
		add('-', ma...)
		add('+', mb...)
	} else {
		// l[i][j] is the length of the longest common subsequence of
		// ma[i:] and mb[j:].
		w := len(mb) + 1
		l := make([]int32, (len(ma)+1)*w)
		for i := len(ma) - 1; i >= 0; i-- {
			for j := len(mb) - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					l[i*w+j] = l[(i+1)*w+j+1] + 1
				} else {
					l[i*w+j] = max(l[(i+1)*w+j], l[i*w+j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(ma) && j < len(mb) {
			switch {
			case ma[i] == mb[j]:
				add('=', ma[i])
				i, j = i+1, j+1
			case l[(i+1)*w+j] >= l[i*w+j+1]:
				add('-', ma[i])
				i++
			default:
				add('+', mb[j])
				j++
			}
		}
		add('-', ma[i:]...)
		add('+', mb[j:]...)
	}
	add('=', a[len(a)-s:]...)
	return ops
}

// cleanupOps makes an edit script readable: a shared stretch of one
// character between two changes (the 的 in 形成方案的通知 → 印发制度的办法)
// is folded into them, and then each run of changes is one deletion and one
// insertion, so that a reader compares phrases, not scattered characters.
func cleanupOps(ops []editOp) []editOp {
	var out []editOp
	for i := 0; i < len(ops); {
		if ops[i].kind == '=' && !(len(ops[i].text) <= 1 && i > 0 && i < len(ops)-1) {
			out = append(out, ops[i])
			i++
			continue
		}
		var del, ins []rune
		for ; i < len(ops) && (ops[i].kind != '=' || (len(ops[i].text) <= 1 && i > 0 && i < len(ops)-1)); i++ {
			switch ops[i].kind {
			case '-':
				del = append(del, ops[i].text...)
			case '+':
				ins = append(ins, ops[i].text...)
			default:
				del, ins = append(del, ops[i].text...), append(ins, ops[i].text...)
			}
		}
		if len(del) > 0 {
			out = append(out, editOp{'-', del})
		}
		if len(ins) > 0 {
			out = append(out, editOp{'+', ins})
		}
	}
	return out
}
