package cached_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/persistence/cached"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/redis/redistest"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// caches are the Cache implementations every test runs with.
var caches = []struct {
	name string
	open func(t testing.TB) bunnybook.Cache
}{
	{"memory", func(testing.TB) bunnybook.Cache { return memory.NewCache() }},
	{"redis", func(t testing.TB) bunnybook.Cache { return redistest.MustOpen(t).Cache() }},
}

// MustOpen returns the decorator over a fresh SQLite store and the cache.
func MustOpen(tb testing.TB, cache bunnybook.Cache) *cached.Store {
	db := sqlitetest.MustOpen(tb)
	return cached.New(db, db, cache, cached.Options{})
}

func TestStoreContract(t *testing.T) {
	for _, c := range caches {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cache := c.open(t) // one cache shared by the suite's stores, like nodes sharing Redis
			storetest.Run(t, func(t *testing.T) (bunnybook.Store, bunnybook.Graph) {
				s := MustOpen(t, cache)
				return s, s
			})
		})
	}
}

// TestNoStalePages warms every cached read, writes, and checks that every
// page reflects the write at once.
func TestNoStalePages(t *testing.T) {
	for _, c := range caches {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := MustOpen(t, c.open(t))
			ctx := t.Context()
			ben, daisy := storetest.MustCreateAccount(t, s, "ben"), storetest.MustCreateAccount(t, s, "daisy")
			step := 0
			at := func() bunnybook.Time { step++; return bunnybook.UnixMilli(1_700_000_000_000 + int64(step)*1000) }

			// Walls: five posts, pages of two; warm every page of both views.
			var posts []bunnybook.Post
			for range 5 {
				posts = append(posts, storetest.MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, at()))
			}
			wall := func(friends bool) []string {
				var ids []string
				page := bunnybook.TimePage{Limit: 2}
				for {
					got, err := s.WallPosts(ctx, ben.ID, friends, page)
					if err != nil {
						t.Fatal(err)
					}
					for _, p := range got {
						ids = append(ids, fmt.Sprintf("%s/%d", p.ID, p.CommentsCount))
					}
					if len(got) < page.Limit {
						return ids
					}
					last := got[len(got)-1]
					page.Before, page.BeforeID = last.CreatedAt, last.ID
				}
			}
			checkWall := func(what string) {
				t.Helper()
				for _, friends := range []bool{false, true} {
					cachedIDs := wall(friends) // twice: the second read is all hits
					cachedIDs = wall(friends)
					want := wallFromSource(t, s, ben.ID, friends)
					if !slices.Equal(cachedIDs, want) {
						t.Fatalf("%s (friends view %v): wall = %v, want %v", what, friends, cachedIDs, want)
					}
				}
			}
			checkWall("warm")
			posts = append(posts, storetest.MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Friends, at()))
			checkWall("after a new post")
			if err := s.DeletePost(ctx, posts[2].ID); err != nil {
				t.Fatal(err)
			}
			checkWall("after deleting a post on page 2")

			// Comments: the post's count, its comment pages and the wall's pages.
			post := posts[0] // the oldest: on the last wall page
			comments := func() []string {
				var ids []string
				page := bunnybook.TimePage{Limit: 2}
				for {
					got, err := s.Comments(ctx, post.ID, page)
					if err != nil {
						t.Fatal(err)
					}
					for _, c := range got {
						ids = append(ids, c.ID)
					}
					if len(got) < page.Limit {
						return ids
					}
					last := got[len(got)-1]
					page.Before, page.BeforeID = last.CreatedAt, last.ID
				}
			}
			var want []string
			for i := range 5 {
				if got := comments(); !slices.Equal(got, want) {
					t.Fatalf("after %d comments: comments = %v, want %v", i, got, want)
				}
				p, err := s.Post(ctx, post.ID)
				if err != nil || p.CommentsCount != i {
					t.Fatalf("after %d comments: post = %+v, %v", i, p, err)
				}
				checkWall(fmt.Sprintf("after %d comments", i))
				c := storetest.MustCreateComment(t, s, daisy.ID, post.ID, at())
				want = append([]string{c.ID}, want...)
			}
			if err := s.DeletePost(ctx, post.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Post(ctx, post.ID); bunnybook.ErrorKind(err) != bunnybook.ENotFound {
				t.Fatalf("Post after delete: %v, want not found", err)
			}
			if got := comments(); len(got) != 0 {
				t.Fatalf("comments of a deleted post = %v", got)
			}
			checkWall("after deleting a commented post")

			// Friends: pages of two, then new friends land on page 2; unfriending.
			others := storetest.MustCreateAccounts(t, s, "a1", "a2", "a3", "c1", "c2")
			friends := func() []string {
				var names []string
				page := bunnybook.NamePage{Limit: 2}
				for {
					got, err := s.Friends(ctx, ben.ID, page)
					if err != nil {
						t.Fatal(err)
					}
					for _, p := range got {
						names = append(names, p.Username)
					}
					if len(got) < page.Limit {
						return names
					}
					page.After = got[len(got)-1].Username
				}
			}
			for _, o := range others[:2] {
				storetest.MustBefriend(t, s, ben.ID, o.ID)
			}
			storetest.MustBefriend(t, s, ben.ID, others[3].ID)
			for _, want := range [][]string{{"a1", "a2", "c1"}, {"a1", "a2", "a3", "c1"}} {
				if got := friends(); !slices.Equal(got, want) {
					t.Fatalf("friends = %v, want %v", got, want)
				}
				friends() // warm
				if len(want) == 3 {
					storetest.MustBefriend(t, s, others[2].ID, ben.ID) // sorts onto page 2
				}
			}
			storetest.MustUnfriend(t, s, ben.ID, others[0].ID)
			if got, want := friends(), []string{"a2", "a3", "c1"}; !slices.Equal(got, want) {
				t.Fatalf("friends after unfriending = %v, want %v", got, want)
			}

			// Relationship after each state change, from both sides.
			rel := func(a, b string) bunnybook.Relationship {
				r, err := s.Relationship(ctx, a, b)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			note := func() bunnybook.Notification {
				return storetest.NewNotification(daisy.ID, bunnybook.EventNewFriendshipRequest, at())
			}
			steps := []struct {
				name string
				do   func() error
				want bunnybook.Relationship // from ben's side
			}{
				{"none", func() error { return nil }, bunnybook.RelNone},
				{"ben sends", func() error { return s.SendFriendRequest(ctx, ben.ID, daisy.ID, note()) }, bunnybook.RelOutgoing},
				{"ben cancels", func() error { return s.DeleteFriendRequest(ctx, ben.ID, daisy.ID) }, bunnybook.RelNone},
				{"daisy sends", func() error { return s.SendFriendRequest(ctx, daisy.ID, ben.ID, note()) }, bunnybook.RelIncoming},
				{"ben accepts", func() error {
					_, err := s.AcceptFriendRequest(ctx, daisy.ID, ben.ID, note())
					return err
				}, bunnybook.RelFriend},
				{"unfriend", func() error { _, err := s.Unfriend(ctx, daisy.ID, ben.ID); return err }, bunnybook.RelNone},
			}
			mirror := map[bunnybook.Relationship]bunnybook.Relationship{
				bunnybook.RelOutgoing: bunnybook.RelIncoming, bunnybook.RelIncoming: bunnybook.RelOutgoing,
				bunnybook.RelFriend: bunnybook.RelFriend, bunnybook.RelNone: bunnybook.RelNone,
			}
			for _, st := range steps {
				if err := st.do(); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				for range 2 { // the second read comes from the cache
					if got := rel(ben.ID, daisy.ID); got != st.want {
						t.Fatalf("%s: ben→daisy = %s, want %s", st.name, got, st.want)
					}
					if got := rel(daisy.ID, ben.ID); got != mirror[st.want] {
						t.Fatalf("%s: daisy→ben = %s, want %s", st.name, got, mirror[st.want])
					}
				}
			}
			if st := s.Stats(); st.Hits == 0 {
				t.Fatalf("no cache hits at all: %+v", st)
			}
		})
	}
}

// wallFromSource reads every page of a wall from the inner store.
func wallFromSource(t *testing.T, s *cached.Store, wall string, friends bool) []string {
	t.Helper()
	var ids []string
	page := bunnybook.TimePage{Limit: 2}
	for {
		got, err := s.Store.WallPosts(t.Context(), wall, friends, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range got {
			ids = append(ids, fmt.Sprintf("%s/%d", p.ID, p.CommentsCount))
		}
		if len(got) < page.Limit {
			return ids
		}
		last := got[len(got)-1]
		page.Before, page.BeforeID = last.CreatedAt, last.ID
	}
}

// TestStampede checks that many concurrent misses of one key read the
// source once per node, with two nodes sharing a cache.
func TestStampede(t *testing.T) {
	for _, c := range caches {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cache := c.open(t)
			db := sqlitetest.MustOpen(t)
			counter := &countingStore{Store: db}
			nodes := []*cached.Store{
				cached.New(counter, db, cache, cached.Options{}),
				cached.New(counter, db, cache, cached.Options{}),
			}
			ben := storetest.MustCreateAccount(t, db, "ben")
			storetest.MustCreatePost(t, db, ben.ID, ben.ID, bunnybook.Public, bunnybook.Now())
			var wg sync.WaitGroup
			for i := range 50 {
				wg.Go(func() {
					if _, err := nodes[i%2].WallPosts(context.Background(), ben.ID, false, bunnybook.TimePage{Limit: 10}); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if n := counter.wallReads(); n < 1 || n > 2 {
				t.Errorf("50 concurrent misses read the source %d times, want 1 (2 at worst: one per node)", n)
			}
		})
	}
}

// TestCacheFailureReadsThrough uses a cache that always fails: every call
// still succeeds, from the source.
func TestCacheFailureReadsThrough(t *testing.T) {
	t.Parallel()
	db := sqlitetest.MustOpen(t)
	s := cached.New(db, db, brokenCache{}, cached.Options{})
	ben := storetest.MustCreateAccount(t, s, "ben")
	p := storetest.MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, bunnybook.Now())
	storetest.MustCreateComment(t, s, ben.ID, p.ID, bunnybook.Now())
	got, err := s.WallPosts(t.Context(), ben.ID, true, bunnybook.TimePage{Limit: 10})
	if err != nil || len(got) != 1 || got[0].CommentsCount != 1 {
		t.Fatalf("WallPosts = %+v, %v", got, err)
	}
	if _, err := s.Post(t.Context(), p.ID); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Relationship(t.Context(), ben.ID, bunnybook.NewID()); err != nil || r != bunnybook.RelNone {
		t.Fatalf("Relationship = %v, %v", r, err)
	}
	if st := s.Stats(); st.Hits != 0 || st.Misses != 3 {
		t.Fatalf("stats = %+v, want 3 misses", st)
	}
}

// TestFailedBumpStartsNewGeneration: after an invalidation is lost, the
// cache is bypassed until the whole cache could be invalidated.
func TestFailedBumpStartsNewGeneration(t *testing.T) {
	t.Parallel()
	db := sqlitetest.MustOpen(t)
	cache := &flakyCache{Cache: memory.NewCache()}
	s := cached.New(db, db, cache, cached.Options{})
	ben := storetest.MustCreateAccount(t, s, "ben")
	page := bunnybook.TimePage{Limit: 10}
	wallLen := func() int {
		got, err := s.WallPosts(t.Context(), ben.ID, false, page)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	if n := wallLen(); n != 0 {
		t.Fatalf("wall has %d posts", n)
	}
	cache.setFailing(true)
	storetest.MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, bunnybook.Now())
	if n := wallLen(); n != 1 {
		t.Fatalf("cache down: wall has %d posts, want 1", n)
	}
	cache.setFailing(false) // back, with the stale page still in it
	if n := wallLen(); n != 1 {
		t.Fatalf("cache back: wall has %d posts, want 1 (a stale page was served)", n)
	}
}

// countingStore counts WallPosts calls.
type countingStore struct {
	bunnybook.Store
	mu sync.Mutex
	n  int
}

func (c *countingStore) WallPosts(ctx context.Context, wall string, f bool, p bunnybook.TimePage) ([]bunnybook.Post, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	time.Sleep(50 * time.Millisecond) // a slow query, so the misses overlap
	return c.Store.WallPosts(ctx, wall, f, p)
}

func (c *countingStore) wallReads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

var errBroken = bunnybook.Errorf(bunnybook.EUnavailable, "cache broken")

// brokenCache fails every call.
type brokenCache struct{}

func (brokenCache) Get(context.Context, string, string) (string, []byte, bool, error) {
	return "", nil, false, errBroken
}
func (brokenCache) Set(context.Context, string, string, string, []byte, time.Duration) error {
	return errBroken
}
func (brokenCache) Bump(context.Context, ...string) error { return errBroken }
func (brokenCache) BumpAll(context.Context) error         { return errBroken }
func (brokenCache) Lock(context.Context, string, time.Duration) (bool, error) {
	return false, errBroken
}

// flakyCache fails every call while failing is set.
type flakyCache struct {
	bunnybook.Cache
	mu      sync.Mutex
	failing bool
}

func (f *flakyCache) setFailing(b bool) { f.mu.Lock(); f.failing = b; f.mu.Unlock() }
func (f *flakyCache) broken() bool      { f.mu.Lock(); defer f.mu.Unlock(); return f.failing }
func (f *flakyCache) Bump(ctx context.Context, ns ...string) error {
	if f.broken() {
		return errBroken
	}
	return f.Cache.Bump(ctx, ns...)
}
func (f *flakyCache) BumpAll(ctx context.Context) error {
	if f.broken() {
		return errBroken
	}
	return f.Cache.BumpAll(ctx)
}

// TestNilCacheCachesNothing: with no cache every read goes to the source.
func TestNilCacheCachesNothing(t *testing.T) {
	t.Parallel()
	db := sqlitetest.MustOpen(t)
	s := cached.New(db, db, nil, cached.Options{})
	ben := storetest.MustCreateAccount(t, s, "ben")
	for range 2 {
		if _, err := s.WallPosts(t.Context(), ben.ID, true, bunnybook.TimePage{Limit: 10}); err != nil {
			t.Fatal(err)
		}
	}
	storetest.MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, bunnybook.Now())
	if st := s.Stats(); st.Hits != 0 || st.Misses != 2 {
		t.Fatalf("stats = %+v, want 2 misses", st)
	}
}

// TestInvalidationAcrossNodes: a write on one node is seen at once by
// another node sharing the Redis cache.
func TestInvalidationAcrossNodes(t *testing.T) {
	t.Parallel()
	db := sqlitetest.MustOpen(t)
	ra := redistest.MustOpen(t)
	a := cached.New(db, db, ra.Cache(), cached.Options{})
	b := cached.New(db, db, redistest.MustOpenPrefix(t, ra).Cache(), cached.Options{})
	ben, daisy := storetest.MustCreateAccount(t, db, "ben"), storetest.MustCreateAccount(t, db, "daisy")
	page := bunnybook.TimePage{Limit: 10}
	for i := range 3 {
		for range 2 { // warm, then a hit
			got, err := b.WallPosts(t.Context(), ben.ID, false, page)
			if err != nil || len(got) != i {
				t.Fatalf("node b: wall has %d posts (%v), want %d", len(got), err, i)
			}
		}
		storetest.MustCreatePost(t, a, ben.ID, ben.ID, bunnybook.Public, bunnybook.Now())
	}
	for _, want := range []bunnybook.Relationship{bunnybook.RelNone, bunnybook.RelFriend} {
		for range 2 {
			if got, err := b.Relationship(t.Context(), ben.ID, daisy.ID); err != nil || got != want {
				t.Fatalf("node b: relationship %s (%v), want %s", got, err, want)
			}
		}
		if want == bunnybook.RelNone {
			storetest.MustBefriend(t, a, ben.ID, daisy.ID)
		}
	}
	if st := b.Stats(); st.Hits == 0 {
		t.Fatalf("node b never hit: %+v", st)
	}
}
