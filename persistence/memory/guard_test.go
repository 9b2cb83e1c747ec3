package memory

import (
	"testing"

	"github.com/bunnybook/bunnybook/persistence/limittest"
	"github.com/bunnybook/bunnybook/persistence/revocationtest"
)

func TestRateLimiterContract(t *testing.T) { limittest.RateLimiter(t, NewRateLimiter()) }
func TestAttempts(t *testing.T)            { limittest.AttemptLimiter(t, NewAttempts()) }
func TestRevocations(t *testing.T)         { revocationtest.Run(t, NewRevocations()) }
