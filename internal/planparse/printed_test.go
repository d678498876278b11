package planparse

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPrintedSeedParsesLikeTheText reads the text pdftotext extracted from
// the seed plan printed to A4 by Chromium (testdata/*.pdf.txt, written by
// internal/pdftext's test with -keep): as an office prints it, with — N —
// page numbers, and as a browser prints the .txt, with date, title, address
// and n/m on every page. Both give the tasks of the text exactly.
func TestPrintedSeedParsesLikeTheText(t *testing.T) {
	t.Parallel()
	want := mustParseText(t, readSeed(t))
	for _, name := range []string{"pingliang-2023.a4.pdf.txt", "pingliang-2023.browser.pdf.txt"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join("testdata", name))
			require.NoError(t, err)
			got := mustParseText(t, b)
			require.Len(t, got.Tasks, 27)
			for i := range want.Tasks {
				w, g := want.Tasks[i], got.Tasks[i]
				w.Line, g.Line = 0, 0
				assert.Equal(t, w, g)
			}
			assert.Equal(t, want.Title, got.Title)
			assert.Equal(t, want.Addressees, got.Addressees)
			assert.Equal(t, "pdf.text", got.Warnings[0].Key)
		})
	}
}

func TestPageNumber(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"3", "— 3 —", "—12—", "- 3 -", "第3页", "第 3 页 共 9 页", "第3页/共9页", "3/9", "3 / 9", "Page 3", "·3·"} {
		assert.True(t, pageNumber(s), s)
	}
	for _, s := range []string{"", "3.", "(3)", "2023年", "第3条", "12345678901", "一、总体要求"} {
		assert.False(t, pageNumber(s), s)
	}
}

// TestUnprint: a header repeated on each page, page numbers and a paragraph
// wrapped across a page break are undone; labels and tasks stay lines of
// their own.
func TestUnprint(t *testing.T) {
	t.Parallel()
	text := "某市人民政府办公室文件\n" +
		"(1)建设一体化平台。依托省级平台建设全市统一的政务服务一体化平台,实现事项统一\n" +
		"管理、统一受理、统一评价,推动高频事项全程网办,不断提升企业和群众办事体验和\n" +
		"满意度。\n" +
		"牵头单位:市大数据中心\n" +
		"(2)推行帮办代办。在市县政务服务大厅设置帮办代办窗口,为企业和群众提供全程免费\n" +
		"\n— 1 —\n\f" +
		"某市人民政府办公室文件\n" +
		"帮办代办服务,重点项目实行专人全程跟踪服务,确保项目审批不见面、零跑腿、全流程\n" +
		"可追溯、群众少跑腿。\n" +
		"牵头单位:市公管办\n" +
		"完成时限:2024年底前\n" +
		"\n— 2 —\n\f"
	doc := mustParseText(t, []byte(text))
	require.Len(t, doc.Tasks, 2)
	assert.Equal(t, "依托省级平台建设全市统一的政务服务一体化平台,实现事项统一管理、统一受理、统一评价,推动高频事项全程网办,不断提升企业和群众办事体验和满意度。", doc.Tasks[0].Body)
	assert.Equal(t, "在市县政务服务大厅设置帮办代办窗口,为企业和群众提供全程免费帮办代办服务,重点项目实行专人全程跟踪服务,确保项目审批不见面、零跑腿、全流程可追溯、群众少跑腿。", doc.Tasks[1].Body)
	assert.Equal(t, 6, doc.Tasks[1].Line, "lines are numbered as extracted")
	assert.Equal(t, []string{"市公管办"}, doc.Tasks[1].LeadUnits)
	assert.NotContains(t, doc.Tasks[0].Body+doc.Tasks[1].Body, "文件")
}
