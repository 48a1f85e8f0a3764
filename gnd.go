// Package gnd holds the domain of the gnd grounding service: sources, sync
// jobs, chunks and the errors that every layer shares. Storage, the job
// engine, the ingestion pipeline, search and the HTTP API live in their own
// packages around it.
package gnd

import (
	"errors"
	"fmt"
)

// Error codes. The HTTP layer maps each code to one status code.
const (
	EINVALID      = "invalid"            // the request is malformed or a value is out of range (400)
	EUNAUTHORIZED = "unauthorized"       // missing or unknown API key (401)
	ENOTFOUND     = "not_found"          // the resource does not exist in the caller's workspace (404)
	EMETHOD       = "method_not_allowed" // the path exists but not with this HTTP method (405)
	ECONFLICT     = "conflict"           // the request conflicts with the current state (409)
	ETOOLARGE     = "too_large"          // the request body exceeds a size limit (413)
	ERATELIMIT    = "rate_limited"       // the key sent too many requests (429)
	EINTERNAL     = "internal"           // a bug or an unavailable dependency (500); never shown to clients
)

// Error is an application error with a machine code and a message that is
// safe to show to a client. Fields carries extra response fields, such as the
// id of the job that caused a conflict.
type Error struct {
	Code    string
	Message string
	Fields  map[string]any
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	}
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err: the message of an
// *Error, or "Internal error" for anything else.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error"
}
