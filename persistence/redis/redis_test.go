package redis_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/persistence/cachetest"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/presencetest"
	"github.com/bunnybook/bunnybook/persistence/redis"
	"github.com/bunnybook/bunnybook/persistence/redis/redistest"
)

func TestPresence(t *testing.T) {
	t.Parallel()
	presencetest.Run(t, redistest.MustOpen(t).Presence())
}

func TestPresenceAcrossClients(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := redistest.MustOpen(t)
	// A second node: another client with the same prefix.
	b := redistest.MustOpenPrefix(t, a)
	id := bunnybook.NewID()
	if err := a.Presence().SetOnline(ctx, time.Minute, id); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Presence().Online(ctx, []string{id}); err != nil || len(got) != 1 {
		t.Fatalf("other node sees Online = %v, %v, want [%s]", got, err, id)
	}
}

func TestCache(t *testing.T) {
	t.Parallel()
	cachetest.Run(t, redistest.MustOpen(t).Cache(), false) // the prefix makes the whole cache private
}

func TestRateLimiterFixedWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := redistest.MustOpen(t).RateLimiter(failingLimiter{t})
	for i := range 5 {
		ok, retry, err := l.Allow(ctx, "ip:/path", 3, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if want := i < 3; ok != want {
			t.Fatalf("event %d: ok = %v, want %v", i+1, ok, want)
		}
		if !ok && (retry <= 50*time.Second || retry > time.Minute) {
			t.Fatalf("event %d: retry after %v, want just under 1m", i+1, retry)
		}
	}
	// Another window length on the same key counts separately.
	if ok, _, _ := l.Allow(ctx, "ip:/path", 1, time.Hour); !ok {
		t.Fatal("the 1/h limit was refused on its first event")
	}
	// Windows end.
	if ok, _, _ := l.Allow(ctx, "short", 1, 200*time.Millisecond); !ok {
		t.Fatal("first event refused")
	}
	if ok, _, _ := l.Allow(ctx, "short", 1, 200*time.Millisecond); ok {
		t.Fatal("second event in the window allowed")
	}
	poll(t, "the 200ms window did not end within 5s", func() bool {
		ok, _, _ := l.Allow(ctx, "short", 1, 200*time.Millisecond)
		return ok
	})
}

// TestRateLimiterSharedByNodes checks that two clients (two nodes) hitting
// the same key concurrently share one count.
func TestRateLimiterSharedByNodes(t *testing.T) {
	t.Parallel()
	a := redistest.MustOpen(t)
	nodes := []*redis.RateLimiter{a.RateLimiter(failingLimiter{t}), redistest.MustOpenPrefix(t, a).RateLimiter(failingLimiter{t})}
	var mu sync.Mutex
	var wg sync.WaitGroup
	allowed := 0
	for i := range 8 {
		wg.Go(func() {
			for range 25 {
				ok, _, err := nodes[i%2].Allow(context.Background(), "shared", 50, time.Hour)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if allowed != 50 {
		t.Errorf("got %d allowed over two nodes, want 50", allowed)
	}
}

// TestOutage stops Redis under a client: every contract fails fast or falls
// back, and everything works again once Redis is back, with no new client.
func TestOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := redistest.StartServer(t)
	var logs syncBuffer
	c, err := redis.Open(ctx, srv.URL(), redis.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cache, presence := c.Cache(), c.Presence()
	limiter := c.RateLimiter(memory.NewRateLimiter())
	id := bunnybook.NewID()

	srv.Stop()
	if err := presence.SetOnline(ctx, time.Minute, id); bunnybook.ErrorKind(err) != bunnybook.EUnavailable {
		t.Fatalf("SetOnline with Redis down: %v, want an unavailable error", err)
	}
	if _, _, _, err := cache.Get(ctx, "ns", "k"); bunnybook.ErrorKind(err) != bunnybook.EUnavailable {
		t.Fatalf("Get with Redis down: %v, want an unavailable error", err)
	}
	if !c.Down() {
		t.Fatal("client does not know Redis is down")
	}
	// Local limits meanwhile: 2 allowed, the third refused.
	for i := range 3 {
		ok, _, err := limiter.Allow(ctx, "k", 2, time.Minute)
		if err != nil || ok != (i < 2) {
			t.Fatalf("event %d with Redis down: ok = %v, err = %v", i+1, ok, err)
		}
	}
	start := time.Now()
	for range 100 {
		cache.Get(ctx, "ns", "k")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("100 cache reads with Redis down took %v: not failing fast", d)
	}

	srv.Start()
	poll(t, "client did not use Redis again within 5s of its restart", func() bool {
		return presence.SetOnline(ctx, time.Minute, id) == nil
	})
	if got, err := presence.Online(ctx, []string{id}); err != nil || len(got) != 1 {
		t.Fatalf("Online after recovery = %v, %v", got, err)
	}
	if c.Down() {
		t.Fatal("client still believes Redis is down")
	}
	// Shared counting again: a fresh key starts from one.
	if ok, _, err := limiter.Allow(ctx, "fresh", 1, time.Minute); !ok || err != nil {
		t.Fatalf("Allow after recovery = %v, %v", ok, err)
	}
	// One line when Redis went away, one when it came back: not per call.
	for _, line := range []string{"redis unreachable", "redis reachable again"} {
		if n := strings.Count(logs.String(), line); n != 1 {
			t.Errorf("%q logged %d times, want once:\n%s", line, n, logs.String())
		}
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
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

// failingLimiter is a fallback that must not be used.
type failingLimiter struct{ t *testing.T }

func (f failingLimiter) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	f.t.Error("fallback limiter used while Redis is up")
	return false, 0, fmt.Errorf("fallback used")
}

func poll(tb testing.TB, failure string, done func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			tb.Fatal(failure)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
