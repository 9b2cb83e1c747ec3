package storetest

import (
	"slices"
	"testing"

	"github.com/bunnybook/bunnybook"
)

// Backfill is the scenario of the migration backfill tests: ann is friends
// with bob (group GB, last seq 2) and cat (GC, last seq 1), no longer with
// dan (GD, inactive, last seq 3). ann has read GB up to seq 1 and never
// opened GC; bob and cat have read everything; ann read GD to its end.
// Each store's test writes these rows the way the schema before migration
// 00003 held them, then calls Check.
type Backfill struct{ Ann, Bob, Cat, Dan, GB, GC, GD string }

// NewBackfill returns the scenario with fresh ids.
func NewBackfill() Backfill {
	n := bunnybook.NewID
	return Backfill{n(), n(), n(), n(), n(), n(), n()}
}

// Check migrates s up, checks what the newer queries read, migrates down
// and up again and checks again, and then checks that the backfilled rows
// serve the store's own writes (dan befriends ann again).
func (b Backfill) Check(t *testing.T, s bunnybook.Store, up, down func() error) {
	t.Helper()
	ctx := t.Context()
	chat := func(group, profile, name string) bunnybook.PrivateChat {
		return bunnybook.PrivateChat{ChatGroupID: group, ProfileID: profile, Username: name}
	}
	wantChats := func(profile string, want ...bunnybook.PrivateChat) {
		t.Helper()
		got, err := s.PrivateChats(ctx, profile)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("PrivateChats: got %+v, %v; want %+v", got, err, want)
		}
	}
	wantUnread := func(profile string, want ...string) {
		t.Helper()
		got, err := s.UnreadConversations(ctx, profile)
		slices.Sort(want)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("UnreadConversations: got %v, %v; want %v", got, err, want)
		}
	}
	check := func() {
		t.Helper()
		wantChats(b.Ann, chat(b.GB, b.Bob, "bob"), chat(b.GC, b.Cat, "cat"))
		wantChats(b.Bob, chat(b.GB, b.Ann, "ann"))
		wantChats(b.Cat, chat(b.GC, b.Ann, "ann"))
		wantChats(b.Dan)
		wantUnread(b.Ann, b.GB, b.GC)
		wantUnread(b.Bob)
		wantUnread(b.Cat)
		wantUnread(b.Dan)
	}
	if err := up(); err != nil {
		t.Fatalf("migrate up: %v", err)
	}
	check()
	if err := down(); err != nil {
		t.Fatalf("migrate down to 00002 again: %v", err)
	}
	if err := up(); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
	check()

	// dan befriends ann again and finds their group, unread up to its last
	// message.
	if got := MustBefriend(t, s, b.Dan, b.Ann); got != b.GD {
		t.Fatalf("befriending again gave group %s, want %s", got, b.GD)
	}
	wantChats(b.Dan, chat(b.GD, b.Ann, "ann"))
	wantUnread(b.Dan, b.GD)
}
