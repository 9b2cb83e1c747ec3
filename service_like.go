package bunnybook

import (
	"bytes"
	"context"
	"slices"
)

// SetLike makes liker like (on) or stop liking l's post or, when
// l.CommentID is set, that comment of the post. Both are idempotent. The
// post must be one liker may see, exactly as Post decides (ENotFound or
// EForbidden), and the comment one of that post (else ENotFound).
//
// A new like tells the author of what was liked (unless they liked their
// own, or can no longer see the post) with a NEW_LIKE_ON_POST
// notification, collapsed per post: while the author has an unread one for
// the post, it is updated (latest liker, time now) instead of adding
// another. Comment likes share that notification. Unliking leaves
// notifications as they are.
func (s *Service) SetLike(ctx context.Context, liker Profile, l Like, on bool) error {
	p, err := s.visiblePost(ctx, liker.ID, l.PostID)
	if err != nil {
		return err
	}
	author := p.ProfileID
	payload := map[string]string{
		"byId": liker.ID, "byUsername": liker.Username,
		"postId": p.ID, "postPreview": preview(p.Content),
	}
	if l.CommentID != "" {
		c, err := s.Store.Comment(ctx, p.ID, l.CommentID)
		if err != nil {
			return err
		}
		author = c.ProfileID
		payload["commentId"], payload["commentPreview"] = c.ID, preview(c.Content)
	}
	l.ProfileID = liker.ID
	if !on {
		return wrap(s.Store.Unlike(ctx, l), "unlike")
	}
	var notes []Notification
	if author != liker.ID {
		recipients, err := s.canSeePost(ctx, p, []string{author})
		if err != nil {
			return wrap(err, "like recipients")
		}
		for _, id := range recipients {
			n := newNotification(id, EventNewLikeOnPost, payload)
			n.Collapse = "like:" + p.ID
			notes = append(notes, n)
		}
	}
	added, err := s.Store.Like(ctx, l, notes)
	if err != nil {
		return wrap(err, "like")
	}
	if added {
		s.notify(ctx, notes)
	}
	return nil
}

// markLikedPosts sets LikedByMe on the posts viewer likes ("" likes none).
func (s *Service) markLikedPosts(ctx context.Context, viewer string, posts []Post) error {
	return markLiked(ctx, s, viewer, posts, s.Store.LikedPosts,
		func(p *Post) (string, int, *bool) { return p.ID, p.LikesCount, &p.LikedByMe })
}

// markLikedComments sets LikedByMe on the comments viewer likes.
func (s *Service) markLikedComments(ctx context.Context, viewer string, comments []Comment) error {
	return markLiked(ctx, s, viewer, comments, s.Store.LikedComments,
		func(c *Comment) (string, int, *bool) { return c.ID, c.LikesCount, &c.LikedByMe })
}

// likedQuery returns those of ids that profileID likes.
type likedQuery func(ctx context.Context, profileID string, ids []string) ([]string, error)

// markLiked sets the like flag of the items viewer likes; fields gives an
// item's id, like count and flag.
func markLiked[T any](ctx context.Context, s *Service, viewer string, items []T, query likedQuery,
	fields func(*T) (id string, likes int, flag *bool)) error {
	var ids []string
	for i := range items {
		if id, likes, _ := fields(&items[i]); likes > 0 {
			ids = append(ids, id)
		}
	}
	liked, err := s.liked(ctx, viewer, ids, query)
	for i := range items {
		id, _, flag := fields(&items[i])
		*flag = slices.Contains(liked, id)
	}
	return err
}

// liked asks the store which of ids viewer likes; only things with likes
// can be among them, so callers pass only those, and most pages need no
// query at all.
func (s *Service) liked(ctx context.Context, viewer string, ids []string, query likedQuery) ([]string, error) {
	if viewer == "" || len(ids) == 0 {
		return nil, nil
	}
	liked, err := query(ctx, viewer, ids)
	return liked, wrap(err, "liked by viewer")
}

// The keys of a wall page's JSON that markLikedJSON reads. A page is a
// []Post encoded by encoding/json, whose objects start with the id and
// have likedByMe right after likesCount. None of these can occur inside a
// string value: encoding/json escapes every '"' there. (likesKey leaves
// out its opening quote: bytes.Index is much faster on a needle whose
// first byte is rare.)
var (
	idKey    = []byte(`{"id":"`)
	likesKey = []byte(`likesCount":`)
	notLiked = []byte(`,"likedByMe":false`)
)

// likeSlot is a post with likes in a wall page's JSON: its id, and where
// its `,"likedByMe":false` starts.
type likeSlot struct {
	id string
	at int
}

// likeSlots finds the posts with likes in a wall page's JSON. A page that
// is not laid out as expected (say, cached by an older version) has none.
func likeSlots(page []byte) []likeSlot {
	var slots []likeSlot
	for off := 0; ; {
		i := bytes.Index(page[off:], idKey)
		if i < 0 {
			return slots
		}
		off += i + len(idKey)
		end := bytes.IndexByte(page[off:], '"')
		j := bytes.Index(page[off:], likesKey)
		if end < 0 || j < 0 {
			return slots
		}
		id := string(page[off : off+end])
		off += j + len(likesKey)
		k := off
		for k < len(page) && page[k] >= '0' && page[k] <= '9' {
			k++
		}
		if k > off && page[off] != '0' && bytes.HasPrefix(page[k:], notLiked) {
			slots = append(slots, likeSlot{id, k})
		}
		off = k
	}
}

// markLikedJSON returns a wall page's JSON with likedByMe set on the posts
// viewer likes. The page may be shared (a cached value): it is copied, not
// changed, and only when viewer likes one of its posts.
func (s *Service) markLikedJSON(ctx context.Context, viewer string, page []byte) ([]byte, error) {
	if viewer == "" {
		return page, nil
	}
	slots := likeSlots(page)
	ids := make([]string, len(slots))
	for i, sl := range slots {
		ids[i] = sl.id
	}
	liked, err := s.liked(ctx, viewer, ids, s.Store.LikedPosts)
	if err != nil || len(liked) == 0 {
		return page, err
	}
	out := make([]byte, 0, len(page))
	last := 0
	for _, sl := range slots {
		if slices.Contains(liked, sl.id) {
			out = append(append(out, page[last:sl.at]...), `,"likedByMe":true`...)
			last = sl.at + len(notLiked)
		}
	}
	return append(out, page[last:]...), nil
}
