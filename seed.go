package bunnybook

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// SeedFriendship is a friendship the load-test seeder creates: two profile
// ids and their private chat group.
type SeedFriendship struct{ A, B, ChatGroupID string }

// SeedFriendRow is one direction of a seeded friendship, as stored: the
// profile, the friend, their chat group and the friend's username.
type SeedFriendRow struct{ ProfileID, FriendID, ChatGroupID, FriendUsername string }

// SeedRows orders seed data for bulk loading, so rows arrive in key order
// and append to the indexes instead of splitting pages all over them:
// accounts by id, friendships by chat group id, and every friendship in
// both directions sorted by (profile, friend). A friendship of an id that
// is not among the accounts is an error. The inputs are not changed.
func SeedRows(accounts []Account, friendships []SeedFriendship) ([]Account, []SeedFriendship, []SeedFriendRow, error) {
	accounts = slices.Clone(accounts)
	slices.SortFunc(accounts, func(a, b Account) int { return strings.Compare(a.ID, b.ID) })
	friendships = slices.Clone(friendships)
	slices.SortFunc(friendships, func(a, b SeedFriendship) int { return strings.Compare(a.ChatGroupID, b.ChatGroupID) })
	names := make(map[string]string, len(accounts))
	for _, a := range accounts {
		names[a.ID] = a.Username
	}
	directed := make([]SeedFriendRow, 0, 2*len(friendships))
	for _, f := range friendships {
		a, okA := names[f.A]
		b, okB := names[f.B]
		if !okA || !okB {
			return nil, nil, nil, fmt.Errorf("friendship %s:%s is not between seeded accounts", f.A, f.B)
		}
		directed = append(directed,
			SeedFriendRow{ProfileID: f.A, FriendID: f.B, ChatGroupID: f.ChatGroupID, FriendUsername: b},
			SeedFriendRow{ProfileID: f.B, FriendID: f.A, ChatGroupID: f.ChatGroupID, FriendUsername: a})
	}
	slices.SortFunc(directed, func(a, b SeedFriendRow) int {
		return cmp.Or(strings.Compare(a.ProfileID, b.ProfileID), strings.Compare(a.FriendID, b.FriendID))
	})
	return accounts, friendships, directed, nil
}
