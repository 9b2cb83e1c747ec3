package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/client"
	"github.com/bunnybook/bunnybook/persistence/postgres/postgrestest"
)

// mustReadUsers reads a users file written by seed.
func mustReadUsers(tb testing.TB, path string) []SeedUser {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var users []SeedUser
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var u SeedUser
		if err := json.Unmarshal(sc.Bytes(), &u); err != nil {
			tb.Fatalf("users file line %d: %v", len(users)+1, err)
		}
		users = append(users, u)
	}
	return users
}

// checkSeeded checks the users file against the store and a running server:
// usernames, symmetric friendships with one chat group per pair, and
// tokens that open a websocket whose hello lists the same chats.
func checkSeeded(t *testing.T, m *Main, users []SeedUser, profiles, friends int) {
	t.Helper()
	ctx := context.Background()
	if len(users) != profiles {
		t.Fatalf("users file has %d lines, want %d", len(users), profiles)
	}
	total := 0
	for i, u := range users {
		if want := fmt.Sprintf("%s%06d", SeedPrefix, i+1); u.Username != want {
			t.Fatalf("user %d is %q, want %q", i, u.Username, want)
		}
		chats, err := m.Store.PrivateChats(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(chats) != len(u.Chats) {
			t.Fatalf("%s: store has %d private chats, users file %d", u.Username, len(chats), len(u.Chats))
		}
		total += len(u.Chats)
	}
	if avg := float64(total) / float64(profiles); avg < float64(friends)*0.8 || avg > float64(friends)*1.2 {
		t.Errorf("average friends %.1f, want about %d", avg, friends)
	}
	// Friendship is symmetric and each pair has its own group.
	byID := map[string]SeedUser{}
	for _, u := range users {
		byID[u.ID] = u
	}
	groups := map[string]int{}
	for _, u := range users {
		for _, c := range u.Chats {
			groups[c.ChatGroupID]++
			if rel, err := m.Store.Relationship(ctx, u.ID, c.ProfileID); err != nil || rel != "FRIEND" {
				t.Fatalf("%s → %s: relationship %v, %v; want FRIEND", u.ID, c.ProfileID, rel, err)
			}
		}
	}
	for g, n := range groups {
		if n != 2 {
			t.Fatalf("chat group %s appears %d times in the users file, want 2", g, n)
		}
	}
	// Seeding wrote no outbox events, so a graph projection must rebuild.
	if outbox, ok := m.Store.(bunnybook.GraphOutbox); ok {
		if _, err := outbox.PendingGraphEvents(ctx, 0, 1); !errors.Is(err, bunnybook.ErrGraphEventsPruned) {
			t.Errorf("pending graph events after seeding: %v, want ErrGraphEventsPruned (a rebuild)", err)
		}
	}
	// The tokens work against a server on the same store and secret.
	srv := MustRunMain(t, func(s *Main) {
		s.Store, s.Config.DataDir, s.Config.JWTSecret = m.Store, m.Config.DataDir, m.Config.JWTSecret
	})
	u := users[len(users)/2]
	conn, err := client.Dial(ctx, srv.URL(), u.AccessToken, client.DialOptions{})
	if err != nil {
		t.Fatalf("dial with a seeded token: %v", err)
	}
	defer conn.Close()
	f, err := conn.AwaitType(wait, "hello")
	if err != nil {
		t.Fatalf("hello: %v", err)
	}
	var h hello
	f.Decode(&h)
	if h.ProfileID != u.ID || len(h.PrivateChats) != len(u.Chats) {
		t.Fatalf("hello = %s %d chats, want %s %d chats", h.ProfileID, len(h.PrivateChats), u.ID, len(u.Chats))
	}
	c := client.New(srv.URL())
	if err := c.Login(ctx, u.Email, u.Password); err != nil {
		t.Fatalf("login with the seeded password: %v", err)
	}
}

func TestSeedSQLite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	out := filepath.Join(dir, "users.jsonl")
	env := map[string]string{"BUNNYBOOK_DATA_DIR": filepath.Join(dir, "data"), "BUNNYBOOK_JWT_SECRET": strings.Repeat("s", 32), "BUNNYBOOK_LOG_LEVEL": "warn"}
	seed := func(extra ...string) error {
		var log strings.Builder
		args := append([]string{"seed", "--profiles", "60", "--friends", "8", "--out", out}, extra...)
		return run(ctx, args, func(k string) string { return env[k] }, &log)
	}
	if err := seed(); err != nil {
		t.Fatal(err)
	}
	// Seeding again replaces the seeded profiles.
	if err := seed(); err != nil {
		t.Fatalf("seed again: %v", err)
	}
	m := NewMain(mustConfig(t, env))
	if err := m.openStore(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	checkSeeded(t, m, mustReadUsers(t, out), 60, 8)

	// A store with a real user is refused, unless forced.
	srv := MustRunMain(t, func(s *Main) { s.Store = m.Store })
	MustUser(t, srv.URL())
	if err := seed(); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("seed into a store with a real user: %v, want a refusal naming --force", err)
	}
	if err := seed("--force"); err != nil {
		t.Fatalf("seed --force: %v", err)
	}
	if seeded, other, err := m.Store.(interface {
		CountProfiles(context.Context, string) (int64, int64, error)
	}).CountProfiles(ctx, SeedPrefix); err != nil || seeded != 60 || other != 1 {
		t.Fatalf("after seed --force: %d seeded, %d other, %v; want 60 and 1", seeded, other, err)
	}
}

func TestSeedPostgres(t *testing.T) {
	db := postgrestest.MustOpen(t)
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.JWTSecret = strings.Repeat("p", 32)
	cfg.LogLevel = "warn"
	m := NewMain(cfg)
	m.Store = db
	out := filepath.Join(t.TempDir(), "users.jsonl")
	var log strings.Builder
	o := SeedOptions{Profiles: 80, Friends: 10, Out: out, TokenTTL: 2 * time.Hour, Password: "load-test-carrots", Seed: 7}
	if err := Seed(context.Background(), m, o, &log); err != nil {
		t.Fatal(err)
	}
	if err := Seed(context.Background(), m, o, &log); err != nil {
		t.Fatalf("seed again: %v", err)
	}
	checkSeeded(t, m, mustReadUsers(t, out), 80, 10)
}

func mustConfig(tb testing.TB, env map[string]string) Config {
	tb.Helper()
	cfg, err := ParseConfig(flagSet(), nil, func(k string) string { return env[k] })
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

func flagSet() *flag.FlagSet { return flag.NewFlagSet("test", flag.ContinueOnError) }
