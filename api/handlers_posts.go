package api

import "github.com/bunnybook/bunnybook"

// postCreated is a post as returned on creation: without the author's
// username (spec §2.1 PostCreated).
type postCreated struct {
	ID            string            `json:"id"`
	Content       string            `json:"content"`
	CreatedAt     bunnybook.Time    `json:"createdAt"`
	UpdatedAt     *bunnybook.Time   `json:"updatedAt"`
	WallProfileID string            `json:"wallProfileId"`
	ProfileID     string            `json:"profileId"`
	Privacy       bunnybook.Privacy `json:"privacy"`
	CommentsCount int               `json:"commentsCount"`
	LikesCount    int               `json:"likesCount"`
	LikedByMe     bool              `json:"likedByMe"`
}

func (s *Server) createPost(r *request) error {
	var in bunnybook.NewPost
	var privacy string
	if r.decodeObject(
		field{"content", &in.Content, true},
		field{"wallProfileId", &in.WallProfileID, false},
		field{"privacy", &privacy, false},
	) {
		var err error
		r.invalid(bunnybook.ValidateText("content", in.Content, bunnybook.PostMax, false))
		if in.WallProfileID != "" {
			in.WallProfileID, err = bunnybook.ParseID("wallProfileId", in.WallProfileID)
			r.invalid(err)
		}
		in.Privacy, err = bunnybook.ParsePrivacy(privacy)
		r.invalid(err)
	}
	if err := r.check(); err != nil {
		return err
	}
	p, err := s.svc.CreatePost(r, r.me(), in)
	if err != nil {
		return err
	}
	return r.created(postCreated{
		ID: p.ID, Content: p.Content, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		WallProfileID: p.WallProfileID, ProfileID: p.ProfileID, Privacy: p.Privacy, CommentsCount: p.CommentsCount,
	})
}

func (s *Server) wallPosts(r *request) error {
	wall := r.requiredQueryID("wall_profile_id")
	page := r.timePage(bunnybook.PostPageLimits)
	if err := r.check(); err != nil {
		return err
	}
	posts, err := s.svc.WallJSON(r, r.viewer(), wall, page)
	if err != nil {
		return err
	}
	return r.okJSON(posts)
}

func (s *Server) getPost(r *request) error {
	id := r.pathID("post_id")
	if err := r.check(); err != nil {
		return err
	}
	p, err := s.svc.Post(r, r.viewer(), id)
	if err != nil {
		return err
	}
	return r.ok(p)
}

func (s *Server) deletePost(r *request) error {
	id := r.pathID("post_id")
	if err := r.check(); err != nil {
		return err
	}
	if err := s.svc.DeletePost(r, r.viewer(), id); err != nil {
		return err
	}
	return r.noContent()
}

func (s *Server) createComment(r *request) error {
	id := r.pathID("post_id")
	var content string
	if r.decodeObject(field{"content", &content, true}) {
		r.invalid(bunnybook.ValidateText("content", content, bunnybook.CommentMax, true))
	}
	if err := r.check(); err != nil {
		return err
	}
	c, err := s.svc.CreateComment(r, r.me(), id, content)
	if err != nil {
		return err
	}
	return r.created(c)
}

func (s *Server) comments(r *request) error {
	id := r.pathID("post_id")
	page := r.timePage(bunnybook.CommentPageLimits)
	if err := r.check(); err != nil {
		return err
	}
	comments, err := s.svc.Comments(r, r.viewer(), id, page)
	if err != nil {
		return err
	}
	return r.ok(nonNil(comments))
}

// setLike likes (PUT) or unlikes (DELETE) a post or, with comment_id in
// the path, a comment of it.
func (s *Server) setLike(r *request) error {
	l := bunnybook.Like{PostID: r.pathID("post_id")}
	if r.UserValue("comment_id") != nil {
		l.CommentID = r.pathID("comment_id")
	}
	if err := r.check(); err != nil {
		return err
	}
	if err := s.svc.SetLike(r, r.me(), l, !r.IsDelete()); err != nil {
		return err
	}
	return r.noContent()
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](items []T) []T {
	if items == nil {
		return []T{}
	}
	return items
}
