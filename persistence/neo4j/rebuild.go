package neo4j

import (
	"context"

	"github.com/bunnybook/bunnybook"
)

// snapshotCypher loads a batch of snapshot events of one kind (UNWIND $rows).
var snapshotCypher = map[bunnybook.GraphEventKind]string{
	bunnybook.GraphProfileCreated: `
		UNWIND $rows AS row MERGE (p:Profile {ns: $ns, id: row.a}) SET p.username = row.username`,
	bunnybook.GraphRequestSent: `
		UNWIND $rows AS row
		MATCH (a:Profile {ns: $ns, id: row.a}), (b:Profile {ns: $ns, id: row.b})
		MERGE (a)-[:REQUESTED]->(b)`,
	bunnybook.GraphFriendshipCreated: `
		UNWIND $rows AS row
		MATCH (a:Profile {ns: $ns, id: row.a}), (b:Profile {ns: $ns, id: row.b})
		MERGE (a)-[:FRIEND]-(b)`,
}

// rebuild replaces the namespace's graph with a snapshot of the store (the
// one-time sync when Neo4j is added to a deployment, or after the outbox
// was pruned past the graph). Reads see a partial graph until it ends. The
// GraphSync node is written last: a rebuild cut short starts over.
func (r *Relay) rebuild(ctx context.Context) error {
	r.log.Info("graph relay: building the neo4j graph from the store", "ns", r.db.ns)
	r.rebuilding.Store(true)
	defer r.rebuilding.Store(false)
	if err := r.db.DropNamespace(ctx); err != nil {
		return err
	}
	var profiles, edges int
	last, err := r.outbox.GraphSnapshot(ctx, func(batch []bunnybook.GraphEvent) error {
		for len(batch) > 0 {
			n := 1 // the run of events of one kind at the start of batch
			for n < len(batch) && batch[n].Kind == batch[0].Kind {
				n++
			}
			if err := r.load(ctx, batch[:n]); err != nil {
				return err
			}
			if batch[0].Kind == bunnybook.GraphProfileCreated {
				profiles += n
			} else {
				edges += n
			}
			batch = batch[n:]
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Another node may have rebuilt at the same time from a newer snapshot:
	// keep the older point, so the events between the two are replayed
	// (replays are idempotent) and undo whatever the older snapshot had that
	// was deleted since.
	if _, err := r.db.write(ctx, `
		MERGE (s:GraphSync {ns: $ns})
		ON CREATE SET s.applied = $last
		ON MATCH SET s.applied = CASE WHEN $last < s.applied THEN $last ELSE s.applied END`,
		map[string]any{"last": last}); err != nil {
		return translate("write graph sync", err)
	}
	r.log.Info("graph relay: neo4j graph built", "ns", r.db.ns, "profiles", profiles, "relationships", edges, "outbox_id", last)
	return nil
}

// load writes snapshot events of one kind in one transaction.
func (r *Relay) load(ctx context.Context, events []bunnybook.GraphEvent) error {
	q, ok := snapshotCypher[events[0].Kind]
	if !ok {
		return nil // snapshots hold only creations
	}
	rows := make([]map[string]any, len(events))
	for i, e := range events {
		rows[i] = map[string]any{"a": e.A, "b": e.B, "username": e.Username}
	}
	_, err := r.db.write(ctx, q, map[string]any{"rows": rows})
	return translate("load snapshot", err)
}
