package bunnybook

import (
	"context"
	"encoding/json"
	"slices"
)

// NewPost is what an author asks to publish.
type NewPost struct {
	Content       string
	WallProfileID string // "" = the author's own wall
	Privacy       Privacy
}

// CreatePost publishes a post by author on a wall the author may write on
// (their own or a friend's). The wall owner is notified when it is not theirs.
func (s *Service) CreatePost(ctx context.Context, author Profile, in NewPost) (*Post, error) {
	if err := ValidateText("content", in.Content, PostMax, false); err != nil {
		return nil, err
	}
	if in.WallProfileID == "" {
		in.WallProfileID = author.ID
	}
	if in.Privacy == "" {
		in.Privacy = Public
	}
	ok, err := s.canSeeWall(ctx, author.ID, in.WallProfileID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, forbidden("only the owner and their friends may post on this wall")
	}
	p := &Post{
		ID:            NewID(),
		Content:       in.Content,
		CreatedAt:     Now(),
		WallProfileID: in.WallProfileID,
		ProfileID:     author.ID,
		Privacy:       in.Privacy,
		Username:      author.Username,
	}
	var notes []Notification
	if p.WallProfileID != author.ID {
		notes = append(notes, newNotification(p.WallProfileID, EventNewPostOnWall, map[string]string{
			"byId": author.ID, "byUsername": author.Username, "postId": p.ID, "postPreview": preview(p.Content),
		}))
	}
	if err := s.Store.CreatePost(ctx, p, notes); err != nil {
		return nil, wrap(err, "create post")
	}
	s.notify(ctx, notes)
	return p, nil
}

// WallJSON returns a page of a wall's posts that viewer may see (FRIENDS
// posts only for the owner and their friends), as the JSON list the API
// answers with, likedByMe set for viewer. A store that keeps wall pages
// encoded (WallPostsJSONStore: the cache) serves them as they are, without
// decoding and encoding each page again; the pages are the same for every
// viewer of a privacy class (likedByMe false), and the viewer's likes are
// written into a copy (markLikedJSON).
func (s *Service) WallJSON(ctx context.Context, viewer, wall string, page TimePage) ([]byte, error) {
	if err := s.mustExist(ctx, wall); err != nil {
		return nil, err
	}
	friends, err := s.canSeeWall(ctx, viewer, wall)
	if err != nil {
		return nil, err
	}
	if raw, ok := s.Store.(WallPostsJSONStore); ok {
		b, err := raw.WallPostsJSON(ctx, wall, friends, page)
		if err != nil {
			return nil, err
		}
		return s.markLikedJSON(ctx, viewer, b)
	}
	posts, err := s.Store.WallPosts(ctx, wall, friends, page)
	if err != nil {
		return nil, err
	}
	if posts == nil {
		posts = []Post{}
	}
	if err := s.markLikedPosts(ctx, viewer, posts); err != nil {
		return nil, err
	}
	return json.Marshal(posts)
}

// WallPostsJSONStore is a store that can answer a wall page as its JSON
// encoding (a list of Post, never null).
type WallPostsJSONStore interface {
	WallPostsJSON(ctx context.Context, wall string, withFriendsOnly bool, page TimePage) ([]byte, error)
}

// Post returns a post viewer may see, with LikedByMe for viewer:
// ENotFound, or EForbidden for a FRIENDS post when viewer is neither the
// wall owner nor their friend.
func (s *Service) Post(ctx context.Context, viewer, id string) (*Post, error) {
	p, err := s.visiblePost(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	one := []Post{*p}
	if err := s.markLikedPosts(ctx, viewer, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// visiblePost returns a post viewer may see (the rule of Post), without
// the viewer's like.
func (s *Service) visiblePost(ctx context.Context, viewer, id string) (*Post, error) {
	p, err := s.Store.Post(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Privacy == Public {
		return p, nil
	}
	ok, err := s.canSeeWall(ctx, viewer, p.WallProfileID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, forbidden("this post is for the wall owner's friends")
	}
	return p, nil
}

// DeletePost deletes a post; only its author or the wall owner may.
func (s *Service) DeletePost(ctx context.Context, viewer, id string) error {
	p, err := s.Store.Post(ctx, id)
	if err != nil {
		return err
	}
	if viewer != p.ProfileID && viewer != p.WallProfileID {
		return forbidden("only the author or the wall owner may delete a post")
	}
	return s.Store.DeletePost(ctx, id)
}

// CreateComment comments on a post author may see. Everyone involved in
// the post (its author, the wall owner, other commenters) who may still see
// it is notified.
func (s *Service) CreateComment(ctx context.Context, author Profile, postID, content string) (*Comment, error) {
	if err := ValidateText("content", content, CommentMax, true); err != nil {
		return nil, err
	}
	p, err := s.visiblePost(ctx, author.ID, postID)
	if err != nil {
		return nil, err
	}
	commenters, err := s.Store.CommentAuthors(ctx, postID)
	if err != nil {
		return nil, wrap(err, "comment authors")
	}
	c := &Comment{
		ID:        NewID(),
		Content:   content,
		CreatedAt: Now(),
		PostID:    postID,
		ProfileID: author.ID,
		Username:  author.Username,
	}
	payload := map[string]string{
		"byId": author.ID, "byUsername": author.Username,
		"postById": p.ProfileID, "postByUsername": p.Username,
		"postId": p.ID, "commentPreview": preview(content),
	}
	recipients, err := s.canSeePost(ctx, p, distinct(append(commenters, p.ProfileID, p.WallProfileID)))
	if err != nil {
		return nil, wrap(err, "comment recipients")
	}
	var notes []Notification
	for _, id := range recipients {
		if id != author.ID {
			notes = append(notes, newNotification(id, EventNewCommentOnPost, payload))
		}
	}
	if err := s.Store.CreateComment(ctx, c, notes); err != nil {
		return nil, wrap(err, "create comment")
	}
	s.notify(ctx, notes)
	return c, nil
}

// canSeePost returns those of ids who may see p now: everyone for a public
// post; for a FRIENDS post, the wall owner and the owner's friends (an
// earlier commenter who is no longer a friend is left out).
func (s *Service) canSeePost(ctx context.Context, p *Post, ids []string) ([]string, error) {
	if p.Privacy == Public {
		return ids, nil
	}
	friends, err := s.Store.FriendsAmong(ctx, p.WallProfileID, ids)
	if err != nil {
		return nil, err
	}
	if slices.Contains(ids, p.WallProfileID) {
		friends = append(friends, p.WallProfileID)
	}
	return friends, nil
}

// Comments returns a page of comments of a post viewer may see, with
// LikedByMe for viewer.
func (s *Service) Comments(ctx context.Context, viewer, postID string, page TimePage) ([]Comment, error) {
	if _, err := s.visiblePost(ctx, viewer, postID); err != nil {
		return nil, err
	}
	comments, err := s.Store.Comments(ctx, postID, page)
	if err != nil {
		return nil, err
	}
	return comments, s.markLikedComments(ctx, viewer, comments)
}

func distinct(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
