package planparse

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrInput is matched (errors.Is) by every error that is the document's fault
// rather than a failure to read it, so that a caller can answer "bad upload"
// instead of "internal error". Each of the errors below matches it.
var ErrInput = errors.New("planparse: bad input")

// inputError is a kind of document fault; it matches ErrInput as well as itself.
type inputError string

func (e inputError) Error() string        { return string(e) }
func (e inputError) Is(target error) bool { return target == ErrInput }

// The kinds of bad input. Every error Parse returns for a bad document is an
// *Error of one of these kinds, so test them with errors.Is and read the
// message for a person from the *Error (errors.As).
var (
	// ErrEmpty is a document with no text at all.
	ErrEmpty error = inputError("empty document")
	// ErrNotPlan is a readable document in which no tasks were found.
	ErrNotPlan error = inputError("not a work plan: no tasks found")
	// ErrTooLarge is a document bigger than MaxSize (or than the other limits).
	ErrTooLarge error = inputError("document too large")
	// ErrEncoding is text that is none of UTF-8, GB18030 (GBK) or UTF-16 with
	// a byte order mark.
	ErrEncoding error = inputError("unknown text encoding")
	// ErrCorruptDocx is a .docx that is not a zip archive, has no
	// word/document.xml, or whose XML does not parse.
	ErrCorruptDocx error = inputError("corrupt .docx")
	// ErrUnsupported is a format the package does not read, such as a legacy
	// .doc or .wps, or a PDF whose text was not extracted first.
	ErrUnsupported error = inputError("unsupported format")
)

// Error is a fault of the document, worded for a person. Key names the
// message in the message table (Messages; the web interface translates it
// under "parse."+Key), Args fill in its %s verbs, and Line is the line (for a
// .docx the paragraph) it concerns, 0 for the whole document. Detail is
// technical context for logs (a zip or XML error), never shown as the message.
type Error struct {
	Kind   error
	Key    string
	Args   []string
	Line   int
	Detail string
}

// NewError returns an *Error of the given kind with the message key and its
// arguments, each formatted with fmt.Sprint.
func NewError(kind error, line int, key string, args ...any) *Error {
	return &Error{Kind: kind, Key: key, Args: stringArgs(args), Line: line}
}

// Message returns the Chinese message, with its line when it has one.
func (e *Error) Message() string {
	msg := Text(e.Key, e.Args)
	if e.Line > 0 {
		return Text("at.line", []string{strconv.Itoa(e.Line), msg})
	}
	return msg
}

// Error returns the Chinese message and, in brackets, the technical detail.
func (e *Error) Error() string {
	if e.Detail != "" {
		return e.Message() + " (" + e.Detail + ")"
	}
	return e.Message()
}

// Is makes an *Error match its kind and ErrInput.
func (e *Error) Is(target error) bool {
	return target == e.Kind || target == ErrInput
}

func stringArgs(args []any) []string {
	if len(args) == 0 {
		return nil
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = fmt.Sprint(a)
	}
	return out
}
