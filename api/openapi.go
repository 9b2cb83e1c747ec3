package api

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bunnybook/bunnybook"
)

// The OpenAPI 3.0 subset the document uses.
type (
	oaDocument struct {
		OpenAPI    string                             `json:"openapi"`
		Info       oaInfo                             `json:"info"`
		Tags       []oaTag                            `json:"tags"`
		Paths      map[string]map[string]*oaOperation `json:"paths"`
		Components oaComponents                       `json:"components"`
	}
	oaInfo struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Description string `json:"description"`
	}
	oaTag struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	oaComponents struct {
		Schemas         map[string]*oaSchema         `json:"schemas"`
		SecuritySchemes map[string]*oaSecurityScheme `json:"securitySchemes"`
	}
	oaSecurityScheme struct {
		Type         string `json:"type"`
		Scheme       string `json:"scheme,omitempty"`
		BearerFormat string `json:"bearerFormat,omitempty"`
		In           string `json:"in,omitempty"`
		Name         string `json:"name,omitempty"`
		Description  string `json:"description,omitempty"`
	}
	oaOperation struct {
		OperationID string                 `json:"operationId"`
		Tags        []string               `json:"tags"`
		Summary     string                 `json:"summary"`
		Description string                 `json:"description,omitempty"`
		Parameters  []*oaParameter         `json:"parameters,omitempty"`
		RequestBody *oaRequestBody         `json:"requestBody,omitempty"`
		Responses   map[string]*oaResponse `json:"responses"`
		// Security lists alternatives; an empty entry means anonymous is allowed.
		Security  []map[string][]string `json:"security"`
		RateLimit string                `json:"x-rate-limit,omitempty"`
	}
	oaParameter struct {
		Name        string    `json:"name"`
		In          string    `json:"in"`
		Required    bool      `json:"required,omitempty"`
		Description string    `json:"description,omitempty"`
		Schema      *oaSchema `json:"schema"`
	}
	oaRequestBody struct {
		Required bool                    `json:"required"`
		Content  map[string]*oaMediaType `json:"content"`
	}
	oaMediaType struct {
		Schema *oaSchema `json:"schema"`
	}
	oaResponse struct {
		Description string                  `json:"description"`
		Headers     map[string]*oaHeader    `json:"headers,omitempty"`
		Content     map[string]*oaMediaType `json:"content,omitempty"`
	}
	oaHeader struct {
		Description string    `json:"description"`
		Schema      *oaSchema `json:"schema"`
	}
	oaSchema struct {
		Ref                  string               `json:"$ref,omitempty"`
		Type                 string               `json:"type,omitempty"`
		Format               string               `json:"format,omitempty"`
		Description          string               `json:"description,omitempty"`
		Enum                 []string             `json:"enum,omitempty"`
		Default              any                  `json:"default,omitempty"`
		Nullable             bool                 `json:"nullable,omitempty"`
		MinLength            *int                 `json:"minLength,omitempty"`
		MaxLength            *int                 `json:"maxLength,omitempty"`
		Minimum              *int                 `json:"minimum,omitempty"`
		Maximum              *int                 `json:"maximum,omitempty"`
		MinItems             *int                 `json:"minItems,omitempty"`
		MaxItems             *int                 `json:"maxItems,omitempty"`
		Pattern              string               `json:"pattern,omitempty"`
		Items                *oaSchema            `json:"items,omitempty"`
		Properties           map[string]*oaSchema `json:"properties,omitempty"`
		Required             []string             `json:"required,omitempty"`
		AdditionalProperties *oaSchema            `json:"additionalProperties,omitempty"`
		AllOf                []*oaSchema          `json:"allOf,omitempty"`
		OneOf                []*oaSchema          `json:"oneOf,omitempty"`
	}
)

// Tags group the routes in the document and on /docs.
const (
	tagAuth          = "auth"
	tagAvatars       = "avatars"
	tagPosts         = "posts"
	tagProfiles      = "profiles"
	tagFriends       = "friends"
	tagNotifications = "notifications"
	tagChat          = "chat"
	tagOps           = "operations"
)

var tags = []oaTag{
	{tagAuth, "Accounts and sessions. Browsers get HttpOnly cookies; API clients send the access token as a Bearer header."},
	{tagAvatars, "Deterministic bunny avatars, rendered from a seed."},
	{tagPosts, "Wall posts and their comments. FRIENDS posts are for the wall owner and the wall owner's friends."},
	{tagProfiles, "Public profiles."},
	{tagFriends, "Friendships, requests and suggestions. Relationship changes that do not fit the current state are 400 UnexpectedRelationshipState."},
	{tagNotifications, "A profile's notifications; only its owner may read or mark them."},
	{tagChat, "Chat history. Messages are sent over the websocket, /ws."},
	{tagOps, "Health, readiness and this documentation."},
}

func intp(n int) *int { return &n }

func ref(name string) *oaSchema { return &oaSchema{Ref: "#/components/schemas/" + name} }

func arrayOf(name string) *oaSchema { return &oaSchema{Type: "array", Items: ref(name)} }

func jsonContent(s *oaSchema) map[string]*oaMediaType {
	return map[string]*oaMediaType{"application/json": {Schema: s}}
}

func jsonBody(name string) *oaRequestBody {
	return &oaRequestBody{Required: true, Content: jsonContent(ref(name))}
}

func pathID(name, description string) *oaParameter {
	return &oaParameter{Name: name, In: inPath, Required: true, Description: description, Schema: &oaSchema{Type: "string", Format: "uuid"}}
}

func queryID(name, description string, required bool) *oaParameter {
	return &oaParameter{Name: name, In: inQuery, Required: required, Description: description, Schema: &oaSchema{Type: "string", Format: "uuid"}}
}

func limitParam(l bunnybook.Limits) *oaParameter {
	return &oaParameter{Name: "limit", In: inQuery, Description: "Page size.",
		Schema: &oaSchema{Type: "integer", Minimum: intp(1), Maximum: intp(l.Max), Default: l.Default}}
}

func usernameGT() *oaParameter {
	return &oaParameter{Name: "username_gt", In: inQuery, Description: "Cursor: only usernames after this one (the last one seen).",
		Schema: &oaSchema{Type: "string", MaxLength: intp(bunnybook.UsernameMax)}}
}

func namePageParams() []*oaParameter {
	return []*oaParameter{usernameGT(), limitParam(bunnybook.ProfilePageLimits)}
}

func timePageParams(l bunnybook.Limits) []*oaParameter {
	return []*oaParameter{
		{Name: "older_than", In: inQuery, Description: "Cursor: only items created before this ISO-8601 time (the createdAt of the last item seen). Default: now.",
			Schema: &oaSchema{Type: "string", Format: "date-time"}},
		queryID("before_id", "Tie-breaker with older_than: also include items created exactly at older_than whose id is less than this (the id of the last item seen).", false),
		limitParam(l),
	}
}

// Security requirements.
var (
	securityBearerOrCookie = []map[string][]string{{"bearer": {}}, {"cookie": {}}}
	securityWithCSRF       = []map[string][]string{{"bearer": {}}, {"cookie": {}, "csrf": {}}}
)

// document builds the OpenAPI document of the route table.
func (s *Server) document() *oaDocument {
	doc := &oaDocument{
		OpenAPI: "3.0.3",
		Info: oaInfo{
			Title:   "Bunnybook API",
			Version: "1.0.0",
			Description: "The REST API of Bunnybook, a small social network for bunnies. " +
				"Bodies are JSON with camelCase members (snake_case is accepted too); query parameters are snake_case; " +
				"timestamps are UTC with milliseconds, e.g. 2006-01-02T15:04:05.000Z. " +
				"Request bodies must be sent with Content-Type: application/json (else 415); they must be strict JSON: UTF-8, no repeated member names (else 422). " +
				"Answers to requests with credentials, and every answer of the auth endpoints, are Cache-Control: no-store. " +
				"Rate limits are per client IP, per route and per profile, post or chat id in the path; exceeding one is 429 with Retry-After.",
		},
		Tags:  tags,
		Paths: map[string]map[string]*oaOperation{},
		Components: oaComponents{
			Schemas: schemas(),
			SecuritySchemes: map[string]*oaSecurityScheme{
				"bearer": {Type: "http", Scheme: "bearer", BearerFormat: "JWT", Description: "The accessToken of /web/login or /web/refresh."},
				"cookie": {Type: "apiKey", In: "cookie", Name: accessCookie, Description: "Set by /web/login and /web/refresh (HttpOnly)."},
				"csrf": {Type: "apiKey", In: "header", Name: csrfHeader,
					Description: "With cookie authentication, POST, PUT, PATCH and DELETE must repeat the csrf_token cookie in this header (else 403)."},
			},
		},
	}
	for _, rt := range s.routes {
		if doc.Paths[rt.path] == nil {
			doc.Paths[rt.path] = map[string]*oaOperation{}
		}
		doc.Paths[rt.path][strings.ToLower(rt.method)] = rt.operation()
	}
	return doc
}

// operation documents one route, with the error responses its auth,
// limits, parameters and body imply.
func (rt *route) operation() *oaOperation {
	op := &oaOperation{
		OperationID: operationID(rt),
		Tags:        []string{rt.tag},
		Summary:     rt.summary,
		Description: rt.description,
		Parameters:  rt.params,
		RequestBody: rt.body,
		Responses:   map[string]*oaResponse{},
		Security:    []map[string][]string{},
	}
	switch rt.auth {
	case authOptional:
		op.Security = append([]map[string][]string{{}}, securityBearerOrCookie...)
	case authRequired, authSelf:
		op.Security = securityBearerOrCookie
		if rt.method != fasthttp.MethodGet {
			op.Security = securityWithCSRF
		}
	}
	ok := &oaResponse{Description: rt.success.description}
	if rt.success.schema != nil {
		ct := rt.success.contentType
		if ct == "" {
			ct = "application/json"
		}
		ok.Content = map[string]*oaMediaType{ct: {Schema: rt.success.schema}}
	}
	op.Responses[strconv.Itoa(rt.success.status)] = ok
	for _, status := range rt.errorStatuses() {
		op.Responses[strconv.Itoa(status)] = errorResponseDoc(status)
	}
	if len(rt.limits) > 0 {
		parts := make([]string, len(rt.limits))
		for i, l := range rt.limits {
			parts[i] = fmt.Sprintf("%d per %s", l.Limit, windowText(l.Window))
		}
		op.RateLimit = strings.Join(parts, " and ")
	}
	return op
}

// errorStatuses lists the error statuses of a route.
func (rt *route) errorStatuses() []int {
	statuses := append([]int(nil), rt.errors...)
	if rt.auth != authNone {
		statuses = append(statuses, 401)
	}
	if rt.auth == authSelf || (rt.auth != authNone && rt.method != fasthttp.MethodGet) {
		statuses = append(statuses, 403)
	}
	if len(rt.params) > 0 || rt.body != nil {
		statuses = append(statuses, 422)
	}
	if rt.body != nil {
		statuses = append(statuses, 413)
	}
	if rt.body != nil || rt.jsonType {
		statuses = append(statuses, 415)
	}
	if len(rt.limits) > 0 {
		statuses = append(statuses, 429)
	}
	return append(statuses, 500)
}

func errorResponseDoc(status int) *oaResponse {
	r := &oaResponse{Description: fasthttp.StatusMessage(status)}
	switch status {
	case 304:
		return &oaResponse{Description: "Not Modified: the If-None-Match ETag is current."}
	case 409:
		r.Content = jsonContent(ref("Conflict"))
	case 422:
		r.Content = jsonContent(ref("ValidationError"))
	case 429:
		r.Content = jsonContent(ref("RateLimited"))
		r.Headers = map[string]*oaHeader{"Retry-After": {Description: "Seconds until the window ends.", Schema: &oaSchema{Type: "integer"}}}
	case 503:
		r.Content = jsonContent(&oaSchema{OneOf: []*oaSchema{ref("Readiness"), ref("Error")}})
	default:
		r.Content = jsonContent(ref("Error"))
	}
	return r
}

// operationID derives an id from method and path: "GET /web/posts/{post_id}" → "getWebPostsPostId".
func operationID(rt *route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	up := true
	for _, c := range rt.path {
		switch {
		case c == '/' || c == '_' || c == '{' || c == '}' || c == '.' || c == '-':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(c)))
			up = false
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// windowText writes a rate-limit window for people: "second", "minute", "10s".
func windowText(d time.Duration) string {
	switch d {
	case time.Second:
		return "second"
	case time.Minute:
		return "minute"
	case time.Hour:
		return "hour"
	}
	return d.String()
}
