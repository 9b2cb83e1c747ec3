package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNumSet(t *testing.T) {
	for _, tc := range []struct {
		add  []int64
		want numSet
		news int // how many adds were new
	}{
		{[]int64{1, 2, 3}, numSet{{1, 3}}, 3},
		{[]int64{3, 1, 2}, numSet{{1, 3}}, 3},
		{[]int64{1, 3, 5, 4, 2}, numSet{{1, 5}}, 5},
		{[]int64{10, 2, 6, 2, 10, 7}, numSet{{2, 2}, {6, 7}, {10, 10}}, 4},
		{[]int64{5, 1, 9, 3, 7, 8, 2}, numSet{{1, 3}, {5, 5}, {7, 9}}, 7},
	} {
		var s numSet
		news := 0
		for _, n := range tc.add {
			if s.add(n) {
				news++
			}
		}
		if !reflect.DeepEqual(s, tc.want) || news != tc.news {
			t.Errorf("add %v: got %v (%d new), want %v (%d new)", tc.add, s, news, tc.want, tc.news)
		}
		for _, n := range tc.add {
			if !s.has(n) {
				t.Errorf("add %v: has(%d) = false", tc.add, n)
			}
		}
		if s.has(0) || s.has(11) || s.count() != int64(tc.news) {
			t.Errorf("add %v: has(0) %v, has(11) %v, count %d", tc.add, s.has(0), s.has(11), s.count())
		}
	}
}

func TestNumSetMissingFrom(t *testing.T) {
	for _, tc := range []struct {
		s, o numSet
		want int64
	}{
		{numSet{{1, 10}}, numSet{{1, 10}}, 0},
		{numSet{{1, 10}}, nil, 10},
		{numSet{{1, 10}}, numSet{{1, 3}, {5, 9}}, 2},
		{numSet{{1, 3}, {7, 9}}, numSet{{2, 8}}, 2},
		{numSet{{4, 4}}, numSet{{1, 2}, {6, 8}}, 1},
	} {
		if got := tc.s.missingFrom(tc.o); got != tc.want {
			t.Errorf("%v missing from %v: got %d, want %d", tc.s, tc.o, got, tc.want)
		}
	}
}

// TestChatView follows one chat as a recipient sees it: live messages, a
// drop, live messages between hello and resume, the replay filling the
// gap below them, and what counts as a duplicate or an inversion.
func TestChatView(t *testing.T) {
	type step struct {
		seq                 int64
		live                bool
		fresh, inverted     bool
		wantHigh, wantShown int64
	}
	var v chatView
	for i, s := range []step{
		{seq: 2, live: true, fresh: true, wantHigh: 2, wantShown: 1},
		{seq: 4, live: true, fresh: true, wantHigh: 4, wantShown: 2},
		{seq: 4, live: true, fresh: false, wantHigh: 4, wantShown: 2}, // duplicate
		{seq: 3, live: true, fresh: true, inverted: true, wantHigh: 4, wantShown: 3},
		// dropped; 6 and 8 were sent meanwhile; 10 comes live after hello
		{seq: 10, live: true, fresh: true, wantHigh: 10, wantShown: 4},
		{seq: 8, fresh: true, wantHigh: 10, wantShown: 5}, // while a resume runs: ordered by the client
		{seq: 6, fresh: true, wantHigh: 10, wantShown: 6},
		{seq: 7, fresh: true, wantHigh: 10, wantShown: 7},
		{seq: 8, fresh: false, wantHigh: 10, wantShown: 7}, // replayed twice
		{seq: 12, live: true, fresh: true, wantHigh: 12, wantShown: 8},
	} {
		fresh, inverted := v.show(s.seq, s.live)
		if fresh != s.fresh || inverted != s.inverted || v.high != s.wantHigh || v.shown.count() != s.wantShown {
			t.Errorf("step %d (seq %d, live %v): got fresh %v, inverted %v, high %d, shown %d; want %v, %v, %d, %d",
				i, s.seq, s.live, fresh, inverted, v.high, v.shown.count(), s.fresh, s.inverted, s.wantHigh, s.wantShown)
		}
	}
}

func TestLedgerMissing(t *testing.T) {
	// Worker 0 holds sender 1 (its pair is 2), user 4 (paired with 3) and
	// group members 5 and 6; worker 1 holds 2, sender 3 and member 7. User
	// 2 missed message 5 of user 1, user 4 all 6 of user 3's, and member 7
	// message 3 of member 5 and message 1 of member 6.
	var l Ledger
	l.merge(&Ledger{
		Acked:  map[int]numSet{1: {{1, 10}}, 5: {{1, 3}}, 6: {{1, 2}}},
		Shown:  map[int]map[int]numSet{4: {}, 5: {6: {{1, 2}}}, 6: {5: {{1, 3}}}},
		Expect: map[int][]int{1: {2}, 4: {3}, 5: {6, 7}, 6: {5, 7}},
	})
	l.merge(&Ledger{
		Acked:  map[int]numSet{3: {{1, 6}}},
		Shown:  map[int]map[int]numSet{2: {1: {{1, 4}, {6, 10}}}, 7: {5: {{1, 2}}, 6: {{2, 2}}}},
		Expect: map[int][]int{2: {1}, 3: {4}, 7: {5, 6}},
	})
	l.merge(nil)
	if got, want := l.missing(), map[int]int64{2: 1, 4: 6, 7: 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("missing = %v, want %v", got, want)
	}
}

func TestBackoff(t *testing.T) {
	for n := range 12 {
		ceiling := min(5*time.Second, 100*time.Millisecond<<n)
		for range 50 {
			if d := backoff(100*time.Millisecond, 5*time.Second, n); d <= 0 || d > ceiling {
				t.Fatalf("backoff(attempt %d) = %v, want in (0, %v]", n, d, ceiling)
			}
		}
	}
	if d := backoff(100*time.Millisecond, 5*time.Second, 1000); d <= 0 || d > 5*time.Second {
		t.Errorf("backoff(attempt 1000) = %v", d)
	}
}

func TestParseChaos(t *testing.T) {
	got, err := parseChaos("kill:2@10s, drain:3@30s,pause:1@20s:5s,add@1m")
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, e := range got {
		args = append(args, fmt.Sprintf("%s@%g", strings.Join(e.Args, " "), e.Offset))
	}
	if got, want := strings.Join(args, ","), "kill 2@10,drain 3@30,pause 1 5@20,add@60"; got != want {
		t.Errorf("parsed %s, want %s", got, want)
	}
	for _, bad := range []string{"kill@10s", "kill:x@10s", "explode:1@1s", "pause:1@5s", "kill:1@5s:2s", "add:1@3s", "kill:1", "kill:1@soon"} {
		if _, err := parseChaos(bad); err == nil {
			t.Errorf("parseChaos(%q) accepted it", bad)
		}
	}
}

// TestChatSurvivesServerKill runs a chat load, kills the server with
// SIGKILL mid-run (through --chaos: the chaos command tells the test,
// which restarts the server on the same address and data) and checks
// that every user reconnected and resumed: each acked message shown to
// its recipient exactly once, in seq order.
func TestChatSurvivesServerKill(t *testing.T) {
	s := startServer()
	if s.err != nil {
		t.Fatalf("bunnybook server: %v", s.err)
	}
	t.Cleanup(func() { s.stop() })
	dir := t.TempDir()
	events := filepath.Join(dir, "events")
	script := filepath.Join(dir, "chaos.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$@\" >> "+events+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	restarted := make(chan error, 1)
	go func() {
		deadline := time.Now().Add(2 * time.Minute)
		for {
			if b, err := os.ReadFile(events); err == nil && strings.TrimSpace(string(b)) == "kill 1" {
				restarted <- s.restart()
				return
			}
			if time.Now().After(deadline) {
				restarted <- fmt.Errorf("the chaos command never ran")
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	code, r, html := load(t, s, "--scenario", "chat", "--connections", "100", "--duration", "6s", "--rate", "100",
		"--drain", "8s", "--workers", "2", "--chaos", "kill:1@2s", "--chaos-cmd", script,
		"--threshold", "chat.missing==0", "--threshold", "chat.duplicates==0", "--threshold", "chat.inversions==0",
		"--threshold", "ws.reconnects>=100")
	if err := <-restarted; err != nil {
		t.Fatalf("restart: %v", err)
	}
	if code != 0 {
		t.Errorf("exit status %d, want 0 (thresholds %+v)", code, r.Thresholds)
	}
	m := func(name string) int64 { return r.Metrics[name].Count }
	if m("connections.dropped") < 100 || m("ws.reconnects") < 100 || r.Metrics["ws.rehello"].Count != m("ws.reconnects") {
		t.Errorf("dropped %d, reconnects %d, rehello %d; want all 100 users dropped and back",
			m("connections.dropped"), m("ws.reconnects"), r.Metrics["ws.rehello"].Count)
	}
	if m("chat.acked") == 0 || m("chat.acked") != m("chat.sent") || m("chat.received") != m("chat.acked") || m("chat.unacked") != 0 {
		t.Errorf("sent %d, acked %d, received %d, unacked %d; want all sent acked and received",
			m("chat.sent"), m("chat.acked"), m("chat.received"), m("chat.unacked"))
	}
	for _, name := range []string{"chat.missing", "chat.duplicates", "chat.inversions"} {
		if _, ok := r.Metrics[name]; !ok || m(name) != 0 {
			t.Errorf("%s = %+v, want a zero counter", name, r.Metrics[name])
		}
	}
	t.Logf("replayed %d, resent %d, queued %d, reconnect failures %d", m("chat.replayed"), m("chat.resent"), m("chat.queued"), m("ws.reconnect_failed"))
	if len(r.Chaos) != 1 || !r.Chaos[0].Ran || r.Chaos[0].Exit != 0 || r.Chaos[0].At < r.RampSeconds {
		t.Errorf("chaos events %+v", r.Chaos)
	}
	if !strings.Contains(html, "kill:1@2s") {
		t.Error("the HTML report does not list the chaos event")
	}
}

func TestChatGroups(t *testing.T) {
	// 60 users in a ring, each a friend of the 3 before and the 3 after.
	n := 60
	users := make([]User, n)
	for i := range users {
		users[i].ID = fmt.Sprintf("u%d", i)
	}
	for i := range users {
		for d := 1; d <= 3; d++ {
			for _, j := range []int{(i + d) % n, (i - d + n) % n} {
				users[i].Chats = append(users[i].Chats, Chat{ProfileID: users[j].ID})
			}
		}
	}
	groups := chatGroups(users, n, 3, 5, 1, "run")
	seen := map[int]bool{}
	friends := friendsIndex(users, n)
	for k, g := range groups {
		if len(g.Members) < 3 || len(g.Members) > 5 || g.Name != groupName("run", k) {
			t.Errorf("group %d: %d members, name %q", k, len(g.Members), g.Name)
		}
		for _, m := range g.Members {
			if seen[m] {
				t.Errorf("user %d is in two groups", m)
			}
			seen[m] = true
			if m != g.Members[0] && !slices.Contains(friends[g.Members[0]], m) {
				t.Errorf("group %d: member %d is not a friend of creator %d", k, m, g.Members[0])
			}
		}
	}
	if len(seen) < n/2 {
		t.Errorf("only %d of %d users in groups", len(seen), n)
	}
	if again := chatGroups(users, n, 3, 5, 1, "run"); !reflect.DeepEqual(again, groups) {
		t.Error("the plan differs between two calls with the same seed")
	}
}
