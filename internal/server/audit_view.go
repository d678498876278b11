package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"duban/internal/workplan"
	"duban/web"
)

// The audit trail is written for the record (JSON states before and after);
// this file turns its entries into sentences people read: who did what to
// which thing (named and linked), and "字段: 旧值 → 新值" for what changed.

// auditState is an entry's state before or after: a JSON object's keys in
// the order they were written, and their values.
type auditState struct {
	keys []string
	vals map[string]any
}

func (s auditState) has(k string) bool { _, ok := s.vals[k]; return ok }

// parseAuditState reads a state. A state that is not an object (a list of
// member names, written by the registry load) becomes one value under key:
// the entry still reads as "成员单位: …".
func parseAuditState(b []byte, key string) (auditState, bool) {
	st := auditState{vals: map[string]any{}}
	if len(bytes.TrimSpace(b)) == 0 || string(bytes.TrimSpace(b)) == "null" {
		return st, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return st, false
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		var v any
		dec = json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if dec.Decode(&v) != nil {
			return st, false
		}
		st.keys, st.vals[key] = []string{key}, v
		return st, true
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return st, false
		}
		k, _ := kt.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return st, false
		}
		if _, dup := st.vals[k]; !dup {
			st.keys = append(st.keys, k)
		}
		st.vals[k] = v
	}
	return st, true
}

// normalizeAudit puts the states of an entry in one shape where an action
// wrote them in two: an administrator's change of a designation's members
// records the unit before, and after the unit under "unit" with the tasks
// it changed.
func normalizeAudit(action string, before, after auditState) auditState {
	if action != "unit.members" || !after.has("unit") || before.has("unit") {
		return after
	}
	unit, ok := after.vals["unit"].(map[string]any)
	if !ok {
		return after
	}
	out := auditState{vals: map[string]any{}}
	for _, k := range before.keys {
		if v, ok := unit[k]; ok {
			out.keys, out.vals[k] = append(out.keys, k), v
		}
	}
	for k, v := range unit {
		if !out.has(k) {
			out.keys, out.vals[k] = append(out.keys, k), v
		}
	}
	for _, k := range after.keys {
		if k != "unit" {
			out.keys, out.vals[k] = append(out.keys, k), after.vals[k]
		}
	}
	return out
}

// Keys whose numbers are IDs of users, units or plans: shown by name.
var (
	auditUserKeys = map[string]bool{"user_id": true}
	auditUnitKeys = map[string]bool{"unit_id": true, "collective_id": true, "members": true}
	auditPlanKeys = map[string]bool{"plan_id": true}
)

// auditValueKeys are the message prefixes of coded values, by key.
var auditValueKeys = map[string]string{"role": "acct.role.", "kind": "acct.kind.", "decision": "audit.value.decision.", "reason": "audit.value.reason."}

// auditCounts are counters that say nothing when 0 in a record of what an
// action did (a plan load that archived no task).
var auditCounts = map[string]bool{"added": true, "changed": true, "archived": true, "restored": true,
	"evidence": true, "sessions_ended": true, "other_sessions_ended": true}

// auditOrder is the order in which an entry's fields are read: what the
// thing is called, what it is, what changed; keys not listed follow in the
// order stored, then references and digests (…_id, sha256, …_bytes).
var auditOrder = []string{"name", "title", "display_name", "username", "role", "unit_id", "unit_name", "kind", "short", "confirmed",
	"disabled", "members", "designation", "decision", "reason", "percent", "claimed", "completed_at", "requested_due", "extended_due",
	"approved", "period_start", "period_end", "version", "source_name", "added", "changed", "archived", "restored", "unknown_units"}

// auditRedundant are keys that say again what another key of the same
// state says: a user's unit name beside the unit (named from its ID).
var auditRedundant = map[string]string{"unit_name": "unit_id"}

func auditRank(k string) int {
	if i := slices.Index(auditOrder, k); i >= 0 {
		return i
	}
	if strings.HasSuffix(k, "_id") || strings.HasSuffix(k, "_bytes") || k == "sha256" {
		return len(auditOrder) + 1
	}
	return len(auditOrder)
}

// auditText bounds a value shown in the trail, in characters; the record
// itself keeps everything.
const auditText = 100

// auditView turns a page of entries into rows.
type auditView struct {
	ctx   context.Context
	names workplan.AuditNames
	plans map[string]workplan.Plan // by ID (as text) and by key
}

// auditRefs collects what the entries refer to.
func auditRefs(entries []workplan.AuditEntry, states [][2]auditState) workplan.AuditRefs {
	var r workplan.AuditRefs
	add := func(list *[]int64, s string) {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 && !slices.Contains(*list, id) {
			*list = append(*list, id)
		}
	}
	for i, e := range entries {
		if e.ActorID != 0 {
			add(&r.Users, strconv.FormatInt(e.ActorID, 10))
		}
		switch e.Entity {
		case "user":
			add(&r.Users, e.EntityID)
		case "unit":
			add(&r.Units, e.EntityID)
		case "task":
			add(&r.Tasks, e.EntityID)
		case "assignment":
			add(&r.Assignments, e.EntityID)
		case "bulletin":
			add(&r.Bulletins, e.EntityID)
		}
		for _, st := range states[i] {
			for k, v := range st.vals {
				var list *[]int64
				switch {
				case auditUserKeys[k]:
					list = &r.Users
				case auditUnitKeys[k]:
					list = &r.Units
				default:
					continue
				}
				switch v := v.(type) {
				case json.Number:
					add(list, v.String())
				case []any:
					for _, x := range v {
						if n, ok := x.(json.Number); ok {
							add(list, n.String())
						}
					}
				}
			}
		}
	}
	return r
}

// auditRows builds the rows of a page of the trail: entries, names of the
// things they refer to (one query per kind), and sentences.
func (s *Server) auditRows(ctx context.Context, entries []workplan.AuditEntry) ([]web.AuditRow, error) {
	states := make([][2]auditState, len(entries))
	for i, e := range entries {
		key := "value"
		if e.Action == "unit.members" {
			key = "members"
		}
		states[i][0], _ = parseAuditState(e.Before, key)
		states[i][1], _ = parseAuditState(e.After, key)
	}
	names, err := s.store.AuditNames(ctx, auditRefs(entries, states))
	if err != nil {
		return nil, err
	}
	v := auditView{ctx: ctx, names: names, plans: map[string]workplan.Plan{}}
	for _, p := range names.Plans {
		v.plans[strconv.FormatInt(p.ID, 10)] = p
		v.plans[p.Slug] = p
	}
	rows := make([]web.AuditRow, 0, len(entries))
	for i, e := range entries {
		rows = append(rows, v.row(e, states[i][0], states[i][1]))
	}
	return rows, nil
}

func (v auditView) row(e workplan.AuditEntry, before, after auditState) web.AuditRow {
	ctx := v.ctx
	at := e.At.In(shanghai)
	row := web.AuditRow{ID: e.ID, At: at.Format("2006-01-02 15:04:05"), Datetime: at.Format(time.RFC3339),
		Action: e.Action, ActionLabel: web.AuditAction(ctx, e.Action), Entity: e.Entity,
		RequestID: e.RequestID, ClientAddr: e.ClientAddr}
	row.Actor = e.ActorName
	if e.ActorID != 0 {
		row.ActorHref = "/admin/users/" + strconv.FormatInt(e.ActorID, 10)
		if u, ok := v.names.Users[e.ActorID]; ok {
			row.Actor = u.DisplayName
		}
	}
	if row.Actor == "" {
		row.Actor = web.T(ctx, "acct.audit.system")
	}
	after = normalizeAudit(e.Action, before, after)
	row.EntityLabel = web.AuditEntity(ctx, e.Entity)
	row.EntityName, row.EntityHref = v.entity(e, after)
	if e.EntityID != "" {
		row.FilterHref = auditFilterHref(e.Entity, e.EntityID)
	}
	row.Changes = v.changes(e.Entity, before, after)
	return row
}

// auditFilterHref is the trail of one entity.
func auditFilterHref(entity, id string) string {
	return "/admin/audit?entity=" + url.QueryEscape(entity) + "&entity_id=" + url.QueryEscape(id)
}

// entity names the thing an entry is about and links to its page.
func (v auditView) entity(e workplan.AuditEntry, after auditState) (name, href string) {
	ctx := v.ctx
	id, _ := strconv.ParseInt(e.EntityID, 10, 64)
	str := func(k string) string {
		s, _ := after.vals[k].(string)
		return s
	}
	switch e.Entity {
	case "user":
		if u, ok := v.names.Users[id]; ok {
			return u.DisplayName + "(" + u.Username + ")", "/admin/users/" + e.EntityID
		}
		if un := str("username"); un != "" {
			return un, ""
		}
	case "unit":
		if n, ok := v.names.Units[id]; ok {
			return n, "/admin/units/" + e.EntityID
		}
		if n := str("name"); n != "" {
			return n, ""
		}
	case "plan":
		if p, ok := v.plans[e.EntityID]; ok {
			return p.Title, "/plans/" + p.Slug + "/dashboard"
		}
	case "task":
		if t, ok := v.names.Tasks[id]; ok {
			return web.T(ctx, "audit.task", t.Number, t.Title), "/plans/" + t.PlanSlug + "/tasks/" + strconv.Itoa(t.Number)
		}
	case "assignment":
		if a, ok := v.names.Assignments[id]; ok {
			return web.T(ctx, "audit.assignment", a.UnitName, a.Number), "/assignments/" + e.EntityID
		}
	case "bulletin":
		if n, ok := v.names.Bulletins[id]; ok {
			return web.T(ctx, "audit.bulletin", strconv.Itoa(n)), "/bulletins/" + e.EntityID
		}
	case "session":
		return web.T(ctx, "audit.session", e.EntityID), ""
	case "api_token", "screen_token":
		if n := str("name"); n != "" {
			return n, ""
		}
	case "address":
		if a := str("address"); a != "" {
			return a, ""
		}
	}
	if e.EntityID != "" {
		return web.T(ctx, "audit.id", e.EntityID), ""
	}
	return "", ""
}

// changes lists an entry's fields: with a state before, the keys that
// changed ("label: old → new"; the row's version, which every edit bumps,
// left out); without, every key of the state after ("label: value").
func (v auditView) changes(entity string, before, after auditState) []web.AuditChange {
	var out []web.AuditChange
	hadBefore := len(before.keys) > 0
	keys := append([]string{}, after.keys...)
	for _, k := range before.keys {
		if !after.has(k) {
			keys = append(keys, k)
		}
	}
	// PostgreSQL keeps a jsonb object's keys shortest first: put them in
	// the order people read them, references and digests last.
	slices.SortStableFunc(keys, func(a, b string) int { return auditRank(a) - auditRank(b) })
	for _, k := range keys {
		label := web.AuditField(v.ctx, k)
		av, inAfter := after.vals[k]
		if r, ok := auditRedundant[k]; ok && (after.has(r) || before.has(r)) {
			continue
		}
		if !hadBefore || !before.has(k) {
			// A new record's version is 1: only a plan's says something.
			if k == "version" && entity != "plan" {
				continue
			}
			// What a creation or an event set; what it left empty, false
			// or at zero says nothing.
			if !emptyJSON(av) && av != false && !(auditCounts[k] && av == json.Number("0")) {
				out = append(out, web.AuditChange{Label: label, After: v.value(k, av)})
			}
			continue
		}
		bv := before.vals[k]
		if k == "version" || sameJSON(bv, av) {
			continue
		}
		c := web.AuditChange{Label: label, Before: v.value(k, bv), After: web.T(v.ctx, "audit.none"), Changed: true}
		if inAfter {
			c.After = v.value(k, av)
		}
		out = append(out, c)
	}
	return out
}

// emptyJSON reports whether a value holds nothing: null, "", [] or {}.
func emptyJSON(x any) bool {
	switch x := x.(type) {
	case nil:
		return true
	case string:
		return x == "" || x == "0001-01-01"
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// value summarises one value for the trail: IDs of users, units and plans
// by name, coded values in words, times in Beijing time, lists joined with
// 、 (long ones cut), tasks by number, nested objects on one line.
func (v auditView) value(k string, x any) string {
	ctx := v.ctx
	switch x := x.(type) {
	case nil:
		return web.T(ctx, "audit.none")
	case bool:
		if x {
			return web.T(ctx, "audit.yes")
		}
		return web.T(ctx, "audit.no")
	case json.Number:
		id, err := x.Int64()
		switch {
		case err != nil:
		case auditUserKeys[k]:
			if u, ok := v.names.Users[id]; ok {
				return u.DisplayName + "(" + u.Username + ")"
			}
		case auditUnitKeys[k]:
			if n, ok := v.names.Units[id]; ok {
				return n
			}
			if id == 0 {
				return web.T(ctx, "audit.none")
			}
		case auditPlanKeys[k]:
			if p, ok := v.plans[x.String()]; ok {
				return p.Title
			}
		}
		return x.String()
	case string:
		return v.text(k, x)
	case []any:
		if len(x) == 0 {
			return web.T(ctx, "audit.none")
		}
		if _, ok := x[0].(map[string]any); ok {
			return v.objects(x)
		}
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, v.value(k, e))
		}
		const shown = 8
		if len(parts) > shown {
			return web.T(ctx, "audit.more", strings.Join(parts[:shown], "、"), len(parts)-shown)
		}
		return strings.Join(parts, "、")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for kk := range x {
			keys = append(keys, kk)
		}
		slices.Sort(keys)
		parts := make([]string, 0, len(keys))
		for _, kk := range keys {
			parts = append(parts, web.AuditField(ctx, kk)+": "+v.value(kk, x[kk]))
		}
		return cut(strings.Join(parts, "; "))
	}
	return cut(fmt.Sprint(x))
}

// text shows a string value: coded values in words, times and dates as
// people write them, long text cut.
func (v auditView) text(k, s string) string {
	ctx := v.ctx
	switch {
	case s == "", s == "0001-01-01":
		return web.T(ctx, "audit.none")
	case k == "sha256" && len(s) > 16:
		return s[:16] + "…"
	}
	if p, ok := auditValueKeys[k]; ok && web.HasMessage(p+s) {
		return web.T(ctx, p+s)
	}
	if p, ok := v.plans[s]; ok && k == "plan" {
		return p.Title
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.In(shanghai).Format("2006-01-02 15:04:05")
	}
	return cut(s)
}

// objects summarises a list of objects: tasks (with a Number) by number,
// anything else by count.
func (v auditView) objects(list []any) string {
	var nums []string
	for _, o := range list {
		m, _ := o.(map[string]any)
		n, ok := m["Number"].(json.Number)
		if !ok {
			return web.T(v.ctx, "audit.items", len(list))
		}
		nums = append(nums, n.String())
	}
	return web.T(v.ctx, "audit.task.n", strings.Join(nums, "、"))
}

// cut shortens s to auditText characters.
func cut(s string) string {
	if utf8.RuneCountInString(s) <= auditText {
		return s
	}
	return string([]rune(s)[:auditText]) + "…"
}
