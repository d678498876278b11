package workplan

import (
	"errors"
	"fmt"
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

// Error is an error meant to be shown to a user: Message is safe to display.
type Error struct {
	Code    Code
	Message string
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with code c and a formatted, user-safe message.
func Errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Message: fmt.Sprintf(format, args...)}
}

// Sentinel errors for the common cases; wrap them with %w to add context.
var (
	ErrNotFound  = &Error{Code: ENotFound, Message: "未找到"}
	ErrConflict  = &Error{Code: EConflict, Message: "数据已被他人修改"}
	ErrForbidden = &Error{Code: EForbidden, Message: "没有权限"}
	// ErrNotOwnUnit refuses a report on another unit's assignment.
	ErrNotOwnUnit = &Error{Code: EForbidden, Message: "只能报送本单位承担的任务"}
)

// ErrorCode returns the code of the first *Error in err's chain, or EInternal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-safe message of the first *Error in err's chain,
// or a generic message for internal errors, whose text is never shown.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "服务器内部错误"
}
