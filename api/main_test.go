package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/golang-jwt/jwt/v5"
	"github.com/valyala/fasthttp"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/api"
	"github.com/bunnybook/bunnybook/auth"
	"github.com/bunnybook/bunnybook/persistence/cached"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/neo4j"
	"github.com/bunnybook/bunnybook/persistence/neo4j/neo4jtest"
	"github.com/bunnybook/bunnybook/persistence/postgres/postgrestest"
	"github.com/bunnybook/bunnybook/persistence/redis/redistest"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
)

// testSecret signs the test servers' tokens; tests use it to forge some.
var testSecret = []byte("test-secret-test-secret-test-secret!")

// cheapArgon2 replaces the OWASP cost in these tests: hashing dominated
// their run time (about 30 ms per hash). auth's own tests use the real cost.
var cheapArgon2 = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// backend opens a fresh store on one of the relational backends.
type backend struct {
	name string
	open func(t *testing.T) (bunnybook.Store, bunnybook.Graph)
}

// backends are the stores every HTTP test runs against. PostgreSQL needs
// BUNNYBOOK_TEST_DATABASE_URL (scripts/services.sh start postgres); without
// it those subtests fail, saying so.
var backends = []backend{
	{"sqlite", func(t *testing.T) (bunnybook.Store, bunnybook.Graph) { db := sqlitetest.MustOpen(t); return db, db }},
	{"postgres", func(t *testing.T) (bunnybook.Store, bunnybook.Graph) { db := postgrestest.MustOpen(t); return db, db }},
	// PostgreSQL behind the Redis cache, as deployed (BUNNYBOOK_REDIS_URL).
	{"postgres+redis", func(t *testing.T) (bunnybook.Store, bunnybook.Graph) {
		db := postgrestest.MustOpen(t)
		s := cached.New(db, db, redistest.MustOpen(t).Cache(), cached.Options{})
		return s, s
	}},
	// The whole production stack: PostgreSQL, the graph served by Neo4j
	// (fed through the outbox relay), behind the Redis cache.
	{"postgres+neo4j+redis", func(t *testing.T) (bunnybook.Store, bunnybook.Graph) {
		db := postgrestest.MustOpen(t)
		g := neo4jtest.MustOpen(t, nil)
		relay := neo4j.NewRelay(g, db, slog.New(slog.DiscardHandler))
		if err := relay.Start(t.Context()); err != nil {
			t.Fatalf("start relay: %v", err)
		}
		projecting := neo4j.Projecting{Store: db, Relay: relay}
		s := cached.New(projecting, g, redistest.MustOpen(t).Cache(), cached.Options{})
		return s, s
	}},
	// The same with Redis down: every request must still succeed.
	{"sqlite+redis-down", func(t *testing.T) (bunnybook.Store, bunnybook.Graph) {
		db := sqlitetest.MustOpen(t)
		s := cached.New(db, db, redistest.MustOpenDown(t).Cache(), cached.Options{})
		return s, s
	}},
}

// testServer is a real API server on a loopback port.
type testServer struct {
	t     *testing.T
	url   string
	store bunnybook.Store
	logs  *syncBuffer // JSON log lines
}

// forEachBackend runs test against a server on each backend, with rate
// limits off unless cfg says otherwise.
func forEachBackend(t *testing.T, test func(t *testing.T, srv *testServer)) {
	forEachBackendWith(t, api.Config{DisableRateLimits: true}, test)
}

func forEachBackendWith(t *testing.T, cfg api.Config, test func(t *testing.T, srv *testServer)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			store, graph := b.open(t)
			test(t, startServer(t, cfg, store, graph))
		})
	}
}

// startServer serves the API on 127.0.0.1:0 until the test ends.
func startServer(t *testing.T, cfg api.Config, store bunnybook.Store, graph bunnybook.Graph) *testServer {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := auth.New(auth.Config{Secret: testSecret, Argon2: cheapArgon2,
		Revocations: memory.NewRevocations(), Attempts: memory.NewAttempts()}, store)
	if err != nil {
		t.Fatal(err)
	}
	svc := bunnybook.NewService(store, graph, logger)
	srv := api.New(cfg, svc, a, memory.NewRateLimiter(), logger)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &fasthttp.Server{Handler: srv.Handler(), ErrorHandler: srv.ErrorHandler, MaxRequestBodySize: 1 << 20,
		DisablePreParseMultipartForm: true, Logger: log.New(io.Discard, "", 0)}
	go hs.Serve(ln)
	t.Cleanup(func() {
		if err := hs.Shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &testServer{t: t, url: "http://" + ln.Addr().String(), store: store, logs: logs}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// client calls the server as one user (or anonymously). It keeps cookies;
// with bearer set it sends the access token as an Authorization header.
type client struct {
	t      *testing.T
	srv    *testServer
	http   *http.Client
	header http.Header // sent with every request
	bearer string

	// The signed-in user, when there is one.
	ID, Username, Email, Password string
}

func (srv *testServer) anonymous(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, srv: srv, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}, header: http.Header{}}
}

var userSeq struct {
	sync.Mutex
	n int
}

// newUsername returns a unique username starting with prefix.
func newUsername(prefix string) string {
	userSeq.Lock()
	defer userSeq.Unlock()
	userSeq.n++
	return fmt.Sprintf("%s%d%s", prefix, userSeq.n, strings.ToLower(rand8()))
}

// rand8 returns 8 random hex digits (the end of a UUIDv7: its start is the
// clock, the same for a minute).
func rand8() string { id := bunnybook.NewID(); return id[len(id)-8:] }

// registerAndLogin signs up a new user and signs in with a Bearer token
// (like the original's test fixture).
func registerAndLogin(t *testing.T, srv *testServer) *client {
	t.Helper()
	return registerAs(t, srv, newUsername("bunny"))
}

// registerAs signs up and signs in a user with that username.
func registerAs(t *testing.T, srv *testServer, username string) *client {
	t.Helper()
	c := srv.anonymous(t)
	c.Username, c.Email, c.Password = username, strings.ToLower(username)+"@bunnybook.com", "password-"+username
	var acc struct{ ID string }
	c.post("/web/register", map[string]any{"username": c.Username, "email": c.Email, "password": c.Password}).
		want(http.StatusCreated).decode(&acc)
	c.ID = acc.ID
	c.bearer = c.login().AccessToken
	return c
}

type tokens struct {
	AccessToken string `json:"accessToken"`
	AccessExp   int64  `json:"accessExp"`
	RefreshExp  int64  `json:"refreshExp"`
	CSRFToken   string `json:"csrfToken"`
}

// login signs in with the client's credentials (setting its cookies).
func (c *client) login() tokens {
	c.t.Helper()
	var tk tokens
	c.post("/web/login", map[string]any{"email": c.Email, "password": c.Password}).want(http.StatusOK).decode(&tk)
	return tk
}

// cookieClient returns a browser-like client for the same user: cookies
// only, no Authorization header.
func (c *client) cookieClient() *client {
	c.t.Helper()
	b := c.srv.anonymous(c.t)
	b.ID, b.Username, b.Email, b.Password = c.ID, c.Username, c.Email, c.Password
	b.login()
	return b
}

// cookie returns the value of a cookie the client holds for path.
func (c *client) cookie(path, name string) string {
	u, _ := url.Parse(c.srv.url + path)
	for _, k := range c.http.Jar.Cookies(u) {
		if k.Name == name {
			return k.Value
		}
	}
	return ""
}

// response is a finished HTTP exchange.
type response struct {
	t      *testing.T
	req    string
	status int
	header http.Header
	body   []byte
}

func (c *client) get(path string) *response             { return c.do("GET", path, nil) }
func (c *client) post(path string, body any) *response  { return c.do("POST", path, body) }
func (c *client) patch(path string, body any) *response { return c.do("PATCH", path, body) }
func (c *client) delete(path string) *response          { return c.do("DELETE", path, nil) }

// jsonSessionPaths need Content-Type: application/json even without a body.
var jsonSessionPaths = map[string]bool{"/web/refresh": true, "/web/logout": true}

// do sends a request. body is encoded as JSON unless it is a string or
// []byte, which are sent as they are. Requests with a body, and those to
// jsonSessionPaths, say Content-Type: application/json unless the client's
// headers set another (or, set to "", none).
func (c *client) do(method, path string, body any) *response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, c.srv.url+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil || jsonSessionPaths[path] {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if req.Header.Get("Content-Type") == "" { // with("Content-Type", ""): send none
		req.Header.Del("Content-Type")
	}
	if c.bearer != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return &response{t: c.t, req: method + " " + path, status: resp.StatusCode, header: resp.Header, body: data}
}

// with returns a copy of c sending an extra header.
func (c *client) with(key, value string) *client {
	d := *c
	d.header = c.header.Clone()
	d.header.Set(key, value)
	return &d
}

// withBearer returns a copy of c sending token as its Bearer token.
func (c *client) withBearer(token string) *client {
	d := *c
	d.bearer = token
	return &d
}

// want fails the test unless the response has that status.
func (r *response) want(status int) *response {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("%s: got status %d, want %d; body %s", r.req, r.status, status, r.body)
	}
	return r
}

// decode decodes the JSON body into v.
func (r *response) decode(v any) *response {
	r.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("%s: decode %s: %v", r.req, r.body, err)
	}
	return r
}

// errorBody is every error body's members, for assertions.
type errorBody struct {
	Detail  json.RawMessage `json:"detail"`
	Message string          `json:"message"`
	Code    string          `json:"code"`
	Error   *struct {
		Field string `json:"field"`
	} `json:"error"`
}

// wantError checks the status of an error response and returns its body.
func (r *response) wantError(status int) errorBody {
	r.t.Helper()
	r.want(status)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		r.t.Errorf("%s: error content type %q, want application/json", r.req, ct)
	}
	var e errorBody
	r.decode(&e)
	return e
}

// wantDetail checks a generic error: status, and detail = reason phrase.
func (r *response) wantDetail(status int) errorBody {
	r.t.Helper()
	e := r.wantError(status)
	if want := fmt.Sprintf("%q", http.StatusText(status)); string(e.Detail) != want {
		r.t.Errorf("%s: detail %s, want %s", r.req, e.Detail, want)
	}
	return e
}

// validationItem is one entry of a 422 body.
type validationItem struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

// want422 checks a validation error whose entries include one at loc
// (e.g. "body", "content") and returns them.
func (r *response) want422(loc ...any) []validationItem {
	r.t.Helper()
	e := r.wantError(http.StatusUnprocessableEntity)
	var items []validationItem
	if err := json.Unmarshal(e.Detail, &items); err != nil {
		r.t.Fatalf("%s: 422 detail is not a list: %s", r.req, e.Detail)
	}
	if e.Message == "" {
		r.t.Errorf("%s: 422 without message", r.req)
	}
	want := fmt.Sprintf("%v", loc)
	for _, it := range items {
		if fmt.Sprint(normalizeLoc(it.Loc)) == want {
			return items
		}
	}
	r.t.Fatalf("%s: no 422 entry at loc %v in %s", r.req, want, r.body)
	return nil
}

// normalizeLoc turns JSON numbers back into ints for comparison.
func normalizeLoc(loc []any) []any {
	out := make([]any, len(loc))
	for i, v := range loc {
		if f, ok := v.(float64); ok {
			v = int(f)
		}
		out[i] = v
	}
	return out
}

// signToken forges an access token with the test secret.
func signToken(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// claimsFor returns valid-looking claims for c, expiring at exp.
func claimsFor(c *client, exp time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"sub": c.ID, "iat": exp.Add(-15 * time.Minute).Unix(), "exp": exp.Unix(),
		"user": map[string]string{"id": c.ID, "username": c.Username, "email": c.Email, "role": "USER"},
	}
}

func apiConfigSecureCookies() api.Config {
	return api.Config{DisableRateLimits: true, SecureCookies: true}
}

func newID() string { return bunnybook.NewID() }
