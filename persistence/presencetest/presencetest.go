// Package presencetest is the contract test suite for bunnybook.Presence,
// run against every implementation (memory, Redis).
package presencetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
)

// Run checks p against the Presence contract. Ids are fresh per run, so
// implementations that share state (Redis) can run it in parallel.
func Run(t *testing.T, p bunnybook.Presence) {
	ctx := context.Background()
	a, b, c := bunnybook.NewID(), bunnybook.NewID(), bunnybook.NewID()

	t.Run("online and offline", func(t *testing.T) {
		mustOnline(t, p, a, time.Minute)
		mustOnline(t, p, c, time.Minute)
		got, err := p.Online(ctx, []string{c, b, a})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{c, a}; !slices.Equal(got, want) {
			t.Fatalf("Online = %v, want %v (only the online ones, in the order asked)", got, want)
		}
		if err := p.SetOffline(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got, _ := p.Online(ctx, []string{a}); len(got) != 0 {
			t.Fatalf("Online after SetOffline = %v, want none", got)
		}
	})
	t.Run("expires after ttl", func(t *testing.T) {
		id := bunnybook.NewID()
		mustOnline(t, p, id, 300*time.Millisecond)
		deadline := time.Now().Add(5 * time.Second)
		for {
			got, err := p.Online(ctx, []string{id})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("still online 5s after a 300ms ttl")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	t.Run("batches", func(t *testing.T) {
		// More ids than one Redis batch (1 000), in one call each way.
		ids := make([]string, 2500)
		for i := range ids {
			ids[i] = bunnybook.NewID()
		}
		if err := p.SetOnline(ctx, time.Minute, ids[:2000]...); err != nil {
			t.Fatal(err)
		}
		got, err := p.Online(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, ids[:2000]) {
			t.Fatalf("Online of 2 500 ids after 2 000 were set online: %d ids, want the 2 000 in order", len(got))
		}
	})
	t.Run("empty lookup", func(t *testing.T) {
		got, err := p.Online(ctx, nil)
		if err != nil || len(got) != 0 {
			t.Fatalf("Online(nil) = %v, %v", got, err)
		}
	})
}

func mustOnline(t *testing.T, p bunnybook.Presence, id string, ttl time.Duration) {
	t.Helper()
	if err := p.SetOnline(context.Background(), ttl, id); err != nil {
		t.Fatal(err)
	}
}
