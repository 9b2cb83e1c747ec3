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
	benchHubChats  = 50 // private chats of the hub profile, half of them unread
)

// benchData is the seeded dataset the benchmarks read.
type benchData struct {
	profiles []bunnybook.Account
	wall     string   // the profile whose wall has benchWallPosts posts
	posts    []string // their ids
	hub      string   // the profile with benchHubChats friends
	hubPal   string   // one of them
	hubChat  string   // their chat group, read up to seq 1
}

// RunBenchmarks benchmarks the hottest reads (and Suggestions, the
// heaviest graph query) on a seeded dataset:
// benchProfiles profiles with benchFriends friends each (a ring where each
// profile befriends the next benchFriends/2), benchWallPosts posts (a
// quarter FRIENDS-only) on one wall, and a hub profile with benchHubChats
// friends of its own, each of whom sent it a message it read in every
// other chat. open is called once; seeding goes through the Store itself.
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
	// What a websocket connection reads when it opens.
	b.Run("PrivateChats", func(b *testing.B) {
		for b.Loop() {
			cs, err := s.PrivateChats(ctx, d.hub)
			if err != nil || len(cs) != benchHubChats {
				b.Fatalf("PrivateChats: %d chats, %v", len(cs), err)
			}
		}
	})
	b.Run("GroupChats", func(b *testing.B) {
		for b.Loop() {
			if gs, err := s.GroupChats(ctx, d.hub); err != nil || len(gs) != 0 {
				b.Fatalf("GroupChats: %d groups, %v", len(gs), err)
			}
		}
	})
	b.Run("UnreadConversations", func(b *testing.B) {
		for b.Loop() {
			ids, err := s.UnreadConversations(ctx, d.hub)
			if err != nil || len(ids) != benchHubChats/2 {
				b.Fatalf("UnreadConversations: %d ids, %v", len(ids), err)
			}
		}
	})
	// The first page of the conversation list.
	b.Run("Conversations", func(b *testing.B) {
		for b.Loop() {
			cs, err := s.Conversations(ctx, d.hub, bunnybook.TimePage{Limit: 10})
			if err != nil || len(cs) != 10 {
				b.Fatalf("Conversations: %d conversations, %v", len(cs), err)
			}
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
	// A message and its reader's mark, the writes that keep a chat's
	// unread state. Last: it adds messages, and the chat ends read as it
	// began.
	b.Run("SendAndRead", func(b *testing.B) {
		seq := int64(1)
		for b.Loop() {
			seq++
			m := NewMessage(d.hubChat, d.hubPal, seq, bunnybook.Now())
			if err := s.AppendMessages(ctx, []bunnybook.ChatMessage{m}); err != nil {
				b.Fatalf("AppendMessages: %v", err)
			}
			if _, err := s.MarkChatRead(ctx, d.hub, d.hubChat, seq, bunnybook.Now()); err != nil {
				b.Fatalf("MarkChatRead: %v", err)
			}
		}
	})
	benchReactions(b, s, d)
}

// benchReactions benchmarks the reactions of a history page (what GET
// /web/chat/{id}/messages reads after the page: two reactions on each of
// its messages) and a toggle, on the hub's chat that SendAndRead filled.
func benchReactions(b *testing.B, s bunnybook.Store, d benchData) {
	ctx := b.Context()
	page, err := s.ChatMessages(ctx, d.hubChat, bunnybook.TimePage{Limit: 20})
	if err != nil {
		b.Fatalf("ChatMessages: %v", err)
	}
	ids := make([]string, len(page))
	for i, m := range page {
		ids[i] = m.ID
		for _, r := range [][2]string{{d.hubPal, "🐰"}, {d.hub, "👍"}} {
			if _, err := s.ToggleReaction(ctx, d.hubChat, m.ID, r[0], r[1], bunnybook.Now()); err != nil {
				b.Fatalf("ToggleReaction: %v", err)
			}
		}
	}
	b.Run("HistoryPageReactions", func(b *testing.B) {
		for b.Loop() {
			rs, err := s.MessageReactions(ctx, ids)
			if err != nil || len(rs) != len(ids) {
				b.Fatalf("MessageReactions: %d messages, %v", len(rs), err)
			}
		}
	})
	b.Run("ToggleReaction", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.ToggleReaction(ctx, d.hubChat, ids[0], d.hub, "🥕", bunnybook.Now()); err != nil {
				b.Fatalf("ToggleReaction: %v", err)
			}
		}
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
	d.hub, d.hubPal, d.hubChat = seedHub(b, s)
	return d
}

// seedHub creates a profile with benchHubChats friends of its own (not
// among the ring's profiles), each of whom sends it one message; it reads
// every other one. It returns the hub's id and one friend and chat it read.
func seedHub(b *testing.B, s bunnybook.Store) (hub, pal, chat string) {
	b.Helper()
	ctx := b.Context()
	h := NewAccount("hub")
	if err := s.CreateAccount(ctx, &h); err != nil {
		b.Fatalf("create hub: %v", err)
	}
	parallel(b, benchHubChats, func(i int) error {
		f := NewAccount(fmt.Sprintf("pal%02d", i))
		if err := s.CreateAccount(ctx, &f); err != nil {
			return err
		}
		if err := befriend(ctx, s, f.ID, h.ID); err != nil {
			return err
		}
		cs, err := s.PrivateChats(ctx, f.ID)
		if err != nil || len(cs) != 1 {
			return fmt.Errorf("private chats of %s: %d, %v", f.Username, len(cs), err)
		}
		group := cs[0].ChatGroupID
		if err := s.AppendMessages(ctx, []bunnybook.ChatMessage{NewMessage(group, f.ID, 1, at(i))}); err != nil {
			return err
		}
		if i%2 == 0 {
			return nil
		}
		if i == 1 { // the only writer; parallel waits for it
			pal, chat = f.ID, group
		}
		_, err = s.MarkChatRead(ctx, h.ID, group, 1, at(i+1))
		return err
	})
	return h.ID, pal, chat
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
