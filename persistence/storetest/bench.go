package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/bunnybook/bunnybook"
)

// Size of the benchmark dataset.
const (
	benchProfiles  = 1000
	benchFriends   = 20 // per profile
	benchWallPosts = 50 // on the benchmarked wall
	benchWorkers   = 4  // concurrent writers while seeding
)

// benchData is the seeded dataset the benchmarks read.
type benchData struct {
	profiles []bunnybook.Account
	wall     string   // the profile whose wall has benchWallPosts posts
	posts    []string // their ids
}

// RunBenchmarks benchmarks the hottest reads (and Suggestions, the
// heaviest graph query) on a seeded dataset:
// benchProfiles profiles with benchFriends friends each (a ring where each
// profile befriends the next benchFriends/2), and benchWallPosts posts (a
// quarter FRIENDS-only) on one wall. open is called once; seeding goes
// through the Store itself.
func RunBenchmarks(b *testing.B, open func(b *testing.B) (bunnybook.Store, bunnybook.Graph)) {
	s, g := open(b)
	d := seed(b, s)
	ctx := b.Context()

	b.Run("WallPage", func(b *testing.B) {
		for b.Loop() {
			ps, err := s.WallPosts(ctx, d.wall, true, bunnybook.TimePage{Limit: 10})
			if err != nil || len(ps) != 10 {
				b.Fatalf("WallPosts: %d posts, %v", len(ps), err)
			}
		}
	})
	b.Run("Post", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := s.Post(ctx, d.posts[i%len(d.posts)]); err != nil {
				b.Fatalf("Post: %v", err)
			}
			i++
		}
	})
	b.Run("Friends", func(b *testing.B) {
		i := 0
		for b.Loop() {
			ps, err := g.Friends(ctx, d.profiles[i%len(d.profiles)].ID, bunnybook.NamePage{Limit: 20})
			if err != nil || len(ps) != benchFriends {
				b.Fatalf("Friends: %d friends, %v", len(ps), err)
			}
			i++
		}
	})
	b.Run("Relationship", func(b *testing.B) {
		i := 0
		for b.Loop() {
			// Alternate a friend (i+1) and a stranger (i+500).
			x := d.profiles[i%len(d.profiles)].ID
			y := d.profiles[(i+1+(i%2)*499)%len(d.profiles)].ID
			if _, err := g.Relationship(ctx, x, y); err != nil {
				b.Fatalf("Relationship: %v", err)
			}
			i++
		}
	})
	b.Run("Suggestions", func(b *testing.B) {
		i := 0
		for b.Loop() {
			ss, err := g.Suggestions(ctx, d.profiles[i%len(d.profiles)].ID, bunnybook.SuggestionPage{Limit: 20})
			if err != nil || len(ss) != 20 {
				b.Fatalf("Suggestions: %d suggestions, %v", len(ss), err)
			}
			i++
		}
	})
	b.Run("WallPageParallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.WallPosts(ctx, d.wall, true, bunnybook.TimePage{Limit: 10}); err != nil {
					b.Errorf("WallPosts: %v", err)
					return
				}
			}
		})
	})
}

// seed fills s with the benchmark dataset.
func seed(b *testing.B, s bunnybook.Store) benchData {
	b.Helper()
	ctx := b.Context()
	var d benchData
	for i := range benchProfiles {
		d.profiles = append(d.profiles, NewAccount(fmt.Sprintf("bunny%04d", i)))
	}
	parallel(b, benchProfiles, func(i int) error {
		return s.CreateAccount(ctx, &d.profiles[i])
	})
	parallel(b, benchProfiles*benchFriends/2, func(k int) error {
		i, j := k/(benchFriends/2), k%(benchFriends/2)+1
		return befriend(ctx, s, d.profiles[i].ID, d.profiles[(i+j)%benchProfiles].ID)
	})
	d.wall = d.profiles[0].ID
	posts := make([]bunnybook.Post, benchWallPosts)
	for i := range posts {
		privacy := bunnybook.Public
		if i%4 == 0 {
			privacy = bunnybook.Friends
		}
		author := d.profiles[i%(benchFriends/2+1)].ID // the owner or one of its friends
		posts[i] = NewPost(author, d.wall, privacy, at(i))
		d.posts = append(d.posts, posts[i].ID)
	}
	parallel(b, len(posts), func(i int) error {
		return s.CreatePost(ctx, &posts[i], nil)
	})
	return d
}

// befriend makes a and b friends.
func befriend(ctx context.Context, s bunnybook.Store, a, b string) error {
	if err := s.SendFriendRequest(ctx, a, b, NewNotification(b, bunnybook.EventNewFriendshipRequest, bunnybook.Now())); err != nil {
		return err
	}
	_, err := s.AcceptFriendRequest(ctx, a, b, NewNotification(a, bunnybook.EventNewFriend, bunnybook.Now()))
	return err
}

// parallel runs fn(0..n-1) on benchWorkers goroutines and fails on the first error.
func parallel(b *testing.B, n int, fn func(i int) error) {
	b.Helper()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	next := make(chan int)
	for range benchWorkers {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("item %d: %w", i, err))
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		b.Fatalf("seeding: %d errors, first: %v", len(errs), errs[0])
	}
}
