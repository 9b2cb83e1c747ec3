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
	LikesCount    int     `json:"likesCount"`
	// LikedByMe says whether the viewer likes the post. Stores never set
	// it (their pages are shared between viewers); the service does, and
	// the wall page's JSON keeps it right after likesCount (see markLikedJSON).
	LikedByMe bool   `json:"likedByMe"`
	Username  string `json:"username"` // author's
}

// Comment is a comment on a post.
type Comment struct {
	ID         string `json:"id"`
	Content    string `json:"content"`
	CreatedAt  Time   `json:"createdAt"`
	PostID     string `json:"postId"`
	ProfileID  string `json:"profileId"` // author
	Username   string `json:"username"`  // author's
	LikesCount int    `json:"likesCount"`
	LikedByMe  bool   `json:"likedByMe"` // set by the service for the viewer
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
	// Comment returns a comment of the post with its author's username, or
	// ENotFound (also when it belongs to another post).
	Comment(ctx context.Context, postID, commentID string) (*Comment, error)
	LikeStore
}

// Like is a profile's like of a post, or of one of its comments.
type Like struct {
	PostID    string
	CommentID string // "" for the post itself
	ProfileID string // who likes
}

// LikeStore keeps likes and the counts on posts and comments.
type LikeStore interface {
	// Like adds l if it is new: the like, the count of the liked post or
	// comment and notes are written in one transaction, and added is true.
	// Liking again changes nothing (added is false, notes are not written).
	// A note with a Collapse key updates the recipient's unread note of the
	// same key instead of adding one; its ID is then set to that note's.
	// ENotFound when the post, or the comment on that post, does not exist.
	Like(ctx context.Context, l Like, notes []Notification) (added bool, err error)
	// Unlike removes l and lowers the count; no-op if there is no such like.
	Unlike(ctx context.Context, l Like) error
	// LikedPosts returns those of postIDs that profileID likes.
	LikedPosts(ctx context.Context, profileID string, postIDs []string) ([]string, error)
	// LikedComments returns those of commentIDs that profileID likes.
	LikedComments(ctx context.Context, profileID string, commentIDs []string) ([]string, error)
}
