package server_test

import (
	"bytes"

	"duban/internal/planparse"
	"duban/internal/workplan"
)

// mustRead parses a plan document that a test knows to be good: parsing is
// the caller's job (Seed takes what the parser read).
func mustRead(src []byte) *workplan.Document {
	doc, err := planparse.Read(bytes.NewReader(src), "test")
	if err != nil {
		panic(err)
	}
	return doc
}
