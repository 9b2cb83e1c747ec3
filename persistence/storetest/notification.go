package storetest

import (
	"maps"
	"testing"

	"github.com/bunnybook/bunnybook"
)

var notificationTests = []test{
	{"RoundTrip", testNotificationRoundTrip},
	{"Mark", testMarkNotifications},
	{"MarkSomeoneElses", testMarkForbidden},
	{"MarkUnknown", testMarkUnknown},
}

// mustStoreNotes stores notes through a post by author on its own wall.
func mustStoreNotes(tb testing.TB, s bunnybook.Store, author string, notes ...bunnybook.Notification) {
	tb.Helper()
	MustCreatePost(tb, s, author, author, bunnybook.Public, at(0), notes...)
}

// wantNotification fails unless got equals want.
func wantNotification(tb testing.TB, what string, got, want bunnybook.Notification) {
	tb.Helper()
	if got.ID != want.ID || !got.CreatedAt.Equal(want.CreatedAt.Time) || got.ProfileID != want.ProfileID ||
		got.Data.Event != want.Data.Event || !maps.Equal(got.Data.Payload, want.Data.Payload) ||
		got.Read != want.Read || got.Visited != want.Visited {
		tb.Fatalf("%s: got %+v, want %+v", what, got, want)
	}
}

// mustUnread returns the profile's unread notification count.
func mustUnread(tb testing.TB, s bunnybook.Store, profile string) int {
	tb.Helper()
	n, err := s.UnreadNotificationCount(tb.Context(), profile)
	must(tb, "UnreadNotificationCount", err)
	return n
}

func testNotificationRoundTrip(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	acc := MustCreateAccounts(t, s, "ben", "daisy")
	ben, daisy := acc[0], acc[1]
	n1 := NewNotification(daisy.ID, bunnybook.EventNewPostOnWall, at(1))
	n1.Data.Payload = map[string]string{"byId": ben.ID, "byUsername": "ben", "postPreview": `"quoted" ünï 🐰 \ {}`}
	n2 := NewNotification(daisy.ID, bunnybook.EventNewFriend, at(2))
	n3 := NewNotification(ben.ID, bunnybook.EventNewFriend, at(3))
	mustStoreNotes(t, s, ben.ID, n1, n2, n3)

	got := mustNotifications(t, s, daisy.ID)
	wantIDs(t, "Notifications(daisy)", notificationIDs(got), []string{n2.ID, n1.ID})
	wantNotification(t, "Notifications(daisy)[1]", got[1], n1)
	if n := mustUnread(t, s, daisy.ID); n != 2 {
		t.Fatalf("UnreadNotificationCount(daisy): got %d, want 2", n)
	}
	if n := mustUnread(t, s, bunnybook.NewID()); n != 0 {
		t.Fatalf("UnreadNotificationCount(unknown): got %d, want 0", n)
	}
}

func testMarkNotifications(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben := MustCreateAccount(t, s, "ben")
	n1 := NewNotification(ben.ID, bunnybook.EventNewFriend, at(1))
	n2 := NewNotification(ben.ID, bunnybook.EventNewFriend, at(2))
	n3 := NewNotification(ben.ID, bunnybook.EventNewFriend, at(3))
	mustStoreNotes(t, s, ben.ID, n1, n2, n3)

	got, err := s.MarkNotifications(ctx, ben.ID, []string{n1.ID, n2.ID}, ptr(true), nil)
	must(t, "MarkNotifications(read)", err)
	wantSameIDs(t, "MarkNotifications(read) result", notificationIDs(got), []string{n1.ID, n2.ID})
	for _, n := range got {
		if !n.Read || n.Visited {
			t.Fatalf("MarkNotifications(read) returned %+v, want read and not visited", n)
		}
	}
	if n := mustUnread(t, s, ben.ID); n != 1 {
		t.Fatalf("UnreadNotificationCount after marking 2 of 3 read: got %d, want 1", n)
	}

	got, err = s.MarkNotifications(ctx, ben.ID, []string{n2.ID, n3.ID}, nil, ptr(true))
	must(t, "MarkNotifications(visited)", err)
	wantSameIDs(t, "MarkNotifications(visited) result", notificationIDs(got), []string{n2.ID, n3.ID})
	for _, n := range got {
		if want := n.ID == n2.ID; n.Read != want || !n.Visited {
			t.Fatalf("MarkNotifications(visited) returned %+v, want visited and read=%v", n, want)
		}
	}

	_, err = s.MarkNotifications(ctx, ben.ID, []string{n1.ID}, ptr(false), ptr(true))
	must(t, "MarkNotifications(unread, visited)", err)

	stored := mustNotifications(t, s, ben.ID)
	want := map[string][2]bool{n1.ID: {false, true}, n2.ID: {true, true}, n3.ID: {false, true}}
	for _, n := range stored {
		if w := want[n.ID]; n.Read != w[0] || n.Visited != w[1] {
			t.Fatalf("stored %s: read=%v visited=%v, want read=%v visited=%v", n.ID, n.Read, n.Visited, w[0], w[1])
		}
	}
	if n := mustUnread(t, s, ben.ID); n != 2 {
		t.Fatalf("UnreadNotificationCount at the end: got %d, want 2", n)
	}
}

// wantAllUnread fails unless every notification of profile is unread and unvisited.
func wantAllUnread(tb testing.TB, s bunnybook.Store, profile string, count int) {
	tb.Helper()
	ns := mustNotifications(tb, s, profile)
	if len(ns) != count {
		tb.Fatalf("profile has %d notifications, want %d", len(ns), count)
	}
	for _, n := range ns {
		if n.Read || n.Visited {
			tb.Fatalf("notification %s changed by a failed call: %+v", n.ID, n)
		}
	}
}

func testMarkForbidden(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy")
	ben, daisy := acc[0], acc[1]
	mine := NewNotification(ben.ID, bunnybook.EventNewFriend, at(1))
	theirs := NewNotification(daisy.ID, bunnybook.EventNewFriend, at(2))
	mustStoreNotes(t, s, ben.ID, mine, theirs)

	for _, ids := range [][]string{{theirs.ID}, {mine.ID, theirs.ID}, {theirs.ID, mine.ID}} {
		_, err := s.MarkNotifications(ctx, ben.ID, ids, ptr(true), ptr(true))
		wantKind(t, "MarkNotifications(someone else's)", err, bunnybook.EForbidden)
		wantAllUnread(t, s, ben.ID, 1)
		wantAllUnread(t, s, daisy.ID, 1)
	}
}

func testMarkUnknown(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	ben := MustCreateAccount(t, s, "ben")
	mine := NewNotification(ben.ID, bunnybook.EventNewFriend, at(1))
	mustStoreNotes(t, s, ben.ID, mine)

	for _, ids := range [][]string{{bunnybook.NewID()}, {mine.ID, bunnybook.NewID()}, {bunnybook.NewID(), mine.ID}} {
		_, err := s.MarkNotifications(ctx, ben.ID, ids, ptr(true), nil)
		wantKind(t, "MarkNotifications(unknown id)", err, bunnybook.ENotFound)
		wantAllUnread(t, s, ben.ID, 1)
	}
}
