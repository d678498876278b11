// Package planparse reads a work plan document (工作方案) of the family of
// seeds/pingliang-2023.txt, as plain text or as a Word .docx, into numbered tasks
// with their units, deadlines and quantitative targets (指标).
//
// The package is pure: it turns bytes into values and does no I/O of its own. It
// never guesses silently: whatever is doubtful becomes a Warning that names the
// line (for a .docx, the paragraph or table row) it came from, and nothing that
// looks like plan data is dropped without one.
//
// The structure it understands, by level:
//
//	一、总体要求 / 二、主要任务      part: prose parts (总体要求, 保障措施 …) hold no tasks
//	(一)提升数字资源支撑能力        section
//	1.推进全市政务“一朵云”建设      group
//	(1)标题。正文……                task, followed by labelled lines:
//	牵头单位:… 责任单位:… 配合单位:… 完成时限:…
//
// and its variants: half- or full-width punctuation, other label words (牵头部门,
// 责任部门, 配合部门, 协办单位, 完成时间, 时间节点), labels written inline at the end
// of a task, (责任单位:…) blocks after a group of tasks, tasks as table rows (in a
// .docx table, as tab- or |-separated text, or with cells joined by spaces), numbering that restarts per section, and
// headings that are themselves tasks because they carry labels and have no
// numbered tasks under them.
//
// Decisions a reader of the result should know:
//
//   - Text is canonical in the seed plan's spelling: full-width ASCII forms
//     become ASCII (（）：，； → ():,;), so unit names carry half-width brackets.
//   - Labels after a group of tasks apply to each task of the group that lacks
//     that role; labels in or right under a heading are defaults for the tasks
//     under it. A task's own labels always win.
//   - Task numbers are the printed (N) when they increase through the plan;
//     otherwise (numbering restarts per section, repeats, tables without 序号)
//     tasks are numbered 1…K in document order and the printed number is kept
//     in Task.SourceNumber, with a warning (see parser.numbers).
//   - Indicators are candidates for an administrator: the rules are on
//     indicators, in indicators.go.
//   - Limits (MaxSize, maxLines, maxUnits, maxIndicators, maxWarnings,
//     maxAssignments) keep the work linear and the result proportionate to the
//     input; a plan comes nowhere near them, and whatever is cut is warned of.
package planparse

import (
	"bytes"
	"fmt"
	"io"

	"duban/internal/deadline"
)

// MaxSize is the largest document, in bytes, that Parse, ParseText and ParseDocx
// accept. A plan is a few dozen kilobytes; the limit keeps an upload from
// exhausting memory.
const MaxSize = 10 << 20

// maxXMLSize bounds the decompressed word/document.xml of a .docx: deflate can
// expand a small archive a thousandfold, and the parser must stay bounded.
const maxXMLSize = 4 * MaxSize

// Document is a parsed plan. Slices are never nil, so that the JSON form always
// has arrays where a reader expects them.
type Document struct {
	// Title is the plan's title, e.g. 平凉市深化数字政府建设提升政务服务能力工作方案.
	Title string `json:"title"`
	// IssuedBy is the issuing office of the cover notice, "" when there is none.
	IssuedBy string `json:"issued_by"`
	// IssuedOn is the date of the cover notice, nil (JSON null) when unknown.
	IssuedOn *deadline.Date `json:"issued_on"`
	// Addressees are the units the cover notice is addressed to (主送).
	Addressees []string `json:"addressees"`
	// Year is the year deadlines without a year (年内, 三季度末) fall in: the issue
	// date's year, else the first year in the title, else the first year named
	// by a deadline; 0 when none is found.
	Year int `json:"year"`
	// Sections are the sections that hold tasks, or that stand under a task part
	// such as 二、主要任务, in document order.
	Sections []Section `json:"sections"`
	// Tasks are the plan's tasks in document order.
	Tasks []Task `json:"tasks"`
	// Warnings are the doubts an administrator should look at, by line.
	Warnings []Warning `json:"warnings"`
}

// Section is a section of the plan's tasks, such as (一)提升数字资源支撑能力. When a
// task part has no (一) sections, the part itself (二、主要任务) is the section.
type Section struct {
	Numeral string  `json:"numeral"` // 一, 二 …
	Title   string  `json:"title"`
	Line    int     `json:"line"`
	Groups  []Group `json:"groups"`
}

// Group is a numbered group of tasks within a section, such as 1.推进全市政务“一朵云”建设.
type Group struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
	Line   int    `json:"line"`
}

// Task is one task of the plan.
type Task struct {
	// Number is the task's number in the plan: the printed (N) when the printed
	// numbers increase through the document, else the position in document order
	// (see SourceNumber).
	Number int `json:"number"`
	// SourceNumber is the number printed in the document ((N), a table's 序号 or a
	// heading's number), 0 when none was printed.
	SourceNumber   int    `json:"source_number"`
	Section        string `json:"section"`
	SectionNumeral string `json:"section_numeral"`
	// Group is the title of the task's group, "" when the task has none.
	Group       string `json:"group"`
	GroupNumber int    `json:"group_number"`
	// Title is the task's first sentence, without its number and final 。.
	Title string `json:"title"`
	// Body is the rest of the task's text; continuation paragraphs are joined
	// with a newline.
	Body             string            `json:"body"`
	LeadUnits        []string          `json:"lead_units"`
	ResponsibleUnits []string          `json:"responsible_units"`
	CooperatingUnits []string          `json:"cooperating_units"`
	Deadline         deadline.Deadline `json:"deadline"`
	// People are the people named beside the units (责任领导, 分管领导 …):
	// people, never units; absent from the JSON when there are none.
	People []Person `json:"people,omitempty"`
	// Indicators are candidate quantitative targets found in the task's text,
	// for an administrator to confirm.
	Indicators []Indicator `json:"indicators"`
	// Line is the line (for a .docx, paragraph or table row) where the task
	// starts, counting from 1.
	Line int `json:"line"`
}

// Person is a person named for a task, such as 分管副市长 or 责任领导 of a
// task breakdown: Role is the label (责任领导), Name as written (张三).
type Person struct {
	Role string `json:"role"`
	Name string `json:"name"`
}

// Indicator is a candidate quantitative target (指标) of a task, such as
// 市级大厅进驻事项1200项以上: Comparator ">=", Value 1200, Unit "项".
type Indicator struct {
	// Text is the short clause the target was found in.
	Text string `json:"text"`
	// Comparator is ">=", "<=" or "=".
	Comparator string  `json:"comparator"`
	Value      float64 `json:"value"`
	// Unit is the measure word or unit after the number: 项, 类, %, 亿条, 小时,
	// 个工作日, 个环节 ….
	Unit string `json:"unit"`
}

// Warning is something doubtful in the document, for an administrator to
// check. Key names the message (see Messages; the web interface translates it
// under "parse."+Key) and Args fill it in; Message is its Chinese text.
type Warning struct {
	Line    int      `json:"line"`
	Key     string   `json:"key"`
	Args    []string `json:"args"`
	Message string   `json:"message"`
}

// Units returns the distinct unit names of all tasks (lead, responsible and
// cooperating), in order of first appearance.
func (d *Document) Units() []string {
	seen := make(map[string]bool)
	out := []string{}
	for _, t := range d.Tasks {
		for _, list := range [][]string{t.LeadUnits, t.ResponsibleUnits, t.CooperatingUnits} {
			for _, u := range list {
				if !seen[u] {
					seen[u] = true
					out = append(out, u)
				}
			}
		}
	}
	return out
}

// zipMagic starts every .docx (a zip archive whose first entry is a local file).
var zipMagic = []byte("PK\x03\x04")

// oleMagic starts legacy Office files (.doc, .wps, .xls), which are not supported.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// pdfMagic starts a PDF; its text is extracted outside this package (it needs
// pdftotext) and parsed as printed text.
var pdfMagic = []byte("%PDF-")

// rtfMagic starts a Rich Text Format file.
var rtfMagic = []byte("{\\rtf")

// Parse reads a plan document from r and parses it. It reads at most MaxSize+1
// bytes and refuses a bigger document without reading the rest. The format is
// told by content, not by name: a zip archive is a .docx, anything else is
// text (see ParseText). A PDF, a legacy .doc or .wps and an RTF file are
// refused with a message saying what to do. name is used only in the errors
// of r.
//
// An error caused by the document itself is an *Error (errors.As) that
// matches ErrInput and its kind (errors.Is), returned as is so that its text
// is the message for a person; an error from r is returned wrapped and does
// not match ErrInput.
func Parse(r io.Reader, name string) (*Document, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("planparse: read %s: %w", name, err)
	}
	return parseBytes(b)
}

func parseBytes(b []byte) (*Document, error) {
	if len(b) > MaxSize {
		return nil, tooLarge()
	}
	switch {
	case bytes.HasPrefix(b, zipMagic):
		return parseDocx(b)
	case bytes.HasPrefix(b, oleMagic):
		return nil, NewError(ErrUnsupported, 0, "err.oldword")
	case bytes.HasPrefix(b, pdfMagic):
		return nil, NewError(ErrUnsupported, 0, "err.pdf")
	case bytes.HasPrefix(b, rtfMagic):
		return nil, NewError(ErrUnsupported, 0, "err.rtf")
	}
	return parseText(b)
}

// ParseText parses a plan written as text: UTF-8 with or without a byte order
// mark, UTF-16 with one, or GB18030 (which includes GBK and GB2312, as
// Notepad on a Chinese Windows saves), any line ending. Tab- and
// |-separated lines are table rows, and so are numbered lines after a header
// whose cells were joined by spaces (see spaceTables). Text with form feeds is text extracted
// from a printed document (pdftotext writes one between pages): page
// headers, footers and numbers are dropped and lines wrapped mid-sentence
// joined again before parsing (see unprint).
func ParseText(b []byte) (*Document, error) {
	return parseText(b)
}

// ParseDocx parses a plan written as a Word .docx: the paragraphs and table rows
// of word/document.xml, in order.
func ParseDocx(b []byte) (*Document, error) {
	return parseDocx(b)
}

func parseText(b []byte) (*Document, error) {
	if len(b) > MaxSize {
		return nil, tooLarge()
	}
	lines, printed, err := textLines(b)
	if err != nil {
		return nil, err
	}
	doc, err := build(lines)
	if err != nil {
		return nil, err
	}
	if printed {
		doc.Warnings = append([]Warning{newWarning(1, "pdf.text")}, doc.Warnings...)
	}
	return doc, nil
}

func parseDocx(b []byte) (*Document, error) {
	if len(b) > MaxSize {
		return nil, tooLarge()
	}
	lines, err := docxLines(b)
	if err != nil {
		return nil, err
	}
	return build(lines)
}

func tooLarge() error {
	return NewError(ErrTooLarge, 0, "err.toolarge", MaxSize>>20)
}
