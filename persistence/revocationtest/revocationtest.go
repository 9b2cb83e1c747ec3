// Package revocationtest is the contract test suite of
// bunnybook.Revocations, run against every implementation (memory, Redis).
// Session ids are fresh per run, so implementations that share state
// (Redis) can run it in parallel.
package revocationtest

import (
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
)

// Run checks r against the Revocations contract.
func Run(t *testing.T, r bunnybook.Revocations) {
	ctx := t.Context()
	gone, kept := bunnybook.NewID(), bunnybook.NewID()
	if err := r.Revoke(ctx, gone, time.Minute); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if !revoked(t, r, gone) {
		t.Fatal("a revoked session is not denied")
	}
	if revoked(t, r, kept) {
		t.Fatal("a session never revoked is denied")
	}

	short := bunnybook.NewID()
	if err := r.Revoke(ctx, short, 200*time.Millisecond); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	for deadline := time.Now().Add(5 * time.Second); revoked(t, r, short); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("still denied 5s after a 200ms revocation ended")
		}
	}
}

func revoked(tb testing.TB, r bunnybook.Revocations, id string) bool {
	tb.Helper()
	ok, err := r.Revoked(tb.Context(), id)
	if err != nil {
		tb.Fatalf("Revoked: %v", err)
	}
	return ok
}

// Shared checks that a revocation made through a is seen through b (two
// nodes on one shared store).
func Shared(t *testing.T, a, b bunnybook.Revocations) {
	id := bunnybook.NewID()
	if err := a.Revoke(t.Context(), id, time.Minute); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if !revoked(t, b, id) {
		t.Fatal("a session revoked on one node is not denied on another")
	}
}
