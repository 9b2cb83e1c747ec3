package storetest

import (
	"testing"

	"github.com/bunnybook/bunnybook"
)

// OpenFunc opens a fresh, migrated, empty store for one test. The store and
// the graph usually are the same value. Closing belongs in t.Cleanup.
type OpenFunc func(t *testing.T) (bunnybook.Store, bunnybook.Graph)

// test is one contract check on a fresh store.
type test struct {
	name string
	fn   func(t *testing.T, s bunnybook.Store, g bunnybook.Graph)
}

// group is the tests of one area of the contract.
type group struct {
	name  string
	tests []test
}

// groups lists the suite's tests by area.
func groups() []group {
	return []group{
		{"Accounts", accountTests},
		{"RefreshTokens", tokenTests},
		{"Posts", postTests},
		{"Likes", likeTests},
		{"Notifications", notificationTests},
		{"Friendships", friendshipTests},
		{"Graph", graphTests},
		{"Chat", chatTests},
		{"GroupChats", groupTests},
		{"Reactions", reactionTests},
		{"Paging", pagingTests},
		{"Ping", []test{{"Ping", testPing}}},
	}
}

// Run runs the whole contract suite. Each subtest calls open for its own
// store and runs in parallel with the others.
func Run(t *testing.T, open func(t *testing.T) (bunnybook.Store, bunnybook.Graph)) {
	for _, gr := range groups() {
		t.Run(gr.name, func(t *testing.T) {
			for _, tc := range gr.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					s, g := open(t)
					tc.fn(t, s, g)
				})
			}
		})
	}
}

func testPing(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}
