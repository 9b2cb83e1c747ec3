package bunnybook

import (
	"errors"
	"fmt"
	"time"
)

// Error kinds. The api package maps each to one HTTP status, the gateway to
// an error frame code.
const (
	EInvalid      = "invalid"      // input failed validation (422)
	EBadRequest   = "bad_request"  // well-formed but not allowed now (400)
	EUnauthorized = "unauthorized" // missing or bad credentials (401)
	EForbidden    = "forbidden"    // authenticated but not allowed (403)
	ENotFound     = "not_found"    // no such thing (404)
	EConflict     = "conflict"     // unique constraint (409)
	ETooLarge     = "too_large"    // body or frame too big (413)
	ERateLimited  = "rate_limited" // too many requests (429)
	EInternal     = "internal"     // a bug or an unexpected failure (500)
	EUnavailable  = "unavailable"  // a backend is down (503)

	EUnsupportedMediaType = "unsupported_media_type" // a body, or an auth request, not declared JSON (415)
)

// Error is the one error type of the domain. Anything that is not an *Error
// is treated as EInternal and its text is never shown to users.
type Error struct {
	Kind    string
	Message string
	// Code and Field refine conflicts and validation errors, e.g.
	// Code "UsernameAlreadyTaken", Field "username".
	Code  string
	Field string
	// RetryAfter, when set, says when to try again (ERateLimited,
	// EUnavailable): HTTP's Retry-After.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Kind, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

// Errorf returns an *Error of the given kind.
func Errorf(kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid error about one input field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Kind: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrUnexpectedRelationship is returned when a friendship action does not fit
// the current relationship state (spec §9). Its message is part of the API.
func ErrUnexpectedRelationship() *Error {
	return &Error{Kind: EBadRequest, Message: "UnexpectedRelationshipState"}
}

// ErrSeqGap is a store's refusal of chat messages whose first seq does not
// follow the conversation's last one.
func ErrSeqGap(first int64) *Error {
	return Errorf(EConflict, "message seq %d does not follow the conversation's last", first)
}

// ErrChatClosed is returned for writes to a chat group that is not active
// (a private chat whose pair are no longer friends).
func ErrChatClosed() *Error {
	return &Error{Kind: EForbidden, Message: "this conversation is closed: you are no longer friends"}
}

// ErrorKind returns the kind of err, EInternal for foreign errors and "" for nil.
func ErrorKind(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return EInternal
}

// AsError returns the *Error inside err, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
