package pdftext_test

import (
	"context"
	"errors"
	"flag"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/pdftext"
	"duban/internal/planparse"
)

const seedPath = "../../seeds/pingliang-2023.txt"

// keep writes the text extracted from the printed seed plan, for the
// parser's own tests: go test ./internal/pdftext -run A4 -keep ../planparse/testdata
var keep = flag.String("keep", "", "folder to write the extracted text of the printed seed plan to")

// need returns the path of a program the test needs, or skips loudly (and
// fails under CI=true, where .ci/run installs it).
func need(t *testing.T, name, install string) string {
	t.Helper()
	if name == "chromium" {
		if p := os.Getenv("CHROME_PATH"); p != "" {
			return p
		}
	}
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := "the PDF tests need " + name + ": " + install
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED (no " + name + ") " + msg)
	return ""
}

// printPDF prints a page to an A4 PDF with headless Chromium.
func printPDF(t *testing.T, page string, headerFooter bool) []byte {
	t.Helper()
	chromium := need(t, "chromium", "apt-get install -y chromium fonts-wqy-zenhei")
	dir := t.TempDir()
	out := filepath.Join(dir, "out.pdf")
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile"), "--print-to-pdf=" + out}
	if !headerFooter {
		args = append(args, "--no-pdf-header-footer")
	}
	cmd := exec.Command(chromium, append(args, page)...)
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, string(b))
	pdf, err := os.ReadFile(out)
	require.NoError(t, err)
	return pdf
}

// seedHTML writes the seed plan as an office prints it: A4, each line a
// paragraph indented two characters, the page number centred at the foot
// as — 3 —.
func seedHTML(t *testing.T, seed []byte) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>平凉市深化数字政府建设提升政务服务能力工作方案</title><style>
@page { size: A4; margin: 3.7cm 2.6cm 3.5cm 2.8cm; @bottom-center { content: "— " counter(page) " —"; font-size: 14pt; } }
body { font-family: "WenQuanYi Zen Hei", "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 1.6; }
p { margin: 0; text-indent: 2em; text-align: justify; }
</style></head><body>`)
	for _, l := range strings.Split(string(seed), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		b.WriteString("<p>" + html.EscapeString(l) + "</p>\n")
	}
	b.WriteString("</body></html>")
	f := filepath.Join(t.TempDir(), "plan.html")
	require.NoError(t, os.WriteFile(f, []byte(b.String()), 0o644))
	return "file://" + f
}

// TestSeedPrintedToA4ParsesLikeTheText prints the bundled plan to A4 PDF
// with headless Chromium, twice (as an office prints it, with — N — page
// numbers, and as a browser prints the .txt, with its date, title, address
// and n/m at the edges of each page), extracts the text with pdftotext and
// parses it: the same 27 tasks, units, deadlines, titles and bodies as the
// UTF-8 text.
func TestSeedPrintedToA4ParsesLikeTheText(t *testing.T) {
	t.Parallel()
	need(t, "pdftotext", "apt-get install -y poppler-utils")
	seed, err := os.ReadFile(seedPath)
	require.NoError(t, err)
	want, err := planparse.ParseText(seed)
	require.NoError(t, err)
	require.Len(t, want.Tasks, 27)

	txt := filepath.Join(t.TempDir(), "pingliang-2023.txt")
	require.NoError(t, os.WriteFile(txt, seed, 0o644))
	for _, tt := range []struct {
		name         string
		page         string
		headerFooter bool
		keepAs       string
	}{
		{"paragraphs with page numbers", seedHTML(t, seed), false, "pingliang-2023.a4.pdf.txt"},
		{"the text file with the browser's header and footer", "file://" + txt, true, "pingliang-2023.browser.pdf.txt"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pdf := printPDF(t, tt.page, tt.headerFooter)
			require.True(t, pdftext.IsPDF(pdf))
			text, err := pdftext.Extract(context.Background(), pdf)
			require.NoError(t, err)
			require.Greater(t, strings.Count(string(text), "\f"), 3, "several pages")
			if *keep != "" {
				require.NoError(t, os.WriteFile(filepath.Join(*keep, tt.keepAs), text, 0o644))
			}
			got, err := planparse.ParseText(text)
			require.NoError(t, err)
			require.Len(t, got.Tasks, len(want.Tasks))
			for i, w := range want.Tasks {
				g := got.Tasks[i]
				g.Line, w.Line = 0, 0
				assert.Equal(t, w, g, "task %d", i+1)
			}
			assert.Equal(t, want.Title, got.Title)
			assert.Equal(t, want.IssuedOn, got.IssuedOn)
			assert.Equal(t, want.Units(), got.Units())
			require.NotEmpty(t, got.Warnings)
			assert.Equal(t, "pdf.text", got.Warnings[0].Key, "the preview says the text came from a PDF")
		})
	}
}

func TestExtractRefusesWithAMessage(t *testing.T) {
	t.Parallel()
	need(t, "pdftotext", "apt-get install -y poppler-utils")
	_, err := pdftext.Extract(context.Background(), []byte("%PDF-1.7\nnot really a PDF\n"))
	var pe *planparse.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "err.pdf.bad", pe.Key)
	assert.ErrorIs(t, err, planparse.ErrInput)
	assert.Contains(t, err.Error(), "无法读取这个PDF文件")

	// A page with no text (a scan is an image) has no text layer.
	blank := filepath.Join(t.TempDir(), "blank.html")
	require.NoError(t, os.WriteFile(blank, []byte(`<!doctype html><html><body><div style="width:10cm;height:10cm;background:#888"></div></body></html>`), 0o644))
	pdf := printPDF(t, "file://"+blank, false)
	_, err = pdftext.Extract(context.Background(), pdf)
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "err.pdf.scanned", pe.Key)
	assert.Contains(t, pe.Message(), "没有文字层")
}

func TestExtractWithoutTheTool(t *testing.T) {
	old := pdftext.Tool
	pdftext.Tool = "pdftotext-not-installed"
	defer func() { pdftext.Tool = old }()
	_, err := pdftext.Extract(context.Background(), []byte("%PDF-1.7"))
	var pe *planparse.Error
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, "err.pdf.notool", pe.Key)
	assert.Contains(t, err.Error(), "poppler-utils")
}
