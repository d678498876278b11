package server

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"duban/internal/workplan"
	"duban/web"
)

// auditEntities are the entities the filter offers; others can still be
// asked for by URL.
var auditEntities = []string{"user", "address", "session", "unit", "api_token", "screen_token", "plan", "task", "assignment", "indicator", "bulletin", "calendar", "database"}

// adminAudit browses the audit trail, newest first, filtered by actor,
// action, entity (a kind, and one of them by its ID) and a date range (days
// in Asia/Shanghai, both included), one keyset page at a time. Each entry
// reads as a sentence (audit_view.go).
func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	m := web.AuditPage{Actor: strings.TrimSpace(q.Get("actor")), Action: q.Get("action"), Entity: q.Get("entity"),
		EntityID: strings.TrimSpace(q.Get("entity_id")), From: q.Get("from"), To: q.Get("to")}
	f := workplan.AuditFilter{Actor: m.Actor, Action: m.Action, Entity: m.Entity, EntityID: m.EntityID}
	if m.From != "" {
		d, err := time.ParseInLocation("2006-01-02", m.From, shanghai)
		if err != nil {
			m.Error = web.T(ctx, "acct.audit.bad_date")
		}
		f.From = d
	}
	if m.To != "" {
		d, err := time.ParseInLocation("2006-01-02", m.To, shanghai)
		if err != nil {
			m.Error = web.T(ctx, "acct.audit.bad_date")
		}
		f.To = d.AddDate(0, 0, 1)
	}
	if b := q.Get("before"); b != "" {
		f.BeforeID, _ = strconv.ParseInt(b, 10, 64)
	}
	actions, err := s.store.AuditActions(ctx)
	if err != nil {
		return err
	}
	for _, a := range actions {
		m.Actions = append(m.Actions, web.FormChoice{Value: a, Label: web.AuditAction(ctx, a), Selected: a == m.Action})
	}
	entities := auditEntities
	if m.Entity != "" && !slices.Contains(entities, m.Entity) {
		entities = append(slices.Clip(entities), m.Entity)
	}
	for _, e := range entities {
		m.Entities = append(m.Entities, web.FormChoice{Value: e, Label: web.AuditEntity(ctx, e), Selected: e == m.Entity})
	}
	if m.EntityID != "" {
		m.Filtered = web.T(ctx, "audit.filtered", web.AuditEntity(ctx, m.Entity), m.EntityID)
		m.ClearHref = "/admin/audit"
	}
	status := http.StatusOK
	if m.Error != "" {
		status = http.StatusUnprocessableEntity
	} else {
		entries, more, err := s.store.AuditLog(ctx, f)
		if err != nil {
			return err
		}
		if m.Entries, err = s.auditRows(ctx, entries); err != nil {
			return err
		}
		if more && len(entries) > 0 {
			next := url.Values{}
			for _, k := range []string{"actor", "action", "entity", "entity_id", "from", "to"} {
				if v := q.Get(k); v != "" {
					next.Set(k, v)
				}
			}
			next.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
			m.NextHref = "/admin/audit?" + next.Encode()
		}
	}
	s.render(w, r, status, web.T(ctx, "acct.audit.title"), "audit", web.AdminAudit(m))
	return nil
}
