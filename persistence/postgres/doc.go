// Package postgres is Bunnybook's PostgreSQL backend: it implements
// bunnybook.Store (profiles, refresh tokens, posts, comments, notifications,
// friendships, chats) and bunnybook.Graph (the friendship graph in
// relational tables) over a pgx connection pool.
//
// The schema lives in migrations/*.sql, embedded and applied with goose by
// DB.Migrate. Driver errors become *bunnybook.Error in one function,
// translate. Friendship changes lock both profiles' rows (in id order) for
// the length of their transaction, so concurrent actions on one pair run one
// after the other and each sees the other's result.
//
// Tests get a store in a schema of their own from postgrestest.MustOpen
// (package postgrestest, next to this one).
package postgres
