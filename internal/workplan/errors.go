package workplan

import (
	"errors"

	"duban/internal/deadline"
)

// Code classifies an error for the user and for the HTTP status it maps to.
type Code string

// The error codes of duban. The server maps each to one HTTP status.
const (
	ENotFound     Code = "not_found"
	EConflict     Code = "conflict"
	EInvalid      Code = "invalid"
	EForbidden    Code = "forbidden"
	EUnauthorized Code = "unauthorized"
	ETooMany      Code = "too_many_requests"
	EUnavailable  Code = "unavailable"
	EInternal     Code = "internal"
)

// Error is an error meant to be shown to a person. Its message is Key in the
// message table (web, in Chinese and English), filled in with Args; the
// domain and the store never word a message themselves, so that each reader
// gets it in their language. An argument that is itself words (a field's or a
// decision's name) is a Msg, rendered in the same language; names and numbers
// from the data are passed as they are.
type Error struct {
	Code Code
	Key  string
	Args []any
}

// E returns an *Error with code c and the message key with its arguments.
func E(c Code, key string, args ...any) *Error {
	return &Error{Code: c, Key: key, Args: args}
}

// Error returns the message key and its arguments, for logs and traces:
// "err.report.percent_range(120)". People read the message rendered from
// the table (web.ErrorMessage).
func (e *Error) Error() string {
	return deadline.Explanation{Key: e.Key, Args: e.Args}.String()
}

// Msg is a message by key with its arguments, as an argument of another
// message or in a list of problems: rendered from the message table in the
// reader's language, like an Error.
type Msg struct {
	Key  string `json:"key"`
	Args []any  `json:"args,omitempty"`
}

// M returns the message key with its arguments.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// String returns the key, for logs.
func (m Msg) String() string { return m.Key }

// Sentinel errors for the common cases; wrap them with %w to add context.
var (
	ErrNotFound  = E(ENotFound, "err.not_found")
	ErrConflict  = E(EConflict, "err.conflict")
	ErrForbidden = E(EForbidden, "err.forbidden")
	// ErrNotOwnUnit refuses a report on another unit's assignment.
	ErrNotOwnUnit = E(EForbidden, "err.report.not_own_unit")
)

// ErrorCode returns the code of the first *Error in err's chain, or EInternal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}
