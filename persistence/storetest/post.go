package storetest

import (
	"testing"

	"github.com/bunnybook/bunnybook"
)

var postTests = []test{
	{"CreateWithNotifications", testCreatePost},
	{"Wall", testWall},
	{"Delete", testDeletePost},
	{"Comments", testComments},
	{"CommentOnDeletedPost", testCommentOnDeletedPost},
}

// postIDs returns the ids of posts.
func postIDs(ps []bunnybook.Post) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// wantPost fails unless got is want as stored, with username and count.
func wantPost(tb testing.TB, what string, got, want bunnybook.Post, username string, comments int) {
	tb.Helper()
	want.Username, want.CommentsCount = username, comments
	if got.ID != want.ID || got.Content != want.Content || !got.CreatedAt.Equal(want.CreatedAt.Time) ||
		got.UpdatedAt != nil || got.WallProfileID != want.WallProfileID || got.ProfileID != want.ProfileID ||
		got.Privacy != want.Privacy || got.CommentsCount != want.CommentsCount || got.Username != want.Username {
		tb.Fatalf("%s: got %+v, want %+v", what, got, want)
	}
}

// notificationIDs returns the ids of notifications.
func notificationIDs(ns []bunnybook.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

// mustNotifications returns up to 100 of the profile's newest notifications.
func mustNotifications(tb testing.TB, s bunnybook.Store, profile string) []bunnybook.Notification {
	tb.Helper()
	ns, err := s.Notifications(tb.Context(), profile, bunnybook.TimePage{Limit: 100})
	must(tb, "Notifications", err)
	return ns
}

func testCreatePost(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy")
	ben, daisy := acc[0], acc[1]
	note := NewNotification(daisy.ID, bunnybook.EventNewPostOnWall, at(0))
	p := NewPost(ben.ID, daisy.ID, bunnybook.Friends, at(0))
	p.Content = "Ünïcode 🐰 'quotes' \"double\" \\ %_"
	p.Username = "ignored"
	must(t, "CreatePost", s.CreatePost(ctx, &p, []bunnybook.Notification{note}))

	got, err := s.Post(ctx, p.ID)
	must(t, "Post", err)
	wantPost(t, "Post", *got, p, "ben", 0)
	wantIDs(t, "Notifications(daisy)", notificationIDs(mustNotifications(t, s, daisy.ID)), []string{note.ID})
	wantIDs(t, "Notifications(ben)", notificationIDs(mustNotifications(t, s, ben.ID)), []string{})

	_, err = s.Post(ctx, bunnybook.NewID())
	wantKind(t, "Post(unknown)", err, bunnybook.ENotFound)
}

func testWall(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy")
	ben, daisy := acc[0], acc[1]
	pub1 := MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, at(1))
	priv := MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Friends, at(2))
	pub2 := MustCreatePost(t, s, daisy.ID, ben.ID, bunnybook.Public, at(3))
	MustCreatePost(t, s, daisy.ID, daisy.ID, bunnybook.Public, at(4)) // another wall

	page := bunnybook.TimePage{Limit: 10}
	got, err := s.WallPosts(ctx, ben.ID, false, page)
	must(t, "WallPosts(public)", err)
	wantIDs(t, "WallPosts(public)", postIDs(got), []string{pub2.ID, pub1.ID})
	wantPost(t, "WallPosts(public)[0]", got[0], pub2, "daisy", 0)
	wantPost(t, "WallPosts(public)[1]", got[1], pub1, "ben", 0)

	got, err = s.WallPosts(ctx, ben.ID, true, page)
	must(t, "WallPosts(with friends)", err)
	wantIDs(t, "WallPosts(with friends)", postIDs(got), []string{pub2.ID, priv.ID, pub1.ID})
	wantPost(t, "WallPosts(with friends)[1]", got[1], priv, "ben", 0)

	got, err = s.WallPosts(ctx, ben.ID, true, bunnybook.TimePage{Limit: 2})
	must(t, "WallPosts(limit 2)", err)
	wantIDs(t, "WallPosts(limit 2)", postIDs(got), []string{pub2.ID, priv.ID})

	got, err = s.WallPosts(ctx, bunnybook.NewID(), true, page)
	must(t, "WallPosts(unknown wall)", err)
	wantIDs(t, "WallPosts(unknown wall)", postIDs(got), []string{})
}

func testDeletePost(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy")
	ben, daisy := acc[0], acc[1]
	p := MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, at(0))
	keep := MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, at(1))
	MustCreateComment(t, s, daisy.ID, p.ID, at(2))
	kept := MustCreateComment(t, s, daisy.ID, keep.ID, at(3))

	must(t, "DeletePost", s.DeletePost(ctx, p.ID))
	_, err := s.Post(ctx, p.ID)
	wantKind(t, "Post after delete", err, bunnybook.ENotFound)
	wantKind(t, "DeletePost again", s.DeletePost(ctx, p.ID), bunnybook.ENotFound)
	wantKind(t, "DeletePost(unknown)", s.DeletePost(ctx, bunnybook.NewID()), bunnybook.ENotFound)

	cs, err := s.Comments(ctx, p.ID, bunnybook.TimePage{Limit: 10})
	must(t, "Comments of deleted post", err)
	wantIDs(t, "Comments of deleted post", commentIDs(cs), []string{})
	authors, err := s.CommentAuthors(ctx, p.ID)
	must(t, "CommentAuthors of deleted post", err)
	wantIDs(t, "CommentAuthors of deleted post", authors, []string{})

	cs, err = s.Comments(ctx, keep.ID, bunnybook.TimePage{Limit: 10})
	must(t, "Comments of the other post", err)
	wantIDs(t, "Comments of the other post", commentIDs(cs), []string{kept.ID})
	got, err := s.WallPosts(ctx, ben.ID, true, bunnybook.TimePage{Limit: 10})
	must(t, "WallPosts", err)
	wantIDs(t, "WallPosts after delete", postIDs(got), []string{keep.ID})
}

// commentIDs returns the ids of comments.
func commentIDs(cs []bunnybook.Comment) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func testComments(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy", "sumba")
	ben, daisy, sumba := acc[0], acc[1], acc[2]
	p := MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, at(0))
	other := MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, at(0))

	note := NewNotification(ben.ID, bunnybook.EventNewCommentOnPost, at(1))
	c1 := MustCreateComment(t, s, daisy.ID, p.ID, at(1), note)
	c2 := MustCreateComment(t, s, sumba.ID, p.ID, at(2))
	c3 := MustCreateComment(t, s, daisy.ID, p.ID, at(3))
	MustCreateComment(t, s, ben.ID, other.ID, at(4))

	got, err := s.Post(ctx, p.ID)
	must(t, "Post", err)
	wantPost(t, "Post after 3 comments", *got, p, "ben", 3)
	posts, err := s.WallPosts(ctx, ben.ID, true, bunnybook.TimePage{Limit: 10})
	must(t, "WallPosts", err)
	for _, wp := range posts {
		if want := map[string]int{p.ID: 3, other.ID: 1}[wp.ID]; wp.CommentsCount != want {
			t.Fatalf("WallPosts: post %s has CommentsCount %d, want %d", wp.ID, wp.CommentsCount, want)
		}
	}

	cs, err := s.Comments(ctx, p.ID, bunnybook.TimePage{Limit: 10})
	must(t, "Comments", err)
	wantIDs(t, "Comments", commentIDs(cs), []string{c3.ID, c2.ID, c1.ID})
	want := c2
	want.Username = "sumba"
	if g := cs[1]; g.ID != want.ID || g.Content != want.Content || !g.CreatedAt.Equal(want.CreatedAt.Time) ||
		g.PostID != want.PostID || g.ProfileID != want.ProfileID || g.Username != want.Username {
		t.Fatalf("Comments[1]: got %+v, want %+v", g, want)
	}

	authors, err := s.CommentAuthors(ctx, p.ID)
	must(t, "CommentAuthors", err)
	wantSameIDs(t, "CommentAuthors", authors, []string{daisy.ID, sumba.ID})
	wantIDs(t, "Notifications(ben)", notificationIDs(mustNotifications(t, s, ben.ID)), []string{note.ID})
}

func testCommentOnDeletedPost(t *testing.T, s bunnybook.Store, _ bunnybook.Graph) {
	ctx := t.Context()
	acc := MustCreateAccounts(t, s, "ben", "daisy")
	ben, daisy := acc[0], acc[1]
	p := MustCreatePost(t, s, ben.ID, ben.ID, bunnybook.Public, at(0))
	must(t, "DeletePost", s.DeletePost(ctx, p.ID))

	c := NewComment(daisy.ID, p.ID, at(1))
	note := NewNotification(ben.ID, bunnybook.EventNewCommentOnPost, at(1))
	err := s.CreateComment(ctx, &c, []bunnybook.Notification{note})
	wantKind(t, "CreateComment on a deleted post", err, bunnybook.ENotFound)
	wantIDs(t, "Notifications after failed comment", notificationIDs(mustNotifications(t, s, ben.ID)), []string{})
	n, err := s.UnreadNotificationCount(ctx, ben.ID)
	must(t, "UnreadNotificationCount", err)
	if n != 0 {
		t.Fatalf("UnreadNotificationCount after failed comment: got %d, want 0", n)
	}
	c = NewComment(daisy.ID, bunnybook.NewID(), at(1))
	wantKind(t, "CreateComment on an unknown post", s.CreateComment(ctx, &c, nil), bunnybook.ENotFound)
}
