package storetest

import (
	"testing"

	"github.com/bunnybook/bunnybook"
)

// CheckDeleteProfiles checks a store's DeleteProfiles (the seed's reset,
// not part of bunnybook.Store, hence del): the profiles whose usernames
// start with the prefix go with their private chats with each other and
// their messages in the group chats that stay.
func CheckDeleteProfiles(t *testing.T, s bunnybook.Store, del func(prefix string) (int64, error)) {
	ids := friendsOf(t, s, "stay", "gone1", "gone2")
	stay, gone1, gone2 := ids[0], ids[1], ids[2]
	g := mustGroup(t, s, "Burrow", stay, gone1, gone2)
	MustAppend(t, s, NewMessage(g.ID, gone1, 1, at(1)), NewMessage(g.ID, stay, 2, at(2)), NewMessage(g.ID, gone2, 3, at(3)))
	between := MustBefriend(t, s, gone1, gone2)
	MustAppend(t, s, NewMessage(between, gone1, 1, at(4)))
	var withStay string
	for _, c := range mustPrivateChats(t, s, stay) {
		if c.ProfileID == gone1 {
			withStay = c.ChatGroupID
		}
	}
	MustAppend(t, s, NewMessage(withStay, gone1, 1, at(5)), NewMessage(withStay, stay, 2, at(6)))

	n, err := del("gone")
	must(t, "DeleteProfiles", err)
	if n != 2 {
		t.Fatalf("DeleteProfiles: %d deleted, want 2", n)
	}
	for group, wantFrom := range map[string][]string{g.ID: {stay}, withStay: {stay}} {
		var from []string
		for _, m := range mustAfter(t, s, group, 0, 10) {
			from = append(from, m.FromProfileID)
		}
		wantIDs(t, "senders of the messages left", from, wantFrom)
	}
	if _, err := s.ChatGroup(t.Context(), between); bunnybook.ErrorKind(err) != bunnybook.ENotFound {
		t.Fatalf("private chat of two deleted profiles: %v, want not found", err)
	}
}
