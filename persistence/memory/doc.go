// Package memory holds single-node, in-process implementations of the
// domain's small shared contracts, for running Bunnybook without Redis.
// Nothing here is shared between nodes.
package memory
