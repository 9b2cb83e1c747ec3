package memory

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for the limiter.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newTestLimiter() (*RateLimiter, *fakeClock) {
	c := &fakeClock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := NewRateLimiter()
	l.now = c.now
	return l, c
}

func TestRateLimiterFixedWindow(t *testing.T) {
	type step struct {
		advance   time.Duration
		key       string
		wantOK    bool
		wantRetry time.Duration
	}
	steps := []step{
		{0, "a", true, 0},
		{100 * time.Millisecond, "a", true, 0},
		{100 * time.Millisecond, "a", true, 0},
		{100 * time.Millisecond, "a", false, 700 * time.Millisecond}, // 4th within the window
		{0, "b", true, 0},                                            // other keys have their own windows
		{600 * time.Millisecond, "a", false, 100 * time.Millisecond},
		{100 * time.Millisecond, "a", true, 0}, // the window ended: a new one starts
		{0, "a", true, 0},
	}
	l, clock := newTestLimiter()
	for i, s := range steps {
		clock.advance(s.advance)
		ok, retry, err := l.Allow(context.Background(), s.key, 3, time.Second)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if ok != s.wantOK || retry != s.wantRetry {
			t.Errorf("step %d: got (%v, %v), want (%v, %v)", i, ok, retry, s.wantOK, s.wantRetry)
		}
	}
}

func TestRateLimiterWindowsOfOneKeyAreSeparate(t *testing.T) {
	l, clock := newTestLimiter()
	ctx := context.Background()
	// 1/s and 2/min on the same key, like the register endpoint.
	allow := func() bool {
		okSec, _, _ := l.Allow(ctx, "k", 1, time.Second)
		okMin, _, _ := l.Allow(ctx, "k", 2, time.Minute)
		return okSec && okMin
	}
	got := []bool{allow()}
	clock.advance(time.Second)
	got = append(got, allow())
	clock.advance(time.Second)
	got = append(got, allow())
	want := []bool{true, true, false}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("call %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func TestRateLimiterDropsExpiredWindows(t *testing.T) {
	l, clock := newTestLimiter()
	ctx := context.Background()
	for i := range 1000 {
		l.Allow(ctx, fmt.Sprint("ip", i), 5, time.Second)
	}
	if got := l.Len(); got != 1000 {
		t.Fatalf("got %d windows, want 1000", got)
	}
	clock.advance(2 * time.Second)
	l.Allow(ctx, "new", 5, time.Second)
	if got := l.Len(); got != 1 {
		t.Errorf("after expiry got %d windows, want 1", got)
	}
}

func TestRateLimiterConcurrent(t *testing.T) {
	l := NewRateLimiter()
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 8 {
		wg.Go(func() {
			for range 100 {
				ok, _, _ := l.Allow(context.Background(), "shared", 50, time.Hour)
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
		t.Errorf("got %d allowed, want 50", allowed)
	}
}
