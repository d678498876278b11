package server_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gibDocx is a 1 MB .docx whose document part unpacks to 1 GiB of zeros,
// declared as such: one flushed deflate block of 1 MiB of zeros, repeated.
func gibDocx(t *testing.T) []byte {
	t.Helper()
	var chunk, last bytes.Buffer
	fw, err := flate.NewWriter(&chunk, flate.BestCompression)
	require.NoError(t, err)
	zeros := make([]byte, 1<<20)
	_, _ = fw.Write(zeros)
	require.NoError(t, fw.Flush())
	fl, _ := flate.NewWriter(&last, flate.BestCompression)
	require.NoError(t, fl.Close())
	var raw bytes.Buffer
	var crc uint32
	for i := 0; i < 1024; i++ {
		raw.Write(chunk.Bytes())
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	raw.Write(last.Bytes())
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	ct, _ := zw.Create("[Content_Types].xml")
	_, _ = ct.Write([]byte("<Types/>"))
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(raw.Len()), UncompressedSize64: 1 << 30})
	require.NoError(t, err)
	_, _ = w.Write(raw.Bytes())
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func zipFiles(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		require.NoError(t, err)
		_, _ = w.Write([]byte(files[i+1]))
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// TestEvidenceUploads sends the files of the black-box probe, and what
// offices really have, as evidence of a report: the refused ones leave
// nothing behind and say why, naming the file.
func TestEvidenceUploads(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	asg := w.plan.ownAsg
	path := "/assignments/" + id(asg.ID) + "/report"
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{7}, 300)...)
	heic := append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), bytes.Repeat([]byte{4}, 100)...)
	tests := []struct {
		name  string
		files []formFile
		want  string // a part of the message; "" when accepted
		kept  []string
	}{
		{"bidi override", []formFile{{"evidence", "整改材料\u202efdp.bat", []byte("@echo off\r\ndel *.*")}}, "整改材料fdp.bat”是程序、脚本", nil},
		{"hta", []formFile{{"evidence", "report.hta", []byte("<script>x</script>")}}, "“report.hta”是程序、脚本", nil},
		{"js", []formFile{{"evidence", "a.js", []byte("alert(1)")}}, "“a.js”是程序、脚本", nil},
		{"svg", []formFile{{"evidence", "a.svg", []byte("<svg/>")}}, "“a.svg”是程序、脚本", nil},
		{"html", []formFile{{"evidence", "a.html", []byte("<p>x</p>")}}, "“a.html”是程序、脚本", nil},
		{"empty", []formFile{{"evidence", "空.pdf", nil}}, "“空.pdf”是空文件", nil},
		{"bomb", []formFile{{"evidence", "方案.docx", gibDocx(t)}}, "“方案.docx”中的“word/document.xml”解压后过大", nil},
		{"zip with a script", []formFile{{"evidence", "材料.zip", zipFiles(t, "照片.jpg", string(jpeg), "run.vbs", "MsgBox 1")}}, "“材料.zip”中的“run.vbs”是程序", nil},
		{"one bad file refuses all", []formFile{{"evidence", "照片.jpg", jpeg}, {"evidence", "x.exe", []byte("MZ")}}, "“x.exe”", nil},
		{"photos, scans and a zip", []formFile{
			{"evidence", "现场照片.jpg", jpeg},
			{"evidence", "IMG_0001.HEIC", heic},
			{"evidence", "扫描件.pdf", pdf},
			{"evidence", "照片\u200b.zip", zipFiles(t, "1.jpg", string(jpeg), "2.jpg", string(jpeg))},
		}, "", []string{"现场照片.jpg|image/jpeg", "IMG_0001.HEIC|image/heic", "扫描件.pdf|application/pdf", "照片.zip|application/zip"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := w.count(`SELECT count(*) FROM reports`)
			fields := url.Values{"version": {strconv.Itoa(w.version(asg.ID))}, "percent": {"60"}, "progress": {"附照片"}}
			res := w.postFiles(staffOwn, path, fields, tt.files...)
			if tt.want != "" {
				assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
				assert.Contains(t, res.Body.String(), tt.want)
				assert.Contains(t, res.Body.String(), "附照片", "what was typed is kept")
				assert.Equal(t, before, w.count(`SELECT count(*) FROM reports`), "nothing written")
				return
			}
			require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
			rows, err := w.db.Pool.Query(bg, `SELECT f.filename || '|' || f.content_type FROM evidence_files f
				WHERE f.report_id = (SELECT max(id) FROM reports WHERE assignment_id = $1) ORDER BY f.id`, asg.ID)
			require.NoError(t, err)
			var kept []string
			for rows.Next() {
				var s string
				require.NoError(t, rows.Scan(&s))
				kept = append(kept, s)
			}
			assert.Equal(t, tt.kept, kept)
		})
	}
}

// TestEvidenceTooManyAndTooLarge checks the count and size limits the form
// states.
func TestEvidenceTooManyAndTooLarge(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	asg := w.plan.ownAsg
	path := "/assignments/" + id(asg.ID) + "/report"
	fields := url.Values{"version": {strconv.Itoa(w.version(asg.ID))}, "percent": {"60"}, "progress": {"附照片"}}
	var many []formFile
	for i := 0; i < 11; i++ {
		many = append(many, formFile{"evidence", strconv.Itoa(i) + ".pdf", pdf})
	}
	res := w.postFiles(staffOwn, path, fields, many...)
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Contains(t, res.Body.String(), "佐证材料最多 10 个文件")

	big := append(append([]byte{}, pdf...), make([]byte, 21<<20)...)
	res = w.postFiles(staffOwn, path, fields, formFile{"evidence", "大.pdf", big})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Contains(t, res.Body.String(), "文件“大.pdf”超过 20 MB")

	form := w.do(staffOwn, http.MethodGet, path, nil)
	assert.Contains(t, form.Body.String(), "最多 10 个文件,每个不超过 20 MB,合计不超过 40 MB", "the form states the limits")
}
