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
			v.Old = web.TextChange{Changed: f.Before, Empty: f.Before == ""}
			v.New = web.TextChange{Changed: f.After, Empty: f.After == ""}
		default:
			v.Old, v.New = textChanges(f.Before, f.After)
			v.Full = v.Old.Lead || v.Old.Trail || v.New.Lead || v.New.Trail
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
// keeps on each side of a change; longer stretches are shortened to …, and
// the whole text is one click away.
const previewContext = 24

// textChanges cuts before and after into the text they share at the start
// and the end, and the changed middle of each (by character: Chinese has no
// words to cut at).
func textChanges(before, after string) (web.TextChange, web.TextChange) {
	a, b := []rune(before), []rune(after)
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	prefix, suffix := a[:p], a[len(a)-s:]
	lead, trail := false, false
	// Shorten only what is worth shortening: a few characters cut save
	// nothing and cost a click.
	if len(prefix) > previewContext+8 {
		prefix, lead = prefix[len(prefix)-previewContext:], true
	}
	if len(suffix) > previewContext+8 {
		suffix, trail = suffix[:previewContext], true
	}
	side := func(r []rune) web.TextChange {
		return web.TextChange{Lead: lead, Trail: trail, Prefix: string(prefix), Changed: string(r[p : len(r)-s]), Suffix: string(suffix), Empty: len(r) == 0}
	}
	return side(a), side(b)
}
