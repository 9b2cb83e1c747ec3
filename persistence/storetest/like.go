package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/bunnybook/bunnybook"
)

var likeTests = []test{
	{"PostLikes", testPostLikes},
	{"CommentLikes", testCommentLikes},
	{"ConcurrentLikes", testConcurrentLikes},
	{"DeletedPost", testLikesOfDeletedPost},
	{"CollapsedNotification", testLikeNotificationCollapse},
}

// mustLike likes (on) or unlikes l and, for a like, returns whether it was new.
func mustLike(tb testing.TB, s bunnybook.Store, l bunnybook.Like, on bool, notes ...bunnybook.Notification) bool {
	tb.Helper()
	if !on {
		must(tb, "Unlike", s.Unlike(tb.Context(), l))
		return false
	}
	added, err := s.Like(tb.Context(), l, notes)
	must(tb, "Like", err)
	return added
}

// wantPostLikes fails unless the post's count is n, on Post and on its wall.
func wantPostLikes(tb testing.TB, s bunnybook.Store, p bunnybook.Post, n int) {
	tb.Helper()
	got, err := s.Post(tb.Context(), p.ID)
	must(tb, "Post", err)
	posts, err := s.WallPosts(tb.Context(), p.WallProfileID, true, bunnybook.TimePage{Limit: 100})
	must(tb, "WallPosts", err)
	for _, wp := range posts {
		if wp.ID == p.ID && wp.LikesCount != got.LikesCount {
			tb.Fatalf("WallPosts: LikesCount %d, Post: %d", wp.LikesCount, got.LikesCount)
		}
	}
	if got.LikesCount != n || got.LikedByMe {
		tb.Fatalf("Post: LikesCount %d LikedByMe %t, want %d false", got.LikesCount, got.LikedByMe, n)
	}
}

func testPostLikes(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy", "sumba")
	ben, daisy, sumba := acc[0], acc[1], acc[2]
	p := MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, at(0))
	other := MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, at(1))
	wantPostLikes(t, s, p, 0)

	byDaisy := bunnybook.Like{PostID: p.ID, ProfileID: daisy.ID}
	if !mustLike(t, s, byDaisy, true) {
		t.Fatal("Like: added false, want true")
	}
	if mustLike(t, s, byDaisy, true) {
		t.Fatal("Like again: added true, want false")
	}
	mustLike(t, s, bunnybook.Like{PostID: p.ID, ProfileID: sumba.ID}, true)
	mustLike(t, s, bunnybook.Like{PostID: p.ID, ProfileID: ben.ID}, true) // one's own: the store does not mind
	wantPostLikes(t, s, p, 3)
	wantPostLikes(t, s, other, 0)

	liked, err := s.LikedPosts(ctx, daisy.ID, []string{p.ID, other.ID, bunnybook.NewID()})
	must(t, "LikedPosts", err)
	wantIDs(t, "LikedPosts(daisy)", liked, []string{p.ID})
	liked, err = s.LikedPosts(ctx, daisy.ID, nil)
	must(t, "LikedPosts(none)", err)
	wantIDs(t, "LikedPosts(none)", liked, []string{})

	mustLike(t, s, byDaisy, false)
	mustLike(t, s, byDaisy, false) // not liked: no-op
	mustLike(t, s, bunnybook.Like{PostID: other.ID, ProfileID: daisy.ID}, false)
	wantPostLikes(t, s, p, 2)
	wantPostLikes(t, s, other, 0)
	liked, err = s.LikedPosts(ctx, daisy.ID, []string{p.ID, other.ID})
	must(t, "LikedPosts after unlike", err)
	wantIDs(t, "LikedPosts after unlike", liked, []string{})

	note := NewNotification(ben.ID, bunnybook.EventNewLikeOnPost, at(2))
	_, err = s.Like(ctx, bunnybook.Like{PostID: bunnybook.NewID(), ProfileID: daisy.ID}, []bunnybook.Notification{note})
	wantKind(t, "Like(unknown post)", err, bunnybook.ENotFound)
	wantIDs(t, "Notifications after failed like", notificationIDs(mustNotifications(t, s, ben.ID)), []string{})
	must(t, "Unlike(unknown post)", s.Unlike(ctx, bunnybook.Like{PostID: bunnybook.NewID(), ProfileID: daisy.ID}))
}

func testCommentLikes(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy", "sumba")
	ben, daisy, sumba := acc[0], acc[1], acc[2]
	p := MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, at(0))
	other := MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, at(1))
	c := MustCreateComment(t, s, daisy.ID, p.ID, at(2))
	c2 := MustCreateComment(t, s, daisy.ID, p.ID, at(3))

	got, err := s.Comment(ctx, p.ID, c.ID)
	must(t, "Comment", err)
	if got.ID != c.ID || got.ProfileID != daisy.ID || got.Username != "daisy" || got.Content != c.Content || got.LikesCount != 0 {
		t.Fatalf("Comment: got %+v", got)
	}
	_, err = s.Comment(ctx, other.ID, c.ID)
	wantKind(t, "Comment(of another post)", err, bunnybook.ENotFound)
	_, err = s.Comment(ctx, p.ID, bunnybook.NewID())
	wantKind(t, "Comment(unknown)", err, bunnybook.ENotFound)

	for _, who := range []string{ben.ID, sumba.ID, sumba.ID} {
		mustLike(t, s, bunnybook.Like{PostID: p.ID, CommentID: c.ID, ProfileID: who}, true)
	}
	_, err = s.Like(ctx, bunnybook.Like{PostID: other.ID, CommentID: c.ID, ProfileID: daisy.ID}, nil)
	wantKind(t, "Like(comment of another post)", err, bunnybook.ENotFound)
	must(t, "Unlike(comment of another post)", s.Unlike(ctx, bunnybook.Like{PostID: other.ID, CommentID: c.ID, ProfileID: ben.ID}))

	cs, err := s.Comments(ctx, p.ID, bunnybook.TimePage{Limit: 10})
	must(t, "Comments", err)
	wantIDs(t, "Comments", commentIDs(cs), []string{c2.ID, c.ID})
	if cs[1].LikesCount != 2 || cs[0].LikesCount != 0 || cs[1].LikedByMe {
		t.Fatalf("Comments: likes %d and %d, want 0 and 2", cs[0].LikesCount, cs[1].LikesCount)
	}
	wantPostLikes(t, s, p, 0) // a comment's likes are not the post's

	liked, err := s.LikedComments(ctx, sumba.ID, []string{c.ID, c2.ID})
	must(t, "LikedComments", err)
	wantIDs(t, "LikedComments(sumba)", liked, []string{c.ID})

	mustLike(t, s, bunnybook.Like{PostID: p.ID, CommentID: c.ID, ProfileID: sumba.ID}, false)
	mustLike(t, s, bunnybook.Like{PostID: p.ID, CommentID: c.ID, ProfileID: sumba.ID}, false)
	got, err = s.Comment(ctx, p.ID, c.ID)
	must(t, "Comment after unlike", err)
	if got.LikesCount != 1 {
		t.Fatalf("Comment after unlike: LikesCount %d, want 1", got.LikesCount)
	}
}

func testConcurrentLikes(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	const n = 8
	names := make([]string, n+1)
	for i := range names {
		names[i] = fmt.Sprintf("bunny%d", i)
	}
	acc := MustCreateAccounts(t, s, names...)
	p := MustCreatePost(t, s, acc[0].ID, acc[0].ID, bunnybook.Public, at(0))
	c := MustCreateComment(t, s, acc[0].ID, p.ID, at(1))

	// Everyone likes the post and the comment twice at once, then unlikes
	// them twice at once.
	run := func(on bool) {
		var wg sync.WaitGroup
		errs := make(chan error, 4*n)
		for _, a := range acc[1:] {
			for range 2 {
				for _, l := range []bunnybook.Like{{PostID: p.ID, ProfileID: a.ID}, {PostID: p.ID, CommentID: c.ID, ProfileID: a.ID}} {
					wg.Go(func() {
						var err error
						if on {
							_, err = s.Like(t.Context(), l, nil)
						} else {
							err = s.Unlike(t.Context(), l)
						}
						errs <- err
					})
				}
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, "concurrent like", err)
		}
	}
	run(true)
	wantPostLikes(t, s, p, n)
	got, err := s.Comment(t.Context(), p.ID, c.ID)
	must(t, "Comment", err)
	if got.LikesCount != n {
		t.Fatalf("Comment after %d concurrent likers: LikesCount %d", n, got.LikesCount)
	}
	run(false)
	wantPostLikes(t, s, p, 0)
	got, err = s.Comment(t.Context(), p.ID, c.ID)
	must(t, "Comment", err)
	if got.LikesCount != 0 {
		t.Fatalf("Comment after concurrent unlikes: LikesCount %d", got.LikesCount)
	}
}

func testLikesOfDeletedPost(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy")
	ben, daisy := acc[0], acc[1]
	p := MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, at(0))
	c := MustCreateComment(t, s, ben.ID, p.ID, at(1))
	mustLike(t, s, bunnybook.Like{PostID: p.ID, ProfileID: daisy.ID}, true)
	mustLike(t, s, bunnybook.Like{PostID: p.ID, CommentID: c.ID, ProfileID: daisy.ID}, true)

	must(t, "DeletePost", s.DeletePost(ctx, p.ID))
	liked, err := s.LikedPosts(ctx, daisy.ID, []string{p.ID})
	must(t, "LikedPosts", err)
	wantIDs(t, "LikedPosts of a deleted post", liked, []string{})
	liked, err = s.LikedComments(ctx, daisy.ID, []string{c.ID})
	must(t, "LikedComments", err)
	wantIDs(t, "LikedComments of a deleted post", liked, []string{})
	_, err = s.Like(ctx, bunnybook.Like{PostID: p.ID, ProfileID: daisy.ID}, nil)
	wantKind(t, "Like(deleted post)", err, bunnybook.ENotFound)
	_, err = s.Like(ctx, bunnybook.Like{PostID: p.ID, CommentID: c.ID, ProfileID: daisy.ID}, nil)
	wantKind(t, "Like(comment of a deleted post)", err, bunnybook.ENotFound)
}

// likeNote is a collapsible like notification for recipient about post, by who.
func likeNote(recipient, post, who string, ms int) bunnybook.Notification {
	n := NewNotification(recipient, bunnybook.EventNewLikeOnPost, at(ms))
	n.Data.Payload = map[string]string{"byUsername": who, "postId": post}
	n.Collapse = "like:" + post
	return n
}

func testLikeNotificationCollapse(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy", "sumba")
	ben, daisy, sumba := acc[0], acc[1], acc[2]
	p := MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, at(0))
	other := MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, at(1))
	MustCreateComment(t, s, daisy.ID, other.ID, at(5), NewNotification(ben.ID, bunnybook.EventNewCommentOnPost, at(5)))

	first := []bunnybook.Notification{likeNote(ben.ID, p.ID, "daisy", 2)}
	mustLike(t, s, bunnybook.Like{PostID: p.ID, ProfileID: daisy.ID}, true, first...)
	second := []bunnybook.Notification{likeNote(ben.ID, p.ID, "sumba", 10)}
	mustLike(t, s, bunnybook.Like{PostID: p.ID, ProfileID: sumba.ID}, true, second...)
	if second[0].ID != first[0].ID {
		t.Fatalf("collapsed note: ID %s, want the unread one's %s", second[0].ID, first[0].ID)
	}
	// A like that is not new writes no note.
	mustLike(t, s, bunnybook.Like{PostID: p.ID, ProfileID: sumba.ID}, true, likeNote(ben.ID, p.ID, "again", 20))
	// Another post has its own.
	third := []bunnybook.Notification{likeNote(ben.ID, other.ID, "daisy", 3)}
	mustLike(t, s, bunnybook.Like{PostID: other.ID, ProfileID: daisy.ID}, true, third...)

	ns := mustNotifications(t, s, ben.ID)
	if len(ns) != 3 || ns[0].ID != first[0].ID || ns[0].Data.Payload["byUsername"] != "sumba" || !ns[0].CreatedAt.Equal(at(10).Time) || ns[0].Read {
		t.Fatalf("Notifications after collapsing: got %+v, want the first like's, by sumba at 10 ms, newest", ns)
	}
	n, err := s.UnreadNotificationCount(ctx, ben.ID)
	must(t, "UnreadNotificationCount", err)
	if n != 3 {
		t.Fatalf("UnreadNotificationCount: got %d, want 3", n)
	}

	// Once read, the next like makes a new one.
	_, err = s.MarkNotifications(ctx, ben.ID, []string{first[0].ID}, ptr(true), nil)
	must(t, "MarkNotifications", err)
	mustLike(t, s, bunnybook.Like{PostID: p.ID, ProfileID: daisy.ID}, false)
	fourth := []bunnybook.Notification{likeNote(ben.ID, p.ID, "daisy", 30)}
	mustLike(t, s, bunnybook.Like{PostID: p.ID, ProfileID: daisy.ID}, true, fourth...)
	ns = mustNotifications(t, s, ben.ID)
	if len(ns) != 4 || ns[0].ID != fourth[0].ID || ns[0].ID == first[0].ID || ns[0].Read {
		t.Fatalf("Notifications after a like of a read one: got %+v, want a new unread one first", ns)
	}
	// Marked unread again, the first one is a plain notification: the
	// fourth, not it, takes the next like.
	_, err = s.MarkNotifications(ctx, ben.ID, []string{first[0].ID}, ptr(false), nil)
	must(t, "MarkNotifications(unread again)", err)
	fifth := []bunnybook.Notification{likeNote(ben.ID, p.ID, "sumba", 40)}
	mustLike(t, s, bunnybook.Like{PostID: p.ID, ProfileID: sumba.ID}, false)
	mustLike(t, s, bunnybook.Like{PostID: p.ID, ProfileID: sumba.ID}, true, fifth...)
	if fifth[0].ID != fourth[0].ID {
		t.Fatalf("like after marking unread: collapsed into %s, want %s", fifth[0].ID, fourth[0].ID)
	}
}
