// Package pdftext extracts the text of a PDF plan document with poppler's
// pdftotext, so that the pure parser (planparse) can read it as printed text.
//
// Why a program and not a Go library: the PDFs offices publish are printed
// from Word, WPS or a browser with CJK fonts embedded as subsets, and their
// text comes back only through each font's ToUnicode map and the page's
// reading order. pdftotext (poppler-utils, in every Linux distribution and
// already needed by the bulletin tests) does that well; the pure-Go readers
// available get CJK subsets and reading order wrong or are unmaintained.
// The call is kept here, at the edge, with a time limit, and the parser
// stays pure.
package pdftext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
	"unicode"

	"duban/internal/planparse"
)

// Timeout bounds one extraction; a plan of a hundred pages takes well under
// a second.
const Timeout = 30 * time.Second

// magic starts every PDF.
var magic = []byte("%PDF-")

// IsPDF reports whether b is a PDF, by its first bytes.
func IsPDF(b []byte) bool { return bytes.HasPrefix(b, magic) }

// Tool is the pdftotext program; tests may point it elsewhere.
var Tool = "pdftotext"

// Extract returns the text of a PDF as pdftotext writes it: UTF-8, pages in
// reading order, a form feed after each page. A document fault is a
// *planparse.Error matching planparse.ErrInput, with a message for a person:
// pdftotext missing (err.pdf.notool), a PDF that cannot be opened
// (err.pdf.bad), or one without a text layer, such as a scan (err.pdf.scanned).
func Extract(ctx context.Context, pdf []byte) ([]byte, error) {
	path, err := exec.LookPath(Tool)
	if err != nil {
		return nil, planparse.NewError(planparse.ErrUnsupported, 0, "err.pdf.notool")
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-enc", "UTF-8", "-eol", "unix", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("pdftext: %s: %w", Tool, ctx.Err())
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			e := planparse.NewError(planparse.ErrUnsupported, 0, "err.pdf.bad")
			e.Detail = strings.TrimSpace(stderr.String())
			return nil, e
		}
		return nil, fmt.Errorf("pdftext: run %s: %w", Tool, err)
	}
	if !hasText(out.Bytes()) {
		return nil, planparse.NewError(planparse.ErrUnsupported, 0, "err.pdf.scanned")
	}
	return out.Bytes(), nil
}

// hasText reports extracted text with some letters in it: a scanned PDF
// gives nothing but form feeds and blank lines.
func hasText(b []byte) bool {
	n := 0
	for _, r := range string(b) {
		if unicode.IsLetter(r) {
			n++
			if n >= 10 {
				return true
			}
		}
	}
	return false
}
