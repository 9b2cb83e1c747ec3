// Package cluster starts this node's Proto.Actor cluster member: the actor
// system, remoting, membership (provider) and identity lookup (disthash).
// Every Bunnybook server is a member, a single-node cluster by default, so
// more nodes is configuration, not a rewrite.
package cluster
