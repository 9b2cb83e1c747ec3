package actors

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bunnybook/bunnybook"
)

func TestUIDRoundTrip(t *testing.T) {
	id := bunnybook.NewID()
	u, ok := parseUID(id)
	if !ok || u.String() != id {
		t.Fatalf("parseUID(%q) = %v, %v; String() = %q", id, u, ok, u.String())
	}
	for _, bad := range []string{"", "x", id[:35], id + "0", "0123456789abcdef0123456789abcdef0123", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"} {
		if _, ok := parseUID(bad); ok {
			t.Errorf("parseUID(%q) accepted", bad)
		}
	}
}

func TestFriendTable(t *testing.T) {
	a, b, c := bunnybook.NewID(), bunnybook.NewID(), bunnybook.NewID()
	ua, _ := parseUID(a)
	ub, _ := parseUID(b)
	uc, _ := parseUID(c)
	tb := newFriendTable()
	s := tb.set([]string{c, a, "not-an-id", b, a})
	if len(s) != 3 {
		t.Fatalf("set of 3 ids (one twice) and a bad one has %d entries", len(s))
	}
	for _, u := range []uid{ua, ub, uc} {
		if i, ok := tb.find(s, u); !ok || tb.id(s, i) != u {
			t.Errorf("%s: find = %d, %v", u, i, ok)
		}
	}
	if !slices.IsSortedFunc(s, func(x, y friend) int { return cmp.Compare(x.ref(), y.ref()) }) {
		t.Fatal("set not sorted by ref")
	}

	// A second set shares the refs; b online in one set only.
	s2 := tb.set([]string{b})
	i, _ := tb.find(s, ub)
	s.setOnline(i, true)
	if j, _ := tb.find(s2, ub); s2[j].ref() != s[i].ref() || s2[j].online() {
		t.Fatalf("b in the second set: %v, in the first: %v", s2[j], s[i])
	}
	s = tb.remove(s, ub)
	if _, ok := tb.find(s, ub); ok || len(s) != 2 {
		t.Fatalf("after remove: %d entries, b found %v", len(s), ok)
	}
	if _, ok := tb.find(s2, ub); !ok {
		t.Fatal("b left the table while the second set holds it")
	}
	s = tb.add(tb.add(s, ub), ub)
	if i, ok := tb.find(s, ub); !ok || s[i].online() || len(s) != 3 {
		t.Fatalf("after adding b twice: %d entries, b found %v (want offline)", len(s), ok)
	}
	if _, ok := tb.find(s, uid{1}); ok {
		t.Fatal("found a stranger")
	}

	// Refs of ids no set holds are freed and given to new ids.
	tb.drop(s)
	if len(tb.refs) != 1 || len(tb.free) != 2 {
		t.Fatalf("after dropping the first set: %d ids held, %d refs free; want 1 (b), 2", len(tb.refs), len(tb.free))
	}
	s3 := tb.set([]string{bunnybook.NewID(), bunnybook.NewID(), bunnybook.NewID()})
	if len(tb.ids) != 4 || len(tb.free) != 0 {
		t.Fatalf("3 new ids took %d refs in all, %d free; want the 2 freed reused", len(tb.ids), len(tb.free))
	}
	tb.drop(s2)
	tb.drop(s3)
	if len(tb.refs) != 0 {
		t.Fatalf("%d ids held by no set", len(tb.refs))
	}
}

// TestHeartbeatTellsOnlyWhoDoesNotKnow: a heartbeat's changes go to the
// grains with a friend whose presence they do not know yet, not to every
// grain of the node.
func TestHeartbeatTellsOnlyWhoDoesNotKnow(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	k := newPresenceKeeper(&Config{})
	k.root = system.Root
	x, y := bunnybook.NewID(), bunnybook.NewID()
	ux, _ := parseUID(x)
	uy, _ := parseUID(y)
	told := make(chan string, 10)
	profile := func(name string, friends []string, online ...string) *onlineProfile {
		pid := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
			if _, ok := ctx.Message().(presenceTick); ok {
				told <- name
			}
		}))
		p := &onlineProfile{pid: pid, friends: k.friends.set(friends)}
		for _, id := range online {
			k.setOnline(p, id, true)
		}
		k.local[name] = p
		return p
	}
	knows := profile("knows", []string{x, y}, x) // heard of x from a PresenceChanged
	profile("unaware", []string{x})
	profile("stranger", []string{y})

	k.tell(presenceTick{map[uid]bool{ux: true}})
	if got := <-told; got != "unaware" {
		t.Fatalf("tick went to %s, want unaware", got)
	}
	select {
	case got := <-told:
		t.Fatalf("tick also went to %s", got)
	case <-time.After(100 * time.Millisecond):
	}
	if got := k.apply(knows, map[uid]bool{ux: false, uy: true}); len(got) != 2 {
		t.Fatalf("apply: %v, want x offline and y online", got)
	}
	if got := k.apply(knows, map[uid]bool{ux: false, uy: true}); len(got) != 0 {
		t.Fatalf("apply again: %v, want nothing new", got)
	}
	if online := k.onlineIDs(knows); len(online) != 1 || online[0] != y {
		t.Fatalf("online friends %v, want y", online)
	}
}
