// Package cluster starts this node's Proto.Actor cluster member: the actor
// system, remoting, membership (provider) and identity lookup (Placement).
// Every Bunnybook server is a member, a single-node cluster by default, so
// more nodes is configuration, not a rewrite.
//
// Membership comes from one of three providers, chosen by Config:
//
//   - Etcd set: our own etcd provider (etcd.go). Each member keeps a key
//     under /bunnybook/<cluster name>/members/ on a lease of LeaseTTL
//     (default 5 s, renewed every TTL/3 ≈ 1.7 s) and watches the prefix.
//     A member that dies or is cut off vanishes from the others' view about
//     LeaseTTL after its last renewal; a member shut down gracefully revokes
//     its lease and vanishes at once. A member that has had no successful
//     renewal for LeaseTTL (etcd unreachable, process paused, lease revoked
//     or key deleted) drops itself from its own view, so its grains move to
//     the others, and re-registers (backoff 200 ms → 2 s) under a new member
//     id: Proto.Actor never readmits an id that left. Gossip heartbeat
//     expiry, which would block such a node's actor system for good, is
//     switched off on this path. Every etcd call is bounded by 1 s.
//   - Agent set: Proto.Actor's in-process provider shared by the members of
//     one test process.
//   - Neither: a single node, the in-process provider with a private agent.
//
// Membership changes are logged at info ("cluster member joined", "cluster
// member left", with member_id, address and the member count) from the
// *cluster.ClusterTopology events Proto.Actor publishes on the actor
// system's EventStream; metrics follow the same events.
//
// Grains are placed by this package's own identity lookup, Placement
// (placement.go), which replaced disthash: even rendezvous hashing, one
// placement actor per member, short waits when an owner is gone, a bounded
// shutdown.
package cluster
