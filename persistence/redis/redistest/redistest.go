package redistest

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/bunnybook/bunnybook/persistence/redis"
)

// TestRedisEnv names the environment variable holding the URL of the
// Redis tests use (the one scripts/services.sh prints).
const TestRedisEnv = "BUNNYBOOK_REDIS_URL"

const unreachable = "Redis not reachable: run `eval \"$(scripts/services.sh start redis)\"` (it sets " + TestRedisEnv + ")"

// MustOpen returns a Client on the Redis named by BUNNYBOOK_REDIS_URL whose
// keys start with a fresh prefix (test:<random>:), so tests can run in
// parallel and rerun cleanly; its keys are deleted when the test ends. It
// fails the test when Redis cannot be reached.
func MustOpen(tb testing.TB) *redis.Client {
	tb.Helper()
	url := os.Getenv(TestRedisEnv)
	if url == "" {
		tb.Fatal(unreachable + ": " + TestRedisEnv + " is not set")
	}
	return MustOpenURL(tb, url)
}

// MustOpenURL is MustOpen on the Redis at url.
func MustOpenURL(tb testing.TB, url string) *redis.Client {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	prefix := "test:" + strings.ToLower(rand.Text()[:12]) + ":"
	c, err := redis.Open(ctx, url, redis.Options{Prefix: prefix, Logger: quietLogger(tb)})
	if err != nil {
		tb.Fatalf("%s: %v", unreachable, err)
	}
	tb.Cleanup(func() {
		deleteKeys(url, prefix)
		c.Close()
	})
	return c
}

// deleteKeys removes every key starting with prefix from the Redis at url,
// best effort.
func deleteKeys(url, prefix string) {
	opt, err := goredis.ParseURL(url)
	if err != nil {
		return
	}
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled} // as redis.New
	rdb := goredis.NewClient(opt)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}

// quietLogger logs into the test's output, shown only for failures and -v.
func quietLogger(tb testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tb.Output(), nil))
}

// MustOpenPrefix returns a second Client on the same Redis and prefix as c,
// standing for another node of the same deployment.
func MustOpenPrefix(tb testing.TB, c *redis.Client) *redis.Client {
	tb.Helper()
	other := c.Clone()
	tb.Cleanup(func() { other.Close() })
	return other
}

// MustOpenDown returns a Client whose Redis is down (nothing listens on its
// port), for tests of what the server does without Redis.
func MustOpenDown(tb testing.TB) *redis.Client {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := redis.New("redis://"+addr+"/0", redis.Options{Logger: quietLogger(tb)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}
