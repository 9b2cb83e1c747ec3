package postgres

import (
	"slices"
	"testing"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// TestMigrationBackfill checks that migrating a database written before
// migration 00003 fills in what the newer queries read, and that the Down
// migrations undo it.
func TestMigrationBackfill(t *testing.T) {
	ctx := t.Context()
	db := MustOpen(t)
	p, done, err := db.migrator(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	if _, err := p.DownTo(ctx, 2); err != nil {
		t.Fatalf("migrate down to 00002: %v", err)
	}

	// ann is friends with bob and cat, no longer with dan. ann has read
	// bob's chat up to seq 1 of 2 and never opened cat's; bob and cat have
	// read everything; dan's chat with ann is inactive.
	ann, bob, cat, dan := bunnybook.NewID(), bunnybook.NewID(), bunnybook.NewID(), bunnybook.NewID()
	gb, gc, gd := bunnybook.NewID(), bunnybook.NewID(), bunnybook.NewID()
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := db.pool.Exec(ctx, query, args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	for id, name := range map[string]string{ann: "ann", bob: "bob", cat: "cat", dan: "dan"} {
		exec(`INSERT INTO profile (id, username, email, password_hash, avatar_seed, registered_at) VALUES ($1, $2, $3, 'h', 's', now())`,
			id, name, name+"@bunnybook.test")
	}
	for _, f := range [][2]string{{ann, bob}, {bob, ann}, {ann, cat}, {cat, ann}} {
		exec(`INSERT INTO friendship (profile_id, friend_id, created_at) VALUES ($1, $2, now())`, f[0], f[1])
	}
	for _, g := range []struct {
		id, a, b string
		active   bool
		lastSeq  int
	}{{gb, ann, bob, true, 2}, {gc, cat, ann, true, 1}, {gd, ann, dan, false, 3}} {
		exec(`INSERT INTO chat_group (id, active, pair_key, last_seq, created_at) VALUES ($1, $2, $3, $4, now())`,
			g.id, g.active, pairKey(g.a, g.b), g.lastSeq)
		exec(`INSERT INTO chat_member (chat_group_id, profile_id) VALUES ($1, $2), ($1, $3)`, g.id, g.a, g.b)
	}
	for _, r := range []struct {
		profile, group string
		seq            int
	}{{ann, gb, 1}, {bob, gb, 2}, {cat, gc, 1}, {ann, gd, 3}} {
		exec(`INSERT INTO chat_read (profile_id, chat_group_id, seq, read_at) VALUES ($1, $2, $3, now())`, r.profile, r.group, r.seq)
	}

	check := func(t *testing.T) {
		t.Helper()
		wantChats := func(profile string, want ...bunnybook.PrivateChat) {
			t.Helper()
			got, err := db.PrivateChats(ctx, profile)
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("PrivateChats: got %+v, %v; want %+v", got, err, want)
			}
		}
		wantChats(ann, bunnybook.PrivateChat{ChatGroupID: gb, ProfileID: bob, Username: "bob"},
			bunnybook.PrivateChat{ChatGroupID: gc, ProfileID: cat, Username: "cat"})
		wantChats(bob, bunnybook.PrivateChat{ChatGroupID: gb, ProfileID: ann, Username: "ann"})
		wantChats(cat, bunnybook.PrivateChat{ChatGroupID: gc, ProfileID: ann, Username: "ann"})
		wantChats(dan)
		wantUnread := func(profile string, want ...string) {
			t.Helper()
			got, err := db.UnreadConversations(ctx, profile)
			slices.Sort(want)
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("UnreadConversations: got %v, %v; want %v", got, err, want)
			}
		}
		wantUnread(ann, gb, gc)
		wantUnread(bob)
		wantUnread(cat)
		wantUnread(dan)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate up: %v", err)
	}
	check(t)
	if _, err := p.DownTo(ctx, 2); err != nil {
		t.Fatalf("migrate down to 00002 again: %v", err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
	check(t)

	// The backfilled rows serve the store's own writes: dan befriends ann
	// again and finds their group, unread up to its last message.
	if got := storetest.MustBefriend(t, db, dan, ann); got != gd {
		t.Fatalf("befriending again gave group %s, want %s", got, gd)
	}
	chats, err := db.PrivateChats(ctx, dan)
	if err != nil || len(chats) != 1 || chats[0] != (bunnybook.PrivateChat{ChatGroupID: gd, ProfileID: ann, Username: "ann"}) {
		t.Fatalf("PrivateChats(dan): got %+v, %v; want the old group with ann", chats, err)
	}
	unread, err := db.UnreadConversations(ctx, dan)
	if err != nil || !slices.Equal(unread, []string{gd}) {
		t.Fatalf("UnreadConversations(dan): got %v, %v; want %s", unread, err, gd)
	}
}
