package planparse

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// FuzzParse feeds Parse arbitrary bytes, seeded with the seed plan as text
// (UTF-8, full-width, GB18030, printed to PDF and extracted) and as .docx, with
// the shape fixtures, the real documents of the corpus, and small documents
// of each new path (printed text with form feeds, units with verbs, tables
// flattened one cell per line, written with | or with cells joined by spaces,
// bytes that are no encoding). Parse must not panic, must finish
// quickly, must fail only with input errors, and a document it returns must
// keep the contract: tasks numbered 1…K without repeats, JSON that marshals,
// arrays that are never null.
//
//	go test -run '^$' -fuzz=FuzzParse -fuzztime=60s -fuzzminimizetime=5s ./internal/planparse
//
// Two behaviours of the Go 1.26 fuzzing engine look like hangs but are not:
// while the worker minimizes a new input (up to -fuzzminimizetime, 60s by
// default) the progress line stays at "0/sec"; and a run can end with a bare
// "context deadline exceeded" at the -fuzztime boundary, a race in the
// coordinator (go.dev/issue/75804, fixed in Go 1.27) that writes no failing
// input. A count budget (-fuzztime=300000x) avoids the latter.
func FuzzParse(f *testing.F) {
	f.Add(readSeed(f))
	f.Add(seedDocx(f))
	f.Add(seedTableDocx(f))
	f.Add(fullWidth(readSeed(f)))
	f.Add(encode(f, simplifiedchinese.GB18030, readSeed(f)))
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	corpus, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.txt"))
	for _, name := range append(fixtures, corpus...) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("(1)甲。(牵头单位:(((;责任单位:)))\n完成时限:\n"))
	f.Add([]byte("序号\t任务\t牵头单位\n\t\t\n1\t\t\n"))
	// The new paths: printed text, verbs, flattened, | and space-joined tables, GBK bytes.
	f.Add([]byte("(1)甲。依托省级平台建设全市统一的政务服务平台\n管理。\n牵头单位:市政府\n\n— 1 —\n\f(2)乙。(市商务局牵头,市财政局配合)\n第2页 共2页\n\f"))
	f.Add([]byte("1.甲。(1)乙。(市发展改革委牵头负责)(2)丙。〔责任单位:省发展改革委按职责分工负责。下同。〕\n由市司法局牵头,市直有关部门配合。"))
	f.Add([]byte("序号 |\n重点工作 |\n责任领导 |\n责任单位 |\n1 |\n甲。 |\n张三 |\n改革办 |\n"))
	f.Add([]byte("序号\n主要工作任务\n责任单位\n1\n甲。\n市发展改革委\n2\n乙\n丙。\n市财政局\n| 序号 | 任务 | 牵头单位 |\n|---|---|---|\n| 3 | 丁。 | 东城、西城区人民政府 |"))
	f.Add([]byte("附件:分解表 序号 名称 工作任务 牵头单位 责任单位 完成时限\n一、目标\n1 增长7%以上. 发改委 财政局、商务局 2018年底前\n2 推进\n 5G 建设. 经信委 科技局\n(一)改革\n1 深化改革 各县(市、区)人民政府\n序号 工作任务 牵头单位\n1 各地 要 加强 组织领导\n"))
	f.Add([]byte{0xC6, 0xBD, 0xC1, 0xB9, '\n', 0x81, 0x30, 0x81, 0x30, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		start := time.Now()
		doc, err := Parse(bytes.NewReader(b), "fuzz")
		if elapsed := time.Since(start); elapsed > time.Second {
			t.Fatalf("Parse took %v on %d bytes", elapsed, len(b))
		}
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("error is not an input error: %v", err)
			}
			if doc != nil {
				t.Fatal("a document with an error")
			}
			return
		}
		if len(doc.Tasks) == 0 {
			t.Fatal("a document without tasks")
		}
		seen := make(map[int]bool)
		for _, task := range doc.Tasks {
			if task.Number <= 0 || seen[task.Number] {
				t.Fatalf("task number %d repeated or not positive", task.Number)
			}
			seen[task.Number] = true
			if task.LeadUnits == nil || task.ResponsibleUnits == nil || task.CooperatingUnits == nil || task.Indicators == nil {
				t.Fatalf("task %d has a nil list", task.Number)
			}
		}
		if doc.Warnings == nil || doc.Sections == nil || doc.Addressees == nil {
			t.Fatal("a nil list in the document")
		}
		if _, err := json.Marshal(doc); err != nil {
			t.Fatalf("marshal: %v", err)
		}
	})
}
