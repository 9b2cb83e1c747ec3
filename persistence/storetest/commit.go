package storetest

import (
	"slices"
	"testing"

	"github.com/bunnybook/bunnybook"
)

// mark returns a read mark of profile in group up to seq.
func mark(profile, group string, seq int64, ms int) bunnybook.ReadMark {
	return bunnybook.ReadMark{ProfileID: profile, ChatGroupID: group, Seq: seq, At: at(ms)}
}

// wantMovedAll fails unless CommitChat stored everything and moved is want.
func wantMovedAll(tb testing.TB, what string, want ...bool) func([]bool, error) {
	return func(moved []bool, err error) {
		tb.Helper()
		must(tb, what, err)
		if !slices.Equal(moved, want) {
			tb.Fatalf("%s: moved = %v, want %v", what, moved, want)
		}
	}
}

// testCommitChat: one CommitChat stores the messages of several groups and
// then applies the read marks in order, each seeing the messages and the
// marks before it.
func testCommitChat(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy", "eve")
	ben, daisy, eve := acc[0].ID, acc[1].ID, acc[2].ID
	gd := MustBefriend(t, s, ben, daisy)
	ge := MustBefriend(t, s, eve, ben)
	wantMovedAll(t, "CommitChat(nothing)")(s.CommitChat(ctx, nil, nil))

	msgs := []bunnybook.ChatMessage{NewMessage(gd, ben, 1, at(1)), NewMessage(gd, ben, 2, at(2)),
		NewMessage(gd, ben, 3, at(3)), NewMessage(ge, eve, 1, at(4))}
	marks := []bunnybook.ReadMark{
		mark(daisy, gd, 3, 10), // up to the newest message of the same call: read
		mark(daisy, gd, 2, 11), // behind the mark before it
		mark(ben, gd, 1, 12),   // behind his own message of the same call
		mark(ben, ge, 1, 13),
	}
	wantMovedAll(t, "CommitChat", true, false, false, true)(s.CommitChat(ctx, msgs, marks))
	if got := mustAfter(t, s, gd, 0, 10); len(got) != 3 {
		t.Fatalf("MessagesAfter: got %d messages, want 3", len(got))
	}
	wantUnread(t, s, daisy)
	wantUnread(t, s, ben)
	wantUnread(t, s, eve)
	wantReadAt(t, s, daisy, ptr(at(10)))

	// A mark of a seq older than a message of the same call leaves the
	// group unread; the next one reads it.
	wantMovedAll(t, "CommitChat(mark behind)", false)(s.CommitChat(ctx,
		[]bunnybook.ChatMessage{NewMessage(gd, ben, 4, at(20))}, []bunnybook.ReadMark{mark(daisy, gd, 3, 21)}))
	wantUnread(t, s, daisy, gd)
	wantMovedAll(t, "CommitChat(marks only)", true)(s.CommitChat(ctx, nil, []bunnybook.ReadMark{mark(daisy, gd, 4, 30)}))
	wantUnread(t, s, daisy)
	wantReadAt(t, s, daisy, ptr(at(30)))
}

// testCommitChatFailsWhole: a CommitChat with a message or a mark that
// cannot be stored stores nothing, neither the messages nor the other marks.
func testCommitChatFailsWhole(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben, daisy, group := pair(t, s)
	MustAppend(t, s, NewMessage(group, ben.ID, 1, at(1)))

	_, err := s.CommitChat(ctx, []bunnybook.ChatMessage{NewMessage(group, ben.ID, 2, at(2))},
		[]bunnybook.ReadMark{mark(daisy.ID, group, 1, 3), mark(bunnybook.NewID(), group, 1, 4)})
	if err == nil {
		t.Fatal("CommitChat with a mark of an unknown profile: got no error")
	}
	_, err = s.CommitChat(ctx, nil, []bunnybook.ReadMark{mark(daisy.ID, group, 1, 5), mark(daisy.ID, bunnybook.NewID(), 1, 6)})
	if err == nil {
		t.Fatal("CommitChat with a mark of an unknown group: got no error")
	}
	if got := mustAfter(t, s, group, 0, 10); len(got) != 1 {
		t.Fatalf("MessagesAfter: got %d messages, want the first only", len(got))
	}
	wantUnread(t, s, daisy.ID, group)

	// A closed chat refuses the message; the mark of the same call is not
	// stored either.
	MustUnfriend(t, s, ben.ID, daisy.ID)
	_, err = s.CommitChat(ctx, []bunnybook.ChatMessage{NewMessage(group, ben.ID, 2, at(7))},
		[]bunnybook.ReadMark{mark(daisy.ID, group, 1, 8)})
	wantKind(t, "CommitChat(closed group)", err, bunnybook.EForbidden)
	MustBefriend(t, s, daisy.ID, ben.ID)
	wantUnread(t, s, daisy.ID, group)
	wantReadAt(t, s, daisy.ID, nil)
}
