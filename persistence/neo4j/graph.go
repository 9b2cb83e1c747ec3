package neo4j

import (
	"context"
	"math"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/bunnybook/bunnybook"
)

// A friendship is one :FRIEND relationship per pair (its direction means
// nothing; queries ignore it); a pending request is (from)-[:REQUESTED]->(to).

// limit is a page's LIMIT: everything when no limit was given.
func limit(n int) int64 {
	if n <= 0 {
		return math.MaxInt64
	}
	return int64(n)
}

// Relationship returns how a relates to b.
func (db *DB) Relationship(ctx context.Context, a, b string) (bunnybook.Relationship, error) {
	recs, err := db.read(ctx, `
		MATCH (a:Profile {ns: $ns, id: $a}), (b:Profile {ns: $ns, id: $b})
		RETURN CASE
			WHEN EXISTS { (a)-[:FRIEND]-(b) } THEN 'FRIEND'
			WHEN EXISTS { (a)-[:REQUESTED]->(b) } THEN 'OUTGOING_FRIEND_REQUEST'
			WHEN EXISTS { (b)-[:REQUESTED]->(a) } THEN 'INCOMING_FRIEND_REQUEST'
			ELSE 'NONE' END AS rel`, map[string]any{"a": a, "b": b})
	if err != nil {
		return "", translate("relationship", err)
	}
	if len(recs) == 0 {
		return bunnybook.RelNone, nil
	}
	rel, _, err := neo4j.GetRecordValue[string](recs[0], "rel")
	return bunnybook.Relationship(rel), translate("relationship", err)
}

// Friends returns a page of the profile's friends by username.
func (db *DB) Friends(ctx context.Context, id string, page bunnybook.NamePage) ([]bunnybook.Profile, error) {
	return db.profiles(ctx, "friends", `
		MATCH (:Profile {ns: $ns, id: $id})-[:FRIEND]-(p:Profile)
		WHERE p.username > $after
		RETURN p.id AS id, p.username AS username ORDER BY p.username LIMIT $limit`,
		map[string]any{"id": id, "after": page.After, "limit": limit(page.Limit)})
}

// FriendRequests returns a page, by username, of the profiles who sent id
// a request (incoming) or whom id sent one (outgoing).
func (db *DB) FriendRequests(ctx context.Context, id string, incoming bool, page bunnybook.NamePage) ([]bunnybook.Profile, error) {
	query := `
		MATCH (:Profile {ns: $ns, id: $id})-[:REQUESTED]->(p:Profile)
		WHERE p.username > $after
		RETURN p.id AS id, p.username AS username ORDER BY p.username LIMIT $limit`
	if incoming {
		query = `
		MATCH (:Profile {ns: $ns, id: $id})<-[:REQUESTED]-(p:Profile)
		WHERE p.username > $after
		RETURN p.id AS id, p.username AS username ORDER BY p.username LIMIT $limit`
	}
	return db.profiles(ctx, "friend requests", query,
		map[string]any{"id": id, "after": page.After, "limit": limit(page.Limit)})
}

// MutualFriends returns a page, by username, of the friends a and b share.
// Both ends are looked up first, so the second hop is a check between two
// known nodes (Expand(Into)) rather than an expansion of every friend's
// friends.
func (db *DB) MutualFriends(ctx context.Context, a, b string, page bunnybook.NamePage) ([]bunnybook.Profile, error) {
	return db.profiles(ctx, "mutual friends", `
		MATCH (a:Profile {ns: $ns, id: $a}), (b:Profile {ns: $ns, id: $b})
		MATCH (a)-[:FRIEND]-(p:Profile)-[:FRIEND]-(b)
		WHERE p.username > $after
		RETURN p.id AS id, p.username AS username ORDER BY p.username LIMIT $limit`,
		map[string]any{"a": a, "b": b, "after": page.After, "limit": limit(page.Limit)})
}

// Suggestions returns friends of id's friends who are not id, not its
// friends and have no pending request with it, ranked by mutual friends
// (descending) then username, after the page's cursor. The friends are
// collected once, so excluding them is a list check per path instead of
// an expansion per candidate.
func (db *DB) Suggestions(ctx context.Context, id string, page bunnybook.SuggestionPage) ([]bunnybook.Suggestion, error) {
	recs, err := db.read(ctx, `
		MATCH (me:Profile {ns: $ns, id: $id})-[:FRIEND]-(f:Profile)
		WITH me, collect(f) AS friends
		UNWIND friends AS f
		MATCH (f)-[:FRIEND]-(s:Profile)
		WHERE s <> me AND NOT s IN friends
		WITH me, s, count(*) AS mutual
		WHERE NOT EXISTS { (me)-[:REQUESTED]-(s) }
		  AND ($afterName = '' OR mutual < $afterCount OR (mutual = $afterCount AND s.username > $afterName))
		RETURN s.id AS id, s.username AS username, mutual
		ORDER BY mutual DESC, s.username LIMIT $limit`,
		map[string]any{"id": id, "afterName": page.AfterName, "afterCount": page.AfterCount, "limit": limit(page.Limit)})
	if err != nil {
		return nil, translate("suggestions", err)
	}
	out := make([]bunnybook.Suggestion, 0, len(recs))
	for _, r := range recs {
		p, err := scanProfile(r)
		if err != nil {
			return nil, translate("suggestions", err)
		}
		n, _, err := neo4j.GetRecordValue[int64](r, "mutual")
		if err != nil {
			return nil, translate("suggestions", err)
		}
		out = append(out, bunnybook.Suggestion{Profile: p, MutualFriendsCount: int(n)})
	}
	return out, nil
}

// profiles runs a read query whose rows are (id, username).
func (db *DB) profiles(ctx context.Context, op, query string, params map[string]any) ([]bunnybook.Profile, error) {
	recs, err := db.read(ctx, query, params)
	if err != nil {
		return nil, translate(op, err)
	}
	out := make([]bunnybook.Profile, 0, len(recs))
	for _, r := range recs {
		p, err := scanProfile(r)
		if err != nil {
			return nil, translate(op, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func scanProfile(r *neo4j.Record) (bunnybook.Profile, error) {
	id, _, err := neo4j.GetRecordValue[string](r, "id")
	if err != nil {
		return bunnybook.Profile{}, err
	}
	name, _, err := neo4j.GetRecordValue[string](r, "username")
	return bunnybook.Profile{ID: id, Username: name}, err
}
