package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/auth"
)

// SeedPrefix starts the username of every seeded profile.
const SeedPrefix = "load-"

// SeedOptions are the flags of `bunnybook seed`.
type SeedOptions struct {
	Profiles int           // how many profiles; default 1000
	Friends  int           // about how many friends each; default 50
	Out      string        // users file (JSON lines); default users.jsonl
	Force    bool          // seed even when the store holds non-seeded profiles
	TokenTTL time.Duration // life of the access tokens written; default 2h
	Password string        // the password of every seeded profile
	Seed     uint64        // random seed of the friendship graph; default 1
}

// SeedUser is one line of the users file bunnyload reads.
type SeedUser struct {
	ID          string     `json:"id"`
	Username    string     `json:"username"`
	Email       string     `json:"email"`
	Password    string     `json:"password"`
	AccessToken string     `json:"accessToken"`
	Chats       []SeedChat `json:"chats"`
}

// SeedChat is a seeded profile's private chat with one friend.
type SeedChat struct {
	ChatGroupID string `json:"chatGroupId"`
	ProfileID   string `json:"profileId"`
}

// seedCmd parses `bunnybook seed` flags and seeds the configured store.
func seedCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bunnybook seed", flag.ContinueOnError)
	var o SeedOptions
	fs.IntVar(&o.Profiles, "profiles", 1000, "number of profiles to create (usernames "+SeedPrefix+"000001, …)")
	fs.IntVar(&o.Friends, "friends", 50, "about how many friends each profile gets (each befriends friends/2 random others)")
	fs.StringVar(&o.Out, "out", "users.jsonl", "users file to write: one JSON line per profile with id, username, email, password, accessToken, chats")
	fs.BoolVar(&o.Force, "force", false, "seed even when the store holds profiles that were not seeded")
	fs.DurationVar(&o.TokenTTL, "token-ttl", 2*time.Hour, "how long the access tokens in the users file stay valid")
	fs.StringVar(&o.Password, "password", "load-test-carrots", "the password of every seeded profile")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed of the friendship graph")
	cfg, err := ParseConfig(fs, args, getenv)
	if err != nil {
		return err
	}
	m := NewMain(cfg)
	defer m.Close()
	return Seed(ctx, m, o, stdout)
}

// Seed replaces the seeded profiles of m's store (opened, and migrated, if
// not set) with o.Profiles new ones and their friendships, and writes the
// users file. It refuses when the store holds other profiles, unless
// o.Force. A summary with timings goes to log.
func Seed(ctx context.Context, m *Main, o SeedOptions, log io.Writer) error {
	if o.Profiles < 1 || o.Friends < 0 || o.TokenTTL <= 0 {
		return errors.New("seed: --profiles must be ≥ 1, --friends ≥ 0 and --token-ttl positive")
	}
	if err := m.openStore(ctx); err != nil {
		return err
	}
	st, ok := m.Store.(seeder)
	if !ok {
		return fmt.Errorf("seed: cannot bulk-load a %T store", m.Store)
	}
	secret, err := m.Config.Secret()
	if err != nil {
		return fmt.Errorf("jwt secret: %w", err)
	}
	verifier, err := auth.NewVerifier(secret)
	if err != nil {
		return err
	}
	seeded, other, err := st.CountProfiles(ctx, SeedPrefix)
	if err != nil {
		return err
	}
	if other > 0 && !o.Force {
		return fmt.Errorf("seed: the store holds %d profiles that were not seeded (username not starting with %q); refusing to mix load-test data into it (use --force)", other, SeedPrefix)
	}
	start := time.Now()
	if seeded > 0 {
		if _, err := st.DeleteProfiles(ctx, SeedPrefix); err != nil {
			return err
		}
	}
	deleted := time.Since(start)

	// One hash for everyone: argon2id is deliberately slow.
	hash, err := argon2id.CreateHash(o.Password, &auth.OWASPParams)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	now := bunnybook.Now()
	accounts := seedAccounts(o.Profiles, hash, now)
	pairs := seedGraph(o.Profiles, o.Friends, o.Seed)
	friendships := make([]bunnybook.SeedFriendship, len(pairs))
	for i, p := range pairs {
		friendships[i] = bunnybook.SeedFriendship{A: accounts[p[0]].ID, B: accounts[p[1]].ID, ChatGroupID: bunnybook.NewID()}
	}
	t0 := time.Now()
	if err := st.Seed(ctx, accounts, friendships, now); err != nil {
		return err
	}
	inserted := time.Since(t0)

	t0 = time.Now()
	if err := writeUsers(o, accounts, friendships, verifier); err != nil {
		return err
	}
	fmt.Fprintf(log, "seeded %d profiles and %d friendships into %s in %v (delete old %v, insert %v, users file %v) → %s\n",
		len(accounts), len(friendships), m.storeName, time.Since(start).Round(time.Millisecond),
		deleted.Round(time.Millisecond), inserted.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond), o.Out)
	return nil
}

// seedAccounts makes n accounts sharing one password hash.
func seedAccounts(n int, hash string, now bunnybook.Time) []bunnybook.Account {
	accounts := make([]bunnybook.Account, n)
	for i := range accounts {
		name := fmt.Sprintf("%s%06d", SeedPrefix, i+1)
		accounts[i] = bunnybook.Account{
			Profile:      bunnybook.Profile{ID: bunnybook.NewID(), Username: name},
			Email:        name + "@load.bunnybook.test",
			PasswordHash: hash,
			Role:         bunnybook.RoleUser,
			AvatarSeed:   name,
			RegisteredAt: now,
		}
	}
	return accounts
}

// seedGraph returns a random friendship graph on n profiles in which each
// befriends k/2 others (so each has about k friends), as index pairs.
func seedGraph(n, k int, seed uint64) [][2]int {
	rng := rand.New(rand.NewPCG(seed, 0x6275_6e6e_79))
	half := min(k/2, n-1)
	seen := make(map[uint64]bool, n*half)
	pairs := make([][2]int, 0, n*half)
	for a := range n {
		for made, tries := 0, 0; made < half && tries < 8*half; tries++ {
			b := rng.IntN(n)
			lo, hi := min(a, b), max(a, b)
			key := uint64(lo)<<32 | uint64(hi)
			if a == b || seen[key] {
				continue
			}
			seen[key] = true
			pairs = append(pairs, [2]int{a, b})
			made++
		}
	}
	return pairs
}

// writeUsers writes the users file: each account with a fresh access
// token and its private chats.
func writeUsers(o SeedOptions, accounts []bunnybook.Account, friendships []bunnybook.SeedFriendship, v *auth.Verifier) error {
	index := make(map[string]int, len(accounts))
	for i, a := range accounts {
		index[a.ID] = i
	}
	chats := make([][]SeedChat, len(accounts))
	for _, f := range friendships {
		a, b := index[f.A], index[f.B]
		chats[a] = append(chats[a], SeedChat{f.ChatGroupID, f.B})
		chats[b] = append(chats[b], SeedChat{f.ChatGroupID, f.A})
	}
	f, err := os.Create(o.Out)
	if err != nil {
		return fmt.Errorf("users file: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	iat := time.Now()
	for i := range accounts {
		a := &accounts[i]
		token, err := v.Sign(auth.UserOf(a), "", iat, iat.Add(o.TokenTTL))
		if err != nil {
			f.Close()
			return err
		}
		u := SeedUser{ID: a.ID, Username: a.Username, Email: a.Email, Password: o.Password, AccessToken: token, Chats: chats[i]}
		if u.Chats == nil {
			u.Chats = []SeedChat{}
		}
		if err := enc.Encode(u); err != nil {
			f.Close()
			return fmt.Errorf("users file: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("users file: %w", err)
	}
	return f.Close()
}

// seeder is the bulk-loading side of a relational backend (SQLite and
// PostgreSQL both have it).
type seeder interface {
	CountProfiles(ctx context.Context, prefix string) (matching, other int64, err error)
	DeleteProfiles(ctx context.Context, prefix string) (int64, error)
	Seed(ctx context.Context, accounts []bunnybook.Account, friendships []bunnybook.SeedFriendship, at bunnybook.Time) error
}
