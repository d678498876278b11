package gen

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// evidenceFile invents an evidence file (佐证材料) for a report filed at t
// with percent done: a one-page PDF, a PNG chart or a text ledger, each a
// valid file of its content type and a few kilobytes at most.
func evidenceFile(r *rand.Rand, unit string, task int, t time.Time, percent int) workplan.EvidenceFile {
	day := deadline.DateOf(t, deadline.Shanghai).String()
	switch x := r.IntN(10); {
	case x < 5:
		kind := pick(r, []string{"会议纪要", "工作方案", "验收报告", "推进情况说明", "通报"})
		return workplan.EvidenceFile{Filename: fmt.Sprintf("%s-%s.pdf", kind, day), ContentType: "application/pdf",
			Content: pdfFile(r, task, day, percent)}
	case x < 8:
		kind := pick(r, []string{"现场照片", "系统截图", "进度图"})
		return workplan.EvidenceFile{Filename: fmt.Sprintf("%s-%s.png", kind, day), ContentType: "image/png",
			Content: pngFile(r, percent)}
	default:
		return workplan.EvidenceFile{Filename: fmt.Sprintf("工作台账-%s.txt", day), ContentType: "text/plain; charset=utf-8",
			Content: ledgerFile(r, unit, task, day, percent)}
	}
}

// pdfFile writes a minimal one-page PDF 1.4 with a few lines of text in the
// standard Helvetica font (ASCII only: a CJK font would weigh megabytes).
func pdfFile(r *rand.Rand, task int, day string, percent int) []byte {
	var text strings.Builder
	text.WriteString("BT /F1 14 Tf 72 770 Td (Duban evidence) Tj ET\n")
	lines := []string{
		fmt.Sprintf("Task %d, progress as of %s: %d%%", task, day, percent),
		fmt.Sprintf("Document no. %06d", r.IntN(1_000_000)),
	}
	for i := range between(r, 3, 25) {
		lines = append(lines, fmt.Sprintf("Item %d: milestone %d reached, %d records checked.", i+1, r.IntN(50), r.IntN(10_000)))
	}
	for i, l := range lines {
		fmt.Fprintf(&text, "BT /F1 10 Tf 72 %d Td (%s) Tj ET\n", 740-14*i, l)
	}
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", text.Len(), text.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// pngFile returns a small progress chart. Charts are drawn once per shape
// and shared: encoding one costs more than writing it.
func pngFile(r *rand.Rand, percent int) []byte {
	k := pngKey{percent / 5 * 5, between(r, 4, 10)}
	pngCache.Lock()
	defer pngCache.Unlock()
	b, ok := pngCache.m[k]
	if !ok {
		b = drawChart(k.percent, k.bars)
		pngCache.m[k] = b
	}
	return b
}

type pngKey struct{ percent, bars int }

var pngCache = struct {
	sync.Mutex
	m map[pngKey][]byte
}{m: map[pngKey][]byte{}}

// drawChart draws a bar chart of bars bars rising to percent.
func drawChart(percent, bars int) []byte {
	const w, h = 160, 90
	img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{
		color.White, color.RGBA{0x1f, 0x6f, 0xb2, 0xff}, color.RGBA{0xd9, 0xd9, 0xd9, 0xff}, color.RGBA{0xc0, 0x39, 0x2b, 0xff},
	})
	bw := w / (bars + 1)
	for i := range bars {
		v := min(100, max(5, percent*(i+1)/bars+(i*7)%11-5))
		top := h - 10 - v*(h-20)/100
		for x := 8 + i*bw; x < 8+i*bw+bw-4; x++ {
			for y := top; y < h-10; y++ {
				img.SetColorIndex(x, y, 1)
			}
		}
	}
	for x := range w {
		img.SetColorIndex(x, h-10, 2)
		img.SetColorIndex(x, h-10-percent*(h-20)/100, 3)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(fmt.Sprintf("gen: encode png: %v", err)) // writing to memory cannot fail
	}
	return b.Bytes()
}

// ledgerFile writes a work ledger (工作台账) as UTF-8 text.
func ledgerFile(r *rand.Rand, unit string, task int, day string, percent int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s 任务%d 工作台账(%s)\n总体进度:%d%%\n\n序号\t工作内容\t完成情况\n", unit, task, day, percent)
	for i := range between(r, 3, 12) {
		fmt.Fprintf(&b, "%d\t%s\t%s\n", i+1, phrase(r, pick(r, progressPhrases)), pick(r, []string{"已完成", "推进中", "已完成", "待验收"}))
	}
	return []byte(b.String())
}
