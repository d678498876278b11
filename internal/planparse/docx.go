package planparse

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// docxLines reads the paragraphs and table rows of a .docx, in order.
func docxLines(b []byte) ([]line, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		return nil, docxError("not a zip archive: %v", err)
	}
	name := mainPart(zr)
	var f *zip.File
	for _, zf := range zr.File {
		if zf.Name == name {
			f = zf
			break
		}
	}
	if f == nil {
		return nil, docxError("no %s in the archive", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, docxError("open %s: %v", name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxXMLSize+1))
	if err != nil {
		return nil, docxError("read %s: %v", name, err)
	}
	if len(data) > maxXMLSize {
		return nil, NewError(ErrTooLarge, 0, "err.docx.toolarge", maxXMLSize>>20)
	}
	lines, err := decodeDocument(data)
	switch {
	case errors.Is(err, ErrTooLarge):
		return nil, err
	case err != nil:
		return nil, docxError("%s: %v", name, err)
	}
	return lines, nil
}

// docxError is a corrupt .docx, with the technical detail for logs.
func docxError(format string, args ...any) error {
	e := NewError(ErrCorruptDocx, 0, "err.docx")
	e.Detail = fmt.Sprintf(format, args...)
	return e
}

// mainPart finds the document part from the package relationships, which
// almost always name word/document.xml.
func mainPart(zr *zip.Reader) string {
	const fallback = "word/document.xml"
	for _, zf := range zr.File {
		if zf.Name != "_rels/.rels" {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return fallback
		}
		defer rc.Close()
		var rels struct {
			Rel []struct {
				Type   string `xml:"Type,attr"`
				Target string `xml:"Target,attr"`
			} `xml:"Relationship"`
		}
		if err := xml.NewDecoder(io.LimitReader(rc, 1<<20)).Decode(&rels); err != nil {
			return fallback
		}
		for _, r := range rels.Rel {
			if strings.HasSuffix(r.Type, "/officeDocument") && r.Target != "" {
				return strings.TrimPrefix(path.Clean("/"+r.Target), "/")
			}
		}
	}
	return fallback
}

// cell is a table cell being read.
type cell struct {
	paras []string
	span  int
	cont  bool // a vertically merged cell continuing the one above
}

// decodeDocument walks word/document.xml. A paragraph is a line (a line break
// inside it starts another); a top-level table row is a line of cells, with
// horizontally merged cells (gridSpan) expanded and vertically merged ones
// (vMerge) repeating the cell above, so that columns stay aligned with the
// header. Nested tables, text boxes and fields are read as text of the
// enclosing cell or paragraph; deleted text (w:delText) and the fallback copy
// of alternate content are skipped.
func decodeDocument(data []byte) ([]line, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var (
		lines    []line
		para     strings.Builder
		inPara   int
		inText   bool
		inTabs   int
		skip     int
		tblDepth int
		cur      *cell
		row      []cell
		above    []string
		no       int
		// size counts the text of the lines made, merged cells repeated
		// included: a vertical merge repeats a cell at the cost of a few
		// bytes of XML, so the expansion needs its own bound.
		size int
	)
	emitPara := func(s string) error {
		for _, part := range strings.Split(s, "\n") {
			no++
			size += len(part)
			if no > maxLines {
				return tooManyLines()
			}
			lines = append(lines, makeLine(no, norm(part)))
		}
		return nil
	}
	// RawToken skips namespace translation, which costs a fifth of the time
	// and is not needed: elements are told apart by local name. The nesting
	// check Token would do is done here, so malformed XML is still refused.
	var open []string
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			if len(open) > 0 {
				return nil, fmt.Errorf("unexpected end of XML inside <%s>", open[len(open)-1])
			}
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			open = append(open, t.Name.Local)
		case xml.EndElement:
			if len(open) == 0 || open[len(open)-1] != t.Name.Local {
				return nil, fmt.Errorf("element </%s> closes nothing open", t.Name.Local)
			}
			open = open[:len(open)-1]
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip > 0 {
				skip++
				continue
			}
			switch t.Name.Local {
			case "Fallback":
				skip = 1
			case "tbl":
				tblDepth++
				if tblDepth == 1 {
					above = nil
				}
			case "tr":
				if tblDepth == 1 {
					row = row[:0]
				}
			case "tc":
				if tblDepth == 1 {
					cur = &cell{span: 1}
				}
			case "gridSpan":
				if tblDepth == 1 && cur != nil {
					if n, err := strconv.Atoi(attr(t, "val")); err == nil && n > 1 && n <= 64 {
						cur.span = n
					}
				}
			case "vMerge":
				if tblDepth == 1 && cur != nil && attr(t, "val") != "restart" {
					cur.cont = true
				}
			case "p":
				if inPara == 0 {
					para.Reset()
				}
				inPara++
			case "t":
				inText = true
			case "tabs":
				inTabs++
			case "tab":
				if inPara > 0 && inTabs == 0 {
					para.WriteByte('\t')
				}
			case "br", "cr":
				if inPara > 0 {
					para.WriteByte('\n')
				}
			case "noBreakHyphen":
				para.WriteByte('-')
			}
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			switch t.Name.Local {
			case "t":
				inText = false
			case "tabs":
				inTabs--
			case "p":
				if inPara == 0 {
					continue
				}
				inPara--
				if inPara > 0 {
					continue
				}
				if tblDepth > 0 && cur != nil {
					cur.paras = append(cur.paras, para.String())
				} else if tblDepth == 0 {
					if err := emitPara(para.String()); err != nil {
						return nil, err
					}
				}
			case "tc":
				if tblDepth == 1 && cur != nil {
					row = append(row, *cur)
					cur = nil
				}
			case "tr":
				if tblDepth == 1 {
					no++
					if no > maxLines {
						return nil, tooManyLines()
					}
					above = rowCells(row, above)
					for _, c := range above {
						size += len(c)
					}
					if size > maxXMLSize {
						return nil, NewError(ErrTooLarge, 0, "err.docx.toolarge", maxXMLSize>>20)
					}
					lines = append(lines, rowLine(no, above))
				}
			case "tbl":
				if tblDepth > 0 {
					tblDepth--
				}
			}
		case xml.CharData:
			if inText && inPara > 0 {
				para.Write(t)
			}
		}
	}
	return lines, nil
}

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// rowCells expands a row's merged cells, normalised and trimmed; above is the
// previous row's cells, which a vertically merged cell repeats as they are.
func rowCells(row []cell, above []string) []string {
	var cells []string
	for _, c := range row {
		if c.cont && len(cells) < len(above) {
			cells = append(cells, above[len(cells)])
		} else {
			text := strings.Join(c.paras, "\n")
			cells = append(cells, strings.TrimSpace(strings.ReplaceAll(norm(text), "\t", " ")))
		}
		for i := 1; i < c.span; i++ {
			cells = append(cells, "")
		}
	}
	return cells
}

// rowLine makes a line of a table row. A row with a single non-empty cell
// (a merged heading row, or a one-column layout table) is read as text.
func rowLine(no int, cells []string) line {
	var filled []string
	for _, c := range cells {
		if c != "" {
			filled = append(filled, c)
		}
	}
	l := line{no: no, text: strings.Join(filled, " ")}
	if len(filled) >= 2 {
		l.cells = cells
	} else if len(filled) == 1 {
		l.text = filled[0]
	}
	return l
}
