// Package evidence decides which uploaded files duban keeps as evidence
// (佐证材料), by name and by content, before anything is stored.
//
// A file is kept only when its extension is on the list below AND its bytes
// are what the extension says: PDF; OFD (GB/T 33190, a zip package with
// OFD.xml at its root); JPEG, PNG, WebP and HEIC photos; Word (.doc, .docx),
// Excel (.xls, .xlsx) and WPS (.wps, .et) documents without macros; plain
// text (UTF-8, UTF-16 with a byte order mark, or GB18030 as Notepad saves
// it); and .zip archives whose every member passes the same rules. Scripts
// and programs are refused whatever their content. Every zip-based file
// (.docx, .xlsx, .ofd, .zip) is unpacked in full, within limits on the
// number of members, the unpacked size and the compression ratio, so that a
// small file that expands to gigabytes (a decompression bomb) is refused
// here rather than on the computer of the supervisor who opens it.
//
// The package is pure: it reads the bytes it is given and nothing else.
package evidence

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/richardlehane/mscfb"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Limits bound what Check accepts.
type Limits struct {
	// MaxFileBytes is the largest file.
	MaxFileBytes int64
	// MaxEntries is the most members of one zip-based file, nested ones
	// included.
	MaxEntries int
	// MaxUnpackedBytes bounds the unpacked size of a zip-based file, nested
	// archives included.
	MaxUnpackedBytes int64
	// MaxRatio bounds how much one member may expand (unpacked size over
	// packed size) once it unpacks to more than 1 MB. Office XML compresses
	// about 10:1, photos about 1:1; bombs 1000:1 and more.
	MaxRatio int64
	// MaxDepth is how deep archives may nest (a .zip holding a .docx is 2).
	MaxDepth int
}

// DefaultLimits are sized for phone photos and scans: a photo of a 50 MP
// phone camera is 10–20 MB, a 30-page A4 scan at 300 dpi about 15–20 MB.
var DefaultLimits = Limits{
	MaxFileBytes:     20 << 20,
	MaxEntries:       2000,
	MaxUnpackedBytes: 200 << 20,
	MaxRatio:         100,
	MaxDepth:         3,
}

// Reason says why a file was refused; each has a message in the interface's
// message table (evidence.<reason>).
type Reason string

// The reasons Check gives.
const (
	ReasonEmpty      Reason = "empty"
	ReasonTooLarge   Reason = "too_large"
	ReasonType       Reason = "type"       // the extension is not on the list
	ReasonExecutable Reason = "executable" // a script or program, by its name
	ReasonMismatch   Reason = "mismatch"   // the content is not what the name says
	ReasonMacro      Reason = "macro"      // an Office document with macros
	ReasonBomb       Reason = "bomb"       // unpacks beyond the limits
	ReasonEncrypted  Reason = "encrypted"  // a member that cannot be read
	ReasonNested     Reason = "nested"     // archives nested too deep
)

// Error refuses a file: Name is the file, Member the member of an archive
// at fault ("" for the file itself).
type Error struct {
	Reason Reason
	Name   string
	Member string
}

func (e *Error) Error() string {
	if e.Member != "" {
		return fmt.Sprintf("evidence: %s: member %s: %s", e.Name, e.Member, e.Reason)
	}
	return fmt.Sprintf("evidence: %s: %s", e.Name, e.Reason)
}

// Kind is a family of files on the list.
type kind int

const (
	kindPDF kind = iota + 1
	kindOFD
	kindJPEG
	kindPNG
	kindWebP
	kindHEIC
	kindWord  // .doc .docx .wps
	kindExcel // .xls .xlsx .et
	kindText
	kindZip
)

// allowed maps each extension on the list to its family.
var allowed = map[string]kind{
	".pdf": kindPDF, ".ofd": kindOFD,
	".jpg": kindJPEG, ".jpeg": kindJPEG, ".png": kindPNG, ".webp": kindWebP, ".heic": kindHEIC, ".heif": kindHEIC,
	".doc": kindWord, ".docx": kindWord, ".wps": kindWord,
	".xls": kindExcel, ".xlsx": kindExcel, ".et": kindExcel,
	".txt": kindText, ".zip": kindZip,
}

// Extensions lists the extensions on the list, for the form's accept attribute.
func Extensions() []string {
	return []string{".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".txt", ".zip"}
}

// executables are extensions of programs, scripts and documents that run
// code when opened (HTML, SVG, help files, macro-enabled Office files): they
// get their own message, whatever their content.
var executables = map[string]bool{}

func init() {
	for _, e := range strings.Fields(`exe com bat cmd scr pif msi msp mst dll cpl sys drv ocx js jse mjs vbs vbe vb wsf wsc wsh
		hta ps1 psm1 psd1 sh bash zsh csh ksh py pyw pl rb php jar class apk xapk ipa app dmg pkg deb rpm lnk url scf inf reg
		svg svgz html htm xhtml shtml mht mhtml xht chm hlp docm dotm xlsm xltm xlam pptm potm ppam sldm iso img vhd vhdx
		gadget msc application appref-ms settingcontent-ms desktop action command workflow elf bin run out`) {
		executables["."+e] = true
	}
}

// CleanName returns the name to keep for an uploaded file: its base name
// without control, format (bidirectional overrides such as U+202E, zero-width
// characters) and separator characters, which could make "报告\u202efdp.bat"
// read as "报告tab.pdf"; characters Windows forbids in names become "_";
// trailing dots and spaces, which Windows drops, are dropped; at most 100
// characters, keeping the extension.
func CleanName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r),
			r == utf8.RuneError, r >= 0xE000 && r <= 0xF8FF: // private use: no glyph anyone can check
			return -1
		case strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		case unicode.IsSpace(r):
			return ' '
		}
		return r
	}, name)
	name = strings.TrimRight(strings.TrimSpace(name), ". ")
	if rs := []rune(name); len(rs) > 100 {
		ext := []rune(path.Ext(name))
		if len(ext) > 10 {
			ext = nil
		}
		name = string(rs[:100-len(ext)]) + string(ext)
	}
	if name == "" || strings.Trim(name, ".") == "" {
		name = "evidence"
	}
	return name
}

// Check decides whether the file name (cleaned by CleanName) with content
// b may be kept, and returns its content type, or an *Error saying why not.
func Check(name string, b []byte, lim Limits) (string, error) {
	c := &checker{lim: lim, name: name}
	if int64(len(b)) > lim.MaxFileBytes {
		return "", c.fail(ReasonTooLarge, "")
	}
	return c.file(name, "", b, 1)
}

// checker carries the budget of one top-level file across its members.
type checker struct {
	lim      Limits
	name     string
	entries  int
	unpacked int64
}

func (c *checker) fail(r Reason, member string) error {
	return &Error{Reason: r, Name: c.name, Member: member}
}

// file checks one file or archive member (member is its path in the
// archive, "" for the file itself) at nesting depth.
func (c *checker) file(name, member string, b []byte, depth int) (string, error) {
	ext := strings.ToLower(path.Ext(name))
	k, ok := allowed[ext]
	switch {
	case executables[ext]:
		return "", c.fail(ReasonExecutable, member)
	case !ok:
		return "", c.fail(ReasonType, member)
	case len(b) == 0:
		return "", c.fail(ReasonEmpty, member)
	}
	switch k {
	case kindPDF:
		// The header may follow up to 1 KB of junk (ISO 32000-1, 7.5.2 note).
		if bytes.Contains(b[:min(len(b), 1024)], []byte("%PDF-")) {
			return "application/pdf", nil
		}
	case kindJPEG:
		if bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}) {
			return "image/jpeg", nil
		}
	case kindPNG:
		if bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
			return "image/png", nil
		}
	case kindWebP:
		if len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP" {
			return "image/webp", nil
		}
	case kindHEIC:
		if isHEIF(b) {
			return "image/heic", nil
		}
	case kindText:
		if ct, ok := textType(b); ok {
			return ct, nil
		}
	case kindWord, kindExcel:
		if isOLE(b) {
			return c.ole(k, ext, member, b)
		}
		if isZip(b) {
			return c.ooxml(k, member, b, depth)
		}
	case kindOFD:
		if isZip(b) {
			return c.ofd(member, b, depth)
		}
	case kindZip:
		if isZip(b) {
			return c.zip(member, b, depth)
		}
	}
	return "", c.fail(ReasonMismatch, member)
}

// isHEIF recognises an ISO base media file whose brand is HEIF's (phones
// write heic; mif1 and msf1 are HEIF's generic brands).
func isHEIF(b []byte) bool {
	if len(b) < 12 || string(b[4:8]) != "ftyp" {
		return false
	}
	switch string(b[8:12]) {
	case "heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1":
		return true
	}
	return false
}

// textType returns the content type of plain text: UTF-8 (with or without a
// byte order mark), UTF-16 with a byte order mark, or GB18030 (GBK) as
// Windows Notepad saves Chinese text. Text with NUL or other binary control
// characters is not text.
func textType(b []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return "text/plain; charset=utf-16", len(b)%2 == 0
	}
	for _, x := range b {
		if x < 0x20 && x != '\t' && x != '\n' && x != '\r' && x != '\f' && x != 0x1B || x == 0x7F {
			return "", false
		}
	}
	if utf8.Valid(b) {
		return "text/plain; charset=utf-8", true
	}
	d := simplifiedchinese.GB18030.NewDecoder()
	out, err := d.Bytes(b)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return "", false
	}
	return "text/plain; charset=gb18030", true
}

func isZip(b []byte) bool { return bytes.HasPrefix(b, []byte("PK\x03\x04")) }

// oleMagic begins every OLE2 compound file: .doc, .xls, .wps, .et (and .msi).
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

func isOLE(b []byte) bool { return bytes.HasPrefix(b, oleMagic) }

// ole checks a binary Office document: a compound file with the streams of
// its family and no macros. WPS writes Word's and Excel's formats under its
// own extensions.
func (c *checker) ole(k kind, ext, member string, b []byte) (ct string, err error) {
	defer func() {
		// A hostile compound file must not take the server down.
		if recover() != nil {
			ct, err = "", c.fail(ReasonMismatch, member)
		}
	}()
	doc, err := mscfb.New(bytes.NewReader(b))
	if err != nil {
		return "", c.fail(ReasonMismatch, member)
	}
	names := map[string]bool{}
	for _, f := range doc.File {
		names[f.Name] = true
	}
	if names["Macros"] || names["_VBA_PROJECT_CUR"] || names["_VBA_PROJECT"] || names["VBA"] {
		return "", c.fail(ReasonMacro, member)
	}
	if msi(doc) {
		return "", c.fail(ReasonMismatch, member)
	}
	switch {
	case k == kindWord && names["WordDocument"]:
		if ext == ".wps" {
			return "application/vnd.ms-works", nil
		}
		return "application/msword", nil
	case k == kindExcel && (names["Workbook"] || names["Book"] || ext == ".et"):
		return "application/vnd.ms-excel", nil
	}
	return "", c.fail(ReasonMismatch, member)
}

// msi reports whether a compound file is a Windows installer package.
func msi(doc *mscfb.Reader) bool {
	id := strings.ToUpper(doc.ID())
	return strings.Contains(id, "000C1084") || strings.Contains(id, "000C1086") || strings.Contains(id, "000C1082")
}

// ooxml checks a .docx or .xlsx (also one saved under .doc or .xls, which
// Word and Excel open): a zip package with the main part of its family and
// no macros.
func (c *checker) ooxml(k kind, member string, b []byte, depth int) (string, error) {
	zr, err := c.unpack(member, b, depth, nil)
	if err != nil {
		return "", err
	}
	has := map[string]bool{}
	for _, f := range zr.File {
		has[strings.ToLower(f.Name)] = true
		if strings.HasSuffix(strings.ToLower(f.Name), "vbaproject.bin") {
			return "", c.fail(ReasonMacro, member)
		}
	}
	switch {
	case k == kindWord && has["word/document.xml"]:
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", nil
	case k == kindExcel && has["xl/workbook.xml"]:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", nil
	}
	return "", c.fail(ReasonMismatch, member)
}

// ofd checks an OFD document (GB/T 33190): a zip package whose entry file
// OFD.xml is at its root.
func (c *checker) ofd(member string, b []byte, depth int) (string, error) {
	zr, err := c.unpack(member, b, depth, nil)
	if err != nil {
		return "", err
	}
	for _, f := range zr.File {
		if f.Name == "OFD.xml" {
			return "application/ofd", nil
		}
	}
	return "", c.fail(ReasonMismatch, member)
}

// zip checks a .zip archive: every member must pass the same rules as a
// file uploaded alone.
func (c *checker) zip(member string, b []byte, depth int) (string, error) {
	_, err := c.unpack(member, b, depth, func(path, name string, content []byte) error {
		_, err := c.file(name, path, content, depth+1)
		return err
	})
	if err != nil {
		return "", err
	}
	return "application/zip", nil
}

// unpack reads every member of a zip-based file within the limits, which
// count the members and unpacked bytes of the whole upload. Members are
// read in full: archive/zip refuses a member that unpacks to more than its
// declared size, so declared sizes cannot lie. With each set, each file
// member (directories skipped) is given to it, with its path in the upload
// and its name.
func (c *checker) unpack(member string, b []byte, depth int, each func(path, name string, content []byte) error) (*zip.Reader, error) {
	if depth > c.lim.MaxDepth {
		return nil, c.fail(ReasonNested, member)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		return nil, c.fail(ReasonMismatch, member)
	}
	c.entries += len(zr.File)
	if c.entries > c.lim.MaxEntries {
		return nil, c.fail(ReasonBomb, member)
	}
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
		if declared > uint64(c.lim.MaxUnpackedBytes-c.unpacked) {
			return nil, c.fail(ReasonBomb, joinMember(member, f))
		}
		if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64 > uint64(c.lim.MaxRatio)*max(f.CompressedSize64, 1) {
			return nil, c.fail(ReasonBomb, joinMember(member, f))
		}
	}
	for _, f := range zr.File {
		name := path.Base(memberName(f))
		if f.Flags&0x1 != 0 {
			return nil, c.fail(ReasonEncrypted, joinMember(member, f))
		}
		if f.FileInfo().IsDir() || strings.HasSuffix(f.Name, "/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, c.fail(ReasonMismatch, joinMember(member, f))
		}
		limit := c.lim.MaxUnpackedBytes - c.unpacked
		var content []byte
		var n int64
		if each != nil {
			content, err = io.ReadAll(io.LimitReader(rc, limit+1))
			n = int64(len(content))
		} else {
			n, err = io.Copy(io.Discard, io.LimitReader(rc, limit+1))
		}
		rc.Close()
		c.unpacked += n
		switch {
		case c.unpacked > c.lim.MaxUnpackedBytes:
			return nil, c.fail(ReasonBomb, joinMember(member, f))
		case err != nil:
			return nil, c.fail(ReasonMismatch, joinMember(member, f))
		}
		if each != nil {
			if err := each(joinMember(member, f), name, content); err != nil {
				return nil, err
			}
		}
	}
	return zr, nil
}

// memberName is the name of a zip member as a person wrote it: archives
// made by Windows in China name members in GBK without saying so.
func memberName(f *zip.File) string {
	name := f.Name
	if f.NonUTF8 || !utf8.ValidString(name) {
		if out, err := simplifiedchinese.GB18030.NewDecoder().String(name); err == nil && utf8.ValidString(out) {
			name = out
		}
	}
	var parts []string
	for _, p := range strings.Split(strings.ReplaceAll(name, "\\", "/"), "/") {
		if p != "" && p != "." && p != ".." {
			parts = append(parts, CleanName(p))
		}
	}
	return strings.Join(parts, "/")
}

func joinMember(parent string, f *zip.File) string {
	if parent == "" {
		return memberName(f)
	}
	return parent + "/" + memberName(f)
}
