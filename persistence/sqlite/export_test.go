package sqlite

import (
	"context"

	"github.com/pressly/goose/v3"
)

// Internals for this package's external tests (package sqlite_test). They
// open databases with sqlitetest.MustOpen, which the internal tests cannot
// import: sqlitetest imports sqlite.

// Migrator returns db's goose provider.
func Migrator(db *DB) (*goose.Provider, error) { return db.migrator() }

// Exec runs query on db's write connection.
func Exec(ctx context.Context, db *DB, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, query, args...)
	return err
}

// PairKey is pairKey.
var PairKey = pairKey

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// WALKeep is walKeep.
const WALKeep = walKeep

// ForeignKeys reports whether db's write connection enforces foreign keys.
func ForeignKeys(ctx context.Context, db *DB) (bool, error) {
	var on bool
	err := db.write.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on)
	return on, err
}
