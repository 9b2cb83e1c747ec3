package redis

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// TestRedisEnv names the environment variable holding the URL of the
// Redis tests use (the one scripts/services.sh prints).
const TestRedisEnv = "BUNNYBOOK_REDIS_URL"

const unreachable = "Redis not reachable: run `eval \"$(scripts/services.sh start redis)\"` (it sets " + TestRedisEnv + ")"

// MustOpen returns a Client on the Redis named by BUNNYBOOK_REDIS_URL whose
// keys start with a fresh prefix (test:<random>:), so tests can run in
// parallel and rerun cleanly; its keys are deleted when the test ends. It
// fails the test when Redis cannot be reached.
func MustOpen(tb testing.TB) *Client {
	tb.Helper()
	url := os.Getenv(TestRedisEnv)
	if url == "" {
		tb.Fatal(unreachable + ": " + TestRedisEnv + " is not set")
	}
	return MustOpenURL(tb, url)
}

// MustOpenURL is MustOpen on the Redis at url.
func MustOpenURL(tb testing.TB, url string) *Client {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	prefix := "test:" + strings.ToLower(rand.Text()[:12]) + ":"
	c, err := Open(ctx, url, Options{Prefix: prefix, Logger: quietLogger(tb)})
	if err != nil {
		tb.Fatalf("%s: %v", unreachable, err)
	}
	tb.Cleanup(func() {
		deleteKeys(c, prefix)
		c.Close()
	})
	return c
}

// deleteKeys removes every key starting with prefix, best effort.
func deleteKeys(c *Client, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	iter := c.rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if len(keys) > 0 {
		c.rdb.Del(ctx, keys...)
	}
}

// Server is a throwaway redis-server process for tests that stop and start
// Redis under a running client.
type Server struct {
	tb   testing.TB
	port int
	cmd  *exec.Cmd
}

// StartServer starts redis-server (persisting nothing) on a free loopback
// port and stops it when the test ends.
func StartServer(tb testing.TB) *Server {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		tb.Fatal("redis-server not installed: run `scripts/services.sh start redis` once (it installs the Debian package)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{tb: tb, port: ln.Addr().(*net.TCPAddr).Port}
	ln.Close()
	s.Start()
	tb.Cleanup(s.Stop)
	return s
}

// URL returns the server's redis:// URL.
func (s *Server) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.port) }

// Start starts the server (again, on the same port) and waits until it answers.
func (s *Server) Start() {
	s.tb.Helper()
	s.cmd = exec.Command("redis-server", "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	if err := s.cmd.Start(); err != nil {
		s.tb.Fatalf("start redis-server: %v", err)
	}
	rdb := goredis.NewClient(&goredis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", s.port), MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for rdb.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			s.tb.Fatalf("redis-server on port %d does not answer after 10s", s.port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server (like a crash: nothing is saved) and waits for it
// to exit. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// quietLogger logs into the test's output, shown only for failures and -v.
func quietLogger(tb testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tb.Output(), nil))
}

// MustOpenPrefix returns a second Client on the same Redis and prefix as c,
// standing for another node of the same deployment.
func MustOpenPrefix(tb testing.TB, c *Client) *Client {
	tb.Helper()
	other := newClient(goredis.NewClient(c.rdb.Options()), Options{Prefix: c.prefix, Logger: c.log})
	tb.Cleanup(func() { other.Close() })
	return other
}

// MustOpenDown returns a Client whose Redis is down (nothing listens on its
// port), for tests of what the server does without Redis.
func MustOpenDown(tb testing.TB) *Client {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := New("redis://"+addr+"/0", Options{Logger: quietLogger(tb)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}
