package planparse

import (
	"bytes"
	"testing"
)

func BenchmarkParseSeed(b *testing.B) {
	seed := readSeed(b)
	b.SetBytes(int64(len(seed)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(seed), "seed"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseDocx(b *testing.B) {
	docx := seedDocx(b)
	b.SetBytes(int64(len(docx)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(docx), "seed.docx"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseTableDocx(b *testing.B) {
	docx := seedTableDocx(b)
	b.SetBytes(int64(len(docx)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(docx), "seed-table.docx"); err != nil {
			b.Fatal(err)
		}
	}
}
