package web

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/valyala/fasthttp"
)

// MustServe serves h on a loopback port for the test and returns its base URL.
func MustServe(tb testing.TB, h fasthttp.RequestHandler) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	srv := &fasthttp.Server{Handler: h}
	go srv.Serve(ln) //nolint:errcheck // ends with the listener
	tb.Cleanup(func() { _ = srv.Shutdown() })
	return "http://" + ln.Addr().String()
}

func TestHandler(t *testing.T) {
	built := fstest.MapFS{
		"index.html":              {Data: []byte("<!doctype html><title>Bunnybook</title>")},
		"assets/index-abc123.js":  {Data: []byte("console.log(1)")},
		"assets/index-abc123.css": {Data: []byte("body{}")},
		"bunny.svg":               {Data: []byte("<svg></svg>")},
		".keep":                   {},
	}
	base := MustServe(t, handlerFor(built))
	tests := []struct {
		method, path string
		status       int
		ctype, cache string
		body         string
	}{
		{"GET", "/", 200, "text/html", "no-cache", "<title>Bunnybook"},
		{"GET", "/index.html", 200, "text/html", "no-cache", "<title>Bunnybook"},
		{"GET", "/profile/123/friends", 200, "text/html", "no-cache", "<title>Bunnybook"},
		{"GET", "/assets/index-abc123.js", 200, "javascript", "immutable", "console.log"},
		{"GET", "/assets/index-abc123.css", 200, "text/css", "immutable", "body{}"},
		{"GET", "/bunny.svg", 200, "image/svg+xml", "max-age=3600", "<svg>"},
		{"GET", "/assets/missing.js", 404, "", "", ""},
		{"GET", "/missing.png", 404, "", "", ""},
		{"GET", "/.keep", 200, "text/html", "no-cache", "<title>Bunnybook"},
		{"GET", "/../../etc/passwd", 200, "text/html", "no-cache", "<title>Bunnybook"},
		{"HEAD", "/", 200, "text/html", "no-cache", ""},
		{"POST", "/", 405, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			status, header, body := MustDo(t, tt.method, base+tt.path)
			if status != tt.status {
				t.Fatalf("status: got %d, want %d", status, tt.status)
			}
			if got := header.Get("Content-Type"); !strings.Contains(got, tt.ctype) {
				t.Errorf("content type: got %q, want it to contain %q", got, tt.ctype)
			}
			if got := header.Get("Cache-Control"); !strings.Contains(got, tt.cache) {
				t.Errorf("cache control: got %q, want it to contain %q", got, tt.cache)
			}
			if !strings.Contains(body, tt.body) {
				t.Errorf("body: got %q, want it to contain %q", body, tt.body)
			}
		})
	}
}

func TestHandlerNotBuilt(t *testing.T) {
	base := MustServe(t, handlerFor(fstest.MapFS{".keep": {}}))
	for _, p := range []string{"/", "/profile", "/assets/x.js"} {
		status, header, body := MustDo(t, "GET", base+p)
		if status != 200 || !strings.Contains(body, "make ui") {
			t.Errorf("GET %s: got %d %q, want 200 and a page naming `make ui`", p, status, body)
		}
		if got := header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("GET %s: cache control: got %q, want no-store", p, got)
		}
	}
}

// TestHandlerEmbedded checks the real embedded build, whichever state it is in.
func TestHandlerEmbedded(t *testing.T) {
	base := MustServe(t, Handler())
	status, header, body := MustDo(t, "GET", base+"/")
	if status != 200 || !strings.Contains(header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: got %d %s, want 200 text/html", status, header.Get("Content-Type"))
	}
	if !strings.Contains(body, "Bunnybook") {
		t.Errorf("GET /: body %q does not name Bunnybook", body)
	}
}

// MustDo sends one request and returns its status, headers and body.
func MustDo(tb testing.TB, method, url string) (int, http.Header, string) {
	tb.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		tb.Fatalf("request: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return resp.StatusCode, resp.Header, string(body)
}
