package bunnybook_test

import (
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/persistence/cached"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
	"github.com/bunnybook/bunnybook/persistence/storetest"
)

// wallService is a service on SQLite behind the memory cache, so wall pages
// are served as cached JSON and the viewer's likes are written into them.
func wallService(tb testing.TB) (*bunnybook.Service, bunnybook.Store) {
	db := sqlitetest.MustOpen(tb)
	s := cached.New(db, db, memory.NewCache(), cached.Options{})
	return bunnybook.NewService(s, s, slog.New(slog.DiscardHandler)), s
}

// TestLikedByMeInCachedJSON: likedByMe is set on exactly the posts the
// viewer likes, whatever the posts say (contents that look like the keys
// the rewrite looks for), and the rest of the page is left as it was.
func TestLikedByMeInCachedJSON(t *testing.T) {
	svc, s := wallService(t)
	ctx := t.Context()
	acc := storetest.MustCreateAccounts(t, s, "owner", "viewer", "other")
	owner, viewer, other := acc[0], acc[1], acc[2]
	contents := []string{
		`{"id":"x","likesCount":1,"likedByMe":false}`,
		`,"likedByMe":false likesCount": 7`,
		`plain`,
		`"likesCount":0,"likedByMe":false`,
		`ünïcode 🐰 \ "`,
	}
	var ids []string
	for i, c := range contents {
		p := bunnybook.Post{ID: bunnybook.NewID(), Content: c, CreatedAt: bunnybook.UnixMilli(int64(1000 + i)),
			WallProfileID: owner.ID, ProfileID: owner.ID, Privacy: bunnybook.Public}
		if err := s.CreatePost(ctx, &p, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	like := func(who, post string) {
		t.Helper()
		if _, err := s.Like(ctx, bunnybook.Like{PostID: post, ProfileID: who}, nil); err != nil {
			t.Fatal(err)
		}
	}
	like(viewer.ID, ids[0])
	like(viewer.ID, ids[3])
	like(other.ID, ids[1])
	like(other.ID, ids[3])

	want := map[string]map[string]bool{
		viewer.ID: {ids[0]: true, ids[3]: true},
		other.ID:  {ids[1]: true, ids[3]: true},
		owner.ID:  {},
		"":        {},
	}
	counts := map[string]int{ids[0]: 1, ids[1]: 1, ids[3]: 2}
	for range 2 { // a miss, then a hit
		for who, liked := range want {
			b, err := svc.WallJSON(ctx, who, owner.ID, bunnybook.TimePage{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var page []bunnybook.Post
			if err := json.Unmarshal(b, &page); err != nil {
				t.Fatalf("viewer %q: invalid JSON %s: %v", who, b, err)
			}
			if len(page) != len(contents) {
				t.Fatalf("viewer %q: %d posts, want %d", who, len(page), len(contents))
			}
			for i, p := range page {
				if p.LikedByMe != liked[p.ID] || p.LikesCount != counts[p.ID] || p.Content != contents[len(contents)-1-i] {
					t.Errorf("viewer %q, post %d: likedByMe %t likesCount %d content %q; want %t %d %q",
						who, i, p.LikedByMe, p.LikesCount, p.Content, liked[p.ID], counts[p.ID], contents[len(contents)-1-i])
				}
			}
		}
	}
}

// BenchmarkWallJSON reads a cached wall page of 10 posts as their owner,
// who likes none or all of them (the worst case of the rewrite).
func BenchmarkWallJSON(b *testing.B) {
	for _, liked := range []bool{false, true} {
		b.Run(map[bool]string{false: "none-liked", true: "all-liked"}[liked], func(b *testing.B) {
			svc, s := wallService(b)
			acc := storetest.MustCreateAccount(b, s, "owner")
			for range 10 {
				p := storetest.MustCreatePost(b, s, acc.ID, acc.ID, bunnybook.Public, bunnybook.Now())
				if !liked {
					continue
				}
				if _, err := s.Like(b.Context(), bunnybook.Like{PostID: p.ID, ProfileID: acc.ID}, nil); err != nil {
					b.Fatal(err)
				}
			}
			page := bunnybook.TimePage{Limit: 10}
			for b.Loop() {
				if _, err := svc.WallJSON(b.Context(), acc.ID, acc.ID, page); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
