package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

type post struct {
	ID            string  `json:"id"`
	Content       string  `json:"content"`
	CreatedAt     string  `json:"createdAt"`
	UpdatedAt     *string `json:"updatedAt"`
	WallProfileID string  `json:"wallProfileId"`
	ProfileID     string  `json:"profileId"`
	Privacy       string  `json:"privacy"`
	CommentsCount int     `json:"commentsCount"`
	LikesCount    int     `json:"likesCount"`
	LikedByMe     bool    `json:"likedByMe"`
	Username      *string `json:"username"`
}

type comment struct {
	ID, Content, CreatedAt, PostID, ProfileID, Username string
	LikesCount                                          int
	LikedByMe                                           bool
}

// createPost publishes a post by c on wall ("" = c's own) and returns it.
func (c *client) createPost(wall, privacy, content string) post {
	c.t.Helper()
	body := map[string]any{"content": content}
	if wall != "" {
		body["wall_profile_id"] = wall // the original client's spelling
	}
	if privacy != "" {
		body["privacy"] = privacy
	}
	var p post
	c.post("/web/posts", body).want(http.StatusCreated).decode(&p)
	return p
}

// becomeFriends makes a and b friends: b asks, a accepts (the original's helper).
func becomeFriends(t *testing.T, a, b *client) {
	t.Helper()
	b.post(fmt.Sprintf("/web/profiles/%s/outgoing_friend_requests/%s", b.ID, a.ID), nil).want(http.StatusCreated)
	a.post(fmt.Sprintf("/web/profiles/%s/friends/%s", a.ID, b.ID), nil).want(http.StatusCreated)
}

// unfriend ends the friendship of a and b, from a's side.
func unfriend(t *testing.T, a, b *client) {
	t.Helper()
	a.delete(fmt.Sprintf("/web/profiles/%s/friends/%s", a.ID, b.ID)).want(http.StatusNoContent)
}

func TestCreatePost(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben := registerAndLogin(t, srv)
		resp := ben.post("/web/posts", map[string]any{"content": "Test"}).want(http.StatusCreated)
		var p post
		resp.decode(&p)
		if p.Content != "Test" || p.WallProfileID != ben.ID || p.ProfileID != ben.ID || p.Privacy != "PUBLIC" ||
			p.UpdatedAt != nil || p.CommentsCount != 0 || p.Username != nil {
			t.Errorf("got %+v", p)
		}
		if strings.Contains(string(resp.body), `"username"`) {
			t.Errorf("PostCreated has a username: %s", resp.body)
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", p.CreatedAt); err != nil {
			t.Errorf("createdAt %q: %v", p.CreatedAt, err)
		}
		// Whitespace-only posts are allowed (as in the original); camelCase works too.
		ben.post("/web/posts", map[string]any{"content": "  ", "wallProfileId": ben.ID, "privacy": "FRIENDS"}).want(http.StatusCreated)

		cases := []struct {
			name  string
			body  any
			field string
		}{
			{"empty content", map[string]any{"content": ""}, "content"},
			{"content too long", map[string]any{"content": strings.Repeat("x", 4097)}, "content"},
			{"missing content", map[string]any{}, "content"},
			{"bad privacy", map[string]any{"content": "x", "privacy": "SECRET"}, "privacy"},
			{"bad wall id", map[string]any{"content": "x", "wallProfileId": "nope"}, "wallProfileId"},
			{"content not a string", map[string]any{"content": 1}, "content"},
			{"both spellings", map[string]any{"content": "x", "wallProfileId": ben.ID, "wall_profile_id": ben.ID}, "wall_profile_id"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) { ben.post("/web/posts", tc.body).want422("body", tc.field) })
		}
		srv.anonymous(t).post("/web/posts", map[string]any{"content": "x"}).wantDetail(http.StatusUnauthorized)
	})
}

// Ported from test_post.py: test_post_privacy.
func TestPostPrivacy(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
		public := ben.createPost("", "PUBLIC", "public")
		friends := ben.createPost("", "FRIENDS", "friends")
		statuses := func(c *client) [2]int {
			return [2]int{c.get("/web/posts/" + public.ID).status, c.get("/web/posts/" + friends.ID).status}
		}
		check := func(step string, c *client, want [2]int) {
			t.Helper()
			if got := statuses(c); got != want {
				t.Errorf("%s: got %v, want %v", step, got, want)
			}
		}
		check("owner", ben, [2]int{200, 200})
		check("stranger", daisy, [2]int{200, 403})
		check("anonymous", srv.anonymous(t), [2]int{200, 403})
		becomeFriends(t, ben, daisy)
		check("friend", daisy, [2]int{200, 200})
		unfriend(t, daisy, ben)
		check("after unfriending", daisy, [2]int{200, 403})

		var got post
		ben.get("/web/posts/" + friends.ID).want(http.StatusOK).decode(&got)
		if got.Username == nil || *got.Username != ben.Username || got.Content != "friends" {
			t.Errorf("got %+v", got)
		}
	})
}

// Ported from test_post.py: test_get_many_posts, plus paging.
func TestWallPosts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
		ben.createPost("", "PUBLIC", "public")
		ben.createPost("", "FRIENDS", "friends")
		wall := "/web/posts?wall_profile_id=" + ben.ID
		count := func(c *client) int {
			var posts []post
			c.get(wall).want(http.StatusOK).decode(&posts)
			return len(posts)
		}
		if got := count(daisy); got != 1 {
			t.Errorf("stranger sees %d posts, want 1", got)
		}
		if got := count(srv.anonymous(t)); got != 1 {
			t.Errorf("anonymous sees %d posts, want 1", got)
		}
		becomeFriends(t, ben, daisy)
		if got := count(daisy); got != 2 {
			t.Errorf("friend sees %d posts, want 2", got)
		}

		// Paging newest first with older_than + before_id loses nothing,
		// even among posts of the same millisecond.
		for i := range 5 {
			ben.createPost("", "", fmt.Sprint("p", i))
		}
		var all []post
		ben.get(wall + "&limit=20").want(http.StatusOK).decode(&all)
		if len(all) != 7 {
			t.Fatalf("got %d posts, want 7", len(all))
		}
		var paged []post
		cursor := ""
		for range 10 {
			var page []post
			ben.get(wall + "&limit=3" + cursor).want(http.StatusOK).decode(&page)
			paged = append(paged, page...)
			if len(page) < 3 {
				break
			}
			last := page[len(page)-1]
			cursor = "&older_than=" + last.CreatedAt + "&before_id=" + last.ID
		}
		if len(paged) != len(all) {
			t.Fatalf("paged %d posts, want %d", len(paged), len(all))
		}
		for i := range all {
			if paged[i].ID != all[i].ID {
				t.Errorf("item %d: paged %s, want %s", i, paged[i].ID, all[i].ID)
			}
		}

		bad := []struct{ query, param string }{
			{"", "wall_profile_id"},
			{"?wall_profile_id=nope", "wall_profile_id"},
			{"?wall_profile_id=" + ben.ID + "&limit=0", "limit"},
			{"?wall_profile_id=" + ben.ID + "&limit=21", "limit"},
			{"?wall_profile_id=" + ben.ID + "&limit=ten", "limit"},
			{"?wall_profile_id=" + ben.ID + "&older_than=yesterday", "older_than"},
			{"?wall_profile_id=" + ben.ID + "&before_id=" + ben.ID, "before_id"},
			{"?wall_profile_id=" + ben.ID + "&older_than=2024-01-01T00:00:00Z&before_id=x", "before_id"},
		}
		for _, b := range bad {
			ben.get("/web/posts"+b.query).want422("query", b.param)
		}
		// Any ISO-8601 time works as a cursor.
		for _, ts := range []string{"2999-01-01T00:00:00Z", "2999-01-01T01:00:00%2B01:00", "2999-01-01T00:00:00.123456", "2999-01-01"} {
			if got := len(decodePosts(t, ben.get(wall+"&limit=20&older_than="+ts))); got != 7 {
				t.Errorf("older_than=%s: got %d posts, want 7", ts, got)
			}
		}
		ben.get("/web/posts?wall_profile_id=" + newID()).wantDetail(http.StatusNotFound)
	})
}

func decodePosts(t *testing.T, r *response) []post {
	t.Helper()
	var posts []post
	r.want(http.StatusOK).decode(&posts)
	return posts
}

// Ported from test_post.py: test_post_delete and the delete rules.
func TestDeletePost(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
		p := ben.createPost("", "", "Test")
		ben.get("/web/posts/" + p.ID).want(http.StatusOK)
		resp := ben.delete("/web/posts/" + p.ID).want(http.StatusNoContent)
		if len(resp.body) != 0 {
			t.Errorf("204 with body %q", resp.body)
		}
		ben.get("/web/posts/" + p.ID).wantDetail(http.StatusNotFound)
		ben.delete("/web/posts/" + p.ID).wantDetail(http.StatusNotFound)

		// test_post_delete_from_other_profile
		p = ben.createPost("", "", "Test")
		daisy.delete("/web/posts/" + p.ID).wantDetail(http.StatusForbidden)
		becomeFriends(t, ben, daisy)
		daisy.delete("/web/posts/" + p.ID).wantDetail(http.StatusForbidden)

		// test_post_delete_on_another_profile_wall: the author may, and so may the wall owner.
		onDaisy := ben.createPost(daisy.ID, "", "for daisy")
		ben.delete("/web/posts/" + onDaisy.ID).want(http.StatusNoContent)
		onDaisy = ben.createPost(daisy.ID, "", "for daisy again")
		daisy.delete("/web/posts/" + onDaisy.ID).want(http.StatusNoContent)

		srv.anonymous(t).delete("/web/posts/" + p.ID).wantDetail(http.StatusUnauthorized)
		ben.delete("/web/posts/not-a-uuid").want422("path", "post_id")
	})
}

// Ported from test_post.py: test_post_privacy_on_another_profile_wall.
// Visibility is relative to the wall owner, not the author.
func TestPostPrivacyOnAnotherWall(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy, sumba, pumba := registerAndLogin(t, srv), registerAndLogin(t, srv), registerAndLogin(t, srv), registerAndLogin(t, srv)
		becomeFriends(t, ben, daisy)
		public := ben.createPost(daisy.ID, "PUBLIC", "public")
		friends := ben.createPost(daisy.ID, "FRIENDS", "friends")
		sumba.get("/web/posts/" + public.ID).want(http.StatusOK)
		sumba.get("/web/posts/" + friends.ID).wantDetail(http.StatusForbidden)
		becomeFriends(t, sumba, ben)
		becomeFriends(t, pumba, daisy)
		sumba.get("/web/posts/" + friends.ID).wantDetail(http.StatusForbidden) // friend of the author only
		pumba.get("/web/posts/" + friends.ID).want(http.StatusOK)              // friend of the wall owner

		// Strangers may not write on a wall; nor on an unknown one.
		sumba.post("/web/posts", map[string]any{"content": "x", "wallProfileId": daisy.ID}).wantDetail(http.StatusForbidden)
		sumba.post("/web/posts", map[string]any{"content": "x", "wallProfileId": newID()}).wantDetail(http.StatusForbidden)
	})
}

// Ported from test_comment.py, plus visibility and validation.
func TestComments(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		ben, daisy := registerAndLogin(t, srv), registerAndLogin(t, srv)
		p := ben.createPost("", "", "post")
		var c comment
		ben.post("/web/posts/"+p.ID+"/comments", map[string]any{"content": "Test"}).want(http.StatusCreated).decode(&c)
		if c.Content != "Test" || c.PostID != p.ID || c.ProfileID != ben.ID || c.Username != ben.Username {
			t.Errorf("got %+v", c)
		}
		daisy.post("/web/posts/"+p.ID+"/comments", map[string]any{"content": "Hi"}).want(http.StatusCreated)
		var comments []comment
		srv.anonymous(t).get("/web/posts/" + p.ID + "/comments").want(http.StatusOK).decode(&comments)
		if len(comments) != 2 || comments[0].Content != "Hi" || comments[1].Content != "Test" {
			t.Errorf("got %+v, want newest first", comments)
		}
		var again post
		ben.get("/web/posts/" + p.ID).want(http.StatusOK).decode(&again)
		if again.CommentsCount != 2 {
			t.Errorf("commentsCount %d, want 2", again.CommentsCount)
		}

		private := ben.createPost("", "FRIENDS", "private")
		daisy.post("/web/posts/"+private.ID+"/comments", map[string]any{"content": "x"}).wantDetail(http.StatusForbidden)
		daisy.get("/web/posts/" + private.ID + "/comments").wantDetail(http.StatusForbidden)
		ben.post("/web/posts/"+newID()+"/comments", map[string]any{"content": "x"}).wantDetail(http.StatusNotFound)
		ben.get("/web/posts/" + newID() + "/comments").wantDetail(http.StatusNotFound)

		for _, content := range []any{"", "   ", strings.Repeat("c", 1025), nil, true} {
			ben.post("/web/posts/"+p.ID+"/comments", map[string]any{"content": content}).want422("body", "content")
		}
		ben.get("/web/posts/"+p.ID+"/comments?limit=21").want422("query", "limit")
		srv.anonymous(t).post("/web/posts/"+p.ID+"/comments", map[string]any{"content": "x"}).wantDetail(http.StatusUnauthorized)
	})
}
