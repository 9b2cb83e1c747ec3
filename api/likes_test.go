package api_test

import (
	"net/http"
	"testing"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/api"
	"github.com/bunnybook/bunnybook/persistence/cached"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/redis/redistest"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
)

func likePath(p post) string { return "/web/posts/" + p.ID + "/like" }

func commentLikePath(p post, c comment) string {
	return "/web/posts/" + p.ID + "/comments/" + c.ID + "/like"
}

func (c *client) put(path string) *response { return c.do("PUT", path, nil) }

// wantLikes fails unless c sees the post with n likes, liked or not by c,
// both alone and on its wall's first page.
func (c *client) wantLikes(p post, n int, liked bool) {
	c.t.Helper()
	var got post
	c.get("/web/posts/" + p.ID).want(http.StatusOK).decode(&got)
	if got.LikesCount != n || got.LikedByMe != liked {
		c.t.Errorf("GET post: likesCount %d likedByMe %t, want %d %t", got.LikesCount, got.LikedByMe, n, liked)
	}
	var wall []post
	c.get("/web/posts?wall_profile_id=" + p.WallProfileID + "&limit=10").want(http.StatusOK).decode(&wall)
	for _, w := range wall {
		if w.ID == p.ID && (w.LikesCount != n || w.LikedByMe != liked) {
			c.t.Errorf("wall page: likesCount %d likedByMe %t, want %d %t", w.LikesCount, w.LikedByMe, n, liked)
		}
	}
}

// likeNotes returns c's NEW_LIKE_ON_POST notifications.
func (c *client) likeNotes() []notification {
	c.t.Helper()
	var out []notification
	for _, n := range c.notifications("?limit=20") {
		if n.Data.Event == bunnybook.EventNewLikeOnPost {
			out = append(out, n)
		}
	}
	return out
}

func TestLikePost(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy, sumba := registerAndLogin(t, srv), registerAndLogin(t, srv), registerAndLogin(t, srv)
		anon := srv.anonymous(t)
		p := ben.createPost("", "PUBLIC", "a post to like")
		other := ben.createPost("", "PUBLIC", "another")
		for _, c := range []*client{ben, daisy, anon} { // warm the caches
			c.wantLikes(p, 0, false)
		}

		daisy.put(likePath(p)).want(http.StatusNoContent)
		daisy.put(likePath(p)).want(http.StatusNoContent) // idempotent
		daisy.wantLikes(p, 1, true)
		sumba.wantLikes(p, 1, false) // the same cached page, not daisy's flag
		anon.wantLikes(p, 1, false)
		daisy.wantLikes(other, 0, false)

		sumba.put(likePath(p)).want(http.StatusNoContent)
		ben.put(likePath(p)).want(http.StatusNoContent) // one's own: counted, not notified
		ben.wantLikes(p, 3, true)
		notes := ben.likeNotes()
		if len(notes) != 1 || notes[0].Data.Payload["byUsername"] != sumba.Username ||
			notes[0].Data.Payload["postId"] != p.ID || notes[0].Data.Payload["postPreview"] != "a post to like" || notes[0].Read {
			t.Errorf("ben's like notifications: got %+v, want one unread, by %s (the latest)", notes, sumba.Username)
		}

		daisy.delete(likePath(p)).want(http.StatusNoContent)
		daisy.delete(likePath(p)).want(http.StatusNoContent) // idempotent
		daisy.delete(likePath(other)).want(http.StatusNoContent)
		daisy.wantLikes(p, 2, false)
		sumba.wantLikes(p, 2, true)
		if got := ben.likeNotes(); len(got) != 1 {
			t.Errorf("after an unlike: %d like notifications, want 1 (unlike leaves them)", len(got))
		}

		// Once read, the next like is a new notification.
		ben.patch(ben.path("/notifications?read=true"), []string{notes[0].ID}).want(http.StatusOK)
		daisy.put(likePath(p)).want(http.StatusNoContent)
		if got := ben.likeNotes(); len(got) != 2 || got[0].Read || got[0].Data.Payload["byUsername"] != daisy.Username {
			t.Errorf("like after reading: got %+v, want a new unread one by %s first", got, daisy.Username)
		}
		if got := daisy.likeNotes(); len(got) != 0 {
			t.Errorf("the liker got %d like notifications", len(got))
		}
	})
}

func TestLikeComment(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
		p := ben.createPost("", "PUBLIC", "post")
		var c, own comment
		daisy.post("/web/posts/"+p.ID+"/comments", map[string]any{"content": "daisy's comment"}).want(http.StatusCreated).decode(&c)
		ben.post("/web/posts/"+p.ID+"/comments", map[string]any{"content": "ben's"}).want(http.StatusCreated).decode(&own)
		if c.LikesCount != 0 || c.LikedByMe {
			t.Errorf("new comment: %+v", c)
		}
		comments := func(cl *client) map[string]comment {
			var cs []comment
			cl.get("/web/posts/" + p.ID + "/comments").want(http.StatusOK).decode(&cs)
			out := map[string]comment{}
			for _, c := range cs {
				out[c.ID] = c
			}
			return out
		}
		comments(ben) // warm the cache

		ben.put(commentLikePath(p, c)).want(http.StatusNoContent)
		ben.put(commentLikePath(p, c)).want(http.StatusNoContent)
		daisy.put(commentLikePath(p, own)).want(http.StatusNoContent)
		if got := comments(ben); got[c.ID].LikesCount != 1 || !got[c.ID].LikedByMe || got[own.ID].LikesCount != 1 || got[own.ID].LikedByMe {
			t.Errorf("ben sees %+v", got)
		}
		if got := comments(daisy); got[c.ID].LikesCount != 1 || got[c.ID].LikedByMe || !got[own.ID].LikedByMe {
			t.Errorf("daisy sees %+v", got)
		}
		if got := comments(srv.anonymous(t)); got[c.ID].LikedByMe || got[own.ID].LikedByMe {
			t.Errorf("anonymous sees %+v", got)
		}
		ben.wantLikes(p, 0, false) // the post itself has none

		// The comment's author is told, with the comment.
		notes := daisy.likeNotes()
		if len(notes) != 1 || notes[0].Data.Payload["commentId"] != c.ID || notes[0].Data.Payload["commentPreview"] != "daisy's comment" ||
			notes[0].Data.Payload["byUsername"] != ben.Username || notes[0].Data.Payload["postId"] != p.ID {
			t.Errorf("daisy's like notifications: %+v", notes)
		}
		// Likes of the post and of its comments collapse into one per post.
		daisy.put(likePath(p)).want(http.StatusNoContent)
		if got := ben.likeNotes(); len(got) != 1 || got[0].Data.Payload["commentId"] != "" {
			t.Errorf("ben's like notifications: %+v, want one, of the post", got)
		}

		ben.delete(commentLikePath(p, c)).want(http.StatusNoContent)
		ben.delete(commentLikePath(p, c)).want(http.StatusNoContent)
		if got := comments(ben); got[c.ID].LikesCount != 0 || got[c.ID].LikedByMe {
			t.Errorf("after unlike ben sees %+v", got[c.ID])
		}
	})
}

func TestLikeErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy, stranger := registerAndLogin(t, srv), registerAndLogin(t, srv), registerAndLogin(t, srv)
		becomeFriends(t, ben, daisy)
		p := ben.createPost("", "PUBLIC", "public")
		friends := ben.createPost("", "FRIENDS", "friends only")
		other := ben.createPost("", "PUBLIC", "other")
		var c, onOther comment
		daisy.post("/web/posts/"+friends.ID+"/comments", map[string]any{"content": "c"}).want(http.StatusCreated).decode(&c)
		daisy.post("/web/posts/"+other.ID+"/comments", map[string]any{"content": "c"}).want(http.StatusCreated).decode(&onOther)
		unknown := post{ID: newID()}

		for _, method := range []string{"PUT", "DELETE"} {
			t.Run(method, func(t *testing.T) {
				do := func(cl *client, path string) *response { return cl.do(method, path, nil) }
				do(stranger, likePath(unknown)).wantDetail(http.StatusNotFound)
				do(stranger, commentLikePath(unknown, c)).wantDetail(http.StatusNotFound)
				// Exactly as reading the post: 403 for a FRIENDS post of a stranger's wall.
				stranger.get("/web/posts/" + friends.ID).want(http.StatusForbidden)
				do(stranger, likePath(friends)).wantDetail(http.StatusForbidden)
				do(stranger, commentLikePath(friends, c)).wantDetail(http.StatusForbidden)
				do(daisy, commentLikePath(p, c)).wantDetail(http.StatusNotFound)       // a comment of another post
				do(daisy, commentLikePath(p, onOther)).wantDetail(http.StatusNotFound) // likewise
				do(daisy, commentLikePath(p, comment{ID: newID()})).wantDetail(http.StatusNotFound)
				do(srv.anonymous(t), likePath(p)).wantDetail(http.StatusUnauthorized)
				do(srv.anonymous(t), commentLikePath(friends, c)).wantDetail(http.StatusUnauthorized)
				do(daisy, "/web/posts/not-a-uuid/like").want422("path", "post_id")
				do(daisy, "/web/posts/"+p.ID+"/comments/nope/like").want422("path", "comment_id")
			})
		}
		daisy.wantLikes(friends, 0, false)
		daisy.put(likePath(friends)).want(http.StatusNoContent) // a friend may
		daisy.put(commentLikePath(friends, c)).want(http.StatusNoContent)
		ben.wantLikes(friends, 1, false)
		unfriend(t, ben, daisy)
		daisy.put(likePath(friends)).wantDetail(http.StatusForbidden)
		if got := ben.likeNotes(); len(got) != 1 {
			t.Errorf("ben: %d like notifications, want 1", len(got))
		}
	})
}

// TestLikesOnCachedWalls: with each shared cache, a like shows on the
// liker's next read of a cached wall page, and one viewer's likedByMe never
// reaches another viewer of the same cached page.
func TestLikesOnCachedWalls(t *testing.T) {
	caches := map[string]func(t *testing.T) bunnybook.Cache{
		"memory": func(*testing.T) bunnybook.Cache { return memory.NewCache() },
		"redis":  func(t *testing.T) bunnybook.Cache { return redistest.MustOpen(t).Cache() },
	}
	for name, open := range caches {
		t.Run(name, func(t *testing.T) {
			db := sqlitetest.MustOpen(t)
			s := cached.New(db, db, open(t), cached.Options{})
			srv := startServer(t, api.Config{DisableRateLimits: true}, s, s)
			ben, daisy, sumba := registerAndLogin(t, srv), registerAndLogin(t, srv), registerAndLogin(t, srv)
			becomeFriends(t, ben, daisy)
			becomeFriends(t, ben, sumba)
			var posts []post
			for _, privacy := range []string{"PUBLIC", "FRIENDS", "PUBLIC"} {
				posts = append(posts, ben.createPost("", privacy, "post "+privacy))
			}
			before := s.Stats()
			for _, c := range []*client{daisy, sumba, daisy, sumba} {
				for _, p := range posts {
					c.wantLikes(p, 0, false)
				}
			}
			if s.Stats().Hits == before.Hits {
				t.Fatal("no cache hit: the test does not test the cache")
			}
			for i, p := range posts {
				daisy.put(likePath(p)).want(http.StatusNoContent)
				daisy.wantLikes(p, 1, true)
				sumba.wantLikes(p, 1, false)
				if i == 1 {
					sumba.put(likePath(p)).want(http.StatusNoContent)
					sumba.wantLikes(p, 2, true)
					daisy.wantLikes(p, 2, true)
				}
			}
			daisy.delete(likePath(posts[1])).want(http.StatusNoContent)
			daisy.wantLikes(posts[1], 1, false)
			sumba.wantLikes(posts[1], 1, true)
			srv.anonymous(t).wantLikes(posts[0], 1, false)
		})
	}
}
