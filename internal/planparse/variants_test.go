package planparse

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fullWidth writes the seed plan the way many offices type it: every ASCII
// character in its full-width form (（）：，；０-９ …), ideographic spaces for
// indentation, CRLF line endings and a byte order mark.
func fullWidth(b []byte) []byte {
	var out strings.Builder
	out.WriteString("\uFEFF")
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		for _, r := range l {
			switch {
			case r == ' ':
				out.WriteRune('\u3000')
			case r > ' ' && r < 0x7F:
				out.WriteRune(r + 0xFEE0)
			default:
				out.WriteRune(r)
			}
		}
		out.WriteString("\r\n")
	}
	return []byte(out.String())
}

func TestVariantsGiveTheSameDocument(t *testing.T) {
	t.Parallel()
	seed := readSeed(t)
	want := mustParseText(t, seed)

	fw := fullWidth(seed)
	require.Contains(t, string(fw), "（１）统筹整合现有政务云资源。")
	require.Contains(t, string(fw), "牵头单位：市工信局、市大数据中心\r\n")

	tests := []struct {
		name      string
		input     []byte
		sameLines bool
	}{
		{"full-width punctuation, BOM and CRLF", fw, true},
		{"CR line endings", bytes.ReplaceAll(seed, []byte("\n"), []byte("\r")), true},
		{"UTF-16LE with BOM", utf16LE(string(seed)), true},
		{"GB18030, as Notepad on a Chinese Windows saves", encode(t, simplifiedchinese.GB18030, seed), true},
		{"GBK with CRLF", encode(t, simplifiedchinese.GBK, bytes.ReplaceAll(seed, []byte("\n"), []byte("\r\n"))), true},
		{"docx paragraphs with runs split mid-word", seedDocx(t), true},
		{"docx with the tasks as table rows", seedTableDocx(t), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(bytes.NewReader(tt.input), tt.name)
			require.NoError(t, err)
			if tt.sameLines {
				assert.Equal(t, want, got)
				return
			}
			assert.Equal(t, withoutLines(want), withoutLines(got))
			assert.NotEqual(t, want.Tasks[0].Line, got.Tasks[0].Line, "a table row is one line: numbering differs")
		})
	}
}

// encode writes b in a legacy encoding.
func encode(tb testing.TB, e encoding.Encoding, b []byte) []byte {
	tb.Helper()
	out, err := e.NewEncoder().Bytes(b)
	require.NoError(tb, err)
	require.False(tb, utf8.Valid(out), "the encoded text is not also UTF-8")
	return out
}

func utf16LE(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := []byte{0xFF, 0xFE}
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// TestDocxDetectedByContent checks that the format comes from the bytes, not
// the name, and that ParseDocx and Parse agree.
func TestDocxDetectedByContent(t *testing.T) {
	t.Parallel()
	b := seedDocx(t)
	viaParse, err := Parse(bytes.NewReader(b), "plan.txt")
	require.NoError(t, err)
	direct, err := ParseDocx(b)
	require.NoError(t, err)
	assert.Equal(t, direct, viaParse)
	assert.Len(t, direct.Tasks, 27)

	text, err := Parse(bytes.NewReader(readSeed(t)), "plan.docx")
	require.NoError(t, err)
	assert.Equal(t, direct, text)
}

// TestDocxStructures covers what real .docx files contain beyond plain runs:
// tab characters in a paragraph, line breaks, deleted text, the fallback copy
// of alternate content, tab stop definitions, and a table with merged cells.
func TestDocxStructures(t *testing.T) {
	t.Parallel()
	var d docx
	d.para("某市2024年数字政府建设工作要点")
	d.para("二、重点任务")
	d.body.WriteString(`<w:p><w:r><w:t>(1)建设政务云。</w:t></w:r><w:r><w:delText>删掉的字</w:delText></w:r>` +
		`<w:r><w:t>新建机柜</w:t></w:r><w:r><w:t>100个以上。</w:t></w:r>` +
		`<mc:AlternateContent><mc:Choice Requires="wps"><w:r><w:t>正文</w:t></w:r></mc:Choice>` +
		`<mc:Fallback><w:r><w:t>重复的文字</w:t></w:r></mc:Fallback></mc:AlternateContent>` +
		`<w:r><w:br/><w:t>牵头单位:</w:t><w:tab/><w:t>市工信局</w:t></w:r></w:p>`)
	d.para("完成时限:2024年6月底前")
	d.table([][]tcell{
		{{text: "序号"}, {text: "重点任务"}, {text: "具体措施"}, {text: "责任单位(排第一位的为牵头单位)"}, {text: "完成时间"}},
		{{text: "2"}, {text: "建设数据中心。"}, {text: "建成市级数据中心。\n接入50个部门。"}, {text: "市大数据中心、市财政局", vmerge: "restart"}, {text: "2024年底前"}},
		{{text: "3"}, {text: "推进数据共享"}, {text: "共享率达到95%。"}, {vmerge: "continue"}, {text: "持续推进"}},
		{{text: "3.加强保障", span: 5}},
		{{text: "4"}, {text: "建立考核机制"}, {text: "按月通报。"}, {text: "市政府办公室"}, {text: "年内"}},
	})
	doc, err := ParseDocx(d.bytes(t))
	require.NoError(t, err)
	require.Len(t, doc.Tasks, 4)

	t1 := doc.Tasks[0]
	assert.Equal(t, "建设政务云", t1.Title)
	assert.Equal(t, "新建机柜100个以上。正文", t1.Body)
	assert.Equal(t, []string{"市工信局"}, t1.LeadUnits)
	assert.Equal(t, "2024-06-30", t1.Deadline.Due.String())
	assert.Equal(t, []Indicator{{Text: "新建机柜100个以上", Comparator: ">=", Value: 100, Unit: "个"}}, t1.Indicators)

	t2 := doc.Tasks[1]
	assert.Equal(t, "建设数据中心", t2.Title)
	assert.Equal(t, "建成市级数据中心。\n接入50个部门。", t2.Body)
	assert.Equal(t, []string{"市大数据中心"}, t2.LeadUnits, "the header says the first unit leads")
	assert.Equal(t, []string{"市财政局"}, t2.ResponsibleUnits)
	assert.Equal(t, "2024-12-31", t2.Deadline.Due.String())

	t3 := doc.Tasks[2]
	assert.Equal(t, []string{"市大数据中心"}, t3.LeadUnits, "a vertically merged cell repeats the one above")
	assert.Equal(t, []string{"市财政局"}, t3.ResponsibleUnits)
	assert.Equal(t, []Indicator{{Text: "共享率达到95%", Comparator: ">=", Value: 95, Unit: "%"}}, t3.Indicators)

	t4 := doc.Tasks[3]
	assert.Equal(t, "加强保障", t4.Group, "a merged row is a group heading")
	assert.Equal(t, 3, t4.GroupNumber)
	assert.Equal(t, []string{"市政府办公室"}, t4.LeadUnits, "a single unit under 排第一位的为牵头单位 leads")
	assert.Equal(t, []string{}, t4.ResponsibleUnits)
	assert.Equal(t, "2024-12-31", t4.Deadline.Due.String(), "年内 falls in the year of the title")
	assert.Equal(t, []int{1, 2, 3, 4}, []int{t1.Number, t2.Number, t3.Number, t4.Number})
}
