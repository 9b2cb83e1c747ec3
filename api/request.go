package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/valyala/fasthttp"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/auth"
	"github.com/bunnybook/bunnybook/jsoncheck"
)

// request is one call of a route: the fasthttp context, who is calling,
// and the input errors found so far (reported together as one 422). As a
// context.Context (handlers pass it to the service) it carries the
// request's deadline (Config.RequestTimeout) instead of fasthttp's, which
// has none.
type request struct {
	*fasthttp.RequestCtx
	ctx   context.Context // the deadline of the request
	route *route
	user  *auth.User // nil when anonymous
	errs  []fieldError
}

func (r *request) Deadline() (time.Time, bool) { return r.ctx.Deadline() }
func (r *request) Done() <-chan struct{}       { return r.ctx.Done() }
func (r *request) Err() error                  { return r.ctx.Err() }

// me returns the caller's profile; only for routes that require auth.
func (r *request) me() bunnybook.Profile { return r.user.Profile() }

// viewer returns the caller's profile id, "" when anonymous.
func (r *request) viewer() string {
	if r.user == nil {
		return ""
	}
	return r.user.ID
}

func (r *request) fail(in, field, msg, typ string) {
	r.errs = append(r.errs, fieldError{In: in, Field: field, Index: -1, Msg: msg, Type: typ})
}

// check ends input parsing: it returns the 422 for every invalid input
// found, or, on "auth (self)" routes, 403 when the path's profile_id is not
// the caller. Handlers call it after parsing and before any logic, which
// gives the original's order: 401, then 422, then 403.
func (r *request) check() error {
	if len(r.errs) > 0 {
		return &validationError{r.errs}
	}
	if r.route.auth == authSelf && r.UserValue("profile_id") != r.user.ID {
		return bunnybook.Errorf(bunnybook.EForbidden, "this belongs to another profile")
	}
	return nil
}

// pathID returns a path parameter that must be a UUID, lower-cased.
func (r *request) pathID(name string) string {
	raw, _ := r.UserValue(name).(string)
	id, err := bunnybook.ParseID(name, raw)
	if err != nil {
		r.fail(inPath, name, "must be a UUID", "type_error.uuid")
		return ""
	}
	r.SetUserValue(name, id)
	return id
}

// query returns the first value of a query parameter and whether it is there.
func (r *request) query(name string) (string, bool) {
	v := r.QueryArgs().Peek(name)
	if v == nil {
		return "", false
	}
	return string(v), true
}

// requiredQuery returns a query parameter that must be given.
func (r *request) requiredQuery(name string) string {
	v, ok := r.query(name)
	if !ok {
		r.fail(inQuery, name, "field required", "value_error.missing")
	}
	return v
}

// requiredQueryID returns a UUID query parameter that must be given.
func (r *request) requiredQueryID(name string) string {
	if _, ok := r.query(name); !ok {
		r.fail(inQuery, name, "field required", "value_error.missing")
		return ""
	}
	return r.queryID(name)
}

// queryID returns an optional UUID query parameter ("" when absent).
func (r *request) queryID(name string) string {
	v, ok := r.query(name)
	if !ok {
		return ""
	}
	id, err := bunnybook.ParseID(name, v)
	if err != nil {
		r.fail(inQuery, name, "must be a UUID", "type_error.uuid")
	}
	return id
}

// queryInt returns an optional integer query parameter and whether it is there.
func (r *request) queryInt(name string) (int, bool) {
	v, ok := r.query(name)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.fail(inQuery, name, "must be an integer", "type_error.integer")
		return 0, false
	}
	return n, true
}

// queryBool returns an optional boolean query parameter (nil when absent).
func (r *request) queryBool(name string) *bool {
	v, ok := r.query(name)
	if !ok {
		return nil
	}
	var b bool
	switch strings.ToLower(v) {
	case "true", "1", "yes", "on":
		b = true
	case "false", "0", "no", "off":
		b = false
	default:
		r.fail(inQuery, name, "must be a boolean", "type_error.bool")
		return nil
	}
	return &b
}

// limit returns the page size: the "limit" parameter (1..l.Max), or l.Default.
func (r *request) limit(l bunnybook.Limits) int {
	n, given := r.queryInt("limit")
	if !given {
		return l.Default
	}
	if n < 1 || n > l.Max {
		r.fail(inQuery, "limit", fmt.Sprintf("must be between 1 and %d", l.Max), "value_error.number")
		return l.Default
	}
	return n
}

// timePage returns a newest-first page: older_than (any ISO-8601 time),
// before_id (UUID tie-breaker, needs older_than) and limit.
func (r *request) timePage(l bunnybook.Limits) bunnybook.TimePage {
	p := bunnybook.TimePage{Limit: r.limit(l)}
	if v, ok := r.query("older_than"); ok {
		t, err := bunnybook.ParseTime(v)
		if err != nil {
			r.fail(inQuery, "older_than", "must be an ISO-8601 date-time", "value_error.datetime")
		}
		p.Before = t
	}
	if p.BeforeID = r.queryID("before_id"); p.BeforeID != "" {
		if _, ok := r.query("older_than"); !ok {
			r.fail(inQuery, "before_id", "needs older_than", "value_error")
		}
	}
	return p
}

// usernameGT returns the username cursor of a by-username page.
func (r *request) usernameGT() string {
	v, _ := r.query("username_gt")
	if len(v) > bunnybook.UsernameMax {
		r.fail(inQuery, "username_gt", fmt.Sprintf("must be at most %d characters", bunnybook.UsernameMax), "value_error.any_str.max_length")
	}
	return v
}

// namePage returns a by-username page: username_gt and limit.
func (r *request) namePage() bunnybook.NamePage {
	return bunnybook.NamePage{After: r.usernameGT(), Limit: r.limit(bunnybook.ProfilePageLimits)}
}

// suggestionPage returns a page of ranked suggestions: the cursor is the
// last item seen, (mutual_count, username_gt), both or neither.
func (r *request) suggestionPage() bunnybook.SuggestionPage {
	p := bunnybook.SuggestionPage{AfterName: r.usernameGT(), Limit: r.limit(bunnybook.ProfilePageLimits)}
	count, hasCount := r.queryInt("mutual_count")
	_, hasName := r.query("username_gt")
	switch {
	case hasCount && count < 0:
		r.fail(inQuery, "mutual_count", "must be at least 0", "value_error.number")
	case hasCount != hasName:
		r.fail(inQuery, "mutual_count", "give mutual_count and username_gt together: the last suggestion seen", "value_error")
	}
	p.AfterCount = count
	return p
}

// field is one member of a JSON request object: its camelCase name (its
// snake_case spelling is accepted too), where to decode it, and whether it
// must be present and not null.
type field struct {
	name     string
	dst      any
	required bool
}

// decodeObject decodes the body, a JSON object, into fields. Malformed
// JSON, trailing data, unknown or repeated members, wrong types and missing
// required members are all recorded as input errors.
// It reports whether the body had no such errors.
func (r *request) decodeObject(fields ...field) bool {
	before := len(r.errs)
	var obj map[string]json.RawMessage
	if !r.decodeBody(&obj, "a JSON object") {
		return false
	}
	byName := make(map[string]*field, 2*len(fields))
	for i := range fields {
		byName[fields[i].name] = &fields[i]
		byName[snakeCase(fields[i].name)] = &fields[i]
	}
	seen := make(map[*field]bool, len(fields))
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		f := byName[key]
		switch {
		case f == nil:
			r.fail(inBody, key, "extra fields not permitted", "value_error.extra")
		case seen[f]:
			r.fail(inBody, key, "given twice (camelCase and snake_case)", "value_error.duplicate")
		case bytes.Equal(obj[key], []byte("null")):
			seen[f] = !f.required
		default:
			seen[f] = true
			if err := json.Unmarshal(obj[key], f.dst); err != nil {
				r.fail(inBody, f.name, "must be "+jsonTypeName(f.dst), "type_error")
			}
		}
	}
	for i := range fields {
		if f := &fields[i]; f.required && !seen[f] {
			r.fail(inBody, f.name, "field required", "value_error.missing")
		}
	}
	return len(r.errs) == before
}

// decodeBody decodes the whole body into dst, recording empty bodies,
// JSON that is not strict (jsoncheck: malformed, trailing data, invalid
// UTF-8 or lone surrogates, repeated member names) and wrong types as
// input errors.
func (r *request) decodeBody(dst any, what string) bool {
	body := r.PostBody()
	if len(bytes.TrimSpace(body)) == 0 {
		r.fail(inBody, "", "field required: the body must be "+what, "value_error.missing")
		return false
	}
	if err := jsoncheck.Value(body); err != nil {
		r.fail(inBody, "", "malformed JSON: "+err.Error(), "value_error.jsondecode")
		return false
	}
	var typeErr *json.UnmarshalTypeError
	switch err := json.Unmarshal(body, dst); {
	case errors.As(err, &typeErr):
		r.fail(inBody, typeErr.Field, "must be "+what, "type_error")
		return false
	case err != nil:
		r.fail(inBody, "", "malformed JSON: "+err.Error(), "value_error.jsondecode")
		return false
	}
	return true
}

func jsonTypeName(dst any) string {
	switch dst.(type) {
	case *string:
		return "a string"
	case *bool:
		return "a boolean"
	case *int:
		return "an integer"
	case *[]string:
		return "an array of strings"
	}
	return "of the documented type"
}

// snakeCase turns a camelCase name into snake_case: wallProfileId →
// wall_profile_id.
func snakeCase(s string) string {
	var b strings.Builder
	for _, c := range s {
		if unicode.IsUpper(c) {
			b.WriteByte('_')
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// invalid records a domain validation error (a *bunnybook.Error of kind
// EInvalid naming a body member); other errors are ignored here.
func (r *request) invalid(err error) {
	if e := bunnybook.AsError(err); e != nil && e.Kind == bunnybook.EInvalid {
		r.fail(r.route.paramIn(e.Field), e.Field, e.Message, "value_error")
	}
}
