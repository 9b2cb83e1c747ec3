package api_test

import (
	"net/http"
	"testing"

	"github.com/bunnybook/bunnybook"
)

// commentNotes returns c's NEW_COMMENT_ON_POST notifications about post.
func (c *client) commentNotes(post string) []notification {
	c.t.Helper()
	var out []notification
	for _, n := range c.notifications("?limit=20") {
		if n.Data.Event == bunnybook.EventNewCommentOnPost && n.Data.Payload["postId"] == post {
			out = append(out, n)
		}
	}
	return out
}

// TestCommentNotesFollowPrivacy: an earlier commenter of a friends-only
// post who is no longer the wall owner's friend is not told of new comments
// (the notification carries the comment's preview); friends still are.
func TestCommentNotesFollowPrivacy(t *testing.T) {
	forEachBackend(t, func(t *testing.T, srv *testServer) {
		owner, gone, stays := registerAndLogin(t, srv), registerAndLogin(t, srv), registerAndLogin(t, srv)
		becomeFriends(t, owner, gone)
		becomeFriends(t, owner, stays)
		private := owner.createPost("", "FRIENDS", "for friends")
		public := owner.createPost("", "PUBLIC", "for everyone")
		for _, p := range []post{private, public} {
			gone.post("/web/posts/"+p.ID+"/comments", map[string]any{"content": "first"}).want(http.StatusCreated)
		}
		unfriend(t, owner, gone)
		for _, p := range []post{private, public} {
			stays.post("/web/posts/"+p.ID+"/comments", map[string]any{"content": "a secret"}).want(http.StatusCreated)
		}

		if got := gone.commentNotes(private.ID); len(got) != 0 {
			t.Errorf("former friend got %d notifications of a friends-only post's comment: %+v", len(got), got)
		}
		if got := gone.commentNotes(public.ID); len(got) != 1 {
			t.Errorf("former friend got %d notifications of a public post's comment, want 1", len(got))
		}
		if got := owner.commentNotes(private.ID); len(got) != 2 {
			t.Errorf("wall owner got %d notifications of the friends-only post's comments, want 2", len(got))
		}
	})
}
