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
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/api"
	"github.com/bunnybook/bunnybook/persistence/postgres/postgrestest"
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
		// Strict JSON: no repeated names, no text the decoder would have to
		// replace with U+FFFD.
		strict := []struct {
			name, body, msg string
		}{
			{"repeated member", `{"content": "x", "content": "y"}`, `duplicate object member name "content"`},
			{"invalid UTF-8", "{\"content\": \"bad \xff\"}", "invalid UTF-8"},
			{"invalid UTF-8 in a name", "{\"c\xc3\": \"x\"}", "invalid UTF-8"},
			{"lone surrogate", `{"content": "\ud800"}`, "invalid surrogate pair"},
			{"reversed surrogates", `{"content": "\udc00\ud800"}`, "invalid surrogate pair"},
		}
		for _, b := range strict {
			t.Run(b.name, func(t *testing.T) {
				items := ben.post("/web/posts", b.body).want422("body")
				if len(items) != 1 || items[0].Type != "value_error.jsondecode" || !strings.Contains(items[0].Msg, b.msg) {
					t.Errorf("got %+v, want one value_error.jsondecode saying %q", items, b.msg)
				}
			})
		}
		ben.post("/web/posts", `{"content": "\ud83d\udc30 bunny"}`).want(http.StatusCreated) // a proper pair is fine
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
		"POST /web/login":                {}, // unlimited here (5/s and 30/min by default)
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
		// Limits are per resource: another profile has its own.
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

// Rate limits count per route and per resource, not per spelling of the
// path: a UUID in another case, or another avatar seed, is the same bucket
// (security review, issue 10).
func TestRateLimitKeys(t *testing.T) {
	store, graph := backends[0].open(t)
	srv := startServer(t, api.Config{RateLimits: map[string][]api.RateLimit{
		"GET /web/profiles/{profile_id}": {{Limit: 1, Window: time.Minute}},
		"GET /web/avatar/{identifier}":   {{Limit: 1, Window: time.Minute}},
	}}, store, graph)
	ben := registerAndLogin(t, srv)
	mixed := strings.ToUpper(ben.ID[:8]) + ben.ID[8:]
	cases := []struct {
		name, path string
		status     int
	}{
		{"first read", "/web/profiles/" + ben.ID, http.StatusOK},
		{"same id, upper case", "/web/profiles/" + strings.ToUpper(ben.ID), http.StatusTooManyRequests},
		{"same id, mixed case", "/web/profiles/" + mixed, http.StatusTooManyRequests},
		{"another id has its own bucket", "/web/profiles/" + newID(), http.StatusNotFound},
		{"a malformed id", "/web/profiles/not-a-uuid", http.StatusUnprocessableEntity},
		{"malformed ids share one bucket", "/web/profiles/not-a-uuid-either", http.StatusTooManyRequests},
		{"first avatar", "/web/avatar/carrot", http.StatusOK},
		{"another seed", "/web/avatar/lettuce", http.StatusTooManyRequests},
		{"the seed in another case", "/web/avatar/CARROT", http.StatusTooManyRequests},
	}
	anon := srv.anonymous(t)
	for _, tc := range cases {
		if got := anon.get(tc.path).status; got != tc.status {
			t.Errorf("%s: GET %s: got %d, want %d", tc.name, tc.path, got, tc.status)
		}
	}
}

func TestRateLimitClientIP(t *testing.T) {
	limits := map[string][]api.RateLimit{"GET /healthz": {{Limit: 1, Window: time.Minute}}}
	type call struct {
		xff    string
		status int
	}
	cases := []struct {
		name  string
		cfg   api.Config
		calls []call
	}{
		{"untrusted X-Forwarded-For is ignored", api.Config{RateLimits: limits},
			[]call{{"203.0.113.1", http.StatusOK}, {"203.0.113.2", http.StatusTooManyRequests}}},
		// The test client is on loopback, a trusted proxy by default: the
		// client is the address the proxy added (the rightmost untrusted
		// one), whatever the caller wrote before it.
		{"trusted proxy: the hop it added", api.Config{RateLimits: limits, TrustProxy: true},
			[]call{
				{"198.51.100.1, 203.0.113.7", http.StatusOK},
				{"198.51.100.2, 203.0.113.7", http.StatusTooManyRequests},
				{"203.0.113.7, 10.1.2.3", http.StatusTooManyRequests}, // through a second, private proxy
				{"203.0.113.8", http.StatusOK},
			}},
		{"peer is not a trusted proxy", api.Config{RateLimits: limits, TrustProxy: true, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			[]call{{"203.0.113.1", http.StatusOK}, {"203.0.113.2", http.StatusTooManyRequests}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store, graph := backends[0].open(t)
			srv := startServer(t, tc.cfg, store, graph)
			for _, c := range tc.calls {
				srv.anonymous(t).with("X-Forwarded-For", c.xff).get("/healthz").want(c.status)
			}
		})
	}
}

// POST /web/login is limited per client IP by default (5 per second, 30
// per minute), and not at all with rate limits off.
func TestLoginRateLimit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     api.Config
		limited bool
	}{
		{"default limits", api.Config{}, true},
		{"rate limits off", api.Config{DisableRateLimits: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, graph := backends[0].open(t)
			anon := startServer(t, tc.cfg, store, graph).anonymous(t)
			var limitedAt int
			for i := 1; i <= 31 && limitedAt == 0; i++ {
				// Unknown accounts: only the per-IP limit can refuse these.
				resp := anon.post("/web/login", map[string]any{"email": bunnybook.NewID() + "@nobody.test", "password": "password1"})
				switch resp.status {
				case http.StatusTooManyRequests:
					limitedAt = i
					if s, err := strconv.Atoi(resp.header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
						t.Errorf("Retry-After %q, want 1..60 seconds", resp.header.Get("Retry-After"))
					}
				case http.StatusUnauthorized:
				default:
					t.Fatalf("login %d: got %d %s", i, resp.status, resp.body)
				}
			}
			if tc.limited && (limitedAt == 0 || limitedAt < 6) {
				t.Errorf("limited at login %d, want after the 5th and by the 31st", limitedAt)
			}
			if !tc.limited && limitedAt != 0 {
				t.Errorf("limited at login %d with rate limits off", limitedAt)
			}
		})
	}
}

// Answers to credentialed requests and every answer of the auth endpoints
// say Cache-Control: no-store; public anonymous reads keep their caching
// (security review, issue 10).
func TestNoStore(t *testing.T) {
	store, graph := backends[0].open(t)
	srv := startServer(t, api.Config{DisableRateLimits: true}, store, graph)
	ben := registerAndLogin(t, srv)
	browser := ben.cookieClient()
	anon := srv.anonymous(t)
	newAccount := func() map[string]any {
		return map[string]any{"username": newUsername("ns"), "email": rand8() + "@b.com", "password": "password1"}
	}
	cases := []struct {
		name   string
		resp   *response
		status int
		want   string // the whole Cache-Control header
	}{
		{"anonymous profile", anon.get("/web/profiles/" + ben.ID), 200, ""},
		{"anonymous wall", anon.get("/web/posts?wall_profile_id=" + ben.ID), 200, ""},
		{"anonymous avatar", anon.get("/web/avatar/x"), 200, "public, max-age=31536000, immutable"},
		{"bearer profile", ben.get("/web/profiles/" + ben.ID), 200, "no-store"},
		{"bearer wall", ben.get("/web/posts?wall_profile_id=" + ben.ID), 200, "no-store"},
		{"cookie wall", browser.get("/web/posts?wall_profile_id=" + ben.ID), 200, "no-store"},
		{"cookie notifications", browser.get(ben.path("/notifications")), 200, "no-store"},
		{"bearer error", ben.get("/web/posts/" + newID()), 404, "no-store"},
		{"bearer unknown path", ben.get("/web/nope"), 404, "no-store"},
		{"bad bearer", anon.withBearer("nope").get("/web/me"), 401, "no-store"},
		// An avatar is the same for everyone: a browser's cookie does not
		// make it private.
		{"cookie avatar", browser.get("/web/avatar/x"), 200, "public, max-age=31536000, immutable"},
		{"me", ben.get("/web/me"), 200, "no-store"},
		{"me anonymous", anon.get("/web/me"), 401, "no-store"},
		{"register", anon.post("/web/register", newAccount()), 201, "no-store"},
		{"register conflict", anon.post("/web/register", map[string]any{"username": ben.Username, "email": rand8() + "@b.com", "password": "password1"}), 409, "no-store"},
		{"register invalid", anon.post("/web/register", map[string]any{}), 422, "no-store"},
		{"login", anon.post("/web/login", map[string]any{"email": ben.Email, "password": ben.Password}), 200, "no-store"},
		{"login refused", anon.post("/web/login", map[string]any{"email": ben.Email, "password": "wrong-password"}), 401, "no-store"},
		{"login wrong type", anon.with("Content-Type", "text/plain").post("/web/login", `{}`), 415, "no-store"},
		{"refresh without session", srv.anonymous(t).post("/web/refresh", nil), 401, "no-store"},
		{"refresh", browser.post("/web/refresh", nil), 200, "no-store"},
		{"logout", srv.anonymous(t).post("/web/logout", nil), 204, "no-store"},
	}
	for _, tc := range cases {
		if tc.resp.status != tc.status {
			t.Errorf("%s: %s: got status %d, want %d; body %s", tc.name, tc.resp.req, tc.resp.status, tc.status, tc.resp.body)
		}
		if got := tc.resp.header.Get("Cache-Control"); got != tc.want {
			t.Errorf("%s: %s: Cache-Control %q, want %q", tc.name, tc.resp.req, got, tc.want)
		}
	}
}

// Bodies must be declared JSON, and the session endpoints need the header
// even without a body, so that a cross-site HTML form cannot post to them
// and a cross-site script needs a CORS preflight (security review, issue 10).
func TestJSONContentType(t *testing.T) {
	store, graph := backends[0].open(t)
	srv := startServer(t, api.Config{DisableRateLimits: true}, store, graph)
	ben := registerAndLogin(t, srv)
	daisy := registerAndLogin(t, srv)
	login := map[string]any{"email": ben.Email, "password": ben.Password}
	const unset = "(none)"
	cases := []struct {
		name, contentType string
		caller            *client
		method, path      string
		body              any
		status            int
	}{
		{"login as an HTML form would", "application/x-www-form-urlencoded", srv.anonymous(t), "POST", "/web/login", "email=a%40b.c&password=password1", 415},
		{"login as text/plain", "text/plain", srv.anonymous(t), "POST", "/web/login", login, 415},
		{"login as multipart", "multipart/form-data; boundary=x", srv.anonymous(t), "POST", "/web/login", login, 415},
		{"login without type", unset, srv.anonymous(t), "POST", "/web/login", login, 415},
		{"login, JSON lookalike", "application/jsonp", srv.anonymous(t), "POST", "/web/login", login, 415},
		{"login, another JSON type", "application/merge-patch+json", srv.anonymous(t), "POST", "/web/login", login, 415},
		{"login, another charset", "application/json; charset=iso-8859-1", srv.anonymous(t), "POST", "/web/login", login, 415},
		{"login", "application/json", srv.anonymous(t), "POST", "/web/login", login, 200},
		{"login, charset", "application/json; charset=utf-8", srv.anonymous(t), "POST", "/web/login", login, 200},
		{"login, any case", "Application/JSON;Charset=UTF-8", srv.anonymous(t), "POST", "/web/login", login, 200},
		{"register as a form", "application/x-www-form-urlencoded", srv.anonymous(t), "POST", "/web/register", "username=x", 415},
		{"register, no body, no type", unset, srv.anonymous(t), "POST", "/web/register", nil, 415},
		{"refresh without type", unset, ben.cookieClient(), "POST", "/web/refresh", nil, 415},
		{"refresh", "application/json", ben.cookieClient(), "POST", "/web/refresh", nil, 200},
		{"logout without type", unset, ben.cookieClient(), "POST", "/web/logout", nil, 415},
		{"logout as a form", "application/x-www-form-urlencoded", ben.cookieClient(), "POST", "/web/logout", "", 415},
		{"logout", "application/json", ben.cookieClient(), "POST", "/web/logout", nil, 204},
		{"post as text/plain", "text/plain", ben, "POST", "/web/posts", map[string]any{"content": "x"}, 415},
		{"post without type", unset, ben, "POST", "/web/posts", map[string]any{"content": "x"}, 415},
		{"post", "application/json", ben, "POST", "/web/posts", map[string]any{"content": "x"}, 201},
		{"post, no body, no type: the body is missing", unset, ben, "POST", "/web/posts", nil, 422},
		{"mark notifications as text/plain", "text/plain", ben, "PATCH", ben.path("/notifications?read=true"), []string{newID()}, 415},
		{"a body where none is read", "text/plain", ben, "POST", ben.path("/outgoing_friend_requests/", daisy.ID), "x", 415},
		{"no body where none is read", unset, ben, "DELETE", ben.path("/outgoing_friend_requests/", daisy.ID), nil, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.caller
			if c.cookie("/", "csrf_token") != "" {
				c = c.with("X-CSRF-Token", c.cookie("/", "csrf_token"))
			}
			c = c.with("Content-Type", tc.contentType)
			if tc.contentType == unset {
				c = c.with("Content-Type", "")
			}
			resp := c.do(tc.method, tc.path, tc.body)
			if tc.status != http.StatusUnsupportedMediaType {
				resp.want(tc.status)
				return
			}
			if e := resp.wantDetail(http.StatusUnsupportedMediaType); !strings.Contains(e.Message, "application/json") {
				t.Errorf("415 message %q does not name application/json", e.Message)
			}
		})
	}
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

// TestRequestDeadline: a request whose store call cannot finish (here a
// table lock held in PostgreSQL) is answered 503 when its deadline
// passes, instead of waiting as long as the database does.
func TestRequestDeadline(t *testing.T) {
	db := postgrestest.MustOpen(t)
	srv := startServer(t, api.Config{DisableRateLimits: true, RequestTimeout: 300 * time.Millisecond}, db, db)
	ben := registerAndLogin(t, srv)
	ben.get("/web/posts?wall_profile_id=" + ben.ID).want(http.StatusOK)

	tx, err := db.Pool().Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(t.Context(), `LOCK TABLE post IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp := ben.get("/web/posts?wall_profile_id=" + ben.ID)
	resp.wantDetail(http.StatusServiceUnavailable)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("answered after %v, want about the 300 ms deadline", took)
	}
	if resp.header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
}
