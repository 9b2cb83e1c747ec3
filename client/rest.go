package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bunnybook/bunnybook"
)

// Client calls the REST API as one user (or anonymously).
type Client struct {
	BaseURL string       // e.g. http://127.0.0.1:8080
	HTTP    *http.Client // default http.DefaultClient
	// Token is the access token sent as a Bearer token; set by Login.
	Token   string
	Profile bunnybook.Profile // set by Login
}

// New returns an anonymous client of the server at baseURL.
func New(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: http.DefaultClient}
}

// Error is a non-2xx answer.
type Error struct {
	Status int
	Body   string
	// RetryAfter is the server's Retry-After, when it sent one (a refused
	// websocket upgrade: 429, 503).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body) }

// StatusOf returns the HTTP status of an *Error, or 0.
func StatusOf(err error) int {
	if e, ok := err.(*Error); ok {
		return e.Status
	}
	return 0
}

// Do sends a request with an optional JSON body and decodes a JSON answer
// into out (when out is not nil). Requests with a body, and those to the
// auth endpoints, say Content-Type: application/json.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, r)
	if err != nil {
		return err
	}
	if body != nil || isAuthPath(path) {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return &Error{Status: res.StatusCode, Body: string(b)}
	}
	if out != nil && len(b) > 0 {
		return json.Unmarshal(b, out)
	}
	return nil
}

// isAuthPath tells the auth endpoints, which need Content-Type:
// application/json even without a body (refresh and logout have none):
// the server answers 415 otherwise.
func isAuthPath(path string) bool {
	switch path {
	case "/web/register", "/web/login", "/web/refresh", "/web/logout":
		return true
	}
	return false
}

// Register creates an account.
func (c *Client) Register(ctx context.Context, username, email, password string) (*bunnybook.Profile, error) {
	var p bunnybook.Profile
	err := c.Do(ctx, http.MethodPost, "/web/register", map[string]string{
		"username": username, "email": email, "password": password, "avatarIdentifier": username,
	}, &p)
	return &p, err
}

// Login signs in and keeps the access token and profile.
func (c *Client) Login(ctx context.Context, email, password string) error {
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	if err := c.Do(ctx, http.MethodPost, "/web/login", map[string]string{"email": email, "password": password}, &tok); err != nil {
		return err
	}
	c.Token = tok.AccessToken
	return c.Do(ctx, http.MethodGet, "/web/me", nil, &c.Profile)
}

// CreatePost posts on a wall ("" = own).
func (c *Client) CreatePost(ctx context.Context, wall, content string, privacy bunnybook.Privacy) (*bunnybook.Post, error) {
	var p bunnybook.Post
	body := map[string]string{"content": content, "privacy": string(privacy)}
	if wall != "" {
		body["wallProfileId"] = wall
	}
	err := c.Do(ctx, http.MethodPost, "/web/posts", body, &p)
	return &p, err
}

// Wall reads the first page of a wall.
func (c *Client) Wall(ctx context.Context, wall string, limit int) ([]bunnybook.Post, error) {
	var posts []bunnybook.Post
	q := url.Values{"wall_profile_id": {wall}, "limit": {fmt.Sprint(limit)}}
	err := c.Do(ctx, http.MethodGet, "/web/posts?"+q.Encode(), nil, &posts)
	return posts, err
}

// SendFriendRequest asks target to be friends.
func (c *Client) SendFriendRequest(ctx context.Context, target string) error {
	return c.Do(ctx, http.MethodPost, "/web/profiles/"+c.Profile.ID+"/outgoing_friend_requests/"+target, nil, nil)
}

// AcceptFriendRequest accepts requester's request.
func (c *Client) AcceptFriendRequest(ctx context.Context, requester string) error {
	return c.Do(ctx, http.MethodPost, "/web/profiles/"+c.Profile.ID+"/friends/"+requester, nil, nil)
}

// Unfriend ends a friendship.
func (c *Client) Unfriend(ctx context.Context, friend string) error {
	return c.Do(ctx, http.MethodDelete, "/web/profiles/"+c.Profile.ID+"/friends/"+friend, nil, nil)
}

// ChatMessages reads the newest page of a conversation's history.
func (c *Client) ChatMessages(ctx context.Context, chatGroupID string, limit int) ([]bunnybook.ChatMessage, error) {
	var msgs []bunnybook.ChatMessage
	err := c.Do(ctx, http.MethodGet, fmt.Sprintf("/web/chat/%s/messages?limit=%d", chatGroupID, limit), nil, &msgs)
	return msgs, err
}

// Notifications reads the newest page of notifications.
func (c *Client) Notifications(ctx context.Context) ([]bunnybook.Notification, error) {
	var ns []bunnybook.Notification
	err := c.Do(ctx, http.MethodGet, "/web/profiles/"+c.Profile.ID+"/notifications", nil, &ns)
	return ns, err
}
