package neo4j_test

import (
	"log/slog"
	"testing"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/persistence/neo4j"
	"github.com/bunnybook/bunnybook/persistence/neo4j/neo4jtest"
	"github.com/bunnybook/bunnybook/persistence/postgres/postgrestest"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// relational is a store that keeps a graph outbox.
type relational interface {
	bunnybook.Store
	bunnybook.GraphOutbox
}

// mustProject starts a relay from s to a fresh Neo4j namespace and returns
// the projecting store and the Neo4j graph.
func mustProject(t testing.TB, s relational) (neo4j.Projecting, *neo4j.DB) {
	t.Helper()
	g := neo4jtest.MustOpen(t, nil)
	relay := neo4j.NewRelay(g, s, slog.New(slog.DiscardHandler))
	if err := relay.Start(t.Context()); err != nil {
		t.Fatalf("start relay: %v", err)
	}
	return neo4j.Projecting{Store: s, Relay: relay}, g
}

// TestStoreSQLite runs the store contract with SQLite as the store and
// Neo4j as the graph. Each test has its own namespace, so they run in
// parallel.
func TestStoreSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (bunnybook.Store, bunnybook.Graph) {
		return mustProject(t, sqlitetest.MustOpen(t))
	})
}

// TestStorePostgres is TestStoreSQLite with PostgreSQL as the store.
func TestStorePostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (bunnybook.Store, bunnybook.Graph) {
		return mustProject(t, postgrestest.MustOpen(t))
	})
}
