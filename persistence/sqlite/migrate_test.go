package sqlite_test

import (
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/bunnybook/bunnybook/persistence/sqlite"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// mustMigrator opens a migrated database and returns it with its goose
// provider.
func mustMigrator(t *testing.T) (*sqlite.DB, *goose.Provider) {
	t.Helper()
	db := sqlitetest.MustOpen(t)
	p, err := sqlite.Migrator(db)
	if err != nil {
		t.Fatal(err)
	}
	return db, p
}

// TestMigrationBackfill checks that migrating a database written before
// migration 00003 fills in what the newer queries read, and that the Down
// migrations undo it.
func TestMigrationBackfill(t *testing.T) {
	ctx := t.Context()
	db, p := mustMigrator(t)
	if _, err := p.DownTo(ctx, 2); err != nil {
		t.Fatalf("migrate down to 00002: %v", err)
	}

	// The rows of storetest.Backfill, as the schema before 00003 held them.
	b := storetest.NewBackfill()
	ann, bob, cat, dan, gb, gc, gd := b.Ann, b.Bob, b.Cat, b.Dan, b.GB, b.GC, b.GD
	exec := func(query string, args ...any) {
		t.Helper()
		if err := sqlite.Exec(ctx, db, query, args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	for id, name := range map[string]string{ann: "ann", bob: "bob", cat: "cat", dan: "dan"} {
		exec(`INSERT INTO profile (id, username, email, password_hash, avatar_seed, registered_at) VALUES (?, ?, ?, 'h', 's', 0)`,
			id, name, name+"@bunnybook.test")
	}
	for _, f := range [][2]string{{ann, bob}, {bob, ann}, {ann, cat}, {cat, ann}} {
		exec(`INSERT INTO friendship (profile_id, friend_id, created_at) VALUES (?, ?, 0)`, f[0], f[1])
	}
	for _, g := range []struct {
		id, a, b string
		active   bool
		lastSeq  int
	}{{gb, ann, bob, true, 2}, {gc, cat, ann, true, 1}, {gd, ann, dan, false, 3}} {
		exec(`INSERT INTO chat_group (id, active, pair_key, last_seq, created_at) VALUES (?, ?, ?, ?, 0)`,
			g.id, g.active, sqlite.PairKey(g.a, g.b), g.lastSeq)
		exec(`INSERT INTO chat_member (chat_group_id, profile_id) VALUES (?1, ?2), (?1, ?3)`, g.id, g.a, g.b)
	}
	for _, r := range []struct {
		profile, group string
		seq            int
	}{{ann, gb, 1}, {bob, gb, 2}, {cat, gc, 1}, {ann, gd, 3}} {
		exec(`INSERT INTO chat_read (profile_id, chat_group_id, seq, read_at) VALUES (?, ?, ?, 0)`, r.profile, r.group, r.seq)
	}

	b.Check(t, db, func() error { return db.Migrate(ctx) }, func() error {
		_, err := p.DownTo(ctx, 2)
		return err
	})
}

// TestMigrationsKeepForeignKeys: the migrations that rebuild a table turn
// foreign keys off on the write connection meanwhile (00008); they must
// be on again after every way through them.
func TestMigrationsKeepForeignKeys(t *testing.T) {
	ctx := t.Context()
	db, p := mustMigrator(t)
	check := func(when string) {
		t.Helper()
		if on, err := sqlite.ForeignKeys(ctx, db); err != nil || !on {
			t.Fatalf("foreign keys %s: %v, %v; want on", when, on, err)
		}
	}
	check("after migrating up")
	if _, err := p.DownTo(ctx, 7); err != nil {
		t.Fatalf("migrate down to 00007: %v", err)
	}
	check("after migrating down")
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
	check("after migrating up again")
	// And they are enforced: a reaction to no message is refused.
	if err := sqlite.Exec(ctx, db, `INSERT INTO chat_reaction (message_id, emoji, profile_id, created_at) VALUES ('none', 'x', 'none', 0)`); err == nil {
		t.Fatal("a reaction to no message was stored")
	}
}
