package planparse

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBadInput(t *testing.T) {
	t.Parallel()
	notDocXML := zipFiles(t, map[string]string{"[Content_Types].xml": "<Types/>", "word/styles.xml": "<w:styles/>"})
	badXML := zipFiles(t, map[string]string{"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document><w:body><w:p></w:body>"})
	tests := []struct {
		name    string
		input   []byte
		is      error
		message string
	}{
		{"empty", nil, ErrEmpty, "文件是空的,没有文字"},
		{"only a byte order mark and blank lines", []byte("\uFEFF\r\n  \r\n\u3000\n"), ErrEmpty, "文件是空的"},
		{"prose", []byte("为深化全市数字政府建设,提升政务服务能力,结合我市实际,制定本方案。\n各部门要高度重视,认真抓好落实。\n"), ErrNotPlan, "没有找到任务"},
		{"numbered prose in a prose part", []byte("一、总体要求\n(1)坚持人民至上。\n(2)坚持系统观念。\n"), ErrNotPlan, "没有找到任务"},
		{"numbered items without labels", []byte("(1)坚持人民至上。\n(2)坚持系统观念。\n"), ErrNotPlan, "找到2个编号条目,但都没有牵头单位"},
		{"neither UTF-8 nor GB18030", append([]byte(strings.Repeat("a\n", 1234)), 0xFF, 'b'), ErrEncoding, "第1235行:从第2469字节起的文字无法识别"},
		{"lone GBK lead byte at the end", []byte{0xB9, 0xA4, 0xD7}, ErrEncoding, "第1行:从第3字节起的文字无法识别"},
		{"UTF-16 mark, odd length", []byte{0xFF, 0xFE, 'a'}, ErrEncoding, "字节数是奇数"},
		{"zip magic then garbage", append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0x9c, 0x17, 0xe2}, 40)...), ErrCorruptDocx, "无法读取这个.docx文件"},
		{"zip without word/document.xml", notDocXML, ErrCorruptDocx, "(no word/document.xml in the archive)"},
		{"docx with broken XML", badXML, ErrCorruptDocx, "(word/document.xml"},
		{"legacy .doc or .wps", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 100)...), ErrUnsupported, "旧版Word(.doc)或WPS(.wps)"},
		{"PDF not extracted", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), ErrUnsupported, "这是PDF文件"},
		{"RTF", []byte(`{\rtf1\ansi\ansicpg936 {\fonttbl}}`), ErrUnsupported, "这是RTF文件"},
		{"NUL", []byte("平凉市工作方案\n(1)任务\x00标题。\n"), ErrUnsupported, "空字符(NUL)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := Parse(bytes.NewReader(tt.input), "input")
			require.Error(t, err)
			assert.Nil(t, doc)
			assert.ErrorIs(t, err, tt.is)
			assert.ErrorIs(t, err, ErrInput, "a document fault, not an I/O error")
			assert.Contains(t, err.Error(), tt.message)
		})
	}
}

// TestEncodingErrorNamesTheLine: a byte that fits neither UTF-8 nor GB18030
// in the seed plan is reported with its line and byte, in Chinese.
func TestEncodingErrorNamesTheLine(t *testing.T) {
	t.Parallel()
	seed := readSeed(t)
	k := 1234
	for !utf8.RuneStart(seed[k]) {
		k--
	}
	bad := append(append(append([]byte(nil), seed[:k]...), 0xFF), seed[k:]...)
	_, err := ParseText(bad)
	var pe *Error
	require.ErrorAs(t, err, &pe)
	line := bytes.Count(seed[:k], []byte("\n")) + 1
	assert.Equal(t, line, pe.Line)
	assert.Equal(t, "err.encoding", pe.Key)
	assert.Equal(t, []string{strconv.Itoa(k + 1)}, pe.Args)
	assert.ErrorIs(t, err, ErrEncoding)
	assert.True(t, strings.HasPrefix(err.Error(), "第"+strconv.Itoa(line)+"行:"), err.Error())
}

// endless yields bytes forever and counts them.
type endless struct {
	read int
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	e.read += len(p)
	return len(p), nil
}

func TestTooLarge(t *testing.T) {
	t.Parallel()
	r := &endless{}
	_, err := Parse(r, "endless.txt")
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrTooLarge)
	assert.ErrorIs(t, err, ErrInput)
	assert.Equal(t, MaxSize+1, r.read, "reads one byte past the limit, no more")
	assert.EqualError(t, err, "文件太大:超过10 MB")

	big := make([]byte, MaxSize+1)
	_, err = ParseText(big)
	assert.ErrorIs(t, err, ErrTooLarge)
	_, err = ParseDocx(append([]byte("PK\x03\x04"), big...))
	assert.ErrorIs(t, err, ErrTooLarge)

	// Exactly MaxSize is read whole and judged on its content.
	_, err = Parse(io.LimitReader(&endless{}, MaxSize), "max.txt")
	assert.ErrorIs(t, err, ErrNotPlan)
}

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestReadErrorIsNotInputError(t *testing.T) {
	t.Parallel()
	_, err := Parse(failing{}, "upload")
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrInput)
	assert.EqualError(t, err, "planparse: read upload: connection reset")
}

func TestDocxMainPartFromRelationships(t *testing.T) {
	t.Parallel()
	var d docx
	d.para("(1)做一件事。")
	d.para("牵头单位:市政府办公室")
	d.para("完成时限:2024年底前")
	doc := `<w:document xmlns:w="` + wordNS + `"><w:body>` + d.body.String() + `</w:body></w:document>`
	b := zipFiles(t, map[string]string{
		"[Content_Types].xml": "<Types/>",
		"_rels/.rels":         `<Relationships><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/document2.xml"/></Relationships>`,
		"word/document2.xml":  doc,
	})
	got, err := ParseDocx(b)
	require.NoError(t, err)
	require.Len(t, got.Tasks, 1)
	assert.Equal(t, []string{"市政府办公室"}, got.Tasks[0].LeadUnits)
}
