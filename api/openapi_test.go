package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func newTestServer(t *testing.T) *Server {
	t.Helper()
	return New(Config{}, nil, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// The router and the served document list the same (method, path) pairs.
func TestOpenAPIMatchesRouter(t *testing.T) {
	s := newTestServer(t)
	var routed []string
	for method, paths := range s.router.List() {
		for _, p := range paths {
			routed = append(routed, method+" "+p)
		}
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(s.openapi, &doc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for p, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+p)
		}
	}
	slices.Sort(routed)
	slices.Sort(documented)
	if !slices.Equal(routed, documented) {
		t.Errorf("router and document differ:\nrouted     %v\ndocumented %v", routed, documented)
	}
	// 27 endpoints of the original, plus logout, me, the 4 operations ones,
	// the 5 of group chats and the 4 of likes.
	if want := 27 + 2 + 4 + 5 + 4; len(routed) != want {
		t.Errorf("got %d routes, want %d", len(routed), want)
	}
}

// Every path parameter is declared, every $ref resolves, and every
// operation documents its success and a 500.
func TestOpenAPIIsConsistent(t *testing.T) {
	s := newTestServer(t)
	var doc map[string]any
	if err := json.Unmarshal(s.openapi, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.0.3" {
		t.Errorf("openapi %v", doc["openapi"])
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, ref := range regexp.MustCompile(`"\$ref":"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(s.openapi), -1) {
		if schemas[ref[1]] == nil {
			t.Errorf("unresolved $ref %s", ref[1])
		}
	}
	templateParam := regexp.MustCompile(`\{([a-z_]+)\}`)
	ids := map[string]bool{}
	for path, item := range doc["paths"].(map[string]any) {
		var inPath []string
		for _, m := range templateParam.FindAllStringSubmatch(path, -1) {
			inPath = append(inPath, m[1])
		}
		for method, raw := range item.(map[string]any) {
			op := raw.(map[string]any)
			var declared []string
			for _, p := range asList(op["parameters"]) {
				if p := p.(map[string]any); p["in"] == "path" {
					declared = append(declared, p["name"].(string))
					if p["required"] != true {
						t.Errorf("%s %s: path parameter %s not required", method, path, p["name"])
					}
				}
			}
			slices.Sort(inPath)
			slices.Sort(declared)
			if !slices.Equal(inPath, declared) {
				t.Errorf("%s %s: path has %v, parameters declare %v", method, path, inPath, declared)
			}
			responses := op["responses"].(map[string]any)
			if responses["500"] == nil || len(responses) < 2 {
				t.Errorf("%s %s: responses %v", method, path, slices.Collect(maps.Keys(responses)))
			}
			id := op["operationId"].(string)
			if ids[id] {
				t.Errorf("duplicate operationId %s", id)
			}
			ids[id] = true
		}
	}
	security := doc["components"].(map[string]any)["securitySchemes"].(map[string]any)
	for _, name := range []string{"bearer", "cookie", "csrf"} {
		if security[name] == nil {
			t.Errorf("no %s security scheme", name)
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// /docs is self-contained: no scripts, no external styles, fonts or images.
func TestDocsPageIsSelfContained(t *testing.T) {
	s := newTestServer(t)
	page := string(s.docs)
	for _, banned := range []string{"<script", "<link", "@import", "url(", "src=", "//cdn", "fonts.googleapis"} {
		if strings.Contains(page, banned) {
			t.Errorf("docs page contains %q", banned)
		}
	}
	for _, rt := range s.routes {
		if !strings.Contains(page, rt.path) {
			t.Errorf("docs page lacks %s", rt.path)
		}
	}
	if !strings.Contains(page, "1 per second and 10 per minute") {
		t.Error("docs page does not show the register rate limits")
	}
}

// The document states the rules of the security review (issue 10): who
// may read a relationship, which routes need a JSON Content-Type (415) and
// the login limit.
func TestOpenAPIDocumentsReviewRules(t *testing.T) {
	s := newTestServer(t)
	var doc struct {
		Paths map[string]map[string]struct {
			Description string                     `json:"description"`
			Responses   map[string]json.RawMessage `json:"responses"`
			Security    []map[string][]string      `json:"security"`
			RateLimit   string                     `json:"x-rate-limit"`
		}
	}
	if err := json.Unmarshal(s.openapi, &doc); err != nil {
		t.Fatal(err)
	}
	rel := doc.Paths["/web/profiles/{profile_id}/relationships/{other_profile_id}"]["get"]
	if rel.Responses["401"] == nil || rel.Responses["403"] == nil || len(rel.Security) == 0 || len(rel.Security[0]) == 0 {
		t.Errorf("relationship: responses %v, security %v; want 401, 403 and credentials", slices.Collect(maps.Keys(rel.Responses)), rel.Security)
	}
	for _, op := range []struct{ method, path string }{
		{"post", "/web/register"}, {"post", "/web/login"}, {"post", "/web/refresh"}, {"post", "/web/logout"},
		{"post", "/web/posts"}, {"post", "/web/posts/{post_id}/comments"}, {"patch", "/web/profiles/{profile_id}/notifications"},
	} {
		if doc.Paths[op.path][op.method].Responses["415"] == nil {
			t.Errorf("%s %s: no 415", op.method, op.path)
		}
	}
	if doc.Paths["/web/posts"]["get"].Responses["415"] != nil {
		t.Error("GET /web/posts documents a 415")
	}
	if got := doc.Paths["/web/login"]["post"].RateLimit; got != "5 per second and 30 per minute" {
		t.Errorf("login x-rate-limit %q", got)
	}
}
