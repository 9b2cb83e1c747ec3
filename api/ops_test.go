package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/api"
)

func TestHostileInput(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben := registerAndLogin(t, srv)
		bodies := []struct {
			name string
			body string
		}{
			{"malformed JSON", `{"content": "x"`},
			{"not an object", `["content"]`},
			{"a string", `"content"`},
			{"trailing data", `{"content": "x"} {"content": "y"}`},
			{"trailing garbage", `{"content": "x"}garbage`},
			{"empty", ``},
		}
		for _, b := range bodies {
			t.Run(b.name, func(t *testing.T) { ben.post("/web/posts", b.body).want422("body") })
		}
		ben.post("/web/posts", `{"content": {"nested": true}}`).want422("body", "content")
		ben.post("/web/posts", `{"content": ["x"]}`).want422("body", "content")
		ben.post("/web/posts", `{"content": 1e400}`).want422("body", "content")

		// Bodies over 64 KiB are 413, whether the API or fasthttp refuses them.
		big := `{"content": "` + strings.Repeat("x", 64<<10) + `"}`
		ben.post("/web/posts", big).wantDetail(http.StatusRequestEntityTooLarge)
		// fasthttp refuses a body over its own limit from the headers alone;
		// the body is not sent, else the server's close could reset the
		// connection under the client's feet.
		if status, body := rawRequest(t, srv, "POST /web/posts HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n\r\n"); status != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"detail":"Request Entity Too Large"`) {
			t.Errorf("2 MiB body: got %d %s", status, body)
		}

		// Ids in paths must be UUIDs, also when they try to walk the tree.
		for _, id := range []string{"..", "%2e%2e", "1%20OR%201=1", strings.Repeat("a", 300), newID() + "0"} {
			ben.get("/web/posts/"+id).want422("path", "post_id")
		}
		// Unknown paths and methods answer JSON.
		for _, p := range []string{"/web/nope", "/nope", "/web/posts/" + newID() + "/likes", "/web/posts/"} {
			e := ben.get(p).wantDetail(http.StatusNotFound)
			if e.Message == "" {
				t.Errorf("%s: 404 without message", p)
			}
		}
		resp := ben.do("PUT", "/web/posts", `{}`)
		resp.wantDetail(http.StatusMethodNotAllowed)
		if allow := resp.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
			t.Errorf("405 Allow: %q", allow)
		}
	})
}

// faultyStore is a real store whose profile search can be made to fail
// ("boom") or panic ("panic"), to see how the API copes.
type faultyStore struct{ bunnybook.Store }

func (f faultyStore) SearchProfiles(ctx context.Context, q string, limit int) ([]bunnybook.Profile, error) {
	switch q {
	case "boom":
		return nil, errors.New("database exploded: password=hunter2")
	case "panic":
		panic("bunny panic")
	case "gone":
		return nil, bunnybook.Errorf(bunnybook.EUnavailable, "the database is unreachable")
	}
	return f.Store.SearchProfiles(ctx, q, limit)
}

func TestInternalErrors(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			store, graph := b.open(t)
			srv := startServer(t, api.Config{DisableRateLimits: true}, faultyStore{store}, graph)
			anon := srv.anonymous(t)
			for _, q := range []string{"boom", "panic"} {
				e := anon.get("/web/profiles?username_query=" + q).wantDetail(http.StatusInternalServerError)
				if strings.Contains(e.Message, "hunter2") || strings.Contains(e.Message, "panic") {
					t.Errorf("%s: 500 leaks %q", q, e.Message)
				}
			}
			if e := anon.get("/web/profiles?username_query=gone").wantDetail(http.StatusServiceUnavailable); e.Message != "the database is unreachable" {
				t.Errorf("503 message %q", e.Message)
			}
			anon.get("/web/profiles?username_query=fine").want(http.StatusOK) // the server survived

			logs := logLines(t, srv)
			wantLogged := func(substr string) {
				t.Helper()
				for _, l := range logs {
					if l["status"] == float64(500) && l["path"] == "/web/profiles" && strings.Contains(fmt.Sprint(l["error"]), substr) {
						return
					}
				}
				t.Errorf("no 500 log line with path and error %q in %v", substr, logs)
			}
			wantLogged("hunter2")
			wantLogged("bunny panic")
		})
	}
}

func logLines(t *testing.T, srv *testServer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	dec := json.NewDecoder(strings.NewReader(srv.logs.String()))
	for dec.More() {
		var l map[string]any
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	return lines
}

func TestRequestLog(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		srv.anonymous(t).get("/healthz?x=1").want(http.StatusOK)
		var found int
		for _, l := range logLines(t, srv) {
			if l["path"] == "/healthz" {
				found++
				if l["method"] != "GET" || l["status"] != float64(200) || l["duration"] == nil || l["msg"] != "http request" {
					t.Errorf("log line %v", l)
				}
			}
		}
		if found != 1 {
			t.Errorf("%d log lines for one request, want 1", found)
		}
	})
}

func TestRateLimits(t *testing.T) {
	cfg := api.Config{RateLimits: map[string][]api.RateLimit{
		"GET /web/profiles/{profile_id}": {{Limit: 2, Window: time.Minute}},
		"POST /web/register":             {{Limit: 5, Window: time.Minute}, {Limit: 2, Window: time.Hour}},
		"GET /web/me":                    {{Limit: 1, Window: time.Minute}},
		"POST /web/login":                {}, // unlimited, like the default
	}}
	forEachBackendWith(t, cfg, func(t *testing.T, srv *testServer) {
		ben := registerAs(t, srv, newUsername("limited"))
		anon := srv.anonymous(t)
		p := "/web/profiles/" + ben.ID
		anon.get(p).want(http.StatusOK)
		anon.get(p).want(http.StatusOK)
		resp := anon.get(p)
		resp.want(http.StatusTooManyRequests)
		if string(resp.body) != `{"detail":"Too Many Requests"}` {
			t.Errorf("429 body %s", resp.body)
		}
		if s, err := strconv.Atoi(resp.header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
			t.Errorf("Retry-After %q, want 1..60 seconds", resp.header.Get("Retry-After"))
		}
		// Limits are per concrete path.
		anon.get("/web/profiles/" + newID()).wantDetail(http.StatusNotFound)

		// Both register limits apply: the hourly one (2) trips first; ben's
		// registration counted already.
		anon.post("/web/register", map[string]any{"username": newUsername("r"), "email": rand8() + "@b.com", "password": "password1"}).
			want(http.StatusCreated)
		resp = anon.post("/web/register", map[string]any{"username": newUsername("r"), "email": rand8() + "@b.com", "password": "password1"})
		resp.want(http.StatusTooManyRequests)
		if s, _ := strconv.Atoi(resp.header.Get("Retry-After")); s < 3500 || s > 3600 {
			t.Errorf("Retry-After %d, want about an hour", s)
		}

		// The limit comes before authentication.
		anon.get("/web/me").wantDetail(http.StatusUnauthorized)
		anon.get("/web/me").want(http.StatusTooManyRequests)
		for range 5 {
			anon.post("/web/login", map[string]any{"email": ben.Email, "password": ben.Password}).want(http.StatusOK)
		}
	})
}

func TestRateLimitClientIP(t *testing.T) {
	limits := map[string][]api.RateLimit{"GET /healthz": {{Limit: 1, Window: time.Minute}}}
	t.Run("untrusted X-Forwarded-For is ignored", func(t *testing.T) {
		store, graph := backends[0].open(t)
		srv := startServer(t, api.Config{RateLimits: limits}, store, graph)
		srv.anonymous(t).with("X-Forwarded-For", "10.0.0.1").get("/healthz").want(http.StatusOK)
		srv.anonymous(t).with("X-Forwarded-For", "10.0.0.2").get("/healthz").want(http.StatusTooManyRequests)
	})
	t.Run("trusted proxy: first X-Forwarded-For address", func(t *testing.T) {
		store, graph := backends[0].open(t)
		srv := startServer(t, api.Config{RateLimits: limits, TrustProxy: true}, store, graph)
		srv.anonymous(t).with("X-Forwarded-For", "10.0.0.1, 127.0.0.1").get("/healthz").want(http.StatusOK)
		srv.anonymous(t).with("X-Forwarded-For", "10.0.0.2, 127.0.0.1").get("/healthz").want(http.StatusOK)
		srv.anonymous(t).with("X-Forwarded-For", "10.0.0.1").get("/healthz").want(http.StatusTooManyRequests)
	})
}

func TestHealthAndReadiness(t *testing.T) {
	store, graph := backends[0].open(t)
	down := errors.New("connection refused")
	failing := true
	cfg := api.Config{ReadyChecks: []api.Check{
		{Name: "store", Ping: store.Ping},
		{Name: "flaky", Ping: func(context.Context) error {
			if failing {
				return down
			}
			return nil
		}},
	}}
	srv := startServer(t, cfg, store, graph)
	anon := srv.anonymous(t)
	if r := anon.get("/healthz").want(http.StatusOK); string(r.body) != `{"status":"ok"}` {
		t.Errorf("healthz: %s", r.body)
	}
	type readiness struct {
		Status string
		Checks map[string]string
	}
	var got readiness
	anon.get("/readyz").want(http.StatusServiceUnavailable).decode(&got)
	if got.Status != "unavailable" || got.Checks["store"] != "up" || got.Checks["flaky"] != "down: connection refused" {
		t.Errorf("readyz while flaky is down: %+v", got)
	}
	failing = false
	anon.get("/readyz").want(http.StatusOK).decode(&got)
	if got.Status != "ready" || got.Checks["flaky"] != "up" {
		t.Errorf("readyz: %+v", got)
	}
}

func TestAvatars(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		anon := srv.anonymous(t)
		resp := anon.get("/web/avatar/hello%20bunny").want(http.StatusOK)
		if ct := resp.header.Get("Content-Type"); ct != "image/png" || !bytes.HasPrefix(resp.body, []byte("\x89PNG\r\n\x1a\n")) {
			t.Fatalf("content type %q, body starts %q", ct, resp.body[:min(8, len(resp.body))])
		}
		etag := resp.header.Get("ETag")
		if etag == "" || !strings.Contains(resp.header.Get("Cache-Control"), "max-age") {
			t.Errorf("ETag %q, Cache-Control %q", etag, resp.header.Get("Cache-Control"))
		}
		again := anon.get("/web/avatar/hello%20bunny").want(http.StatusOK)
		if !bytes.Equal(again.body, resp.body) || again.header.Get("ETag") != etag {
			t.Error("the same seed gave another avatar")
		}
		if other := anon.get("/web/avatar/another").want(http.StatusOK); other.header.Get("ETag") == etag || bytes.Equal(other.body, resp.body) {
			t.Error("two seeds gave the same avatar")
		}
		if r := anon.with("If-None-Match", `"x", `+etag).get("/web/avatar/hello%20bunny"); r.status != http.StatusNotModified || len(r.body) != 0 {
			t.Errorf("If-None-Match: status %d, %d bytes", r.status, len(r.body))
		}
		anon.get("/web/avatar/"+strings.Repeat("x", 129)).want422("path", "identifier")

		// An account's avatar is drawn from its avatarIdentifier; dots in
		// usernames are fine.
		c := srv.anonymous(t)
		name := "dot." + newUsername("ted")
		c.post("/web/register", map[string]any{"username": name, "email": rand8() + "@b.com", "password": "password1",
			"avatarIdentifier": "hello bunny"}).want(http.StatusCreated)
		mine := anon.get("/web/avatars/" + name + ".png").want(http.StatusOK)
		if !bytes.Equal(mine.body, resp.body) || mine.header.Get("Content-Type") != "image/png" {
			t.Error("account avatar differs from the preview of its seed")
		}
		anon.get("/web/avatars/nobody-" + rand8() + ".png").wantDetail(http.StatusNotFound)
		anon.get("/web/avatars/" + name).wantDetail(http.StatusNotFound)
	})
}

func TestDocumentationEndpoints(t *testing.T) {
	store, graph := backends[0].open(t)
	anon := startServer(t, api.Config{}, store, graph).anonymous(t)
	var doc struct {
		OpenAPI string
		Paths   map[string]any
	}
	resp := anon.get("/openapi.json").want(http.StatusOK).decode(&doc)
	if resp.header.Get("Content-Type") != "application/json" || doc.OpenAPI != "3.0.3" || doc.Paths["/web/posts/{post_id}"] == nil {
		t.Errorf("openapi.json: %s, %v", resp.header.Get("Content-Type"), doc.OpenAPI)
	}
	page := anon.get("/docs").want(http.StatusOK)
	if !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") || !bytes.Contains(page.body, []byte("/web/posts/{post_id}")) {
		t.Errorf("docs: %s, %d bytes", page.header.Get("Content-Type"), len(page.body))
	}
}

// rawRequest writes req on a new connection and reads one response.
func rawRequest(t *testing.T, srv *testServer, req string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
