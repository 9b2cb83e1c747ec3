package postgres_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/persistence/postgres"
	"github.com/bunnybook/bunnybook/persistence/postgres/postgrestest"
)

// newAccount stores an account named username and returns it.
func newAccount(t *testing.T, db *postgres.DB, username string) bunnybook.Account {
	t.Helper()
	id := bunnybook.NewID()
	a := bunnybook.Account{
		Profile:      bunnybook.Profile{ID: id, Username: username},
		Email:        username + "@bunnybook.test",
		PasswordHash: "hash",
		Role:         bunnybook.RoleUser,
		AvatarSeed:   id,
		RegisteredAt: bunnybook.Now(),
	}
	if err := db.CreateAccount(t.Context(), &a); err != nil {
		t.Fatalf("create account %s: %v", username, err)
	}
	return a
}

func note(recipient string) bunnybook.Notification {
	return bunnybook.Notification{ID: bunnybook.NewID(), CreatedAt: bunnybook.Now(), ProfileID: recipient,
		Data: bunnybook.NotificationData{Event: bunnybook.EventNewFriend, Payload: map[string]string{}}}
}

// race runs fn n times at once and returns the errors.
func race(n int, fn func() error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	return errs
}

// successes counts nil errors, failing the test on any error that is not
// ErrUnexpectedRelationship.
func successes(t *testing.T, errs []error) int {
	t.Helper()
	ok := 0
	for _, err := range errs {
		switch e := bunnybook.AsError(err); {
		case err == nil:
			ok++
		case e == nil || e.Message != bunnybook.ErrUnexpectedRelationship().Message:
			t.Fatalf("got error %v, want nil or UnexpectedRelationshipState", err)
		}
	}
	return ok
}

func TestConcurrentAccept(t *testing.T) {
	t.Parallel()
	db := postgrestest.MustOpen(t)
	ctx := t.Context()
	ben, daisy := newAccount(t, db, "ben"), newAccount(t, db, "daisy")
	if err := db.SendFriendRequest(ctx, ben.ID, daisy.ID, note(daisy.ID)); err != nil {
		t.Fatal(err)
	}
	groups := make(chan string, 8)
	errs := race(8, func() error {
		g, err := db.AcceptFriendRequest(ctx, ben.ID, daisy.ID, note(ben.ID))
		if err == nil {
			groups <- g
		}
		return err
	})
	if n := successes(t, errs); n != 1 {
		t.Fatalf("%d accepts succeeded, want 1", n)
	}
	var count int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM chat_group`).Scan(&count); err != nil {
		t.Fatal(err)
	}
	if count != 1 {
		t.Fatalf("%d chat groups, want 1", count)
	}
	chats, err := db.PrivateChats(ctx, ben.ID)
	if err != nil || len(chats) != 1 || chats[0].ChatGroupID != <-groups {
		t.Fatalf("PrivateChats(ben): got %v, %v, want the accepted group", chats, err)
	}
}

func TestConcurrentOppositeRequests(t *testing.T) {
	t.Parallel()
	db := postgrestest.MustOpen(t)
	ctx := t.Context()
	ben, daisy := newAccount(t, db, "ben"), newAccount(t, db, "daisy")
	var i int
	var mu sync.Mutex
	errs := race(6, func() error {
		mu.Lock()
		from, to := ben.ID, daisy.ID
		if i++; i%2 == 0 {
			from, to = to, from
		}
		mu.Unlock()
		return db.SendFriendRequest(ctx, from, to, note(to))
	})
	if n := successes(t, errs); n != 1 {
		t.Fatalf("%d requests succeeded, want 1", n)
	}
}

func TestConcurrentUnfriendAndRefriend(t *testing.T) {
	t.Parallel()
	db := postgrestest.MustOpen(t)
	ctx := t.Context()
	ben, daisy := newAccount(t, db, "ben"), newAccount(t, db, "daisy")
	if err := db.SendFriendRequest(ctx, ben.ID, daisy.ID, note(daisy.ID)); err != nil {
		t.Fatal(err)
	}
	first, err := db.AcceptFriendRequest(ctx, ben.ID, daisy.ID, note(ben.ID))
	if err != nil {
		t.Fatal(err)
	}
	errs := race(4, func() error { _, err := db.Unfriend(ctx, daisy.ID, ben.ID); return err })
	if n := successes(t, errs); n != 1 {
		t.Fatalf("%d unfriends succeeded, want 1", n)
	}
	if err := db.SendFriendRequest(ctx, daisy.ID, ben.ID, note(ben.ID)); err != nil {
		t.Fatal(err)
	}
	again, err := db.AcceptFriendRequest(ctx, daisy.ID, ben.ID, note(daisy.ID))
	if err != nil || again != first {
		t.Fatalf("re-befriend: got group %q, %v, want the first group %q", again, err, first)
	}
}

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	db := postgrestest.MustOpen(t)
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
}

func TestSchemasAreIsolated(t *testing.T) {
	t.Parallel()
	a, b := postgrestest.MustOpen(t), postgrestest.MustOpen(t)
	ben := newAccount(t, a, "ben")
	if _, err := b.Profile(t.Context(), ben.ID); bunnybook.ErrorKind(err) != bunnybook.ENotFound {
		t.Fatalf("Profile in another schema: got %v, want not found", err)
	}
	newAccount(t, b, "ben") // no conflict across schemas
}

func TestMalformedIDIsNotFound(t *testing.T) {
	t.Parallel()
	db := postgrestest.MustOpen(t)
	if _, err := db.Profile(t.Context(), "not-a-uuid"); bunnybook.ErrorKind(err) != bunnybook.ENotFound {
		t.Fatalf("Profile(not-a-uuid): got %v, want not found", err)
	}
}

func TestForeignKeysAreNotFound(t *testing.T) {
	t.Parallel()
	db := postgrestest.MustOpen(t)
	ctx := t.Context()
	ben := newAccount(t, db, "ben")
	nobody := bunnybook.NewID()
	tests := []struct {
		name string
		err  error
		msg  string
	}{
		{"post on missing wall", db.CreatePost(ctx, &bunnybook.Post{ID: bunnybook.NewID(), Content: "x",
			CreatedAt: bunnybook.Now(), WallProfileID: nobody, ProfileID: ben.ID, Privacy: bunnybook.Public}, nil),
			"no such profile"},
		{"message to missing group", db.AppendMessages(ctx, []bunnybook.ChatMessage{{ID: bunnybook.NewID(),
			Seq: 1, CreatedAt: bunnybook.Now(), FromProfileID: ben.ID, ChatGroupID: nobody, Content: "x"}}),
			"no such chat group"},
		{"request to missing profile", db.SendFriendRequest(ctx, ben.ID, nobody, note(nobody)), "no such profile"},
	}
	for _, tt := range tests {
		e := bunnybook.AsError(tt.err)
		if e == nil || e.Kind != bunnybook.ENotFound || e.Message != tt.msg {
			t.Errorf("%s: got %v, want not found %q", tt.name, tt.err, tt.msg)
		}
	}
}

func TestUnreachableIsUnavailable(t *testing.T) {
	t.Parallel()
	// Port 1 on loopback refuses connections.
	_, err := postgres.Open(t.Context(), "postgres://bunny:bunny@127.0.0.1:1/bunnybook?connect_timeout=2")
	if got := bunnybook.ErrorKind(err); got != bunnybook.EUnavailable {
		t.Fatalf("Open(closed port): got %v (kind %q), want %q", err, got, bunnybook.EUnavailable)
	}
	db := postgrestest.MustOpen(t)
	db.Close()
	err = db.Ping(context.Background())
	if got := bunnybook.ErrorKind(err); got != bunnybook.EUnavailable {
		t.Fatalf("Ping(closed pool): got %v (kind %q), want %q", err, got, bunnybook.EUnavailable)
	}
	if !errors.As(err, new(*bunnybook.Error)) {
		t.Fatal(fmt.Sprint("not a domain error: ", err))
	}
}

func TestConcurrentMigrate(t *testing.T) {
	t.Parallel()
	db := postgrestest.MustOpen(t)
	// A fresh schema in the same database, migrated by several "nodes" at once.
	ctx := t.Context()
	schema := "test_concurrent_" + strings.ToLower(rand.Text()[:8])
	if _, err := db.Pool().Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Pool().Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	url := os.Getenv(postgrestest.TestDatabaseEnv) + "?search_path=" + schema + ",public"
	if strings.Contains(os.Getenv(postgrestest.TestDatabaseEnv), "?") {
		url = os.Getenv(postgrestest.TestDatabaseEnv) + "&search_path=" + schema + ",public"
	}
	errs := race(3, func() error {
		node, err := postgres.Open(ctx, url)
		if err != nil {
			return err
		}
		defer node.Close()
		return node.Migrate(ctx)
	})
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent Migrate: %v", err)
		}
	}
}
