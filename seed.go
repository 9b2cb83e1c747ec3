package bunnybook

import (
	"slices"
	"strings"
)

// SeedFriendship is a friendship the load-test seeder creates: two profile
// ids and their private chat group.
type SeedFriendship struct{ A, B, ChatGroupID string }

// SeedRows orders seed data for bulk loading, so rows arrive in key order
// and append to the indexes instead of splitting pages all over them:
// accounts by id, friendships by chat group id, and every friendship in
// both directions as (profile, friend) pairs sorted. The inputs are not
// changed.
func SeedRows(accounts []Account, friendships []SeedFriendship) ([]Account, []SeedFriendship, [][2]string) {
	accounts = slices.Clone(accounts)
	slices.SortFunc(accounts, func(a, b Account) int { return strings.Compare(a.ID, b.ID) })
	friendships = slices.Clone(friendships)
	slices.SortFunc(friendships, func(a, b SeedFriendship) int { return strings.Compare(a.ChatGroupID, b.ChatGroupID) })
	directed := make([][2]string, 0, 2*len(friendships))
	for _, f := range friendships {
		directed = append(directed, [2]string{f.A, f.B}, [2]string{f.B, f.A})
	}
	slices.SortFunc(directed, func(a, b [2]string) int { return strings.Compare(a[0]+a[1], b[0]+b[1]) })
	return accounts, friendships, directed
}
