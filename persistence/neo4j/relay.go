package neo4j

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/bunnybook/bunnybook"
)

// relayBatch is how many outbox events one Neo4j transaction applies.
const relayBatch = 500

// RelayInterval is how often Run looks for events the eager flushes left.
const RelayInterval = time.Second

// Relay applies the relational store's graph outbox to Neo4j. Flush may be
// called from many goroutines; flushes of one Relay take turns (turn), and
// relays of several nodes take turns on the namespace's GraphSync node.
type Relay struct {
	db         *DB
	outbox     bunnybook.GraphOutbox
	log        *slog.Logger
	turn       chan struct{} // holds a token while a flush runs: one at a time in this process
	down       atomic.Bool   // the last flush failed: eager flushes skip until one works
	rebuilding atomic.Bool   // a rebuild runs: eager flushes skip (it may take a minute)
	seen       atomic.Int64  // the last applied event id this relay saw
	schema     bool          // constraints created; guarded by turn
	// changed is told which profiles' friend lists an applied batch changed.
	changed atomic.Pointer[func(ctx context.Context, ids ...string)]
}

// OnFriendsChanged sets fn to be called, after each applied batch, with the
// profiles whose friendships it changed: a cache in front of the graph
// drops their friend lists, which it may have filled from Neo4j while it
// lagged behind the store.
func (r *Relay) OnFriendsChanged(fn func(ctx context.Context, ids ...string)) {
	r.changed.Store(&fn)
}

// friendsChanged tells the OnFriendsChanged callback about events.
func (r *Relay) friendsChanged(ctx context.Context, events []bunnybook.GraphEvent) {
	fn := r.changed.Load()
	if fn == nil {
		return
	}
	var ids []string
	for _, e := range events {
		if e.Kind == bunnybook.GraphFriendshipCreated || e.Kind == bunnybook.GraphFriendshipDeleted {
			ids = append(ids, e.A, e.B)
		}
	}
	if len(ids) > 0 {
		(*fn)(ctx, ids...)
	}
}

// NewRelay returns a relay from outbox to db.
func NewRelay(db *DB, outbox bunnybook.GraphOutbox, log *slog.Logger) *Relay {
	return &Relay{db: db, outbox: outbox, log: log, turn: make(chan struct{}, 1)}
}

// Start flushes once: it creates the schema and rebuilds the graph from the
// store if it is empty or behind. If it fails (Neo4j down), Run does it
// later.
func (r *Relay) Start(ctx context.Context) error { return r.Flush(ctx) }

// Run flushes at once and then every RelayInterval until ctx ends. A
// failure is logged when the relay falls behind and when it catches up;
// meanwhile writes keep piling up in the outbox and are replayed in order
// once Neo4j answers again.
func (r *Relay) Run(ctx context.Context) {
	t := time.NewTicker(RelayInterval)
	defer t.Stop()
	behind := false
	for {
		err := r.Flush(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && !behind:
			r.log.Warn("graph relay: neo4j projection is behind, retrying every second", "err", err)
		case err == nil && behind:
			r.log.Info("graph relay: neo4j projection caught up")
		}
		behind = err != nil
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// FlushAfterWrite is the eager flush after a store write: skipped while
// Neo4j is known to be down or the graph is being rebuilt (Run catches
// up), and bounded, waiting included, so a write never waits long for the
// projection. Errors are left to Run.
func (r *Relay) FlushAfterWrite(ctx context.Context) {
	if r.down.Load() || r.rebuilding.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = r.Flush(ctx)
}

// Flush applies every pending outbox event to Neo4j, in order, and deletes
// them from the outbox. If the graph has never been built for this
// namespace, or the outbox was pruned past the graph's last event, it
// rebuilds the graph from a store snapshot first.
func (r *Relay) Flush(ctx context.Context) error {
	select {
	case r.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-r.turn }()
	err := r.flush(ctx)
	r.down.Store(err != nil)
	return err
}

func (r *Relay) flush(ctx context.Context) error {
	if !r.schema {
		if err := r.db.EnsureSchema(ctx); err != nil {
			return err
		}
		r.schema = true
	}
	for {
		applied, ok, err := r.applied(ctx)
		if err != nil {
			return err
		}
		r.seen.Store(applied)
		if !ok {
			if err := r.rebuild(ctx); err != nil {
				return err
			}
			continue
		}
		events, err := r.outbox.PendingGraphEvents(ctx, applied, relayBatch)
		if errors.Is(err, bunnybook.ErrGraphEventsPruned) {
			r.log.Warn("graph relay: outbox pruned past the graph, rebuilding it", "applied", applied)
			if err := r.rebuild(ctx); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("graph relay: %w", err)
		}
		if len(events) == 0 {
			return nil
		}
		last, err := r.apply(ctx, events)
		if err != nil {
			return err
		}
		r.friendsChanged(ctx, events)
		if err := r.outbox.DeleteGraphEvents(ctx, last); err != nil {
			return fmt.Errorf("graph relay: %w", err)
		}
	}
}

// Backlog returns how many outbox events wait to be applied, counted from
// the last applied event this relay saw (it works while Neo4j is down).
func (r *Relay) Backlog(ctx context.Context) (int, error) {
	n := 0
	after := r.seen.Load()
	for {
		events, err := r.outbox.PendingGraphEvents(ctx, after, relayBatch)
		if err != nil {
			return 0, fmt.Errorf("graph relay backlog: %w", err)
		}
		n += len(events)
		if len(events) < relayBatch {
			return n, nil
		}
		after = events[len(events)-1].ID
	}
}

// applied returns the id of the last event applied to the namespace, and
// false if the graph was never built.
func (r *Relay) applied(ctx context.Context) (int64, bool, error) {
	recs, err := r.db.read(ctx, `MATCH (s:GraphSync {ns: $ns}) RETURN s.applied AS applied`, nil)
	if err != nil {
		return 0, false, translate("read graph sync", err)
	}
	if len(recs) == 0 {
		return 0, false, nil
	}
	id, _, err := neo4j.GetRecordValue[int64](recs[0], "applied")
	return id, true, translate("read graph sync", err)
}

// apply applies events in one transaction that first locks the namespace's
// GraphSync node and skips what another relay applied meanwhile. It returns
// the id of the last event.
func (r *Relay) apply(ctx context.Context, events []bunnybook.GraphEvent) (int64, error) {
	last := events[len(events)-1].ID
	s := r.db.session(ctx)
	defer s.Close(context.WithoutCancel(ctx))
	_, err := s.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		ns := r.db.ns
		// SET takes the node's write lock; the read after it sees the last commit.
		if _, err := tx.Run(ctx, `MATCH (s:GraphSync {ns: $ns}) SET s.tick = coalesce(s.tick, 0) + 1`, map[string]any{"ns": ns}); err != nil {
			return nil, err
		}
		res, err := tx.Run(ctx, `MATCH (s:GraphSync {ns: $ns}) RETURN s.applied AS applied`, map[string]any{"ns": ns})
		if err != nil {
			return nil, err
		}
		rec, err := res.Single(ctx)
		if err != nil {
			return nil, err
		}
		applied, _, err := neo4j.GetRecordValue[int64](rec, "applied")
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			if e.ID <= applied {
				continue
			}
			if err := runEvent(ctx, tx, ns, e); err != nil {
				return nil, fmt.Errorf("event %d (%s): %w", e.ID, e.Kind, err)
			}
		}
		_, err = tx.Run(ctx, `MATCH (s:GraphSync {ns: $ns}) SET s.applied = $last`,
			map[string]any{"ns": ns, "last": max(last, applied)})
		return nil, err
	})
	return last, translate("apply graph events", err)
}

// eventCypher is the idempotent statement(s) of each event kind.
var eventCypher = map[bunnybook.GraphEventKind][]string{
	bunnybook.GraphProfileCreated: {
		`MERGE (p:Profile {ns: $ns, id: $a}) SET p.username = $username`,
	},
	bunnybook.GraphRequestSent: {
		`MATCH (a:Profile {ns: $ns, id: $a}), (b:Profile {ns: $ns, id: $b}) MERGE (a)-[:REQUESTED]->(b)`,
	},
	bunnybook.GraphRequestDeleted: {
		`MATCH (:Profile {ns: $ns, id: $a})-[r:REQUESTED]->(:Profile {ns: $ns, id: $b}) DELETE r`,
	},
	bunnybook.GraphFriendshipCreated: {
		`MATCH (:Profile {ns: $ns, id: $a})-[r:REQUESTED]-(:Profile {ns: $ns, id: $b}) DELETE r`,
		`MATCH (a:Profile {ns: $ns, id: $a}), (b:Profile {ns: $ns, id: $b}) MERGE (a)-[:FRIEND]-(b)`,
	},
	bunnybook.GraphFriendshipDeleted: {
		`MATCH (:Profile {ns: $ns, id: $a})-[f:FRIEND]-(:Profile {ns: $ns, id: $b}) DELETE f`,
	},
}

// runEvent applies one event inside tx.
func runEvent(ctx context.Context, tx neo4j.ManagedTransaction, ns string, e bunnybook.GraphEvent) error {
	params := map[string]any{"ns": ns, "a": e.A, "b": e.B, "username": e.Username}
	for _, q := range eventCypher[e.Kind] {
		if _, err := tx.Run(ctx, q, params); err != nil {
			return err
		}
	}
	return nil
}
