package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"duban/internal/deadline"
	"duban/internal/outputs"
	"duban/internal/workplan"
	"duban/web"
)

// bulletins lists the published issues of the plan's bulletin (专报) and,
// for supervisors, the form to preview and publish the next one.
func (s *Server) bulletins(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	list, err := s.store.Bulletins(ctx, plan.ID)
	if err != nil {
		return err
	}
	next, err := s.store.NextBulletinNumber(ctx, plan.ID)
	if err != nil {
		return err
	}
	today := deadline.DateOf(s.now(), deadline.Shanghai)
	start := deadline.NewDate(today.Year, today.Month, 1)
	if today.Day == 1 {
		start = deadline.NewDate(today.Year, today.Month-1, 1)
	}
	m := web.BulletinsPage{PlanTitle: plan.Title, PlanSlug: plan.Slug, Title: s.cfg.BulletinTitle, Next: next,
		CanPublish: s.actor(r).CanPublishBulletin(), Start: start.String(), End: today.AddDays(-1).String(), Today: today.String(), CSRF: csrfTokenOf(ctx)}
	for _, b := range list {
		id := strconv.FormatInt(b.ID, 10)
		m.Issues = append(m.Issues, web.BulletinRow{Number: outputs.NumberLabel(b.Number), Title: b.Title,
			Period: b.PeriodStart.String() + " — " + b.PeriodEnd.String(), Published: fmtTime(b.PublishedAt), By: b.PublisherName,
			Href: "/bulletins/" + id, DocxHref: "/bulletins/" + id + ".docx", SHA256: hex.EncodeToString(b.SHA256)[:16]})
	}
	s.render(w, r, http.StatusOK, web.T(ctx, "bulletin.list"), "bulletins", web.Bulletins(m))
	return nil
}

// bulletinPeriod reads the period of a bulletin from start and end (query
// or form): whole days, the end not after today.
func (s *Server) bulletinPeriod(r *http.Request) (outputs.Period, error) {
	var p outputs.Period
	var err error
	for _, f := range []struct {
		name string
		dst  *deadline.Date
	}{{"start", &p.Start}, {"end", &p.End}} {
		v := r.FormValue(f.name)
		if *f.dst, err = deadline.ParseDate(v); err != nil {
			return p, workplan.E(workplan.EInvalid, "err.date.invalid", f.name, v)
		}
	}
	if err := p.Validate(); err != nil {
		return p, err
	}
	if p.End.After(deadline.DateOf(s.now(), deadline.Shanghai)) {
		return p, workplan.E(workplan.EInvalid, "err.date.end_future", p.End.String())
	}
	return p, nil
}

// buildBulletin computes the content of an issue for period p.
func (s *Server) buildBulletin(ctx context.Context, plan workplan.Plan, p outputs.Period, number int, at time.Time, preview bool) (outputs.Bulletin, error) {
	endAt, err := s.dayInstant(p.End, "end")
	if err != nil {
		return outputs.Bulletin{}, err
	}
	startAt := outputs.EndOfDay(p.Start.AddDays(-1))
	end, err := s.stateAt(ctx, plan, endAt)
	if err != nil {
		return outputs.Bulletin{}, err
	}
	begin, err := s.stateAt(ctx, plan, startAt)
	if err != nil {
		return outputs.Bulletin{}, err
	}
	rk, err := s.rank(ctx, plan.ID, p, endAt)
	if err != nil {
		return outputs.Bulletin{}, err
	}
	reports, err := s.store.ReportsBetween(ctx, plan.ID, startAt, endAt)
	if err != nil {
		return outputs.Bulletin{}, err
	}
	board, err := s.planIndicators(ctx, end)
	if err != nil {
		return outputs.Bulletin{}, err
	}
	inds := bulletinIndicators(board)
	in := outputs.BulletinInput{Title: s.cfg.BulletinTitle, PlanTitle: plan.Title, Number: number, Period: p, PublishedAt: at,
		Publisher: publisherOf(plan), Preview: preview, End: end.Picture, Begin: begin.Picture, Ranking: rk, Reports: len(reports),
		Indicators: inds, IndicatorTask: map[int64]int{}}
	for _, ts := range end.Tasks {
		in.IndicatorTask[ts.Task.ID] = ts.Task.Number
	}
	return outputs.NewBulletin(in), nil
}

// publisherOf is the byline of the bulletin: the office that issued the plan.
func publisherOf(p workplan.Plan) string {
	if p.IssuedBy != "" {
		return p.IssuedBy + "督查室"
	}
	return "督查室"
}

// bulletinDoc lays out b as the standalone page.
func bulletinDoc(b outputs.Bulletin, slug string) web.BulletinDoc {
	d := web.BulletinDoc{Title: b.Title, Number: outputs.NumberLabel(b.Number), Publisher: b.Publisher, Date: outputs.ChineseDate(b.PublishedAt),
		Preview: b.Preview, BackHref: "/plans/" + slug + "/bulletins"}
	for _, sec := range outputs.Sections(b) {
		ds := web.DocSection{Heading: sec.Heading, Paragraphs: sec.Paragraphs}
		for _, t := range sec.Tables {
			total := 0
			for _, w := range t.Widths {
				total += w
			}
			dt := web.DocTable{Caption: t.Caption, TestID: t.TestID, Header: t.Header, Rows: t.Rows}
			for _, w := range t.Widths {
				dt.Widths = append(dt.Widths, max(1, w*100/max(total, 1)))
			}
			ds.Tables = append(ds.Tables, dt)
		}
		d.Sections = append(d.Sections, ds)
	}
	return d
}

// renderDoc renders the standalone page, always in Chinese.
func renderDoc(ctx context.Context, d web.BulletinDoc) ([]byte, error) {
	var buf bytes.Buffer
	if err := web.BulletinDocument(d).Render(web.WithLang(ctx, web.LangZH), &buf); err != nil {
		return nil, fmt.Errorf("render bulletin: %w", err)
	}
	return buf.Bytes(), nil
}

// previewBulletin shows the next issue for a period without storing it.
func (s *Server) previewBulletin(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	p, err := s.bulletinPeriod(r)
	if err != nil {
		return err
	}
	next, err := s.store.NextBulletinNumber(ctx, plan.ID)
	if err != nil {
		return err
	}
	b, err := s.buildBulletin(ctx, plan, p, next, s.now(), true)
	if err != nil {
		return err
	}
	d := bulletinDoc(b, plan.Slug)
	d.PublishForm = &web.PublishForm{Action: "/plans/" + plan.Slug + "/bulletins", CSRF: csrfTokenOf(ctx), Start: p.Start.String(), End: p.End.String()}
	page, err := renderDoc(ctx, d)
	if err != nil {
		return err
	}
	serveDocument(w, page, "")
	return nil
}

// publishBulletin publishes the next issue for the posted period: the page
// and the Word document are rendered once, stored, and served as stored
// from then on.
func (s *Server) publishBulletin(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, err := s.plan(r)
	if err != nil {
		return err
	}
	p, err := s.bulletinPeriod(r)
	if err != nil {
		return err
	}
	issue, err := s.store.PublishBulletin(ctx, s.actor(r), plan.ID, func(id int64, number int, at time.Time) (workplan.BulletinFiles, error) {
		b, err := s.buildBulletin(ctx, plan, p, number, at, false)
		if err != nil {
			return workplan.BulletinFiles{}, err
		}
		d := bulletinDoc(b, plan.Slug)
		d.DocxHref = "/bulletins/" + strconv.FormatInt(id, 10) + ".docx"
		page, err := renderDoc(ctx, d)
		if err != nil {
			return workplan.BulletinFiles{}, err
		}
		docx, err := outputs.DOCX(b)
		if err != nil {
			return workplan.BulletinFiles{}, err
		}
		data, err := json.Marshal(b)
		if err != nil {
			return workplan.BulletinFiles{}, fmt.Errorf("encode bulletin: %w", err)
		}
		return workplan.BulletinFiles{Title: b.Title, Start: p.Start, End: p.End, HTML: page, DOCX: docx, Data: data}, nil
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/bulletins/"+strconv.FormatInt(issue.ID, 10), http.StatusSeeOther)
	return nil
}

// bulletinPage serves a published issue exactly as it was published.
func (s *Server) bulletinPage(w http.ResponseWriter, r *http.Request) error {
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	b, page, err := s.store.BulletinFile(r.Context(), id, "html")
	if err != nil {
		return err
	}
	serveDocument(w, page, hex.EncodeToString(b.SHA256))
	return nil
}

// bulletinDocx serves the Word document of a published issue.
func (s *Server) bulletinDocx(w http.ResponseWriter, r *http.Request) error {
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	b, docx, err := s.store.BulletinFile(r.Context(), id, "docx")
	if err != nil {
		return err
	}
	name := b.Title + outputs.NumberLabel(b.Number) + ".docx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	w.Header().Set("Content-Disposition", `attachment; filename="bulletin-`+strconv.Itoa(b.Number)+`.docx"; filename*=UTF-8''`+url.PathEscape(name))
	w.Header().Set("Content-Length", strconv.Itoa(len(docx)))
	_, _ = w.Write(docx)
	return nil
}

// serveDocument writes a standalone bulletin page. Its one inline style
// element is allowed by its hash, computed from the bytes served, so a
// stored page keeps working whatever the style of later pages; no script
// runs on it.
func serveDocument(w http.ResponseWriter, page []byte, etag string) {
	styleSrc := "'none'"
	if i := bytes.Index(page, []byte("<style>")); i >= 0 {
		if j := bytes.Index(page[i:], []byte("</style>")); j >= 0 {
			sum := sha256.Sum256(page[i+len("<style>") : i+j])
			styleSrc = "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		}
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'none'; style-src "+styleSrc+
		"; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	if etag != "" {
		h.Set("ETag", `"`+etag+`"`)
	}
	h.Set("Content-Length", strconv.Itoa(len(page)))
	_, _ = w.Write(page)
}
