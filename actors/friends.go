package actors

import (
	"bytes"
	"encoding/hex"
	"slices"

	"github.com/bunnybook/bunnybook"
)

// uid is a profile id (a UUID) in 16 bytes: online profiles keep their
// friends' ids this way, a quarter of their size as strings.
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

// friend is one entry of an online profile's friend list.
type friend struct {
	id     uid
	online bool
}

// friendSet is an online profile's friends, sorted by id.
type friendSet []friend

func cmpFriend(f friend, id uid) int { return bytes.Compare(f.id[:], id[:]) }

// newFriendSet returns the set of the given ids (those that parse).
func newFriendSet(ids []string) friendSet {
	s := make(friendSet, 0, len(ids))
	for _, id := range ids {
		if u, ok := parseUID(id); ok {
			s = append(s, friend{id: u})
		}
	}
	slices.SortFunc(s, func(a, b friend) int { return cmpFriend(a, b.id) })
	return slices.CompactFunc(s, func(a, b friend) bool { return a.id == b.id })
}

// find returns the friend with the given id, or nil.
func (s friendSet) find(id uid) *friend {
	if i, ok := slices.BinarySearchFunc(s, id, cmpFriend); ok {
		return &s[i]
	}
	return nil
}

// lookup is find by the id's string form.
func (s friendSet) lookup(id string) *friend {
	if u, ok := parseUID(id); ok {
		return s.find(u)
	}
	return nil
}

// add inserts id (offline) unless it is there already.
func (s friendSet) add(id uid) friendSet {
	i, ok := slices.BinarySearchFunc(s, id, cmpFriend)
	if ok {
		return s
	}
	return slices.Insert(s, i, friend{id: id})
}

// remove deletes id if present.
func (s friendSet) remove(id uid) friendSet {
	if i, ok := slices.BinarySearchFunc(s, id, cmpFriend); ok {
		return slices.Delete(s, i, i+1)
	}
	return s
}
