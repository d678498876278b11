package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"duban/internal/evidence"
	"duban/internal/pdftext"
	"duban/internal/planparse"
	"duban/internal/workplan"
	"duban/web"
)

// seedStore is what the plan import pages need.
type seedStore interface {
	Seed(ctx context.Context, in workplan.SeedInput) (workplan.SeedDiff, error)
	SaveSeedUpload(ctx context.Context, u workplan.SeedUpload) error
	SeedUpload(ctx context.Context, userID int64, token string) (workplan.SeedUpload, error)
	ApplySeedUpload(ctx context.Context, actor workplan.Actor, token string, expectVersion int, doc *workplan.Document) (workplan.SeedDiff, error)
	PlanVersions(ctx context.Context, planID int64) ([]workplan.PlanVersion, error)
	PlanVersionSource(ctx context.Context, planID int64, version int) (string, []byte, error)
}

// newPlanChoice is the value of the upload form's plan choice that creates
// a new plan.
const newPlanChoice = "new"

// seedUploadTTL is how long an uploaded document waits for confirmation.
const seedUploadTTL = time.Hour

// adminPlans lists the plans with their versions and the upload form.
func (s *Server) adminPlans(w http.ResponseWriter, r *http.Request) error {
	m, err := s.adminPlansModel(r)
	if err != nil {
		return err
	}
	if v := r.URL.Query().Get("applied"); v != "" {
		m.Notice = v
	}
	s.render(w, r, http.StatusOK, web.T(r.Context(), "plans.title"), "plans", web.AdminPlans(m))
	return nil
}

func (s *Server) adminPlansModel(r *http.Request) (web.AdminPlansPage, error) {
	ctx := r.Context()
	m := web.AdminPlansPage{CSRF: csrfTokenOf(ctx), MaxMB: planparse.MaxSize >> 20}
	plans, err := s.store.ListPlans(ctx)
	if err != nil {
		return m, err
	}
	for _, p := range plans {
		vs, err := s.store.PlanVersions(ctx, p.ID)
		if err != nil {
			return m, err
		}
		ap := web.AdminPlan{Slug: p.Slug, Title: p.Title, Version: p.Version, Tasks: p.Tasks}
		for _, v := range vs {
			ap.Versions = append(ap.Versions, web.AdminPlanVersion{
				Version: v.Version, Name: v.SourceName, SHA: v.SHA256[:16], Size: humanSize(v.Size), By: v.AppliedByName,
				At: fmtTime(v.AppliedAt), Href: "/admin/plans/" + p.Slug + "/versions/" + strconv.Itoa(v.Version),
				Summary: web.T(ctx, "plans.summary", v.Summary["added"], v.Summary["changed"], v.Summary["archived"], v.Summary["restored"]),
			})
		}
		m.Plans = append(m.Plans, ap)
	}
	return m, nil
}

// uploadPlan stores an uploaded or pasted plan document and shows its
// preview. A document that cannot be read is refused here, with the reason,
// and nothing is stored.
func (s *Server) uploadPlan(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	m, err := s.adminPlansModel(r)
	if err != nil {
		return err
	}
	m.Slug, m.NewSlug = r.PostFormValue("plan"), strings.TrimSpace(r.PostFormValue("new_slug"))
	text := r.PostFormValue("text")
	fail := func(msg string) error {
		m.Error = msg
		if len(text) < 200_000 {
			m.Text = text
		}
		s.render(w, r, http.StatusUnprocessableEntity, web.T(ctx, "plans.title"), "plans", web.AdminPlans(m))
		return nil
	}
	var name string
	var src []byte
	if r.MultipartForm != nil && len(r.MultipartForm.File["file"]) > 0 && r.MultipartForm.File["file"][0].Size > 0 {
		fh := r.MultipartForm.File["file"][0]
		if strings.TrimSpace(text) != "" {
			return fail(web.T(ctx, "plans.err.both"))
		}
		if fh.Size > planparse.MaxSize {
			return fail(web.T(ctx, "plans.err.size", planparse.MaxSize>>20))
		}
		f, err := fh.Open()
		if err != nil {
			return fmt.Errorf("server: open upload: %w", err)
		}
		src, err = io.ReadAll(io.LimitReader(f, planparse.MaxSize+1))
		f.Close()
		if err != nil {
			return fmt.Errorf("server: read upload: %w", err)
		}
		name = evidence.CleanName(fh.Filename)
	} else if strings.TrimSpace(text) != "" {
		name, src = "pasted.txt", []byte(text)
	} else {
		return fail(web.T(ctx, "plans.err.nofile"))
	}
	// A PDF is read through its text, which is what is kept: the parser and
	// every later preview read that.
	if pdftext.IsPDF(src) {
		txt, err := pdftext.Extract(ctx, src)
		if msg, bad := parseFault(ctx, err); bad {
			return fail(msg)
		}
		if err != nil {
			return err
		}
		name, src = name+".txt", txt
	}
	// The document is parsed here, the caller's job: a bad one is refused
	// with the parser's own message, in the interface's language and with
	// its line, and the store gets what the parser read.
	doc, err := planparse.Read(bytes.NewReader(src), name)
	if err != nil {
		if msg, bad := parseFault(ctx, err); bad {
			return fail(msg)
		}
		return err
	}
	// The plan to load into is chosen explicitly: an existing plan, or
	// "new" to create one (which then becomes the newest plan, the default
	// of /dashboard and of the API). An unknown plan is refused, never
	// created on the way.
	slug := m.Slug
	switch {
	case slug == newPlanChoice:
		slug = m.NewSlug
		if slug != "" && (!validSlug(slug) || slug == newPlanChoice) {
			return fail(web.T(ctx, "plans.err.slug"))
		}
	case slug == "":
		return fail(web.T(ctx, "plans.err.choose"))
	case !slices.ContainsFunc(m.Plans, func(p web.AdminPlan) bool { return p.Slug == slug }):
		return fail(web.T(ctx, "plans.err.unknown", slug))
	}
	// A preview first: a bad document is refused before anything is kept.
	diff, err := s.store.Seed(ctx, workplan.SeedInput{Slug: slug, SourceName: name, Source: src, Document: doc, DryRun: true, Actor: s.actor(r)})
	if workplan.ErrorCode(err) == workplan.EInvalid {
		return fail(web.ErrorMessage(ctx, err))
	}
	if err != nil {
		return err
	}
	if m.Slug == newPlanChoice && !diff.NewPlan {
		// plan-YEAR, the default key of a new plan, may be taken.
		return fail(web.T(ctx, "plans.err.exists", diff.PlanSlug))
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	u, _ := userOf(ctx)
	if err := s.store.SaveSeedUpload(ctx, workplan.SeedUpload{Token: token, UserID: u.ID, Slug: diff.PlanSlug, SourceName: name,
		Source: src, ExpiresAt: s.now().Add(seedUploadTTL)}); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/plans/uploads/"+token, http.StatusSeeOther)
	return nil
}

// seedPreview shows what confirming an upload would change, computed anew
// (in a transaction rolled back) so it reflects the plan as it is now.
func (s *Server) seedPreview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u, _ := userOf(ctx)
	up, err := s.store.SeedUpload(ctx, u.ID, chi.URLParam(r, "token"))
	if err != nil {
		return err
	}
	doc, err := planparse.Read(bytes.NewReader(up.Source), up.SourceName)
	if err != nil {
		return err
	}
	diff, err := s.store.Seed(ctx, workplan.SeedInput{Slug: up.Slug, SourceName: up.SourceName, Source: up.Source, Document: doc, DryRun: true, Actor: s.actor(r)})
	if err != nil {
		return err
	}
	m := seedPreviewModel(ctx, diff, up.SourceName)
	m.Applied = up.AppliedAt != nil
	m.Confirm, m.CSRF = r.URL.Path, csrfTokenOf(ctx)
	s.render(w, r, http.StatusOK, web.T(ctx, "plans.preview.title"), "plans", web.SeedPreview(m))
	return nil
}

// applySeed applies a previewed upload, if the plan is still at the version
// the preview showed.
func (s *Server) applySeed(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	base, err := strconv.Atoi(r.PostFormValue("base_version"))
	if err != nil {
		return workplan.E(workplan.EInvalid, "err.plans.base_version")
	}
	u, _ := userOf(ctx)
	up, err := s.store.SeedUpload(ctx, u.ID, chi.URLParam(r, "token"))
	if err != nil {
		return err
	}
	doc, err := planparse.Read(bytes.NewReader(up.Source), up.SourceName)
	if err != nil {
		return err
	}
	diff, err := s.store.ApplySeedUpload(ctx, s.actor(r), up.Token, base, doc)
	if err != nil {
		return err
	}
	// A reseed changes the plan's structure (or adds a plan): every page
	// is rendered again.
	s.changedHere(r.Context(), workplan.Change{Structure: true})
	m := seedPreviewModel(ctx, diff, up.SourceName)
	m.Applied = true
	s.render(w, r, http.StatusOK, web.T(ctx, "plans.applied.title"), "plans", web.SeedPreview(m))
	return nil
}

func seedPreviewModel(ctx context.Context, d workplan.SeedDiff, name string) web.SeedPreviewPage {
	m := web.SeedPreviewPage{Slug: d.PlanSlug, SourceName: name, NewPlan: d.NewPlan, BaseVersion: d.BaseVersion, Version: d.Version,
		SHA: d.SHA256, Changes: d.Changes(), Unchanged: len(d.Unchanged), Unknown: d.UnknownUnits}
	if m.Version == 0 {
		m.Version = d.BaseVersion + 1
	}
	tasks := func(tcs []workplan.TaskChange) []web.TaskChangeView {
		var out []web.TaskChangeView
		for _, t := range tcs {
			out = append(out, web.TaskChangeView{Number: t.Number, Title: t.Title, Fields: previewFields(ctx, "plans.field.", t.Fields)})
		}
		return out
	}
	m.Metadata = previewFields(ctx, "plans.meta.", d.Metadata)
	m.Added, m.Changed, m.Restored, m.Archived = tasks(d.Added), tasks(d.Changed), tasks(d.Restored), tasks(d.Archived)
	for _, wn := range d.Warnings {
		if wn.Key != "" {
			m.Warnings = append(m.Warnings, web.ParseMessage(ctx, wn.Line, wn.Key, wn.Args))
			continue
		}
		m.Warnings = append(m.Warnings, web.T(ctx, "plans.line", wn.Line, wn.Message))
	}
	return m
}

// parseFault returns the message for a person of a document the parser or
// the PDF extraction refused, in the interface's language; bad is false for
// any other error (nil included).
func parseFault(ctx context.Context, err error) (msg string, bad bool) {
	var pe *planparse.Error
	if !errors.As(err, &pe) {
		return "", false
	}
	return web.ParseMessage(ctx, pe.Line, pe.Key, pe.Args), true
}

// planVersionSource downloads the document of one applied version.
func (s *Server) planVersionSource(w http.ResponseWriter, r *http.Request) error {
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	v, err := strconv.Atoi(chi.URLParam(r, "version"))
	if err != nil {
		return errNotFoundPage
	}
	name, src, err := s.store.PlanVersionSource(r.Context(), plan.ID, v)
	if err != nil {
		return err
	}
	ct := "text/plain; charset=utf-8"
	if len(src) > 4 && string(src[:4]) == "PK\x03\x04" {
		ct = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Add("Content-Security-Policy", "default-src 'none'; sandbox")
	_, _ = w.Write(src)
	return nil
}
