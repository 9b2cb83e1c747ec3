package postgres

import (
	"context"

	"github.com/pressly/goose/v3"
)

// Internals for this package's external tests (package postgres_test).
// They open databases with postgrestest.MustOpen, which the internal tests
// cannot import: postgrestest imports postgres.

// Migrator returns db's goose provider and the func that releases it.
func Migrator(ctx context.Context, db *DB) (*goose.Provider, func() error, error) {
	return db.migrator(ctx)
}

// PairKey is pairKey.
var PairKey = pairKey
