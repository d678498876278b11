package planparse

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const seedPath = "../../seeds/pingliang-2023.txt"

func readSeed(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile(seedPath)
	require.NoError(tb, err)
	return b
}

func mustParseText(tb testing.TB, b []byte) *Document {
	tb.Helper()
	doc, err := ParseText(b)
	require.NoError(tb, err)
	return doc
}

// withoutLines returns a copy of doc with every line number zeroed, to compare
// documents whose layout (and so line numbering) legitimately differs.
func withoutLines(doc *Document) *Document {
	d := *doc
	d.Tasks = append([]Task(nil), doc.Tasks...)
	for i := range d.Tasks {
		d.Tasks[i].Line = 0
	}
	d.Sections = nil
	for _, s := range doc.Sections {
		s.Line = 0
		s.Groups = append([]Group(nil), s.Groups...)
		for i := range s.Groups {
			s.Groups[i].Line = 0
		}
		d.Sections = append(d.Sections, s)
	}
	d.Warnings = nil
	for _, w := range doc.Warnings {
		w.Line = 0
		d.Warnings = append(d.Warnings, w)
	}
	return &d
}

// docx builds a minimal .docx in memory: the parts Word needs to open it, and
// a body written with the methods below.
type docx struct {
	body strings.Builder
}

const wordNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// para writes a paragraph of the given runs; formatting and proofing marks
// between runs are what real documents have in the middle of words.
func (d *docx) para(runs ...string) {
	d.body.WriteString("<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"420\"/></w:tabs></w:pPr>")
	for i, r := range runs {
		if i > 0 {
			d.body.WriteString(`<w:proofErr w:type="spellStart"/>`)
		}
		d.body.WriteString(`<w:r><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr><w:t xml:space="preserve">` + esc(r) + `</w:t></w:r>`)
	}
	d.body.WriteString("</w:p>")
}

// splitPara writes text as a paragraph split into three runs in the middle
// of words.
func (d *docx) splitPara(text string) {
	rs := []rune(text)
	if len(rs) < 3 {
		d.para(text)
		return
	}
	a, b := len(rs)/3, 2*len(rs)/3
	d.para(string(rs[:a]), string(rs[a:b]), string(rs[b:]))
}

// tcell is a table cell: span > 1 merges columns; vmerge is "restart",
// "continue" or "".
type tcell struct {
	text   string
	span   int
	vmerge string
}

func (d *docx) table(rows [][]tcell) {
	d.body.WriteString("<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr>")
	for _, row := range rows {
		d.body.WriteString("<w:tr>")
		for _, c := range row {
			d.body.WriteString("<w:tc><w:tcPr>")
			if c.span > 1 {
				d.body.WriteString(`<w:gridSpan w:val="` + strconv.Itoa(c.span) + `"/>`)
			}
			switch c.vmerge {
			case "restart":
				d.body.WriteString(`<w:vMerge w:val="restart"/>`)
			case "continue":
				d.body.WriteString(`<w:vMerge/>`)
			}
			d.body.WriteString("</w:tcPr>")
			paras := strings.Split(c.text, "\n")
			for _, p := range paras {
				d.splitPara(p)
			}
			d.body.WriteString("</w:tc>")
		}
		d.body.WriteString("</w:tr>")
	}
	d.body.WriteString("</w:tbl>")
}

func (d *docx) bytes(tb testing.TB) []byte {
	tb.Helper()
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<w:document xmlns:w="` + wordNS + `" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>` +
		d.body.String() + `<w:sectPr/></w:body></w:document>`
	return zipFiles(tb, map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
		"word/document.xml": doc,
	})
}

// zipFiles writes a zip archive; [Content_Types].xml comes first, as in Word's files.
func zipFiles(tb testing.TB, files map[string]string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml"}
	for name := range files {
		if name != names[0] && name != names[1] && name != names[2] {
			names = append(names, name)
		}
	}
	for _, name := range names {
		content, ok := files[name]
		if !ok {
			continue
		}
		w, err := zw.Create(name)
		require.NoError(tb, err)
		_, err = w.Write([]byte(content))
		require.NoError(tb, err)
	}
	require.NoError(tb, zw.Close())
	return buf.Bytes()
}

// seedLines returns the seed plan's lines, trimmed.
func seedLines(tb testing.TB) []string {
	tb.Helper()
	lines := strings.Split(strings.TrimSuffix(string(readSeed(tb)), "\n"), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return lines
}

// seedDocx writes the seed plan as a .docx, one paragraph per line (blank
// lines as empty paragraphs, so that paragraph numbers are line numbers),
// every paragraph split into runs in the middle of words.
func seedDocx(tb testing.TB) []byte {
	tb.Helper()
	var d docx
	for _, l := range seedLines(tb) {
		if l == "" {
			d.body.WriteString("<w:p/>")
			continue
		}
		d.splitPara(l)
	}
	return d.bytes(tb)
}

// seedTableDocx writes the seed plan as a .docx whose tasks are table rows:
// one table per section, the section heading as a paragraph, each group as a
// merged row, each task as a row (序号, 工作任务, 牵头单位, 责任单位, 配合单位,
// 完成时限). A unit cell equal to the one above is written as a vertical merge,
// as Word users do.
func seedTableDocx(tb testing.TB) []byte {
	tb.Helper()
	var d docx
	header := []tcell{{text: "序号"}, {text: "工作任务"}, {text: "牵头单位"}, {text: "责任单位"}, {text: "配合单位"}, {text: "完成时限"}}
	var rows [][]tcell
	inTasks := false
	flush := func() {
		if len(rows) > 0 {
			mergeEqual(rows, 2, 3)
			d.table(append([][]tcell{header}, rows...))
			rows = nil
		}
	}
	column := map[string]int{"牵头单位": 2, "牵头部门": 2, "责任单位": 3, "配合单位": 4, "完成时限": 5}
	for _, l := range seedLines(tb) {
		switch {
		case l == "":
			continue
		case strings.HasPrefix(l, "二、"):
			inTasks = true
			d.para(l)
			continue
		case strings.HasPrefix(l, "三、"):
			flush()
			inTasks = false
		}
		if !inTasks {
			d.para(l)
			continue
		}
		if n, rest, ok := taskStart(l); ok {
			rows = append(rows, []tcell{{text: strconv.Itoa(n)}, {text: rest}, {}, {}, {}, {}})
			continue
		}
		if strings.HasPrefix(l, "(") {
			flush()
			d.para(l)
			continue
		}
		if label, value, ok := strings.Cut(l, ":"); ok {
			if c, ok := column[label]; ok {
				row := rows[len(rows)-1]
				row[c].text = value
				continue
			}
		}
		rows = append(rows, []tcell{{text: l, span: 6}}) // a group heading
	}
	flush()
	return d.bytes(tb)
}

// mergeEqual merges, in each of the columns, a task row's cell that equals
// the cell of the task row above into it (w:vMerge).
func mergeEqual(rows [][]tcell, columns ...int) {
	for _, c := range columns {
		start := -1 // the row where the current merge began
		for i, row := range rows {
			if len(row) <= c || row[c].text == "" {
				start = -1
				continue
			}
			if start >= 0 && rows[start][c].text == row[c].text {
				rows[start][c].vmerge = "restart"
				row[c] = tcell{vmerge: "continue"}
				continue
			}
			start = i
		}
	}
}

// lineMessage is a warning as a test states it: its line and Chinese text.
type lineMessage struct {
	line int
	msg  string
}

func lineMessages(ws []Warning) []lineMessage {
	out := []lineMessage{}
	for _, w := range ws {
		out = append(out, lineMessage{w.Line, w.Message})
	}
	return out
}
