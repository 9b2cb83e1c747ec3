// Package cluster starts this node's Proto.Actor cluster member: the actor
// system, remoting, membership (provider) and identity lookup (disthash).
// Every Bunnybook server is a member, a single-node cluster by default, so
// more nodes is configuration, not a rewrite.
// Grains are placed by this package's own identity lookup, Placement
// (placement.go), which replaced disthash: even rendezvous hashing, one
// placement actor per member, short waits when an owner is gone, a bounded
// shutdown.
package cluster
