package actors

import (
	"testing"

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

func TestFriendSet(t *testing.T) {
	a, b, c := bunnybook.NewID(), bunnybook.NewID(), bunnybook.NewID()
	s := newFriendSet([]string{c, a, "not-an-id", b, a})
	if len(s) != 3 {
		t.Fatalf("set of 3 ids (one twice) and a bad one has %d entries", len(s))
	}
	for _, id := range []string{a, b, c} {
		if s.lookup(id) == nil {
			t.Errorf("%s missing", id)
		}
	}
	s.lookup(b).online = true
	ub, _ := parseUID(b)
	s = s.remove(ub)
	if s.lookup(b) != nil || len(s) != 2 {
		t.Fatalf("after remove: %d entries, b found %v", len(s), s.lookup(b) != nil)
	}
	s = s.add(ub).add(ub)
	if f := s.lookup(b); f == nil || f.online || len(s) != 3 {
		t.Fatalf("after adding b twice: %d entries, b = %+v (want offline)", len(s), f)
	}
	for i := 1; i < len(s); i++ {
		if cmpFriend(s[i-1], s[i].id) >= 0 {
			t.Fatal("set not sorted")
		}
	}
	if s.lookup(bunnybook.NewID()) != nil || s.lookup("x") != nil {
		t.Fatal("found a stranger")
	}
}
