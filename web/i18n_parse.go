package web

import (
	"context"
	"strconv"

	"duban/internal/planparse"
)

// The plan parser's errors and warnings, under "parse."+key. The Chinese
// text is the parser's own (planparse.Messages), so that the command line,
// the logs and the interface say the same; the English is here. Arguments
// are strings: numbers, unit names and quoted lines of the document.
var parseEN = map[string]string{
	"at.line": "line %s: %s",

	"err.empty":         "The file is empty: it has no text",
	"err.toolarge":      "The file is too large: over %s MB",
	"err.toomanylines":  "The file is too long: over %s lines",
	"err.assignments":   "More than %s task–unit pairs: the file does not look like a work plan",
	"err.encoding":      "The text from byte %s on cannot be read: the file is neither UTF-8 nor GBK/GB18030 nor UTF-16 with a byte order mark. Save it as UTF-8 text (Notepad or WPS: Save as), or upload the .docx or PDF",
	"err.utf16odd":      "The file starts with a UTF-16 mark but has an odd number of bytes: it may be cut short",
	"err.docx":          "This .docx cannot be read: it is damaged or not a Word document. Open it in Word or WPS and save it again as .docx",
	"err.docx.toolarge": "This .docx expands to more than %s MB and cannot be read",
	"err.oldword":       "This is an old Word (.doc) or WPS (.wps) file, which cannot be read directly. Save it as .docx or PDF in Word or WPS and upload that",
	"err.rtf":           "This is an RTF file, which cannot be read directly. Save it as .docx or PDF in Word or WPS and upload that",
	"err.nul":           "The file has a NUL character at byte %s: it is not a text file. Upload the plan's .docx, PDF or text",
	"err.pdf":           "This is a PDF: its text must be extracted first. Upload it on the import page or with duban plan parse, which extract it",
	"err.pdf.notool":    "The server cannot read PDFs: the text extraction tool (pdftotext, from poppler-utils) is not installed. Upload the .docx or text, or ask an administrator to install poppler-utils",
	"err.pdf.scanned":   "This PDF has no text layer (probably a scan or images), so no text can be extracted. Upload the original .docx or text, or convert it with text recognition (OCR) first",
	"err.pdf.bad":       "This PDF cannot be read: it is damaged, encrypted or not a PDF",
	"err.notplan":       "No tasks found: expected numbered tasks such as \"(1)…\" with lead and responsible units, a task table, or tasks ending in \"(X牵头,Y配合)\"",
	"err.nolabels":      "Found %s numbered items, but none has lead units, responsible units or a deadline: this does not look like a work plan",

	"label.empty":        "Nothing follows “%s”",
	"label.unknown":      "Unknown label “%s”, not read as units or a deadline; please check: %s",
	"task.altnumber":     "Task number not in the (N) form, read as a task anyway; please check: %s",
	"labels.unused":      "The tasks before these units already have them; not used: %s",
	"labels.outside":     "Units outside any task, ignored: %s",
	"deadline.repeat":    "Deadline given twice: kept “%s”, not “%s”",
	"units.toomany":      "More than %s units: the other %s were left out: %s",
	"units.note":         "A note after the units was not read as units: %s",
	"task.textafter":     "Text after the unit lines of task (%s), added to its body: %s",
	"warnings.more":      "%s more warnings not listed: the document has many problems; check that it is a work plan of this kind",
	"number.gap1":        "Task numbers skip (%s)",
	"number.gap":         "Task numbers skip (%s) to (%s)",
	"number.repeat":      "Task number (%s) repeated (already on line %s); numbered %s in document order",
	"number.restart":     "Task numbers restart in each part; numbered 1 to %s in document order, the printed numbers kept as source_number",
	"number.order":       "Task numbers do not increase; numbered 1 to %s in document order, the printed numbers kept as source_number",
	"task.notitle":       "Task %s has no title",
	"task.nounits":       "Task %s has no lead and no responsible units",
	"task.nolead":        "Task %s has no lead unit",
	"deadline.unknown":   "The deadline of task %s, “%s”, is not understood: kept as written, for an administrator to confirm",
	"task.nodeadline":    "Task %s has no deadline",
	"indicators.toomany": "Task %s has more than %s target candidates; only the first %s are listed",
	"section.empty":      "No tasks under (%s)%s",
	"group.empty":        "No tasks under %s.%s",
	"row.notext":         "A table row without a task, ignored: %s",
	"pdf.text":           "Text extracted from a PDF: page headers, footers and numbers were removed and lines broken by the page width joined; please check the tasks",
}

func init() {
	m := map[string][2]string{}
	for k, zh := range planparse.Messages() {
		m["parse."+k] = [2]string{zh, parseEN[k]}
	}
	register(m)
}

// ParseMessage renders a parser error or warning (its key and arguments) in
// the context's language, with its line first when line > 0.
func ParseMessage(ctx context.Context, line int, key string, args []string) string {
	a := make([]any, len(args))
	for i, s := range args {
		a[i] = s
	}
	msg := T(ctx, "parse."+key, a...)
	if line > 0 {
		return T(ctx, "parse.at.line", strconv.Itoa(line), msg)
	}
	return msg
}
