package redis_test

import (
	"testing"

	"github.com/bunnybook/bunnybook/persistence/limittest"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/redis/redistest"
	"github.com/bunnybook/bunnybook/persistence/revocationtest"
)

func TestRateLimiterContract(t *testing.T) {
	t.Parallel()
	limittest.RateLimiter(t, redistest.MustOpen(t).RateLimiter(memory.NewRateLimiter()))
}

func TestAttempts(t *testing.T) {
	t.Parallel()
	limittest.AttemptLimiter(t, redistest.MustOpen(t).Attempts(memory.NewAttempts()))
}

// TestAttemptsAcrossNodes: a lock taken through one node holds on another.
func TestAttemptsAcrossNodes(t *testing.T) {
	t.Parallel()
	a := redistest.MustOpen(t)
	b := redistest.MustOpenPrefix(t, a)
	limittest.SharedAttempts(t, a.Attempts(memory.NewAttempts()), b.Attempts(memory.NewAttempts()))
}

func TestRevocations(t *testing.T) {
	t.Parallel()
	revocationtest.Run(t, redistest.MustOpen(t).Revocations(memory.NewRevocations()))
}

// TestRevocationsAcrossNodes: a revocation made on one node is seen on another.
func TestRevocationsAcrossNodes(t *testing.T) {
	t.Parallel()
	a := redistest.MustOpen(t)
	b := redistest.MustOpenPrefix(t, a)
	revocationtest.Shared(t, a.Revocations(memory.NewRevocations()), b.Revocations(memory.NewRevocations()))
}

// TestGuardsWhileRedisIsDown: with Redis unreachable, attempts are counted
// and revocations kept on the node, through the fallbacks.
func TestGuardsWhileRedisIsDown(t *testing.T) {
	t.Parallel()
	c := redistest.MustOpenDown(t)
	limittest.AttemptLimiter(t, c.Attempts(memory.NewAttempts()))
	revocationtest.Run(t, c.Revocations(memory.NewRevocations()))
}
