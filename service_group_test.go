package bunnybook_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// recorder is a Notifier that keeps the group changes it is told.
type recorder struct {
	bunnybook.NopNotifier
	changes []bunnybook.GroupChange
}

func (r *recorder) GroupChanged(_ context.Context, c bunnybook.GroupChange) {
	r.changes = append(r.changes, c)
}

// last returns the change told last, and forgets the others.
func (r *recorder) last(t *testing.T) bunnybook.GroupChange {
	t.Helper()
	if len(r.changes) != 1 {
		t.Fatalf("told %d group changes, want 1: %+v", len(r.changes), r.changes)
	}
	c := r.changes[0]
	r.changes = nil
	return c
}

func TestServiceTellsGroupChanges(t *testing.T) {
	db := sqlitetest.MustOpen(t)
	svc := bunnybook.NewService(db, db, slog.New(slog.DiscardHandler))
	rec := &recorder{}
	svc.Notifier = rec
	acc := storetest.MustCreateAccounts(t, db, "zoe", "amy", "bob", "cat")
	zoe, amy, bob, cat := acc[0].ID, acc[1].ID, acc[2].ID, acc[3].ID
	for _, f := range []string{amy, bob, cat} {
		storetest.MustBefriend(t, db, zoe, f)
	}
	ctx := t.Context()

	g, err := svc.CreateGroupChat(ctx, zoe, "Burrow", []string{amy, bob})
	if err != nil {
		t.Fatal(err)
	}
	if c := rec.last(t); c.Group.ID != g.ID || !c.Created || !sameIDs(c.Added, []string{zoe, amy, bob}) || len(c.Removed) != 0 {
		t.Errorf("create told %+v, want all three added", c)
	}
	if _, err := svc.RenameGroupChat(ctx, amy, g.ID, " Warren "); err != nil {
		t.Fatal(err)
	}
	if c := rec.last(t); c.Group.Name != "Warren" || len(c.Added)+len(c.Removed) != 0 {
		t.Errorf("rename told %+v", c)
	}
	if _, err := svc.AddGroupMember(ctx, zoe, g.ID, cat); err != nil {
		t.Fatal(err)
	}
	if c := rec.last(t); !sameIDs(c.Added, []string{cat}) || len(c.Group.Members) != 4 {
		t.Errorf("add told %+v", c)
	}
	if err := svc.RemoveGroupMember(ctx, bob, g.ID, bob); err != nil {
		t.Fatal(err)
	}
	if c := rec.last(t); !sameIDs(c.Removed, []string{bob}) || len(c.Group.Members) != 3 {
		t.Errorf("leave told %+v", c)
	}

	// Refused changes tell nobody.
	for name, err := range map[string]error{
		"add oneself":        second(svc.AddGroupMember(ctx, zoe, g.ID, zoe)),
		"rename as outsider": second(svc.RenameGroupChat(ctx, bob, g.ID, "Mine")),
		"remove as member":   svc.RemoveGroupMember(ctx, amy, g.ID, cat),
		"blank name":         second(svc.CreateGroupChat(ctx, zoe, " ", []string{amy, bob})),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if len(rec.changes) != 0 {
		t.Errorf("refused changes told %+v", rec.changes)
	}

	// A former member reads the history up to their leaving; a stranger nothing.
	if _, err := svc.ChatMessages(ctx, bob, g.ID, bunnybook.TimePage{Limit: 10}); err != nil {
		t.Errorf("former member's history: %v", err)
	}
	stranger := storetest.MustCreateAccount(t, db, "stranger")
	if _, err := svc.ChatMessages(ctx, stranger.ID, g.ID, bunnybook.TimePage{Limit: 10}); bunnybook.ErrorKind(err) != bunnybook.EForbidden {
		t.Errorf("stranger's history: %v, want forbidden", err)
	}
	if _, err := svc.GroupChat(ctx, bob, g.ID); bunnybook.ErrorKind(err) != bunnybook.EForbidden {
		t.Errorf("former member's GroupChat: %v, want forbidden", err)
	}
}

func second[T any](_ T, err error) error { return err }

func sameIDs(got, want []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want)))
}
