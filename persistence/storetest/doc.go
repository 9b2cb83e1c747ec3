// Package storetest is the contract test suite of bunnybook.Store and
// bunnybook.Graph. Every relational backend runs it against itself:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) (bunnybook.Store, bunnybook.Graph) {
//			db := sqlite.MustOpen(t)
//			return db, db
//		})
//	}
//
// The suite checks what the root package's doc comments promise: error
// kinds, "nothing written on error", ordering and keyset paging. It also
// holds RunBenchmarks, the hottest reads on a seeded dataset, and small
// MustX helpers that other packages' tests may use to set up data.
package storetest
