package actors

import (
	"cmp"
	"encoding/hex"
	"slices"

	"github.com/bunnybook/bunnybook"
)

// uid is a profile id (a UUID) in 16 bytes, a quarter of its size as a
// string.
type uid [16]byte

// parseUID reads a canonical UUID; ok is false for anything else.
func parseUID(s string) (u uid, ok bool) {
	if !bunnybook.ValidID(s) {
		return u, false
	}
	var b [32]byte
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			b[n] = s[i]
			n++
		}
	}
	_, err := hex.Decode(u[:], b[:])
	return u, err == nil
}

// String is the canonical lower-case form.
func (u uid) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return string(b[:])
}

// friendSet is an online profile's friends, sorted by ref: an idle
// connection's largest part, so each friend takes 4 bytes. The ids are in
// the node's friend table (friendTable), which every online profile on the
// node shares.
type friendSet []friend

// friend is a friend's ref in the friend table (the low 31 bits) and
// whether they are online (the top bit).
type friend uint32

const onlineBit friend = 1 << 31

func (f friend) ref() uint32  { return uint32(f &^ onlineBit) }
func (f friend) online() bool { return f&onlineBit != 0 }

// index finds a ref in the set.
func (s friendSet) index(ref uint32) (int, bool) {
	return slices.BinarySearchFunc(s, ref, func(f friend, r uint32) int { return cmp.Compare(f.ref(), r) })
}

// setOnline sets whether friend i is online.
func (s friendSet) setOnline(i int, online bool) {
	if online {
		s[i] |= onlineBit
	} else {
		s[i] &^= onlineBit
	}
}

// friendTable gives each profile that a node's online profiles are friends
// with a ref, for as long as one of them is, and counts how many are. Not
// safe for concurrent use: presenceKeeper guards it.
type friendTable struct {
	refs  map[uid]uint32
	ids   []uid   // by ref
	users []int32 // by ref: how many sets hold it (0: free)
	free  []uint32
}

func newFriendTable() friendTable { return friendTable{refs: map[uid]uint32{}} }

// hold returns u's ref, one more set holding it.
func (t *friendTable) hold(u uid) uint32 {
	ref, ok := t.refs[u]
	if !ok {
		if n := len(t.free); n > 0 {
			ref, t.free = t.free[n-1], t.free[:n-1]
			t.ids[ref] = u
		} else {
			ref = uint32(len(t.ids))
			t.ids, t.users = append(t.ids, u), append(t.users, 0)
		}
		t.refs[u] = ref
	}
	t.users[ref]++
	return ref
}

// release lets go of a ref held by one set; it is freed after the last.
func (t *friendTable) release(ref uint32) {
	if t.users[ref]--; t.users[ref] == 0 {
		delete(t.refs, t.ids[ref])
		t.free = append(t.free, ref)
	}
}

// set returns the set of the given ids (those that parse), holding them.
func (t *friendTable) set(ids []string) friendSet {
	us := make([]uid, 0, len(ids))
	for _, id := range ids {
		if u, ok := parseUID(id); ok {
			us = append(us, u)
		}
	}
	slices.SortFunc(us, func(a, b uid) int { return slices.Compare(a[:], b[:]) })
	us = slices.Compact(us)
	s := make(friendSet, len(us))
	for i, u := range us {
		s[i] = friend(t.hold(u))
	}
	slices.Sort(s) // all offline: by ref
	return s
}

// find returns the index of u in s.
func (t *friendTable) find(s friendSet, u uid) (int, bool) {
	ref, ok := t.refs[u]
	if !ok {
		return 0, false
	}
	return s.index(ref)
}

// add inserts u (offline) unless it is there already.
func (t *friendTable) add(s friendSet, u uid) friendSet {
	if _, ok := t.find(s, u); ok {
		return s
	}
	ref := t.hold(u)
	i, _ := s.index(ref)
	return slices.Insert(s, i, friend(ref))
}

// remove deletes u if present.
func (t *friendTable) remove(s friendSet, u uid) friendSet {
	i, ok := t.find(s, u)
	if !ok {
		return s
	}
	t.release(s[i].ref())
	return slices.Delete(s, i, i+1)
}

// drop releases every friend of s.
func (t *friendTable) drop(s friendSet) {
	for _, f := range s {
		t.release(f.ref())
	}
}

// id is the id of the friend at i of s.
func (t *friendTable) id(s friendSet, i int) uid { return t.ids[s[i].ref()] }
