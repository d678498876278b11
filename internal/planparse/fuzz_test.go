package planparse

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParse feeds Parse arbitrary bytes, seeded with the seed plan as text and
// as .docx and with the shape fixtures. Parse must not panic, must finish
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
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	for _, name := range fixtures {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("(1)甲。(牵头单位:(((;责任单位:)))\n完成时限:\n"))
	f.Add([]byte("序号\t任务\t牵头单位\n\t\t\n1\t\t\n"))
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
