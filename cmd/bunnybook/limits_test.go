package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/cluster/clusterproviders/test"

	"github.com/bunnybook/bunnybook/client"
	"github.com/bunnybook/bunnybook/internal/testwait"
	"github.com/bunnybook/bunnybook/persistence/memory"
	"github.com/bunnybook/bunnybook/persistence/sqlite/sqlitetest"
)

// TestUpgradeLimitPerProfile: a profile holds at most WSMaxPerProfile
// websockets across the cluster; one more is closed with 4029 and the
// others keep working; once one closes, a new one gets in.
func TestUpgradeLimitPerProfile(t *testing.T) {
	db, presence, agent := sqlitetest.MustOpen(t), memory.NewPresence(), test.NewInMemAgent()
	node := func(m *Main) {
		m.Config.WSMaxPerProfile = 2
		m.Store, m.Presence, m.clusterAgent = db, presence, agent
	}
	first, second := MustRunMain(t, node), MustRunMain(t, node)
	u := MustUser(t, first.URL())
	c1, _ := MustDial(t, first.URL(), u)
	c2, _ := MustDial(t, second.URL(), u) // the other node: the limit is the cluster's

	for _, n := range []*Main{first, second} {
		c3, err := client.Dial(context.Background(), n.URL(), u.Token, client.DialOptions{})
		if err != nil {
			t.Fatalf("third dial: %v", err)
		}
		_, err = c3.Await(wait, func(f client.Frame) bool { return f.Type == "hello" })
		var ce *client.CloseError
		if !errors.As(err, &ce) || ce.Code != 4029 {
			t.Fatalf("third connection on %s: got %v, want close 4029 before hello", n.URL(), err)
		}
		c3.Close()
	}
	for i, c := range []*client.Conn{c1, c2} {
		c.Send(map[string]string{"type": "ping"})
		if _, err := c.AwaitType(wait, "pong"); err != nil {
			t.Fatalf("connection %d after the refusals: %v", i+1, err)
		}
	}

	c1.Close()
	// The grain hears of the close asynchronously: retry until it lets one in.
	testwait.Until(t, wait, 50*time.Millisecond, func() error {
		c, err := client.Dial(context.Background(), first.URL(), u.Token, client.DialOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.AwaitType(wait, "hello"); err != nil {
			return fmt.Errorf("after closing one of two connections, a new one still gets %v", err)
		}
		return nil
	})
}

// TestUpgradeRateLimited: websocket upgrades are limited per client IP
// (10 a second, 120 a minute, every attempt counted): past the limit the
// upgrade is answered 429 with Retry-After, and counted in the metrics.
// With rate limits off there is no such limit.
func TestUpgradeRateLimited(t *testing.T) {
	limited := MustRunMain(t, func(m *Main) { m.Config.RateLimits = true })
	u := MustUser(t, limited.URL())
	passed := 0
	var res *http.Response
	for range 200 {
		res = mustUpgradeRequest(t, limited.URL())
		if res.StatusCode == http.StatusTooManyRequests {
			break
		}
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("anonymous upgrade %d: HTTP %d, want 401 (or 429 once limited)", passed+1, res.StatusCode)
		}
		passed++
	}
	if res.StatusCode != http.StatusTooManyRequests || passed < 10 || passed > 120 {
		t.Fatalf("HTTP %d after %d upgrades, want 429 after 10 to 120", res.StatusCode, passed)
	}
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Errorf("Retry-After %q, want 1 to 60 seconds", res.Header.Get("Retry-After"))
	}
	var body struct{ Detail, Message string }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || body.Detail != "Too Many Requests" || body.Message == "" {
		t.Errorf("429 body %+v, %v; want the usual JSON error", body, err)
	}
	if _, err := client.Dial(context.Background(), limited.URL(), u.Token, client.DialOptions{}); client.StatusOf(err) != http.StatusTooManyRequests {
		t.Errorf("authenticated upgrade past the limit: %v, want HTTP 429", err)
	}
	metrics := mustGet(t, limited.URL()+"/metrics")
	if want := `bunnybook_ws_connections_refused_total{reason="rate_limited"} 2`; !strings.Contains(metrics, want) {
		t.Errorf("/metrics lacks %q", want)
	}

	open := MustRunMain(t, nil) // rate limits off
	for i := range 30 {
		if res := mustUpgradeRequest(t, open.URL()); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("upgrade %d with rate limits off: HTTP %d, want 401", i+1, res.StatusCode)
		}
	}
}

// mustUpgradeRequest sends an anonymous websocket upgrade request.
func mustUpgradeRequest(t *testing.T, baseURL string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", baseURL+"/ws", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res
}

func mustGet(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}
