// Package storetest is the contract test suite of bunnybook.Store and
// bunnybook.Graph. Every relational backend runs it against itself:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) (bunnybook.Store, bunnybook.Graph) {
//			db := sqlitetest.MustOpen(t)
//			return db, db
//		})
//	}
//
// The suite checks what the root package's doc comments promise: error
// kinds, "nothing written on error", ordering and keyset paging. It also
// holds RunBenchmarks, the hottest reads on a seeded dataset, and small
// MustX helpers that other packages' tests may use to set up data.
//
// Where the doc comments leave room, the suite reads them so:
//
//   - Newest-first lists are ordered by (created_at DESC, id DESC). For
//     Conversations the id is the chat group id, a conversation's only id,
//     so a client's next cursor is (CreatedAt, ChatGroupID) of the last item.
//   - Lists are never nil-vs-empty sensitive; usernames in ordering tests are
//     lower-case letters and digits, so the order is the same in every
//     collation (SQLite's BINARY, PostgreSQL's C or en_US).
//   - The order of CommentAuthors, UnreadConversations and of the
//     notifications MarkNotifications returns is not checked.
//   - Conflicts of AppendMessages must be EConflict; their Code and Field
//     are the backend's choice. The read time recorded for a sender's own
//     message is only checked to be set.
package storetest
