package bunnybook

import (
	"context"
	"encoding/json"
	"fmt"
)

// GraphEventKind names a change of the friendship graph recorded in the
// graph outbox.
type GraphEventKind string

// Graph event kinds. The payload of each is a small JSON object: profile
// {id, username}; request {from, to}; friendship {a, b}.
const (
	GraphProfileCreated    GraphEventKind = "profile_created"
	GraphRequestSent       GraphEventKind = "request_sent"
	GraphRequestDeleted    GraphEventKind = "request_deleted"
	GraphFriendshipCreated GraphEventKind = "friendship_created"
	GraphFriendshipDeleted GraphEventKind = "friendship_deleted"
)

// GraphEvent is one change of the friendship graph, written by the
// relational store in the same transaction as the change itself (a
// transactional outbox), so a graph projection such as Neo4j can replay it.
// A and B are the profiles concerned: for a profile, A is its id and
// Username its name; for a request, A sent it to B; for a friendship, A and
// B are the two friends.
type GraphEvent struct {
	ID       int64 // outbox order; 0 for events made up by a snapshot
	Kind     GraphEventKind
	A, B     string
	Username string
}

// graphPayload is the JSON form of a GraphEvent's data.
type graphPayload struct {
	ID       string `json:"id,omitempty"`
	Username string `json:"username,omitempty"`
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	A        string `json:"a,omitempty"`
	B        string `json:"b,omitempty"`
}

// Payload returns the JSON payload the outbox stores for e.
func (e GraphEvent) Payload() string {
	var p graphPayload
	switch e.Kind {
	case GraphProfileCreated:
		p = graphPayload{ID: e.A, Username: e.Username}
	case GraphRequestSent, GraphRequestDeleted:
		p = graphPayload{From: e.A, To: e.B}
	default:
		p = graphPayload{A: e.A, B: e.B}
	}
	b, _ := json.Marshal(p) // strings only: cannot fail
	return string(b)
}

// ParseGraphEvent rebuilds an event from an outbox row.
func ParseGraphEvent(id int64, kind, payload string) (GraphEvent, error) {
	var p graphPayload
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return GraphEvent{}, fmt.Errorf("graph event %d: %w", id, err)
	}
	e := GraphEvent{ID: id, Kind: GraphEventKind(kind)}
	switch e.Kind {
	case GraphProfileCreated:
		e.A, e.Username = p.ID, p.Username
	case GraphRequestSent, GraphRequestDeleted:
		e.A, e.B = p.From, p.To
	case GraphFriendshipCreated, GraphFriendshipDeleted:
		e.A, e.B = p.A, p.B
	default:
		return GraphEvent{}, fmt.Errorf("graph event %d: unknown kind %q", id, kind)
	}
	return e, nil
}

// GraphOutbox is the relational store's side of the graph projection. Every
// new account and every friendship write also appends a GraphEvent in the
// same transaction, and events commit in ID order (a later ID is never
// committed before an earlier one becomes visible).
type GraphOutbox interface {
	// PendingGraphEvents returns up to limit events with an ID greater than
	// after, in ID order.
	PendingGraphEvents(ctx context.Context, after int64, limit int) ([]GraphEvent, error)
	// DeleteGraphEvents removes the events with an ID up to upToID, once
	// they are applied.
	DeleteGraphEvents(ctx context.Context, upToID int64) error
	// GraphSnapshot reads the whole graph in one consistent view: fn gets
	// batches of events (all profiles first, then pending requests, then
	// friendships, each pair once) that rebuild it. It returns the highest
	// outbox ID the snapshot already contains; events after it are newer.
	GraphSnapshot(ctx context.Context, fn func([]GraphEvent) error) (lastID int64, err error)
}

// ErrGraphEventsPruned is returned by PendingGraphEvents when events after
// the given ID were deleted before that reader applied them (another
// projection, or a deployment that ran without one, pruned the outbox): the
// reader is behind and must rebuild from GraphSnapshot.
var ErrGraphEventsPruned = Errorf(EConflict, "graph events were pruned before they were applied")

// SnapshotRows is what GraphSnapshot implementations read: pgx.Rows and
// *sql.Rows both fit.
type SnapshotRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// BatchSnapshotRows turns rows of (a, b) — (id, username) for profiles —
// into events of kind and passes them to fn in batches of size.
func BatchSnapshotRows(rows SnapshotRows, kind GraphEventKind, size int, fn func([]GraphEvent) error) error {
	batch := make([]GraphEvent, 0, size)
	for rows.Next() {
		e := GraphEvent{Kind: kind}
		if err := rows.Scan(&e.A, &e.B); err != nil {
			return err
		}
		if kind == GraphProfileCreated {
			e.Username, e.B = e.B, ""
		}
		if batch = append(batch, e); len(batch) == size {
			if err := fn(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}
