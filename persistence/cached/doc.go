// Package cached is a cache-aside decorator for the relational store and
// the friendship graph: wall pages, single posts, comment pages,
// relationships and friend lists are read through a bunnybook.Cache (Redis
// shared by all nodes, or in memory for one node).
//
// Invalidation is by versioned namespaces, one per wall, per post (the post
// and its comment pages), per profile's friend list and per pair of
// profiles. Every cached key includes its namespace's current version, and
// every write that could change what a namespace shows bumps it after the
// write, so every page of it — not only the first — misses at once. The
// version is read before the source, so a read racing a write can only
// store under the old version, which is never read again.
//
// The cache never fails a request: any cache error is logged (at most once
// every ten seconds) and the read goes to the inner store. A failed bump
// leaves the cache possibly stale, so the decorator then bypasses it until
// a BumpAll (a new generation for the whole cache) succeeds.
//
// Stampedes: concurrent misses of one key in a process are collapsed with
// singleflight, and across nodes a short lock (SET NX PX) lets one node
// recompute while the others poll the cache for a moment before reading the
// source themselves.
package cached
