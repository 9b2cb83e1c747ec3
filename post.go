package bunnybook

import "context"

// Privacy says who may read a post.
type Privacy string

// Post privacies. Visibility is relative to the wall owner: FRIENDS posts are
// for the wall owner and the wall owner's friends.
const (
	Public  Privacy = "PUBLIC"
	Friends Privacy = "FRIENDS"
)

// Post is a post on a profile's wall.
type Post struct {
	ID            string  `json:"id"`
	Content       string  `json:"content"`
	CreatedAt     Time    `json:"createdAt"`
	UpdatedAt     *Time   `json:"updatedAt"` // always null: posts are not edited
	WallProfileID string  `json:"wallProfileId"`
	ProfileID     string  `json:"profileId"` // author
	Privacy       Privacy `json:"privacy"`
	CommentsCount int     `json:"commentsCount"`
	Username      string  `json:"username"` // author's
}

// Comment is a comment on a post.
type Comment struct {
	ID        string `json:"id"`
	Content   string `json:"content"`
	CreatedAt Time   `json:"createdAt"`
	PostID    string `json:"postId"`
	ProfileID string `json:"profileId"` // author
	Username  string `json:"username"`  // author's
}

// TimePage selects a page of a newest-first list: items strictly older than
// the cursor (Before, then BeforeID among items of the same millisecond).
// A zero Before means "from the newest"; an empty BeforeID means every item
// created at Before is excluded.
type TimePage struct {
	Before   Time
	BeforeID string
	Limit    int
}

// PostStore keeps posts and comments. Writes that notify someone take the
// notifications and store them in the same transaction.
type PostStore interface {
	// CreatePost inserts p (author's Username is not stored) and notes.
	CreatePost(ctx context.Context, p *Post, notes []Notification) error
	// Post returns a post with its author's username, or ENotFound.
	Post(ctx context.Context, id string) (*Post, error)
	// WallPosts returns a page of the wall's posts, newest first, with
	// authors' usernames; FRIENDS posts only when withFriendsOnly.
	WallPosts(ctx context.Context, wallID string, withFriendsOnly bool, page TimePage) ([]Post, error)
	// DeletePost deletes a post and its comments, or returns ENotFound.
	DeletePost(ctx context.Context, id string) error
	// CreateComment inserts c, increments the post's comment count and
	// stores notes, in one transaction; ENotFound if the post is gone.
	CreateComment(ctx context.Context, c *Comment, notes []Notification) error
	// Comments returns a page of a post's comments, newest first, with usernames.
	Comments(ctx context.Context, postID string, page TimePage) ([]Comment, error)
	// CommentAuthors returns the distinct ids of everyone who commented on the post.
	CommentAuthors(ctx context.Context, postID string) ([]string, error)
}
