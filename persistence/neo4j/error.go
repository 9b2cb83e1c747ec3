package neo4j

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/bunnybook/bunnybook"
)

// unavailableErr is what users see while Neo4j cannot answer.
func unavailableErr() *bunnybook.Error {
	return bunnybook.Errorf(bunnybook.EUnavailable, "the friendship graph is unavailable, try again later")
}

// translate turns a driver error into a domain error with op as context,
// keeping the driver error in the chain for logs. It is the one place that
// knows the driver's errors. Server-side client errors (bad Cypher,
// constraint violations) are bugs: EInternal. Everything else the driver
// returns (connection refused or lost, pool timeouts, retries exhausted,
// transient server errors) means Neo4j cannot answer now: EUnavailable.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	if bunnybook.AsError(err) != nil || errors.Is(err, context.Canceled) {
		return fmt.Errorf("neo4j: %s: %w", op, err)
	}
	var nerr *neo4j.Neo4jError
	if errors.As(err, &nerr) && strings.HasPrefix(nerr.Code, "Neo.ClientError.") &&
		!strings.HasPrefix(nerr.Code, "Neo.ClientError.Security.") {
		return fmt.Errorf("neo4j: %s: %w", op, err) // EInternal
	}
	var uerr *neo4j.UsageError
	if errors.As(err, &uerr) {
		return fmt.Errorf("neo4j: %s: %w", op, err) // EInternal
	}
	return fmt.Errorf("neo4j: %s: %w (%w)", op, unavailableErr(), err)
}
