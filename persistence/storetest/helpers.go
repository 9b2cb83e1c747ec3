package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
)

// MustCreateAccount creates an account with the given username, the e-mail
// <username>@bunnybook.test (lower-cased) and a dummy password hash.
func MustCreateAccount(tb testing.TB, s bunnybook.Store, username string) bunnybook.Account {
	tb.Helper()
	a := NewAccount(username)
	if err := s.CreateAccount(tb.Context(), &a); err != nil {
		tb.Fatalf("create account %q: %v", username, err)
	}
	return a
}

// NewAccount returns an account ready for CreateAccount, not stored.
func NewAccount(username string) bunnybook.Account {
	id := bunnybook.NewID()
	return bunnybook.Account{
		Profile:      bunnybook.Profile{ID: id, Username: username},
		Email:        strings.ToLower(username) + "@bunnybook.test",
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA",
		Role:         bunnybook.RoleUser,
		AvatarSeed:   id,
		RegisteredAt: bunnybook.Now(),
	}
}

// MustCreateAccounts creates one account per username.
func MustCreateAccounts(tb testing.TB, s bunnybook.Store, usernames ...string) []bunnybook.Account {
	tb.Helper()
	out := make([]bunnybook.Account, len(usernames))
	for i, u := range usernames {
		out[i] = MustCreateAccount(tb, s, u)
	}
	return out
}

// MustBefriend makes a and b friends (a sends a request, b accepts) and
// returns their private chat group id.
func MustBefriend(tb testing.TB, s bunnybook.Store, a, b string) string {
	tb.Helper()
	ctx := tb.Context()
	if err := s.SendFriendRequest(ctx, a, b, NewNotification(b, bunnybook.EventNewFriendshipRequest, bunnybook.Now())); err != nil {
		tb.Fatalf("send friend request %s -> %s: %v", a, b, err)
	}
	group, err := s.AcceptFriendRequest(ctx, a, b, NewNotification(a, bunnybook.EventNewFriend, bunnybook.Now()))
	if err != nil {
		tb.Fatalf("accept friend request %s -> %s: %v", a, b, err)
	}
	if group == "" {
		tb.Fatalf("accept friend request %s -> %s: empty chat group id", a, b)
	}
	return group
}

// MustUnfriend ends the friendship of a and b and returns their chat group id.
func MustUnfriend(tb testing.TB, s bunnybook.Store, a, b string) string {
	tb.Helper()
	group, err := s.Unfriend(tb.Context(), a, b)
	if err != nil {
		tb.Fatalf("unfriend %s and %s: %v", a, b, err)
	}
	return group
}

// NewNotification returns an unread notification for recipient with a
// small payload, not stored.
func NewNotification(recipient, event string, at bunnybook.Time) bunnybook.Notification {
	return bunnybook.Notification{
		ID:        bunnybook.NewID(),
		CreatedAt: at,
		ProfileID: recipient,
		Data: bunnybook.NotificationData{
			Event:   event,
			Payload: map[string]string{"byId": bunnybook.NewID(), "byUsername": "someone"},
		},
	}
}

// NewPost returns a post by author on wall, not stored.
func NewPost(author, wall string, privacy bunnybook.Privacy, at bunnybook.Time) bunnybook.Post {
	return bunnybook.Post{
		ID:            bunnybook.NewID(),
		Content:       "post at " + at.String(),
		CreatedAt:     at,
		WallProfileID: wall,
		ProfileID:     author,
		Privacy:       privacy,
	}
}

// MustCreatePost stores a post by author on wall, with notes, and returns it.
func MustCreatePost(tb testing.TB, s bunnybook.Store, author, wall string, privacy bunnybook.Privacy, at bunnybook.Time, notes ...bunnybook.Notification) bunnybook.Post {
	tb.Helper()
	p := NewPost(author, wall, privacy, at)
	if err := s.CreatePost(tb.Context(), &p, notes); err != nil {
		tb.Fatalf("create post: %v", err)
	}
	return p
}

// NewComment returns a comment by author on post, not stored.
func NewComment(author, post string, at bunnybook.Time) bunnybook.Comment {
	return bunnybook.Comment{
		ID:        bunnybook.NewID(),
		Content:   "comment at " + at.String(),
		CreatedAt: at,
		PostID:    post,
		ProfileID: author,
	}
}

// MustCreateComment stores a comment by author on post, with notes, and returns it.
func MustCreateComment(tb testing.TB, s bunnybook.Store, author, post string, at bunnybook.Time, notes ...bunnybook.Notification) bunnybook.Comment {
	tb.Helper()
	c := NewComment(author, post, at)
	if err := s.CreateComment(tb.Context(), &c, notes); err != nil {
		tb.Fatalf("create comment: %v", err)
	}
	return c
}

// NewMessage returns a message of group with the given seq, not stored.
// Its client id is unique.
func NewMessage(group, from string, seq int64, at bunnybook.Time) bunnybook.ChatMessage {
	return bunnybook.ChatMessage{
		ID:            bunnybook.NewID(),
		Seq:           seq,
		CreatedAt:     at,
		FromProfileID: from,
		ChatGroupID:   group,
		Content:       "message " + at.String(),
		ClientID:      bunnybook.NewID(),
	}
}

// MustAppend stores msgs in one AppendMessages call.
func MustAppend(tb testing.TB, s bunnybook.Store, msgs ...bunnybook.ChatMessage) {
	tb.Helper()
	if err := s.AppendMessages(tb.Context(), msgs); err != nil {
		tb.Fatalf("append %d messages: %v", len(msgs), err)
	}
}

// baseTime is a fixed instant the tests build timestamps from.
var baseTime = bunnybook.At(time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))

// at returns baseTime plus ms milliseconds.
func at(ms int) bunnybook.Time {
	return bunnybook.At(baseTime.Add(time.Duration(ms) * time.Millisecond))
}

// wantKind fails unless err has the given kind.
func wantKind(tb testing.TB, what string, err error, kind string) {
	tb.Helper()
	if got := bunnybook.ErrorKind(err); got != kind {
		tb.Fatalf("%s: got error %v (kind %q), want kind %q", what, err, got, kind)
	}
}

// wantUnexpected fails unless err is ErrUnexpectedRelationship.
func wantUnexpected(tb testing.TB, what string, err error) {
	tb.Helper()
	e := bunnybook.AsError(err)
	want := bunnybook.ErrUnexpectedRelationship()
	if e == nil || e.Kind != want.Kind || e.Message != want.Message {
		tb.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

// must fails on a non-nil err.
func must(tb testing.TB, what string, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// wantIDs fails unless got lists exactly want, in order.
func wantIDs(tb testing.TB, what string, got, want []string) {
	tb.Helper()
	if !slices.Equal(got, want) {
		tb.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

// wantSameIDs fails unless got and want hold the same ids, in any order.
func wantSameIDs(tb testing.TB, what string, got, want []string) {
	tb.Helper()
	got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		tb.Fatalf("%s: got %v, want %v (any order)", what, got, want)
	}
}

// usernames returns the usernames of profiles.
func usernames(ps []bunnybook.Profile) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Username
	}
	return out
}

// profileIDs returns the ids of profiles.
func profileIDs(ps []bunnybook.Profile) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// timeEqual reports whether two optional times are equal.
func timeEqual(a, b *bunnybook.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(b.Time)
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }
