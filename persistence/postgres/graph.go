package postgres

import (
	"context"

	"github.com/bunnybook/bunnybook"
	"github.com/jackc/pgx/v5"
)

// Relationship returns how a relates to b.
func (db *DB) Relationship(ctx context.Context, a, b string) (bunnybook.Relationship, error) {
	rel, err := relationship(ctx, db.pool, a, b)
	return rel, fail("relationship", err)
}

// Friends returns a page of the profile's friends by username.
func (db *DB) Friends(ctx context.Context, id string, page bunnybook.NamePage) ([]bunnybook.Profile, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT friend_id, friend_username FROM friendship
		WHERE profile_id = $1 AND friend_username > $2
		ORDER BY friend_username LIMIT $3`, id, page.After, limit(page.Limit))
	ps, err := collectProfiles(rows, err)
	return ps, fail("friends", err)
}

// FriendRequests returns a page, by username, of the senders of id's
// incoming requests or the targets of its outgoing ones.
func (db *DB) FriendRequests(ctx context.Context, id string, incoming bool, page bunnybook.NamePage) ([]bunnybook.Profile, error) {
	sql := `
		SELECT p.id, p.username FROM friend_request r JOIN profile p ON p.id = r.to_id
		WHERE r.from_id = $1 AND p.username > $2
		ORDER BY p.username LIMIT $3`
	if incoming {
		sql = `
		SELECT p.id, p.username FROM friend_request r JOIN profile p ON p.id = r.from_id
		WHERE r.to_id = $1 AND p.username > $2
		ORDER BY p.username LIMIT $3`
	}
	rows, err := db.pool.Query(ctx, sql, id, page.After, limit(page.Limit))
	ps, err := collectProfiles(rows, err)
	return ps, fail("friend requests", err)
}

// Suggestions returns friends of id's friends who are not id, not its
// friends and have no pending request with it, ranked by mutual friends
// (descending), then username.
func (db *DB) Suggestions(ctx context.Context, id string, page bunnybook.SuggestionPage) ([]bunnybook.Suggestion, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT * FROM (
			SELECT p.id, p.username, count(*) AS mutual
			FROM friendship mine
			JOIN friendship theirs ON theirs.profile_id = mine.friend_id
			JOIN profile p ON p.id = theirs.friend_id
			WHERE mine.profile_id = $1 AND theirs.friend_id <> $1
			  AND NOT EXISTS (SELECT 1 FROM friendship f WHERE f.profile_id = $1 AND f.friend_id = theirs.friend_id)
			  AND NOT EXISTS (SELECT 1 FROM friend_request r WHERE r.from_id = $1 AND r.to_id = theirs.friend_id)
			  AND NOT EXISTS (SELECT 1 FROM friend_request r WHERE r.from_id = theirs.friend_id AND r.to_id = $1)
			GROUP BY p.id, p.username
		) s
		WHERE $3 = '' OR s.mutual < $2 OR (s.mutual = $2 AND s.username > $3)
		ORDER BY s.mutual DESC, s.username
		LIMIT $4`, id, page.AfterCount, page.AfterName, limit(page.Limit))
	if err != nil {
		return nil, fail("suggestions", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bunnybook.Suggestion, error) {
		var s bunnybook.Suggestion
		err := r.Scan(&s.ID, &s.Username, &s.MutualFriendsCount)
		return s, err
	})
	return out, fail("suggestions", err)
}

// MutualFriends returns a page, by username, of the friends a and b share.
func (db *DB) MutualFriends(ctx context.Context, a, b string, page bunnybook.NamePage) ([]bunnybook.Profile, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT fa.friend_id, fa.friend_username
		FROM friendship fa
		JOIN friendship fb ON fb.profile_id = $2 AND fb.friend_id = fa.friend_id
		WHERE fa.profile_id = $1 AND fa.friend_username > $3
		ORDER BY fa.friend_username LIMIT $4`, a, b, page.After, limit(page.Limit))
	ps, err := collectProfiles(rows, err)
	return ps, fail("mutual friends", err)
}

// FriendsAmong returns those of candidates who are friends of id, in the
// candidates' order.
func (db *DB) FriendsAmong(ctx context.Context, id string, candidates []string) ([]string, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT friend_id::text FROM friendship WHERE profile_id = $1 AND friend_id = ANY($2::uuid[])`,
		id, candidates)
	if err != nil {
		return nil, fail("friends among", err)
	}
	friends, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fail("friends among", err)
	}
	return bunnybook.KeepOrder(candidates, friends), nil
}
