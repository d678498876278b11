package web

import (
	"slices"
	"strconv"
	"strings"
)

// bulletinStyle is bulletinCSS with a class for every column width the
// document's tables use (wN is N%): style attributes would need a weaker
// Content-Security-Policy.
func bulletinStyle(d BulletinDoc) string {
	var ws []int
	for _, s := range d.Sections {
		for _, t := range s.Tables {
			ws = append(ws, t.Widths...)
		}
	}
	slices.Sort(ws)
	var b strings.Builder
	b.WriteString(bulletinCSS)
	for _, w := range slices.Compact(ws) {
		b.WriteString(".w" + strconv.Itoa(w) + "{width:" + strconv.Itoa(w) + "%}\n")
	}
	return b.String()
}

// bulletinCSS styles the standalone bulletin page on screen and in print.
// It is written inline into the page, so that a published issue, stored as
// bytes, looks the same however the application's stylesheet changes. The
// server allows exactly this style element by its hash (CSP).
//
// Print: A4 portrait with 15 mm margins; table rows never break across
// pages (break-inside: avoid) and table headers repeat on every page
// (thead as table-header-group); a heading stays with what follows it.
const bulletinCSS = `
@page { size: A4; margin: 15mm 15mm 16mm 15mm; }
html { background: #f3f3f3; }
body { margin: 0; color: #000; font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", "WenQuanYi Zen Hei", serif; font-size: 11pt; line-height: 1.6; }
.sheet { background: #fff; width: 210mm; max-width: 100%; box-sizing: border-box; margin: 0 auto; padding: 15mm; }
.toolbar { width: 210mm; max-width: 100%; margin: 0 auto; padding: .6rem 0; font-family: system-ui, sans-serif; font-size: 10.5pt; display: flex; gap: 1rem; flex-wrap: wrap; align-items: center; }
.toolbar a { color: #0b5cad; }
.toolbar button { font: inherit; padding: .3rem .8rem; }
.preview-banner { border: 2px dashed #c00000; color: #c00000; padding: .4rem .8rem; margin-bottom: 1rem; text-align: center; font-weight: bold; }
.masthead { text-align: center; color: #c00000; font-size: 22pt; font-weight: bold; letter-spacing: .12em; margin: 0 0 .3rem; line-height: 1.3; }
.number { text-align: center; font-size: 14pt; margin: 0 0 .4rem; }
.byline { display: flex; justify-content: space-between; border-bottom: 3px solid #c00000; padding-bottom: .3rem; margin-bottom: 1rem; font-size: 12pt; }
h2 { font-family: "SimHei", "Heiti SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; font-size: 14pt; margin: 1.1rem 0 .4rem; break-after: avoid; page-break-after: avoid; }
p { margin: .3rem 0; text-indent: 2em; text-align: justify; }
p.caption { text-indent: 0; font-weight: bold; margin-top: .6rem; break-after: avoid; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: .3rem 0 .8rem; font-size: 10pt; line-height: 1.4; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 3px 5px; vertical-align: top; text-align: left; word-break: break-all; }
th { background: #e7e6e6; font-weight: bold; }
@media print {
  html { background: #fff; }
  .sheet { width: auto; padding: 0; margin: 0; }
  .toolbar, .preview-banner form { display: none; }
}
`
