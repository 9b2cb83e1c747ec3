package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain lets the test binary act as a bunnyload worker process, as the
// real binary does when the coordinator re-executes itself.
func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) != "" {
		os.Exit(Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	shared.stop()
	os.Exit(code)
}

// server is a real bunnybook server in a subprocess, on a seeded SQLite
// store, shared by the tests of this package.
type server struct {
	URL   string
	Users string // users file
	err   error
	cmd   *exec.Cmd
	dir   string
	bin   string   // the bunnybook binary
	env   []string // its environment
}

// stop ends the server process and removes its files.
func (s server) stop() {
	s.halt()
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// halt ends the server process gracefully (killing it after 15 s).
func (s server) halt() {
	if s.cmd != nil {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			s.cmd.Process.Kill()
		}
	}
}

// restart kills the server process (SIGKILL: its connections drop without
// a close frame) and starts it again on the same address and data.
func (s *server) restart() error {
	s.cmd.Process.Kill()
	s.cmd.Wait()
	addr := strings.TrimPrefix(s.URL, "http://")
	cmd, got, err := serve(s.bin, append(s.env, "BUNNYBOOK_HTTP_ADDR="+addr))
	if err != nil {
		return err
	}
	if got != addr {
		cmd.Process.Kill()
		cmd.Wait()
		return fmt.Errorf("restarted server serves %s, want %s", got, addr)
	}
	s.cmd = cmd
	return nil
}

var (
	serverOnce sync.Once
	shared     server
)

const seededUsers = 400

// MustServer builds bunnybook, seeds seededUsers profiles and serves them;
// the server stops when the test binary exits.
func MustServer(tb testing.TB) server {
	tb.Helper()
	serverOnce.Do(func() { shared = startServer() })
	if shared.err != nil {
		tb.Fatalf("bunnybook server for the load tests: %v", shared.err)
	}
	return shared
}

func startServer(extraEnv ...string) server {
	dir, err := os.MkdirTemp("", "bunnyload-test-")
	if err != nil {
		return server{err: err}
	}
	fail := func(err error) server { os.RemoveAll(dir); return server{err: err} }
	bin := filepath.Join(dir, "bunnybook")
	if out, err := exec.Command("go", "build", "-o", bin, "../bunnybook").CombinedOutput(); err != nil {
		return fail(fmt.Errorf("go build ../bunnybook: %v\n%s", err, out))
	}
	env := append(os.Environ(),
		"BUNNYBOOK_DATA_DIR="+filepath.Join(dir, "data"),
		"BUNNYBOOK_JWT_SECRET="+strings.Repeat("L", 32),
		// The embedded default alone, whatever services the test run has.
		"BUNNYBOOK_DATABASE_URL=",
		"BUNNYBOOK_REDIS_URL=",
		"BUNNYBOOK_NEO4J_URL=",
		"BUNNYBOOK_CLUSTER_ETCD=",
		"BUNNYBOOK_RATE_LIMITS=false",
		"BUNNYBOOK_WS_RATE=100",
		"BUNNYBOOK_LOG_LEVEL=info",
		"BUNNYBOOK_HTTP_ADDR=127.0.0.1:0",
	)
	env = append(env, extraEnv...)
	users := filepath.Join(dir, "users.jsonl")
	seed := exec.Command(bin, "seed", "--profiles", fmt.Sprint(seededUsers), "--friends", "10", "--out", users)
	seed.Env = env
	if out, err := seed.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("bunnybook seed: %v\n%s", err, out))
	}
	cmd, addr, err := serve(bin, env)
	if err != nil {
		return fail(err)
	}
	return server{URL: "http://" + addr, Users: users, cmd: cmd, dir: dir, bin: bin, env: env}
}

// serve starts `bin serve` with env and returns it with the address it
// serves on.
func serve(bin string, env []string) (*exec.Cmd, string, error) {
	serve := exec.Command(bin, "serve")
	serve.Env = env
	stderr, _ := serve.StderrPipe()
	if err := serve.Start(); err != nil {
		return nil, "", fmt.Errorf("bunnybook serve: %v", err)
	}
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`bunnybook serving.* addr=(\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return serve, a, nil
	case <-time.After(30 * time.Second):
		serve.Process.Kill()
		serve.Wait()
		return nil, "", fmt.Errorf("bunnybook serve did not log its address within 30s")
	}
}

// load runs bunnyload with args plus the server and reports, and returns
// the exit status, the parsed JSON report and the HTML report.
func load(t *testing.T, s server, args ...string) (int, *Report, string) {
	t.Helper()
	dir := t.TempDir()
	jsonPath, htmlPath := filepath.Join(dir, "report.json"), filepath.Join(dir, "report.html")
	args = append([]string{"--target", s.URL, "--users", s.Users, "--quiet", "--report-json", jsonPath, "--report-html", htmlPath}, args...)
	var stdout, stderr strings.Builder
	code := Main(context.Background(), args, &stdout, &stderr)
	t.Logf("bunnyload %s → %d\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	if code == 2 {
		t.Fatalf("bunnyload failed: %s", stderr.String())
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("JSON report does not parse: %v", err)
	}
	h, err := os.ReadFile(htmlPath)
	if err != nil {
		t.Fatal(err)
	}
	return code, &r, string(h)
}

func TestConnectScenario(t *testing.T) {
	s := MustServer(t)
	code, r, html := load(t, s, "--scenario", "connect", "--connections", "300", "--duration", "2s", "--workers", "2",
		"--source-ips", "127.0.0.1-127.0.0.2", "--threshold", "connect.failed<1", "--threshold", "connect.setup.p99<5s")
	if code != 0 {
		t.Errorf("exit status %d, want 0 (thresholds %+v)", code, r.Thresholds)
	}
	if got := r.Metrics["connect.ok"].Count; got != 300 {
		t.Errorf("connect.ok = %d, want 300", got)
	}
	if got := r.Metrics["connections.open"].Peak; got != 300 {
		t.Errorf("peak open connections = %v, want 300", got)
	}
	if r.Metrics["connect.setup"].Count != 300 || r.Metrics["connect.rate"].Value <= 0 {
		t.Errorf("connect.setup %+v, connect.rate %+v", r.Metrics["connect.setup"], r.Metrics["connect.rate"])
	}
	for _, want := range []string{"<svg", "latency percentiles over time: connect.setup", "throughput", "open connections", "<polyline"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	for _, external := range []string{"<script", "src=", "href=\"http", "@import"} {
		if strings.Contains(html, external) {
			t.Errorf("HTML report is not self-contained: has %q", external)
		}
	}
}

// TestConnectHonoursRetryAfter: a server that sets up one connection at a
// time and lets one more wait refuses the others' upgrades with 503 and
// Retry-After; bunnyload comes back after the hint, and every connection
// is set up, none failed.
func TestConnectHonoursRetryAfter(t *testing.T) {
	s := startServer("BUNNYBOOK_WS_ATTACH_CONCURRENCY=1", "BUNNYBOOK_WS_ATTACH_QUEUE=1")
	if s.err != nil {
		t.Fatalf("bunnybook server: %v", s.err)
	}
	t.Cleanup(s.stop)
	code, r, _ := load(t, s, "--scenario", "connect", "--connections", "100", "--duration", "1s", "--dial-concurrency", "50")
	if code != 0 || r.Metrics["connect.ok"].Count != 100 || r.Metrics["connect.failed"].Count != 0 {
		t.Errorf("exit %d, connect.ok %d, connect.failed %d; want 0, 100, 0",
			code, r.Metrics["connect.ok"].Count, r.Metrics["connect.failed"].Count)
	}
	if r.Metrics["connect.busy"].Count == 0 {
		t.Error("no upgrade was refused as busy: the test did not fill the server")
	}
}

func TestChatScenario(t *testing.T) {
	s := MustServer(t)
	code, r, html := load(t, s, "--scenario", "chat", "--connections", "300", "--duration", "3s", "--rate", "300",
		"--threshold", "chat.lost<1", "--threshold", "chat.missing==0", "--threshold", "chat.duplicates<1", "--threshold", "chat.inversions<=0")
	if code != 0 {
		t.Errorf("exit status %d, want 0 (thresholds %+v)", code, r.Thresholds)
	}
	sent, acked, received := r.Metrics["chat.sent"].Count, r.Metrics["chat.acked"].Count, r.Metrics["chat.received"].Count
	if sent < 600 || acked != sent || received != acked {
		t.Errorf("sent %d, acked %d, received %d; want ≥ 600, all acked and received", sent, acked, received)
	}
	if d := r.Metrics["chat.delivery"]; d.Count != received || d.P50 <= 0 || d.P99 < d.P50 {
		t.Errorf("chat.delivery = %+v", d)
	}
	if len(r.Series) < 3 || !strings.Contains(html, "chat.delivery") {
		t.Errorf("series of %d points; HTML mentions chat.delivery: %v", len(r.Series), strings.Contains(html, "chat.delivery"))
	}
}

// TestChatScenarioReads: with --read-ratio 1 every recipient marks each
// message read; the marks that move a pointer come back as chat.seen.
func TestChatScenarioReads(t *testing.T) {
	s := MustServer(t)
	code, r, _ := load(t, s, "--scenario", "chat", "--connections", "100", "--duration", "2s", "--rate", "100",
		"--read-ratio", "1", "--threshold", "chat.missing==0", "--threshold", "chat.read.errors<1")
	if code != 0 {
		t.Errorf("exit status %d, want 0 (thresholds %+v)", code, r.Thresholds)
	}
	received, sent, seen := r.Metrics["chat.received"].Count, r.Metrics["chat.read.sent"].Count, r.Metrics["chat.read.seen"].Count
	if received == 0 || sent != received || seen == 0 || seen > sent {
		t.Errorf("received %d, chat.read sent %d, seen %d; want one read per message received, some seen", received, sent, seen)
	}
	if d := r.Metrics["chat.read"]; d.Count != seen || d.P50 <= 0 {
		t.Errorf("chat.read = %+v, want %d observations", d, seen)
	}
}

func TestGroupsScenario(t *testing.T) {
	s := MustServer(t)
	// Two workers: members learn groups created by the other process.
	code, r, _ := load(t, s, "--scenario", "groups", "--connections", "200", "--workers", "2", "--duration", "3s",
		"--rate", "100", "--group-size", "4-8",
		"--threshold", "groups.failed<1", "--threshold", "chat.missing==0", "--threshold", "chat.duplicates<1", "--threshold", "chat.inversions<=0")
	if code != 0 {
		t.Errorf("exit status %d, want 0 (thresholds %+v)", code, r.Thresholds)
	}
	created, acked, received := r.Metrics["groups.created"].Count, r.Metrics["chat.acked"].Count, r.Metrics["chat.received"].Count
	// Every message reaches 3 to 7 other members.
	if created < 20 || acked < 200 || received < 3*acked || received > 7*acked {
		t.Errorf("%d groups created, %d messages acked, %d received; want ≥ 20, ≥ 200, and 3 to 7 receipts each", created, acked, received)
	}
	if d := r.Metrics["chat.delivery"]; d.Count == 0 || d.P99 < d.P50 {
		t.Errorf("chat.delivery = %+v", d)
	}
}

func TestOtherScenarios(t *testing.T) {
	s := MustServer(t)
	for _, tc := range []struct {
		scenario, rate, metric string
	}{
		{"presence", "10", "presence.online"},
		{"rest", "100", "rest.read"},
		{"mixed", "100", "rest.post"},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			code, r, _ := load(t, s, "--scenario", tc.scenario, "--connections", "200", "--duration", "3s", "--rate", tc.rate)
			if code != 0 || r.Metrics[tc.metric].Count == 0 {
				t.Errorf("exit %d, %s = %+v; want 0 and some samples", code, tc.metric, r.Metrics[tc.metric])
			}
			for name, m := range r.Metrics {
				if strings.HasPrefix(name, "errors.") || strings.HasSuffix(name, ".failed") && m.Count > 0 {
					t.Errorf("%s = %d", name, m.Count)
				}
			}
		})
	}
}

func TestFailingThresholdExitsNonZero(t *testing.T) {
	s := MustServer(t)
	code, r, _ := load(t, s, "--scenario", "connect", "--connections", "20", "--duration", "1s",
		"--threshold", "connect.setup.p50<1us", "--threshold", "connect.ok>0")
	if code != 1 || r.Passed || len(r.Thresholds) != 2 || r.Thresholds[0].OK || !r.Thresholds[1].OK {
		t.Fatalf("exit %d, thresholds %+v; want 1 with the first failing", code, r.Thresholds)
	}
}

func TestParseThreshold(t *testing.T) {
	ms := map[string]Metric{
		"chat.delivery": {Kind: "latency", Count: 10, P99: 12.5, Rate: 5},
		"chat.lost":     {Kind: "counter", Count: 2, Rate: 0.5},
		"connect.rate":  {Kind: "level", Value: 1500},
	}
	for _, tc := range []struct {
		expr string
		ok   bool
	}{
		{"chat.delivery.p99<50ms", true},
		{"chat.delivery.p99<0.01s", false},
		{"chat.delivery.p99>10", true},
		{"chat.delivery.count>9", true},
		{"chat.lost<1", false},
		{"chat.lost.rate<1/s", true},
		{"connect.rate>1000", true},
		{"never.recorded<1", true},
		{"chat.lost==2", true},
		{"chat.lost==0", false},
		{"chat.lost<=2", true},
		{"chat.lost>=3", false},
		{"chat.delivery.p99>=12.5ms", true},
	} {
		th, err := parseThreshold(tc.expr)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		if got := th.check(ms); got.OK != tc.ok {
			t.Errorf("%s: ok = %v (actual %s), want %v", tc.expr, got.OK, got.Actual, tc.ok)
		}
	}
	for _, bad := range []string{"chat.delivery.p99", "<5", "x<fast", "x>", "x=1", "x==", "x<="} {
		if _, err := parseThreshold(bad); err == nil {
			t.Errorf("parseThreshold(%q) accepted it", bad)
		}
	}
}

func TestParseSources(t *testing.T) {
	got, err := parseSources("127.0.0.1-127.0.0.3")
	if err != nil || strings.Join(got, ",") != "127.0.0.1,127.0.0.2,127.0.0.3" {
		t.Errorf("range: %v, %v", got, err)
	}
	if _, err := parseSources("127.0.0.3-127.0.0.1"); err == nil {
		t.Error("backwards range accepted")
	}
}

func TestHelp(t *testing.T) {
	var out strings.Builder
	if code := Main(context.Background(), []string{"--help"}, io.Discard, &out); code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	for _, want := range []string{"connect", "chat", "presence", "rest", "mixed", "--workers", "--threshold", "BUNNYBOOK_WS_RATE", "-source-ips"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help does not mention %s", want)
		}
	}
}
