// Package cachetest is the contract test suite for bunnybook.Cache, run
// against every implementation (memory, Redis).
package cachetest

import (
	"context"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
)

// Run checks c against the Cache contract. Keys and namespaces are fresh
// per run, so shared implementations (Redis) can run it in parallel; BumpAll
// is checked only when shared is false, since it affects every user of c.
func Run(t *testing.T, c bunnybook.Cache, shared bool) {
	ctx := context.Background()
	run := bunnybook.NewID()

	t.Run("get and set", func(t *testing.T) {
		key := run + ":value"
		if _, ok := MustGet(t, c, key); ok {
			t.Fatal("fresh key has a value")
		}
		if err := c.Set(ctx, key, []byte("hello"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if got, ok := MustGet(t, c, key); !ok || string(got) != "hello" {
			t.Fatalf("Get = %q, %v, want hello, true", got, ok)
		}
		if err := c.Set(ctx, key, []byte{}, time.Minute); err != nil {
			t.Fatal(err)
		}
		if got, ok := MustGet(t, c, key); !ok || len(got) != 0 {
			t.Fatalf("Get of an empty value = %q, %v, want empty, true", got, ok)
		}
	})
	t.Run("values expire", func(t *testing.T) {
		key := run + ":short"
		if err := c.Set(ctx, key, []byte("x"), 200*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		poll(t, "value still there 5s after a 200ms ttl", func() bool {
			_, ok := MustGet(t, c, key)
			return !ok
		})
	})
	t.Run("versions", func(t *testing.T) {
		a, b := run+":ns-a", run+":ns-b"
		va, vb := MustVersion(t, c, a), MustVersion(t, c, b)
		if va == vb {
			t.Fatalf("two namespaces share version %q", va)
		}
		if got := MustVersion(t, c, a); got != va {
			t.Fatalf("version changed without a bump: %q, then %q", va, got)
		}
		if err := c.Bump(ctx, a); err != nil {
			t.Fatal(err)
		}
		va2 := MustVersion(t, c, a)
		if va2 == va {
			t.Fatalf("version %q unchanged after Bump", va)
		}
		if got := MustVersion(t, c, b); got != vb {
			t.Fatalf("Bump(a) changed b's version: %q, then %q", vb, got)
		}
		if err := c.Bump(ctx, a, b); err != nil {
			t.Fatal(err)
		}
		if MustVersion(t, c, a) == va2 || MustVersion(t, c, b) == vb {
			t.Fatal("Bump(a, b) left a version unchanged")
		}
		if err := c.Bump(ctx); err != nil {
			t.Fatalf("Bump of nothing: %v", err)
		}
	})
	t.Run("bump all", func(t *testing.T) {
		if shared {
			t.Log("not run on a shared cache")
			return
		}
		a := run + ":all"
		va := MustVersion(t, c, a)
		if err := c.BumpAll(ctx); err != nil {
			t.Fatal(err)
		}
		if got := MustVersion(t, c, a); got == va {
			t.Fatalf("version %q unchanged after BumpAll", va)
		}
	})
	t.Run("lock", func(t *testing.T) {
		key := run + ":lock"
		if ok := MustLock(t, c, key, 200*time.Millisecond); !ok {
			t.Fatal("a free lock was refused")
		}
		if ok := MustLock(t, c, key, 200*time.Millisecond); ok {
			t.Fatal("a held lock was taken again")
		}
		poll(t, "lock still held 5s after a 200ms ttl", func() bool {
			return MustLock(t, c, key, time.Minute)
		})
	})
}

// MustGet calls c.Get and fails the test on error.
func MustGet(tb testing.TB, c bunnybook.Cache, key string) ([]byte, bool) {
	tb.Helper()
	v, ok, err := c.Get(context.Background(), key)
	if err != nil {
		tb.Fatalf("Get %s: %v", key, err)
	}
	return v, ok
}

// MustVersion calls c.Version and fails the test on error.
func MustVersion(tb testing.TB, c bunnybook.Cache, ns string) string {
	tb.Helper()
	v, err := c.Version(context.Background(), ns)
	if err != nil {
		tb.Fatalf("Version %s: %v", ns, err)
	}
	if v == "" {
		tb.Fatalf("Version %s is empty", ns)
	}
	return v
}

// MustLock calls c.Lock and fails the test on error.
func MustLock(tb testing.TB, c bunnybook.Cache, key string, ttl time.Duration) bool {
	tb.Helper()
	ok, err := c.Lock(context.Background(), key, ttl)
	if err != nil {
		tb.Fatalf("Lock %s: %v", key, err)
	}
	return ok
}

// poll calls done every 20ms until it returns true, failing after 5s.
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
