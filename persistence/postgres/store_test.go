package postgres_test

import (
	"testing"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/persistence/postgres/postgrestest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (bunnybook.Store, bunnybook.Graph) {
		db := postgrestest.MustOpen(t)
		return db, db
	})
}

func BenchmarkStore(b *testing.B) {
	storetest.RunBenchmarks(b, func(b *testing.B) (bunnybook.Store, bunnybook.Graph) {
		db := postgrestest.MustOpen(b)
		return db, db
	})
}

func TestDeleteProfiles(t *testing.T) {
	db := postgrestest.MustOpen(t)
	storetest.CheckDeleteProfiles(t, db, func(prefix string) (int64, error) { return db.DeleteProfiles(t.Context(), prefix) })
}
