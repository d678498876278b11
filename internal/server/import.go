package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"duban/internal/auth"
	"duban/internal/evidence"
	"duban/internal/outputs"
	"duban/internal/workplan"
	"duban/web"
)

// importTTL is how long an uploaded sheet waits for confirmation.
const importTTL = 2 * time.Hour

// maxSheetBytes bounds an uploaded sheet.
const maxSheetBytes = 10 << 20

// importPage shows the upload form of a filled-in ledger sheet.
func (s *Server) importPage(w http.ResponseWriter, r *http.Request) error {
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	s.renderImport(w, r, http.StatusOK, plan, "")
	return nil
}

func (s *Server) renderImport(w http.ResponseWriter, r *http.Request, status int, plan workplan.Plan, msg string) {
	ctx := r.Context()
	u, _ := userOf(ctx)
	xlsx, _ := exportLinks(plan.Slug, url.Values{"unit": {strconv.FormatInt(u.UnitID, 10)}})
	s.render(w, r, status, web.T(ctx, "import.title"), "import", web.Import(web.ImportPage{PlanTitle: plan.Title, PlanSlug: plan.Slug,
		Unit: u.UnitName, Action: "/plans/" + plan.Slug + "/import", ExportHref: xlsx, CSRF: csrfTokenOf(ctx), Error: msg}))
}

// uploadImport reads an uploaded ledger sheet, checks every row against
// the plan as the uploader sees it, stores the verdict and shows it. Nothing
// is filed here.
func (s *Server) uploadImport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	cleanup, err := parseUpload(r)
	if err != nil {
		return err
	}
	defer cleanup()
	file, hdr, err := r.FormFile("sheet")
	if err != nil {
		s.renderImport(w, r, http.StatusUnprocessableEntity, plan, web.T(ctx, "import.nofile"))
		return nil
	}
	defer file.Close()
	if hdr.Size > maxSheetBytes {
		s.renderImport(w, r, http.StatusUnprocessableEntity, plan, web.T(ctx, "import.toobig", maxSheetBytes>>20))
		return nil
	}
	rows, err := outputs.ReadXLSX(io.LimitReader(file, maxSheetBytes))
	if workplan.ErrorCode(err) == workplan.EInvalid {
		s.renderImport(w, r, http.StatusUnprocessableEntity, plan, web.ErrorMessage(r.Context(), err))
		return nil
	}
	if err != nil {
		return err
	}
	ps, err := s.loadPlanState(ctx, plan, s.now(), "")
	if err != nil {
		return err
	}
	items := make([]ledgerItem, len(ps.Tasks))
	for i, ts := range ps.Tasks {
		items[i] = ledgerItem{Task: ts}
	}
	_, current, err := s.ledgerRows(ctx, s.actor(r), items)
	if err != nil {
		return err
	}
	preview := outputs.CheckImport(rows, current)
	raw, err := json.Marshal(preview)
	if err != nil {
		return fmt.Errorf("encode import preview: %w", err)
	}
	token := auth.NewToken()
	rec := workplan.ImportRecord{Token: token, PlanID: plan.ID, Filename: evidence.CleanName(hdr.Filename), ExpiresAt: s.now().Add(importTTL), Preview: raw}
	if err := s.store.SaveImportPreview(ctx, s.actor(r), rec); err != nil {
		return err
	}
	http.Redirect(w, r, "/plans/"+plan.Slug+"/import/"+token, http.StatusSeeOther)
	return nil
}

// importRecord loads the uploader's stored preview of the URL; another
// user's, or another plan's, is not found.
func (s *Server) importRecord(r *http.Request) (workplan.Plan, workplan.ImportRecord, error) {
	plan, err := s.plan(r)
	if err != nil {
		return plan, workplan.ImportRecord{}, err
	}
	u, _ := userOf(r.Context())
	token := chi.URLParam(r, "token")
	if !auth.LooksLikeToken(token) {
		return plan, workplan.ImportRecord{}, errNotFoundPage
	}
	rec, err := s.store.ImportPreview(r.Context(), u.ID, token)
	if err != nil {
		return plan, rec, err
	}
	if rec.PlanID != plan.ID {
		return plan, rec, errNotFoundPage
	}
	return plan, rec, nil
}

// importPreview shows the verdict on every row of an upload, and the
// confirmation form when it can be applied.
func (s *Server) importPreview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, rec, err := s.importRecord(r)
	if err != nil {
		return err
	}
	var p outputs.ImportPreview
	if err := json.Unmarshal(rec.Preview, &p); err != nil {
		return fmt.Errorf("decode import preview: %w", err)
	}
	m := web.ImportPreviewPage{PlanTitle: plan.Title, PlanSlug: plan.Slug, Filename: rec.Filename, Expires: fmtTime(rec.ExpiresAt),
		Changes: p.Changes, Unchanged: p.Unchanged, Ignored: p.Ignored, Errors: p.Errors,
		CanApply: p.Applicable() && rec.AppliedAt == nil && s.now().Before(rec.ExpiresAt),
		Action:   r.URL.Path, CSRF: csrfTokenOf(ctx), UploadHref: "/plans/" + plan.Slug + "/import"}
	if rec.AppliedAt != nil {
		m.Applied = web.T(ctx, "import.applied", p.Changes) + " " + fmtTime(*rec.AppliedAt)
	}
	fields := []struct {
		key string
		get func(outputs.Fill) string
	}{
		{key: "import.field.percent", get: func(f outputs.Fill) string { return f.Percent }},
		{key: "import.field.progress", get: func(f outputs.Fill) string { return f.Progress }},
		{key: "import.field.problems", get: func(f outputs.Fill) string { return f.Problems }},
		{key: "import.field.next", get: func(f outputs.Fill) string { return f.NextSteps }},
		{key: "import.field.claims", get: func(f outputs.Fill) string { return f.Claims }},
	}
	for _, row := range p.Rows {
		ir := web.ImportRow{Row: row.Row, Unit: row.UnitName, Status: web.T(ctx, "import.status."+string(row.Status)), Class: string(row.Status), Errors: row.LegacyErrors}
		for _, e := range row.Errors {
			ir.Errors = append(ir.Errors, web.T(ctx, e.Key, e.Args...))
		}
		if row.TaskNumber > 0 {
			ir.Task = "(" + strconv.Itoa(row.TaskNumber) + ") " + row.TaskTitle
		}
		if row.Status == outputs.RowChange {
			for _, f := range fields {
				if b, a := f.get(row.Before), f.get(row.After); b != a {
					ir.Diffs = append(ir.Diffs, [3]string{web.T(ctx, f.key), b, a})
				}
			}
		}
		m.Rows = append(m.Rows, ir)
	}
	s.render(w, r, http.StatusOK, web.T(ctx, "import.preview"), "import", web.ImportPreview(m))
	return nil
}

// applyImport files the changes of a previewed upload, all in one
// transaction, with the uploader as author.
func (s *Server) applyImport(w http.ResponseWriter, r *http.Request) error {
	plan, rec, err := s.importRecord(r)
	if err != nil {
		return err
	}
	var p outputs.ImportPreview
	if err := json.Unmarshal(rec.Preview, &p); err != nil {
		return fmt.Errorf("server: decode import preview: %w", err)
	}
	if _, err := s.store.ApplyImport(r.Context(), s.actor(r), rec.Token, p.Filed()); err != nil {
		return err
	}
	s.changedHere(r.Context(), workplan.Change{Plan: plan.ID})
	http.Redirect(w, r, "/plans/"+plan.Slug+"/import/"+rec.Token, http.StatusSeeOther)
	return nil
}
