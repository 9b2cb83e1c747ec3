// Package neo4j serves bunnybook.Graph from Neo4j, a projection of the
// friendship graph kept by the relational store (the source of truth).
//
// The relational store appends a bunnybook.GraphEvent to its graph outbox
// in the same transaction as every new account and friendship write. A
// Relay applies those events to Neo4j in outbox order with idempotent,
// parameterized Cypher, then deletes them: eagerly after each write (see
// Projecting), and every second in the background, so events written while
// Neo4j was down are replayed when it is back. On first use (or when the
// outbox was pruned past what the graph has) the relay rebuilds the graph
// from a snapshot of the store.
//
// Graph data lives in a namespace: every node carries an ns property, and
// the uniqueness constraints are on (ns, id) and (ns, username). Production
// uses one namespace; tests use one per test, so they run in parallel on
// the one database of Neo4j Community. A (:GraphSync {ns, applied}) node
// per namespace holds the id of the last outbox event applied; each batch
// locks it, so relays on several nodes apply every event once, in order.
//
// Driver errors become bunnybook errors in one function (translate):
// anything that means Neo4j cannot answer is EUnavailable.
//
// Tests get a DB in a namespace of their own, and a TCP proxy to cut, from
// package neo4jtest, next to this one.
package neo4j
