package server

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"duban/internal/evidence"
	"duban/internal/workplan"
)

// and content (evidence.Check): what is not on the list, scripts and
// programs, empty files and decompression bombs are refused with a message
// naming the file. The files are held in memory until they are stored, so
// the uploads being read at once are bounded (uploads): a morning when every
// unit files its photos waits rather than exhausts the replica's memory.
func (s *Server) evidenceFiles(r *http.Request) ([]workplan.EvidenceFile, func(), error) {
	ctx := r.Context()
	done := func() {}
	if r.MultipartForm == nil {
		return nil, done, nil
	}
	var total int64
	var heads []*multipart.FileHeader
	for _, fh := range r.MultipartForm.File["evidence"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue // the empty part a browser sends when no file is chosen
		}
		if len(heads) == workplan.MaxEvidenceFiles {
			return nil, done, workplan.E(workplan.EInvalid, "evidence.too_many", workplan.MaxEvidenceFiles)
		}
		total += fh.Size
		heads = append(heads, fh)
	}
	if total > maxReportEvidence {
		return nil, done, workplan.E(workplan.EInvalid, "evidence.total", maxReportEvidence>>20)
	}
	if len(heads) == 0 {
		return nil, done, nil
	}
	if err := s.uploads.Acquire(ctx, max(total, 1)); err != nil {
		return nil, done, workplan.E(workplan.EUnavailable, "evidence.busy")
	}
	done = func() { s.uploads.Release(max(total, 1)) }
	var out []workplan.EvidenceFile
	for _, fh := range heads {
		name := evidence.CleanName(fh.Filename)
		if fh.Size > maxEvidenceBytes {
			return nil, done, evidenceError(&evidence.Error{Reason: evidence.ReasonTooLarge, Name: name})
		}
		f, err := fh.Open()
		if err != nil {
			return nil, done, fmt.Errorf("server: open upload: %w", err)
		}
		b, err := io.ReadAll(io.LimitReader(f, maxEvidenceBytes+1))
		f.Close()
		if err != nil {
			return nil, done, fmt.Errorf("server: read upload: %w", err)
		}
		ct, err := evidence.Check(name, b, evidenceLimits)
		if err != nil {
			return nil, done, evidenceError(err)
		}
		out = append(out, workplan.EvidenceFile{Filename: name, ContentType: ct, Content: b})
	}
	return out, done, nil
}

// evidenceError explains why evidence.Check refused a file, naming it (the
// message is rendered in the interface's language).
func evidenceError(err error) error {
	var e *evidence.Error
	if !errors.As(err, &e) {
		return err
	}
	subject := workplan.M("evidence.file", e.Name)
	if e.Member != "" {
		subject = workplan.M("evidence.in_archive", e.Name, e.Member)
	}
	switch e.Reason {
	case evidence.ReasonTooLarge:
		return workplan.E(workplan.EInvalid, "evidence.too_large", subject, maxEvidenceBytes>>20)
	case evidence.ReasonBomb:
		return workplan.E(workplan.EInvalid, "evidence.bomb", subject, evidenceLimits.MaxUnpackedBytes>>20)
	case evidence.ReasonNested:
		return workplan.E(workplan.EInvalid, "evidence.nested", subject, evidenceLimits.MaxDepth)
	}
	return workplan.E(workplan.EInvalid, "evidence."+string(e.Reason), subject)
}

// evidence serves an evidence file as an attachment, never inline: its type
// was checked from its content at upload, and the response forbids sniffing
// and scripts.
func (s *Server) evidence(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := intParam(r, "id")
	if err != nil {
		return err
	}
	meta, content, asgID, err := s.store.Evidence(ctx, id)
	if err != nil {
		return err
	}
	if _, _, readable, err := s.readableAssignment(r, asgID); err != nil {
		return err
	} else if !readable {
		return workplan.E(workplan.EForbidden, "err.evidence.forbidden")
	}
	h := w.Header()
	h.Set("Content-Type", meta.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": meta.Filename}))
	// A second policy: browsers enforce both, so the file runs nothing.
	h.Add("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Length", strconv.Itoa(len(content)))
	_, _ = w.Write(content)
	return nil
}
