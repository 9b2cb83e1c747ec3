package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bunnybook/bunnybook"
	"github.com/bunnybook/bunnybook/client"
	"github.com/bunnybook/bunnybook/internal/testwait"
	"github.com/bunnybook/bunnybook/persistence/redis/redistest"
)

// TestRedisOutage runs a server on its own redis-server, kills Redis
// mid-test, checks every request still succeeds and sees every write
// (cache bypassed, rate limits local, /readyz degraded but ready), starts
// Redis again on the same port and checks the server uses it again without
// a restart.
func TestRedisOutage(t *testing.T) {
	srv := redistest.StartServer(t)
	m := MustRunMain(t, func(m *Main) { m.Config.RedisURL = srv.URL() })
	ctx := context.Background()
	a, b := MustUser(t, m.URL()), MustUser(t, m.URL())
	MustBefriend(t, a, b)
	var posts []string
	post := func() {
		t.Helper()
		p, err := a.CreatePost(ctx, "", fmt.Sprint("post ", len(posts)), bunnybook.Public)
		if err != nil {
			t.Fatalf("create post: %v", err)
		}
		posts = append(posts, p.ID)
		// Posts of the same millisecond have no "newest"; keep them apart.
		time.Sleep(2 * time.Millisecond)
	}
	// checkAll reads what the cache serves and checks it shows every write.
	checkAll := func(what string) {
		t.Helper()
		wall, err := b.Wall(ctx, a.Profile.ID, 20)
		if err != nil {
			t.Fatalf("%s: wall: %v", what, err)
		}
		if len(wall) != len(posts) || wall[0].ID != posts[len(posts)-1] {
			t.Fatalf("%s: wall has %d posts, want %d with the newest first", what, len(wall), len(posts))
		}
		var p bunnybook.Post
		if err := b.Do(ctx, http.MethodGet, "/web/posts/"+posts[0], nil, &p); err != nil {
			t.Fatalf("%s: post: %v", what, err)
		}
		var friends []bunnybook.Profile
		if err := b.Do(ctx, http.MethodGet, "/web/profiles/"+b.Profile.ID+"/friends", nil, &friends); err != nil {
			t.Fatalf("%s: friends: %v", what, err)
		}
		var rel any
		if err := b.Do(ctx, http.MethodGet, "/web/profiles/"+b.Profile.ID+"/relationships/"+a.Profile.ID, nil, &rel); err != nil {
			t.Fatalf("%s: relationship: %v", what, err)
		}
	}
	post()
	post()
	checkAll("redis up")
	checkAll("redis up, warm")
	wantReady(t, m, "up")
	hits := m.redis.store.Stats().Hits
	if hits == 0 {
		t.Fatal("no cache hits with Redis up")
	}

	srv.Stop()
	for i := range 3 {
		post()
		if err := b.Do(ctx, http.MethodPost, "/web/posts/"+posts[0]+"/comments", map[string]string{"content": "hi"}, nil); err != nil {
			t.Fatalf("comment with Redis down: %v", err)
		}
		checkAll(fmt.Sprint("redis down, round ", i))
	}
	if got := m.redis.store.Stats().Hits; got != hits {
		t.Fatalf("cache hits went from %d to %d with Redis down", hits, got)
	}
	wantReady(t, m, "down")
	if ok, _, err := m.redis.limiter.Allow(ctx, "test", 1, time.Minute); !ok || err != nil {
		t.Fatalf("rate limiter with Redis down: %v, %v (want the local fallback)", ok, err)
	}
	// Realtime needs presence: a websocket is closed with 4011 (reconnect
	// later), and the profile grain it activated does not stay behind.
	conn, err := client.Dial(ctx, m.URL(), a.Token, client.DialOptions{})
	if err != nil {
		t.Fatalf("dial with Redis down: %v", err)
	}
	_, err = conn.AwaitType(wait, "hello")
	conn.Close()
	if ce, ok := err.(*client.CloseError); !ok || ce.Code != 4011 {
		t.Fatalf("websocket with Redis down: %v, want close 4011", err)
	}
	waitMetric(t, m.URL(), "bunnybook_profile_grains_active 0")

	srv.Start()
	testwait.Until(t, wait, 20*time.Millisecond, func() error {
		if m.redis.store.Stats().Hits != hits {
			return nil
		}
		checkAll("redis back")
		return errors.New("no cache hits after Redis came back")
	})
	post()
	checkAll("redis back, after a write")
	wantReady(t, m, "up")
	MustDial(t, m.URL(), a)
}

// wantReady checks /readyz is 200 and reports redis in the given state.
func wantReady(t *testing.T, m *Main, redisState string) {
	t.Helper()
	res, err := http.Get(m.URL() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(body.Checks["redis"], redisState) {
		t.Fatalf("/readyz = %d %+v, want 200 with redis %s", res.StatusCode, body, redisState)
	}
}
