package postgres_test

import (
	"testing"

	"github.com/bunnybook/bunnybook/persistence/postgres"
	"github.com/bunnybook/bunnybook/persistence/postgres/postgrestest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// TestMigrationBackfill checks that migrating a database written before
// migration 00003 fills in what the newer queries read, and that the Down
// migrations undo it.
func TestMigrationBackfill(t *testing.T) {
	ctx := t.Context()
	db := postgrestest.MustOpen(t)
	p, done, err := postgres.Migrator(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	if _, err := p.DownTo(ctx, 2); err != nil {
		t.Fatalf("migrate down to 00002: %v", err)
	}

	// The rows of storetest.Backfill, as the schema before 00003 held them.
	b := storetest.NewBackfill()
	ann, bob, cat, dan, gb, gc, gd := b.Ann, b.Bob, b.Cat, b.Dan, b.GB, b.GC, b.GD
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := db.Pool().Exec(ctx, query, args...); err != nil {
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
			g.id, g.active, postgres.PairKey(g.a, g.b), g.lastSeq)
		exec(`INSERT INTO chat_member (chat_group_id, profile_id) VALUES ($1, $2), ($1, $3)`, g.id, g.a, g.b)
	}
	for _, r := range []struct {
		profile, group string
		seq            int
	}{{ann, gb, 1}, {bob, gb, 2}, {cat, gc, 1}, {ann, gd, 3}} {
		exec(`INSERT INTO chat_read (profile_id, chat_group_id, seq, read_at) VALUES ($1, $2, $3, now())`, r.profile, r.group, r.seq)
	}

	b.Check(t, db, func() error { return db.Migrate(ctx) }, func() error {
		_, err := p.DownTo(ctx, 2)
		return err
	})
}
