// Package sqlite is Bunnybook's embedded relational backend: one SQLite file
// (modernc.org/sqlite, pure Go) holding profiles, refresh tokens, posts,
// comments, notifications, friendships and chats. DB implements
// bunnybook.Store and bunnybook.Graph; it is the zero-setup default for a
// single node. Its schema lives in migrations/, applied by Migrate with goose.
//
// Times are stored as INTEGER milliseconds since the epoch, ids as UUID
// text. Driver errors are turned into bunnybook errors in one place,
// translate.
//
// Tests get a fresh, migrated database from sqlitetest.MustOpen (package
// sqlitetest, next to this one).
package sqlite
