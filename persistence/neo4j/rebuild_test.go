package neo4j_test

import (
	"log/slog"
	"math"
	"slices"
	"testing"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/persistence/neo4j"
	"github.com/bunnybook/bunnybook/persistence/neo4j/neo4jtest"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// wantSameGraph fails unless the Neo4j graph answers like the store's.
func wantSameGraph(t *testing.T, store, g bunnybook.Graph, ids []string) {
	t.Helper()
	want, err := graphDump(t.Context(), store, ids)
	if err != nil {
		t.Fatalf("store graph: %v", err)
	}
	got, err := graphDump(t.Context(), g, ids)
	if err != nil {
		t.Fatalf("neo4j graph: %v", err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("neo4j graph:\n%v\nwant (store):\n%v", got, want)
	}
}

// TestRebuild adds Neo4j to a store that ran without it (its outbox
// pruned), then prunes events the graph never saw: both times the relay
// rebuilds the graph from the store.
func TestRebuild(t *testing.T) {
	ctx := t.Context()
	db := sqlitetest.MustOpen(t)
	acc := storetest.MustCreateAccounts(t, db, "ann", "bob", "cat", "dan")
	ids := []string{acc[0].ID, acc[1].ID, acc[2].ID, acc[3].ID}
	storetest.MustBefriend(t, db, ids[0], ids[1])
	storetest.MustBefriend(t, db, ids[1], ids[2])
	note := storetest.NewNotification(ids[0], bunnybook.EventNewFriendshipRequest, bunnybook.Now())
	if err := db.SendFriendRequest(ctx, ids[3], ids[0], note); err != nil {
		t.Fatalf("SendFriendRequest: %v", err)
	}
	if err := db.DeleteGraphEvents(ctx, math.MaxInt64); err != nil { // what a deployment without Neo4j does
		t.Fatalf("DeleteGraphEvents: %v", err)
	}

	g := neo4jtest.MustOpen(t, nil)
	relay := neo4j.NewRelay(g, db, slog.New(slog.DiscardHandler))
	if err := relay.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	wantSameGraph(t, db, g, ids)

	// Writes the relay does not see, then pruned: the graph is behind.
	storetest.MustUnfriend(t, db, ids[0], ids[1])
	storetest.MustBefriend(t, db, ids[2], ids[3])
	if err := db.DeleteGraphEvents(ctx, math.MaxInt64); err != nil {
		t.Fatalf("DeleteGraphEvents: %v", err)
	}
	if err := relay.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	wantSameGraph(t, db, g, ids)
}
