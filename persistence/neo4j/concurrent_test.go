package neo4j_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/bunnybook/bunnybook/persistence/neo4j"
	"github.com/bunnybook/bunnybook/persistence/neo4j/neo4jtest"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// TestConcurrentRelays runs two relays (as two nodes would) on one store
// and one namespace, flushing all the time while friendships come and go:
// the GraphSync lock makes them apply every event once, in order, so the
// graph ends equal to the store's.
func TestConcurrentRelays(t *testing.T) {
	ctx := t.Context()
	db := sqlitetest.MustOpen(t)
	cfg := neo4jtest.TestConfig(t)
	g1, g2 := neo4jtest.MustOpen(t, &cfg), neo4jtest.MustOpen(t, &cfg)
	r1 := neo4j.NewRelay(g1, db, slog.New(slog.DiscardHandler))
	r2 := neo4j.NewRelay(g2, db, slog.New(slog.DiscardHandler))
	names := []string{"a", "b", "c", "d", "e", "f"}
	acc := storetest.MustCreateAccounts(t, db, names...)
	ids := make([]string, len(acc))
	for i, a := range acc {
		ids[i] = a.ID
	}

	flushCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, r := range []*neo4j.Relay{r1, r2} {
		wg.Go(func() {
			for flushCtx.Err() == nil {
				if err := r.Flush(flushCtx); err != nil && flushCtx.Err() == nil {
					t.Errorf("Flush: %v", err)
					return
				}
			}
		})
	}
	for round := range 6 {
		for i := range ids {
			for j := i + 1; j < len(ids); j++ {
				if (i+j+round)%2 == 0 {
					storetest.MustBefriend(t, db, ids[i], ids[j])
				}
			}
		}
		for i := range ids {
			for j := i + 1; j < len(ids); j++ {
				if (i+j+round)%2 == 0 && (i*j+round)%3 != 0 {
					storetest.MustUnfriend(t, db, ids[i], ids[j])
				}
			}
		}
		if round < 5 { // the last round leaves some friendships
			for i := range ids {
				for j := i + 1; j < len(ids); j++ {
					if (i+j+round)%2 == 0 && (i*j+round)%3 == 0 {
						storetest.MustUnfriend(t, db, ids[i], ids[j])
					}
				}
			}
		}
	}
	stop()
	wg.Wait()
	for _, r := range []*neo4j.Relay{r1, r2} {
		if err := r.Flush(ctx); err != nil {
			t.Fatalf("final Flush: %v", err)
		}
	}
	wantSameGraph(t, db, g1, ids)
}
