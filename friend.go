package bunnybook

import "context"

// Relationship is how one profile relates to another, from the first one's side.
type Relationship string

// Relationships (spec §9).
const (
	RelFriend   Relationship = "FRIEND"
	RelOutgoing Relationship = "OUTGOING_FRIEND_REQUEST" // the first sent a request to the second
	RelIncoming Relationship = "INCOMING_FRIEND_REQUEST" // the second sent a request to the first
	RelSelf     Relationship = "SELF"
	RelNone     Relationship = "NONE"
)

// NamePage selects a page of a list ordered by username: usernames strictly
// greater than After ("" = from the start).
type NamePage struct {
	After string
	Limit int
}

// Suggestion is a friend of a friend, with how many friends they share.
type Suggestion struct {
	Profile
	MutualFriendsCount int `json:"mutualFriendsCount"`
}

// SuggestionPage selects a page of suggestions, which are ordered by mutual
// friend count (descending), then username. The cursor is the last item of
// the previous page: suggestions ranked after (AfterCount, AfterName).
// AfterName "" means from the start.
type SuggestionPage struct {
	AfterCount int
	AfterName  string
	Limit      int
}

// Graph answers questions about the friendship graph. It reads only; writes
// go through FriendshipStore. Unknown profile ids give empty results (callers
// check existence first).
type Graph interface {
	// Relationship returns how a relates to b (never RelSelf; callers handle a == b).
	Relationship(ctx context.Context, a, b string) (Relationship, error)
	// Friends returns a page of the profile's friends by username.
	Friends(ctx context.Context, id string, page NamePage) ([]Profile, error)
	// FriendRequests returns a page, by username, of the profiles who sent
	// id a request (incoming) or to whom id sent one (outgoing).
	FriendRequests(ctx context.Context, id string, incoming bool, page NamePage) ([]Profile, error)
	// Suggestions returns friends of id's friends who are not id, not
	// friends of id, and have no pending request with id in either direction.
	Suggestions(ctx context.Context, id string, page SuggestionPage) ([]Suggestion, error)
	// MutualFriends returns a page, by username, of the friends a and b share.
	MutualFriends(ctx context.Context, a, b string, page NamePage) ([]Profile, error)
}

// FriendshipStore changes friendships. Each method checks the relationship
// and changes it in one transaction, so concurrent actions on the same pair
// cannot both succeed; a state that does not allow the action is
// ErrUnexpectedRelationship.
type FriendshipStore interface {
	// Relationship returns how a relates to b according to the store, the
	// source of truth (a Graph may be a replica that lags or is down);
	// privacy checks use it.
	Relationship(ctx context.Context, a, b string) (Relationship, error)
	// FriendsAmong returns those of candidates who are friends of id,
	// according to the store, in the candidates' order.
	FriendsAmong(ctx context.Context, id string, candidates []string) ([]string, error)
	// SendFriendRequest records from → to and stores note. The pair must have
	// no relationship; ENotFound if to does not exist.
	SendFriendRequest(ctx context.Context, from, to string, note Notification) error
	// DeleteFriendRequest removes the request from → to (cancel or reject).
	DeleteFriendRequest(ctx context.Context, from, to string) error
	// AcceptFriendRequest turns the request requester → accepter into a
	// friendship, reactivates the pair's private chat group or creates it
	// (never two per pair), and stores note. It returns the chat group id.
	AcceptFriendRequest(ctx context.Context, requester, accepter string, note Notification) (chatGroupID string, err error)
	// Unfriend ends the friendship of a and b and deactivates their private
	// chat group (history is kept). It returns the chat group id, "" if none.
	Unfriend(ctx context.Context, a, b string) (chatGroupID string, err error)
}

// KeepOrder returns the ids of subset in the order they have in all (for
// stores answering "which of these" in an order of their own).
func KeepOrder(all, subset []string) []string {
	in := make(map[string]bool, len(subset))
	for _, id := range subset {
		in[id] = true
	}
	out := make([]string, 0, len(subset))
	for _, id := range all {
		if in[id] {
			out = append(out, id)
			delete(in, id)
		}
	}
	return out
}
