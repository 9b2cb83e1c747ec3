package main

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/api"
	"github.com/bunnybook/bunnybook/persistence/neo4j"
)

// neo4jSchemes are the URL schemes the Neo4j driver accepts.
var neo4jSchemes = []string{"bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://"}

// validateNeo4j checks the Neo4j settings.
func (c *Config) validateNeo4j() []error {
	var errs []error
	if c.Neo4jURL != "" && !hasAnyPrefix(c.Neo4jURL, neo4jSchemes) {
		errs = append(errs, fmt.Errorf("neo4j-url: must start with one of %s (or be empty for the SQL graph)", strings.Join(neo4jSchemes, ", ")))
	}
	if c.Neo4jPassword != "" && c.Neo4jUser == "" {
		errs = append(errs, fmt.Errorf("neo4j-password: set neo4j-user too"))
	}
	return errs
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// openGraph sets up the friendship graph after openStore. With a Neo4j
// URL, m.Store becomes a store whose graph reads go to Neo4j and whose
// writes feed it through the outbox relay, which also runs in the
// background (Neo4j down at start is not fatal: graph reads answer 503
// until it is back), and /readyz reports neo4j (not fatal either). Without
// one, the relational store serves the graph and its graph outbox is pruned
// every minute so it does not grow; if Neo4j is added later, its relay sees
// the pruning and rebuilds the graph.
func (m *Main) openGraph(ctx context.Context) error {
	outbox, ok := m.Store.(bunnybook.GraphOutbox)
	if m.Config.Neo4jURL == "" {
		if ok {
			m.background(func(ctx context.Context) { pruneGraphOutbox(ctx, m, outbox) })
		}
		return nil
	}
	if !ok {
		return fmt.Errorf("neo4j: the %s store keeps no graph outbox", m.storeName)
	}
	db, err := neo4j.New(neo4j.Config{
		URL: m.Config.Neo4jURL, User: m.Config.Neo4jUser, Password: m.Config.Neo4jPassword, Namespace: m.Config.Neo4jNamespace,
	})
	if err != nil {
		return err
	}
	m.closers = append(m.closers, db.Close)
	// The first flush (schema, and the one-time rebuild if the graph is
	// empty or behind) runs in the background: the node serves at once.
	relay := neo4j.NewRelay(db, outbox, m.Logger)
	m.background(relay.Run)
	m.relay = relay
	m.Store = projectingStore{Projecting: neo4j.Projecting{Store: m.Store, Relay: relay}, graph: db}
	m.graphChecks = []api.Check{{Name: "neo4j", Ping: db.Ping, Optional: true}}
	return nil
}

// background runs fn until Close.
func (m *Main) background(fn func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); fn(ctx) }()
	m.closers = append(m.closers, func() error { cancel(); <-done; return nil })
}

// pruneGraphOutbox empties the graph outbox every minute (no projection
// reads it).
func pruneGraphOutbox(ctx context.Context, m *Main, outbox bunnybook.GraphOutbox) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if err := outbox.DeleteGraphEvents(ctx, math.MaxInt64); err != nil && ctx.Err() == nil {
			m.Logger.Warn("prune graph outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// projectingStore is the relational store with Neo4j-feeding writes and
// graph reads from Neo4j, except Relationship, which privacy checks use:
// it reads the store, the source of truth.
type projectingStore struct {
	neo4j.Projecting
	graph bunnybook.Graph
}

// Relationship reads the store.
func (p projectingStore) Relationship(ctx context.Context, a, b string) (bunnybook.Relationship, error) {
	return p.Projecting.Relationship(ctx, a, b)
}

func (p projectingStore) Friends(ctx context.Context, id string, page bunnybook.NamePage) ([]bunnybook.Profile, error) {
	return p.graph.Friends(ctx, id, page)
}

func (p projectingStore) FriendRequests(ctx context.Context, id string, incoming bool, page bunnybook.NamePage) ([]bunnybook.Profile, error) {
	return p.graph.FriendRequests(ctx, id, incoming, page)
}

func (p projectingStore) Suggestions(ctx context.Context, id string, page bunnybook.SuggestionPage) ([]bunnybook.Suggestion, error) {
	return p.graph.Suggestions(ctx, id, page)
}

func (p projectingStore) MutualFriends(ctx context.Context, a, b string, page bunnybook.NamePage) ([]bunnybook.Profile, error) {
	return p.graph.MutualFriends(ctx, a, b, page)
}
