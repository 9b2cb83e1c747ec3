package sqlite_test

import (
	"testing"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// TestTranslate checks that each constraint of the schema becomes the
// domain error the callers rely on.
func TestTranslate(t *testing.T) {
	db := sqlitetest.MustOpen(t)
	ctx := t.Context()
	ben := storetest.MustCreateAccount(t, db, "ben")
	daisy := storetest.MustCreateAccount(t, db, "daisy")
	group := storetest.MustBefriend(t, db, ben.ID, daisy.ID)
	m := storetest.NewMessage(group, ben.ID, 1, bunnybook.Now())
	storetest.MustAppend(t, db, m)

	sameSeq := storetest.NewMessage(group, daisy.ID, 1, bunnybook.Now())
	sameClient := storetest.NewMessage(group, ben.ID, 2, bunnybook.Now())
	sameClient.ClientID = m.ClientID
	noGroup := storetest.NewMessage(bunnybook.NewID(), ben.ID, 1, bunnybook.Now())
	sameEmail := storetest.NewAccount("other")
	sameEmail.Email = ben.Email
	sameUsername := storetest.NewAccount("ben")
	sameUsername.Email = "x@bunnybook.test"
	sameID := storetest.NewAccount("third")
	sameID.ID = ben.ID
	post := storetest.NewPost(ben.ID, bunnybook.NewID(), bunnybook.Public, bunnybook.Now())

	tests := []struct {
		name       string
		err        error
		kind, code string
		field      string
	}{
		{"email", db.CreateAccount(ctx, &sameEmail), bunnybook.EConflict, "EmailAlreadyTaken", "email"},
		{"username", db.CreateAccount(ctx, &sameUsername), bunnybook.EConflict, "UsernameAlreadyTaken", "username"},
		{"id", db.CreateAccount(ctx, &sameID), bunnybook.EConflict, "", ""},
		{"seq", db.AppendMessages(ctx, []bunnybook.ChatMessage{sameSeq}), bunnybook.EConflict, "MessageSeqTaken", "seq"},
		{"client id", db.AppendMessages(ctx, []bunnybook.ChatMessage{sameClient}), bunnybook.EConflict, "MessageAlreadySent", "clientId"},
		{"unknown group", db.AppendMessages(ctx, []bunnybook.ChatMessage{noGroup}), bunnybook.ENotFound, "", ""},
		{"unknown wall", db.CreatePost(ctx, &post, nil), bunnybook.ENotFound, "", ""},
	}
	for _, tt := range tests {
		e := bunnybook.AsError(tt.err)
		if e == nil || e.Kind != tt.kind || e.Code != tt.code || e.Field != tt.field {
			t.Errorf("%s: got %v (%#v), want kind %q code %q field %q", tt.name, tt.err, e, tt.kind, tt.code, tt.field)
		}
	}
}
