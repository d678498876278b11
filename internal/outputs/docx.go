package outputs

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"duban/internal/deadline"
)

// The Word document of a bulletin is WordprocessingML written by hand: five
// small XML parts in a zip, A4 portrait, tables whose header rows repeat on
// every page and whose rows never split across pages. No library is needed
// for that, and the output is reproducible: the same bulletin gives the same
// bytes (the zip entries carry the publication time, not the clock).

// A4 in twentieths of a point, with 2 cm margins.
const (
	a4Width    = 11906
	a4Height   = 16838
	pageMargin = 1134
	textWidth  = a4Width - 2*pageMargin
)

// DOCX renders b as a Word document.
func DOCX(b Bulletin) ([]byte, error) {
	var body strings.Builder
	d := &docWriter{w: &body}
	d.masthead(b)
	for _, sec := range Sections(b) {
		d.heading(sec.Heading)
		for _, p := range sec.Paragraphs {
			d.para(p, false, 0)
		}
		for _, t := range sec.Tables {
			if t.Caption != "" {
				d.para(t.Caption, true, 0)
			}
			d.table(t)
		}
	}
	document := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() +
		fmt.Sprintf(`<w:sectPr><w:pgSz w:w="%d" w:h="%d"/><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>`,
			a4Width, a4Height, pageMargin, pageMargin, pageMargin, pageMargin) +
		`</w:body></w:document>`
	parts := []struct{ name, content string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`},
		{"word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`},
		{"word/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋" w:cs="Times New Roman"/><w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="60" w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:sz w:val="30"/></w:rPr></w:style></w:styles>`},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>` +
			esc(b.Title+" "+NumberLabel(b.Number)) + `</dc:title><dc:creator>` + esc(b.Publisher) + `</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">` +
			b.PublishedAt.UTC().Format(time.RFC3339) + `</dcterms:created></cp:coreProperties>`},
		{"word/document.xml", document},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	modified := b.PublishedAt
	if modified.Before(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) {
		modified = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	for _, p := range parts {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: modified.UTC()})
		if err != nil {
			return nil, fmt.Errorf("report: docx %s: %w", p.name, err)
		}
		if _, err := f.Write([]byte(p.content)); err != nil {
			return nil, fmt.Errorf("report: docx %s: %w", p.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("report: docx: %w", err)
	}
	return buf.Bytes(), nil
}

type docWriter struct{ w *strings.Builder }

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// run is a run of text; size in half-points (0: default), with colour.
func run(text string, bold bool, size int, color, font string) string {
	var rpr strings.Builder
	if font != "" {
		rpr.WriteString(`<w:rFonts w:eastAsia="` + font + `"/>`)
	}
	if bold {
		rpr.WriteString(`<w:b/>`)
	}
	if color != "" {
		rpr.WriteString(`<w:color w:val="` + color + `"/>`)
	}
	if size > 0 {
		fmt.Fprintf(&rpr, `<w:sz w:val="%d"/><w:szCs w:val="%d"/>`, size, size)
	}
	return `<w:r><w:rPr>` + rpr.String() + `</w:rPr><w:t xml:space="preserve">` + esc(text) + `</w:t></w:r>`
}

func (d *docWriter) masthead(b Bulletin) {
	d.w.WriteString(`<w:p><w:pPr><w:jc w:val="center"/><w:spacing w:after="120"/></w:pPr>` + run(b.Title, true, 44, "C00000", "宋体") + `</w:p>`)
	number := NumberLabel(b.Number)
	if b.Preview {
		number += "(预览,未发布)"
	}
	d.w.WriteString(`<w:p><w:pPr><w:jc w:val="center"/></w:pPr>` + run(number, false, 28, "", "") + `</w:p>`)
	d.w.WriteString(`<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="18" w:space="4" w:color="C00000"/></w:pBdr><w:tabs><w:tab w:val="right" w:pos="` +
		strconv.Itoa(textWidth) + `"/></w:tabs></w:pPr>` + run(b.Publisher, false, 24, "", "") + `<w:r><w:tab/></w:r>` + run(ChineseDate(b.PublishedAt), false, 24, "", "") + `</w:p>`)
}

func (d *docWriter) heading(text string) {
	d.w.WriteString(`<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>` + run(text, false, 0, "", "") + `</w:p>`)
}

func (d *docWriter) para(text string, bold bool, size int) {
	d.w.WriteString(`<w:p><w:pPr><w:keepNext/><w:ind w:firstLineChars="200" w:firstLine="480"/></w:pPr>` + run(text, bold, size, "", "") + `</w:p>`)
}

func (d *docWriter) table(t Table) {
	total := 0
	for _, w := range t.Widths {
		total += w
	}
	width := func(i int) int {
		if i >= len(t.Widths) || total == 0 {
			return textWidth / len(t.Header)
		}
		return textWidth * t.Widths[i] / total
	}
	d.w.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="` + strconv.Itoa(textWidth) + `" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		d.w.WriteString(`<w:` + side + ` w:val="single" w:sz="4" w:space="0" w:color="000000"/>`)
	}
	d.w.WriteString(`</w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>`)
	for i := range t.Header {
		d.w.WriteString(`<w:gridCol w:w="` + strconv.Itoa(width(i)) + `"/>`)
	}
	d.w.WriteString(`</w:tblGrid>`)
	row := func(cells []string, header bool) {
		d.w.WriteString(`<w:tr><w:trPr><w:cantSplit/>`)
		if header {
			d.w.WriteString(`<w:tblHeader/>`)
		}
		d.w.WriteString(`</w:trPr>`)
		for i, c := range cells {
			d.w.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + strconv.Itoa(width(i)) + `" w:type="dxa"/>`)
			if header {
				d.w.WriteString(`<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>`)
			}
			d.w.WriteString(`</w:tcPr><w:p><w:pPr><w:spacing w:after="0" w:line="280" w:lineRule="auto"/></w:pPr>` + run(c, header, 21, "", "") + `</w:p></w:tc>`)
		}
		d.w.WriteString(`</w:tr>`)
	}
	row(t.Header, true)
	for _, r := range t.Rows {
		row(r, false)
	}
	d.w.WriteString(`</w:tbl><w:p><w:pPr><w:spacing w:after="120"/></w:pPr></w:p>`)
}

// ChineseDate formats t's date in Shanghai as "2024年3月5日".
func ChineseDate(t time.Time) string {
	d := deadline.DateOf(t, deadline.Shanghai)
	return fmt.Sprintf("%d年%d月%d日", d.Year, d.Month, d.Day)
}
