package evidence

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"
)

var (
	pdf  = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{1}, 100)...)
	png  = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{2}, 100)...)
	webp = append([]byte("RIFF\x20\x00\x00\x00WEBPVP8 "), bytes.Repeat([]byte{3}, 100)...)
	heic = append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), bytes.Repeat([]byte{4}, 100)...)
	html = []byte("<!DOCTYPE html><script>alert(1)</script>")
)

// zipOf builds a zip archive of name/content pairs.
func zipOf(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		require.NoError(t, err)
		_, err = w.Write([]byte(files[i+1]))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func docx(t *testing.T, extra ...string) []byte {
	return zipOf(t, append([]string{"[Content_Types].xml", "<Types/>", "word/document.xml", "<w:document/>"}, extra...)...)
}

func xlsx(t *testing.T) []byte {
	return zipOf(t, "[Content_Types].xml", "<Types/>", "xl/workbook.xml", "<workbook/>")
}

func ofd(t *testing.T) []byte {
	return zipOf(t, "OFD.xml", `<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>`, "Doc_0/Document.xml", "<ofd:Document/>")
}

// cfb builds an OLE2 compound file (version 3, 512-byte sectors) holding a
// 4 KB stream for each of streams and an empty storage for each of storages.
func cfb(t *testing.T, clsid []byte, streams []string, storages ...string) []byte {
	t.Helper()
	const (
		sector  = 512
		free    = 0xFFFFFFFF
		end     = 0xFFFFFFFE
		fatSect = 0xFFFFFFFD
		none    = 0xFFFFFFFF
	)
	size := 4096
	perStream := size / sector
	nSectors := 2 + perStream*len(streams)
	require.LessOrEqual(t, nSectors, sector/4)
	require.LessOrEqual(t, 1+len(streams)+len(storages), 4, "one directory sector")
	h := make([]byte, sector)
	copy(h, oleMagic)
	binary.LittleEndian.PutUint16(h[0x18:], 0x3E)
	binary.LittleEndian.PutUint16(h[0x1A:], 3)
	binary.LittleEndian.PutUint16(h[0x1C:], 0xFFFE)
	binary.LittleEndian.PutUint16(h[0x1E:], 9)
	binary.LittleEndian.PutUint16(h[0x20:], 6)
	binary.LittleEndian.PutUint32(h[0x2C:], 1)
	binary.LittleEndian.PutUint32(h[0x30:], 1)
	binary.LittleEndian.PutUint32(h[0x38:], 4096)
	binary.LittleEndian.PutUint32(h[0x3C:], end)
	binary.LittleEndian.PutUint32(h[0x44:], end)
	for i := 0; i < 109; i++ {
		binary.LittleEndian.PutUint32(h[0x4C+4*i:], free)
	}
	binary.LittleEndian.PutUint32(h[0x4C:], 0)
	fat := make([]byte, sector)
	for i := 0; i < sector/4; i++ {
		binary.LittleEndian.PutUint32(fat[4*i:], free)
	}
	binary.LittleEndian.PutUint32(fat[0:], fatSect)
	binary.LittleEndian.PutUint32(fat[4:], end)
	for s := range streams {
		first := 2 + s*perStream
		for j := 0; j < perStream; j++ {
			next := uint32(first + j + 1)
			if j == perStream-1 {
				next = end
			}
			binary.LittleEndian.PutUint32(fat[4*(first+j):], next)
		}
	}
	dir := make([]byte, sector)
	entry := func(i int, name string, typ byte, right, child, start uint32, size uint64) {
		e := dir[128*i : 128*(i+1)]
		u := utf16.Encode([]rune(name))
		for j, c := range u {
			binary.LittleEndian.PutUint16(e[2*j:], c)
		}
		binary.LittleEndian.PutUint16(e[64:], uint16(2*(len(u)+1)))
		e[66], e[67] = typ, 1
		binary.LittleEndian.PutUint32(e[68:], none)
		binary.LittleEndian.PutUint32(e[72:], right)
		binary.LittleEndian.PutUint32(e[76:], child)
		binary.LittleEndian.PutUint32(e[116:], start)
		binary.LittleEndian.PutUint64(e[120:], size)
	}
	names := append(append([]string{}, streams...), storages...)
	root := dir[:128]
	entry(0, "Root Entry", 5, none, 1, end, 0)
	copy(root[80:96], clsid)
	for i, n := range names {
		right := uint32(i + 2)
		if i == len(names)-1 {
			right = none
		}
		if i < len(streams) {
			entry(i+1, n, 2, right, none, uint32(2+i*perStream), uint64(size))
		} else {
			entry(i+1, n, 1, right, none, 0, 0)
		}
	}
	out := append(append(append([]byte{}, h...), fat...), dir...)
	for range streams {
		out = append(out, bytes.Repeat([]byte{0x42}, size)...)
	}
	return out
}

// bomb builds a zip with one member that unpacks to n MiB of zeros, its
// size declared as declared MiB; the deflate stream is one flushed block of
// 1 MiB of zeros repeated, so building even a GiB takes milliseconds.
func bomb(t *testing.T, member string, n, declared int) []byte {
	t.Helper()
	var chunk bytes.Buffer
	fw, err := flate.NewWriter(&chunk, flate.BestCompression)
	require.NoError(t, err)
	zeros := make([]byte, 1<<20)
	_, err = fw.Write(zeros)
	require.NoError(t, err)
	require.NoError(t, fw.Flush())
	var last bytes.Buffer
	fl, _ := flate.NewWriter(&last, flate.BestCompression)
	require.NoError(t, fl.Close())
	var crc uint32
	var raw bytes.Buffer
	for i := 0; i < n; i++ {
		raw.Write(chunk.Bytes())
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	raw.Write(last.Bytes())
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: member, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(raw.Len()), UncompressedSize64: uint64(declared) << 20})
	require.NoError(t, err)
	_, err = w.Write(raw.Bytes())
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// noise returns n bytes that do not compress.
func noise(n int) string {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return string(b)
}

func TestCheckAcceptsWhatOfficesHave(t *testing.T) {
	t.Parallel()
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("平凉市大数据中心整改报告\r\n")
	require.NoError(t, err)
	tests := []struct {
		name    string
		content []byte
		want    string
	}{
		{"整改报告.pdf", pdf, "application/pdf"},
		{"SCAN0001.PDF", append([]byte("\r\n\r\n"), pdf...), "application/pdf"},
		{"电子公文.ofd", ofd(t), "application/ofd"},
		{"现场照片.jpg", jpeg, "image/jpeg"},
		{"IMG_2024.JPEG", jpeg, "image/jpeg"},
		{"截图.png", png, "image/png"},
		{"微信图片.webp", webp, "image/webp"},
		{"IMG_0001.HEIC", heic, "image/heic"},
		{"方案.doc", cfb(t, nil, []string{"WordDocument"}), "application/msword"},
		{"方案.wps", cfb(t, nil, []string{"WordDocument"}), "application/vnd.ms-works"},
		{"方案.docx", docx(t), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"saved-as-doc.doc", docx(t), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"台账.xls", cfb(t, nil, []string{"Workbook"}), "application/vnd.ms-excel"},
		{"台账.et", cfb(t, nil, []string{"Workbook"}), "application/vnd.ms-excel"},
		{"台账.xlsx", xlsx(t), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"说明.txt", []byte("完成情况说明\n第一项已完成。\n"), "text/plain; charset=utf-8"},
		{"记事本.txt", []byte(gbk), "text/plain; charset=gb18030"},
		{"utf16.txt", []byte{0xFF, 0xFE, 'a', 0, 'b', 0}, "text/plain; charset=utf-16"},
		{"材料.zip", zipOf(t, "照片/1.jpg", string(jpeg), "报告.pdf", string(pdf), "照片/"), "application/zip"},
		{"zip-of-docx.zip", zipOf(t, "方案.docx", string(docx(t))), "application/zip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ct, err := Check(tt.name, tt.content, DefaultLimits)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ct)
		})
	}
}

func TestCheckRefuses(t *testing.T) {
	t.Parallel()
	msiCLSID := []byte{0x84, 0x10, 0x0C, 0x00, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46}
	small := Limits{MaxFileBytes: 16 << 20, MaxEntries: 10, MaxUnpackedBytes: 4 << 20, MaxRatio: 100, MaxDepth: 2}
	var gbkName bytes.Buffer
	zw := zip.NewWriter(&gbkName)
	n, _ := simplifiedchinese.GBK.NewEncoder().String("病毒.exe")
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: n, NonUTF8: true})
	_, _ = w.Write([]byte("MZ\x90\x00"))
	require.NoError(t, zw.Close())
	var encrypted bytes.Buffer
	zw = zip.NewWriter(&encrypted)
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "secret.pdf", Flags: 0x1})
	_, _ = w.Write(pdf)
	require.NoError(t, zw.Close())
	tests := []struct {
		name    string
		content []byte
		lim     Limits
		reason  Reason
		member  string
	}{
		{"empty.pdf", nil, DefaultLimits, ReasonEmpty, ""},
		{"too-big.pdf", pdf, Limits{MaxFileBytes: 50}, ReasonTooLarge, ""},
		{"整改材料fdp.bat", pdf, DefaultLimits, ReasonExecutable, ""},
		{"report.hta", []byte("<script>x</script>"), DefaultLimits, ReasonExecutable, ""},
		{"a.js", []byte("alert(1)"), DefaultLimits, ReasonExecutable, ""},
		{"logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), DefaultLimits, ReasonExecutable, ""},
		{"page.html", html, DefaultLimits, ReasonExecutable, ""},
		{"setup.exe", pdf, DefaultLimits, ReasonExecutable, ""},
		{"宏.docm", docx(t), DefaultLimits, ReasonExecutable, ""},
		{"photo.gif", []byte("GIF89a..."), DefaultLimits, ReasonType, ""},
		{"noextension", pdf, DefaultLimits, ReasonType, ""},
		{"截图.pdf", html, DefaultLimits, ReasonMismatch, ""},
		{"fake.jpg", png, DefaultLimits, ReasonMismatch, ""},
		{"program.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00"), DefaultLimits, ReasonMismatch, ""},
		{"binary.txt", []byte("MZ\x90\x00\x03\x00\x00\x00"), DefaultLimits, ReasonMismatch, ""},
		{"nul.txt", []byte("abc\x00def"), DefaultLimits, ReasonMismatch, ""},
		{"installer.doc", cfb(t, msiCLSID, []string{"WordDocument"}), DefaultLimits, ReasonMismatch, ""},
		{"installer.et", cfb(t, msiCLSID, []string{"x"}), DefaultLimits, ReasonMismatch, ""},
		{"not-word.doc", cfb(t, nil, []string{"Workbook"}), DefaultLimits, ReasonMismatch, ""},
		{"macro.doc", cfb(t, nil, []string{"WordDocument"}, "Macros"), DefaultLimits, ReasonMacro, ""},
		{"macro.xls", cfb(t, nil, []string{"Workbook"}, "_VBA_PROJECT_CUR"), DefaultLimits, ReasonMacro, ""},
		{"macro.docx", docx(t, "word/vbaProject.bin", "x"), DefaultLimits, ReasonMacro, ""},
		{"xlsx-as-docx.docx", xlsx(t), DefaultLimits, ReasonMismatch, ""},
		{"zip-as-ofd.ofd", zipOf(t, "a.xml", "x"), DefaultLimits, ReasonMismatch, ""},
		{"truncated.docx", docx(t)[:40], DefaultLimits, ReasonMismatch, ""},
		// A 1 MB .docx that unzips to 1 GiB: refused from its directory,
		// before anything is unpacked.
		{"bomb.docx", bomb(t, "word/document.xml", 1024, 1024), DefaultLimits, ReasonBomb, "word/document.xml"},
		// The same bomb lying about its size is stopped while unpacking.
		{"liar.docx", bomb(t, "word/document.xml", 64, 1), DefaultLimits, ReasonMismatch, "word/document.xml"},
		{"ratio.zip", bomb(t, "zeros.txt", 3, 3), DefaultLimits, ReasonBomb, "zeros.txt"},
		{"budget.zip", zipOf(t, "a.pdf", string(pdf)+noise(3<<20), "b.pdf", string(pdf)+noise(3<<20)), small, ReasonBomb, "b.pdf"},
		{"many.zip", zipOf(t, strings.Split(strings.Repeat("a.txt|x|", 11), "|")[:22]...), small, ReasonBomb, ""},
		{"scripts.zip", zipOf(t, "照片.jpg", string(jpeg), "run.vbs", "MsgBox 1"), DefaultLimits, ReasonExecutable, "run.vbs"},
		{"gbk.zip", gbkName.Bytes(), DefaultLimits, ReasonExecutable, "病毒.exe"},
		{"lying-member.zip", zipOf(t, "照片.jpg", string(html)), DefaultLimits, ReasonMismatch, "照片.jpg"},
		{"empty-member.zip", zipOf(t, "空.pdf", ""), DefaultLimits, ReasonEmpty, "空.pdf"},
		{"nested.zip", zipOf(t, "inner.zip", string(zipOf(t, "evil.lnk", "x"))), DefaultLimits, ReasonExecutable, "inner.zip/evil.lnk"},
		{"deep.zip", zipOf(t, "1.zip", string(zipOf(t, "2.zip", string(zipOf(t, "3.pdf", string(pdf)))))), small, ReasonNested, "1.zip/2.zip"},
		{"encrypted.zip", encrypted.Bytes(), DefaultLimits, ReasonEncrypted, "secret.pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ct, err := Check(tt.name, tt.content, tt.lim)
			var e *Error
			require.ErrorAs(t, err, &e, "refused (got %q)", ct)
			assert.Equal(t, tt.reason, e.Reason)
			assert.Equal(t, tt.name, e.Name)
			assert.Equal(t, tt.member, e.Member)
		})
	}
}

func TestCleanName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"整改材料\u202efdp.bat", "整改材料fdp.bat"},
		{"report\u200b.pdf", "report.pdf"},
		{"\u2066evil\u2069.pdf", "evil.pdf"},
		{`C:\Users\张三\Desktop\报告.pdf`, "报告.pdf"},
		{"../../etc/passwd", "passwd"},
		{"a\x00b\r\n.pdf", "ab.pdf"},
		{"invoice.pdf. . ", "invoice.pdf"},
		{`a"b<c>|?*:.pdf`, "a_b_c_____.pdf"},
		{"\xff\xfe.pdf", ".pdf"},
		{"...", "evidence"},
		{"", "evidence"},
		{strings.Repeat("长", 150) + ".pdf", strings.Repeat("长", 96) + ".pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, CleanName(tt.in))
		})
	}
}

// TestCheckSurvivesGarbage feeds every checker random-looking and truncated
// files: each must answer, never panic.
func TestCheckSurvivesGarbage(t *testing.T) {
	t.Parallel()
	seeds := [][]byte{pdf, jpeg, png, webp, heic, docx(t), xlsx(t), ofd(t), cfb(t, nil, []string{"WordDocument"}), zipOf(t, "a.pdf", string(pdf))}
	for _, ext := range Extensions() {
		for _, s := range seeds {
			for cut := 0; cut < len(s); cut += max(1, len(s)/37) {
				b := append([]byte{}, s[:cut]...)
				for i := range b {
					if i%13 == 7 {
						b[i] ^= 0x5A
					}
				}
				_, _ = Check("x"+ext, b, DefaultLimits)
			}
		}
	}
}
