package server_test

// The bulletin printed by headless Chromium (needs Chromium and, for the
// page texts and the picture of the first page, poppler-utils' pdftotext
// and pdftoppm; without them the test skips loudly, and fails under CI=true).

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/workplan"
	"duban/seeds"
)

var (
	pdfPageRe     = regexp.MustCompile(`/Type\s*/Page\b[^s]`)
	pdfMediaBoxRe = regexp.MustCompile(`/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]`)
)

// poppler returns the path of a poppler tool, or skips (fails under CI).
func poppler(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := "the bulletin PDF test needs " + name + ": apt-get install -y poppler-utils"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED (no " + name + ") " + msg)
	return ""
}

// pdfPageTexts extracts the text of every page of a PDF, in the order it
// is drawn (pdftotext -raw), with whitespace removed.
func pdfPageTexts(t *testing.T, pdftotext, file string) []string {
	t.Helper()
	text, err := exec.Command(pdftotext, "-raw", "-enc", "UTF-8", file, "-").Output()
	require.NoError(t, err)
	pages := strings.Split(strings.TrimRight(string(text), "\f"), "\f")
	for i := range pages {
		pages[i] = squash(pages[i])
	}
	return pages
}

// cutRows returns the rows that are not whole on any one page: some cell's
// text is not found there in one piece.
func cutRows(pages []string, rows [][]string) [][]string {
	var cut [][]string
	for _, row := range rows {
		whole := false
		for _, pt := range pages {
			all := true
			for _, c := range row {
				if !strings.Contains(pt, squash(c)) {
					all = false
					break
				}
			}
			if all {
				whole = true
				break
			}
		}
		if !whole {
			cut = append(cut, row)
		}
	}
	return cut
}

func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// TestBulletinPrintsOnA4 publishes a bulletin of the real plan (27 tasks,
// every county and many departments, most of it overdue by March 2024, so
// the tables run over several pages), prints the stored page to PDF with
// Chromium honouring its CSS page size, and checks:
//
//   - every page of the PDF is A4 portrait (595 × 842 pt), and there are
//     several pages;
//   - no table row is cut by a page break: the text of every body row of
//     every table, taken from the page itself, is found whole, every cell
//     of it, on one single page of the PDF (pdftotext -raw, page by page,
//     whitespace ignored). A row split across two pages would leave part
//     of a cell on each, found whole on neither;
//   - the table header is repeated on the pages a table continues on;
//   - the check itself can fail: a probe table of tall rows without the
//     rule, printed the same way, is reported cut.
//
// What it does not prove: that rows would never be cut in any content (a
// row taller than a page must be cut), nor how other browsers paginate.
// It writes the PDF and a PNG of its first page to testout/bulletin.
func TestBulletinPrintsOnA4(t *testing.T) {
	t.Parallel()
	chromium(t)
	pdftotext, pdftoppm := poppler(t, "pdftotext"), poppler(t, "pdftoppm")
	w := newWorld(t)
	b, err := seeds.FS.ReadFile(seeds.Registry)
	require.NoError(t, err)
	reg, err := workplan.ParseRegistry(b)
	require.NoError(t, err)
	_, err = w.db.SyncRegistry(bg, workplan.System("test"), reg)
	require.NoError(t, err)
	src, err := seeds.FS.ReadFile(seeds.DefaultPlan)
	require.NoError(t, err)
	_, err = w.db.Seed(bg, workplan.SeedInput{Slug: "plan-2023", SourceName: seeds.DefaultPlan, Source: src, Document: mustRead(src), Actor: workplan.System("test")})
	require.NoError(t, err)
	res := w.do(supervisor, http.MethodPost, "/plans/plan-2023/bulletins", url.Values{"start": {"2024-02-01"}, "end": {"2024-02-29"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	path := res.Header().Get("Location")

	srv := httptest.NewServer(w.h)
	t.Cleanup(srv.Close)
	br := newBrowser(t, srv.URL)
	ctx := br.as("leader")
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.CSS(`[data-testid=bulletin]`))))
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll('main table tbody tr')).map(tr => Array.from(tr.cells).map(td => td.innerText))`))
	require.NoError(t, err)
	require.Greater(t, len(rows), 40, "enough rows to run over pages")
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	require.NoError(t, err)

	out := filepath.Join(filepath.Dir(testOut(t)), "bulletin")
	require.NoError(t, os.MkdirAll(out, 0o755))
	pdfFile := filepath.Join(out, "bulletin.pdf")
	require.NoError(t, os.WriteFile(pdfFile, pdf, 0o644))

	boxes := pdfMediaBoxRe.FindAllSubmatch(pdf, -1)
	pages := len(pdfPageRe.FindAll(pdf, -1))
	require.Equal(t, pages, len(boxes), "one media box per page")
	require.GreaterOrEqual(t, pages, 2)
	for i, m := range boxes {
		var v [4]float64
		for j := range v {
			v[j], err = strconv.ParseFloat(string(m[j+1]), 64)
			require.NoError(t, err)
		}
		assert.InDelta(t, 595.28, v[2]-v[0], 1.5, "page %d is A4 wide", i+1)
		assert.InDelta(t, 841.89, v[3]-v[1], 1.5, "page %d is A4 high", i+1)
	}

	pageTexts := pdfPageTexts(t, pdftotext, pdfFile)
	require.Len(t, pageTexts, pages)
	assert.Empty(t, cutRows(pageTexts, rows), "rows cut by a page break")
	style, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[getComputedStyle(document.querySelector('main tbody tr')).breakInside,
		getComputedStyle(document.querySelector('main thead')).display]`))
	require.NoError(t, err)
	assert.Equal(t, []string{"avoid", "table-header-group"}, style)

	// The check can fail: a table of tall rows printed without the rule is
	// cut by Chromium, and the check sees it.
	var probeHTML strings.Builder
	probeHTML.WriteString(`<!doctype html><meta charset="utf-8"><style>@page { size: A4; margin: 15mm } table { border-collapse: collapse; width: 100% } ` +
		`td { border: 1px solid #000 }</style><table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>`)
	var tall [][]string
	for i := range 40 {
		var lines []string
		for k := range 5 + i%7 {
			lines = append(lines, "行"+strconv.Itoa(i)+"第"+strconv.Itoa(k)+"段")
		}
		tall = append(tall, []string{"甲" + strconv.Itoa(i), strings.Join(lines, "")})
		probeHTML.WriteString("<tr><td>甲" + strconv.Itoa(i) + "</td><td>" + strings.Join(lines, "<br>") + "</td></tr>")
	}
	probeHTML.WriteString("</tbody></table>")
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("data:text/html;charset=utf-8,"+url.PathEscape(probeHTML.String()))))
	probe, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
	require.NoError(t, err)
	probeFile := filepath.Join(t.TempDir(), "probe.pdf")
	require.NoError(t, os.WriteFile(probeFile, probe, 0o644))
	assert.NotEmpty(t, cutRows(pdfPageTexts(t, pdftotext, probeFile), tall), "without the rule Chromium cuts tall rows, and the check sees it")

	// A table that goes on over a page break repeats its header there.
	header := squash("名次单位承担按时完成率超期项次天数平均序时差综合得分")
	overdueHeader := squash("序号任务截止日期超期单位(超期天数)")
	repeated := 0
	for _, pt := range pageTexts[1:] {
		if strings.Contains(pt, header) || strings.Contains(pt, overdueHeader) {
			repeated++
		}
	}
	assert.Positive(t, repeated, "a header is repeated on a later page")

	require.NoError(t, exec.Command(pdftoppm, "-png", "-r", "72", "-f", "1", "-l", "1", "-singlefile", pdfFile, filepath.Join(out, "bulletin-page1")).Run())
	png, err := os.ReadFile(filepath.Join(out, "bulletin-page1.png"))
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG")))
	t.Logf("bulletin: %d A4 pages, %d table rows, written to %s", pages, len(rows), out)
}
