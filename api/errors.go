package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/bunnybook/bunnybook"
)

// statusOf maps each error kind to its HTTP status. Anything else is 500.
var statusOf = map[string]int{
	bunnybook.EInvalid:      fasthttp.StatusUnprocessableEntity,
	bunnybook.EBadRequest:   fasthttp.StatusBadRequest,
	bunnybook.EUnauthorized: fasthttp.StatusUnauthorized,
	bunnybook.EForbidden:    fasthttp.StatusForbidden,
	bunnybook.ENotFound:     fasthttp.StatusNotFound,
	bunnybook.EConflict:     fasthttp.StatusConflict,
	bunnybook.ETooLarge:     fasthttp.StatusRequestEntityTooLarge,
	bunnybook.ERateLimited:  fasthttp.StatusTooManyRequests,
	bunnybook.EInternal:     fasthttp.StatusInternalServerError,
	bunnybook.EUnavailable:  fasthttp.StatusServiceUnavailable,

	bunnybook.EUnsupportedMediaType: fasthttp.StatusUnsupportedMediaType,
}

// Where an invalid input came from: the first element of a 422 "loc".
const (
	inBody  = "body"
	inQuery = "query"
	inPath  = "path"
)

// fieldError is one entry of a 422 body.
type fieldError struct {
	In    string // inBody, inQuery or inPath
	Field string // "" for the body as a whole
	Index int    // position in a body array, -1 for none
	Msg   string
	Type  string
}

func (e fieldError) loc() []any {
	loc := []any{e.In}
	if e.Field != "" {
		loc = append(loc, e.Field)
	}
	if e.Index >= 0 {
		loc = append(loc, e.Index)
	}
	return loc
}

// validationError is a 422 listing every invalid input of a request.
type validationError struct{ errs []fieldError }

func (e *validationError) Error() string {
	parts := make([]string, len(e.errs))
	for i, fe := range e.errs {
		name := fe.Field
		if name == "" {
			name = fe.In
		}
		if fe.Index >= 0 {
			name = fmt.Sprintf("%s[%d]", name, fe.Index)
		}
		parts[i] = name + ": " + fe.Msg
	}
	return strings.Join(parts, "; ")
}

// Error bodies (spec §1.3).
type (
	errorBody struct {
		Detail  string `json:"detail"`
		Message string `json:"message"`
	}
	conflictBody struct {
		Message string        `json:"message"`
		Code    string        `json:"code"`
		Error   conflictField `json:"error"`
	}
	conflictField struct {
		Field string `json:"field"`
	}
	validationBody struct {
		Detail  []validationItem `json:"detail"`
		Message string           `json:"message"`
	}
	validationItem struct {
		Loc  []any  `json:"loc"`
		Msg  string `json:"msg"`
		Type string `json:"type"`
	}
	rateLimitBody struct {
		Detail string `json:"detail"`
	}
)

// errorResponse returns the status and body for err. in tells where a
// domain EInvalid field came from (query and path parameters of the
// route; everything else is the body).
func errorResponse(err error, in func(field string) string) (int, any) {
	var ve *validationError
	if errors.As(err, &ve) {
		return fasthttp.StatusUnprocessableEntity, validationResponse(ve)
	}
	e := bunnybook.AsError(err)
	kind := bunnybook.ErrorKind(err)
	status, ok := statusOf[kind]
	if !ok || e == nil {
		status = fasthttp.StatusInternalServerError
	}
	reason := fasthttp.StatusMessage(status)
	switch {
	case status == fasthttp.StatusInternalServerError:
		return status, errorBody{Detail: reason, Message: "something went wrong on our side"}
	case kind == bunnybook.EInvalid:
		fe := fieldError{In: in(e.Field), Field: e.Field, Index: -1, Msg: e.Message, Type: "value_error"}
		if e.Code != "" {
			fe.Type = e.Code
		}
		if e.Field == inBody {
			fe.Field = ""
		}
		return status, validationResponse(&validationError{[]fieldError{fe}})
	case kind == bunnybook.EConflict:
		msg := e.Message
		if e.Field != "" {
			msg = e.Field + " already taken"
		}
		return status, conflictBody{Message: msg, Code: e.Code, Error: conflictField{Field: e.Field}}
	case kind == bunnybook.ERateLimited:
		return status, rateLimitBody{Detail: reason}
	}
	return status, errorBody{Detail: reason, Message: e.Message}
}

func validationResponse(ve *validationError) validationBody {
	items := make([]validationItem, len(ve.errs))
	for i, fe := range ve.errs {
		items[i] = validationItem{Loc: fe.loc(), Msg: fe.Msg, Type: fe.Type}
	}
	return validationBody{Detail: items, Message: ve.Error()}
}

// mustJSON encodes v; the api's own types always encode.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("api: encode %T: %v", v, err))
	}
	return b
}
