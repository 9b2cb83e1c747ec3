package sqlitetest

import (
	"path/filepath"
	"testing"

	"github.com/bunnybook/bunnybook/persistence/sqlite"
)

// MustOpen opens and migrates a fresh database in a temporary directory of
// tb, closed when tb ends.
func MustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "bunnybook.db"))
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close sqlite: %v", err)
		}
	})
	if err := db.Migrate(tb.Context()); err != nil {
		tb.Fatalf("migrate sqlite: %v", err)
	}
	return db
}
