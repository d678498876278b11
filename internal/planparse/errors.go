package planparse

import (
	"errors"
	"fmt"
)

// ErrInput is matched (errors.Is) by every error that is the document's fault
// rather than a failure to read it, so that a caller can answer "bad upload"
// instead of "internal error". Each of the errors below matches it.
var ErrInput = errors.New("planparse: bad input")

// inputError is a document fault; it matches ErrInput as well as itself.
type inputError string

func (e inputError) Error() string        { return string(e) }
func (e inputError) Is(target error) bool { return target == ErrInput }

// The kinds of bad input. Each is returned wrapped with detail, so test them
// with errors.Is.
var (
	// ErrEmpty is a document with no text at all.
	ErrEmpty error = inputError("empty document")
	// ErrNotPlan is a readable document in which no tasks were found.
	ErrNotPlan error = inputError("not a work plan: no tasks found")
	// ErrTooLarge is a document bigger than MaxSize.
	ErrTooLarge error = inputError("document too large")
	// ErrInvalidUTF8 is text that is not UTF-8; the error is a *UTF8Error.
	ErrInvalidUTF8 error = inputError("invalid UTF-8")
	// ErrCorruptDocx is a .docx that is not a zip archive, has no
	// word/document.xml, or whose XML does not parse.
	ErrCorruptDocx error = inputError("corrupt .docx")
	// ErrUnsupported is a format the package does not read, such as a legacy .doc.
	ErrUnsupported error = inputError("unsupported format")
)

// UTF8Error reports text that is not valid UTF-8. Offset counts bytes from the
// start of the input, byte order mark included.
type UTF8Error struct {
	Offset int
}

// Error says where the first invalid byte is.
func (e *UTF8Error) Error() string {
	return fmt.Sprintf("invalid UTF-8 at byte offset %d", e.Offset)
}

// Is makes a *UTF8Error match ErrInvalidUTF8 and ErrInput.
func (e *UTF8Error) Is(target error) bool {
	return target == ErrInvalidUTF8 || target == ErrInput
}
