// Package redistest gives tests of any package a Redis client of their
// own: a fresh key prefix on the Redis named by BUNNYBOOK_REDIS_URL, a
// second client standing for another node, a client whose Redis is down,
// or a throwaway redis-server to stop and start. It lives apart from
// package redis so that the server binary links neither testing nor
// os/exec.
package redistest
