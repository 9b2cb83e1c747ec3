package main

import (
	"maps"
	"sort"
)

// numSet is a set of integers as sorted, disjoint, non-adjacent ranges
// [lo, hi]. It holds message numbers (one sender's, mostly one range) and
// chat seqs (one member's messages in a two-member chat: many ranges).
// Adding at the top, the usual case, is O(1).
type numSet [][2]int64

// add puts n in the set and reports whether it was new.
func (s *numSet) add(n int64) bool {
	r := *s
	if k := len(r); k == 0 || n > r[k-1][1]+1 {
		*s = append(r, [2]int64{n, n})
		return true
	} else if n == r[k-1][1]+1 {
		r[k-1][1] = n
		return true
	}
	i := sort.Search(len(r), func(i int) bool { return r[i][1] >= n-1 })
	switch {
	case r[i][0] <= n && n <= r[i][1]:
		return false
	case r[i][1] == n-1: // extends r[i] up, maybe up to r[i+1]
		r[i][1] = n
		if i+1 < len(r) && r[i+1][0] == n+1 {
			r[i][1] = r[i+1][1]
			*s = append(r[:i+1], r[i+2:]...)
		}
	case r[i][0] == n+1:
		r[i][0] = n
	default:
		r = append(r, [2]int64{})
		copy(r[i+1:], r[i:])
		r[i] = [2]int64{n, n}
		*s = r
	}
	return true
}

// has reports whether n is in the set.
func (s numSet) has(n int64) bool {
	i := sort.Search(len(s), func(i int) bool { return s[i][1] >= n })
	return i < len(s) && s[i][0] <= n
}

// count is the number of members.
func (s numSet) count() int64 {
	var n int64
	for _, r := range s {
		n += r[1] - r[0] + 1
	}
	return n
}

// missingFrom counts the members of s that are not in o.
func (s numSet) missingFrom(o numSet) int64 {
	var n int64
	j := 0
	for _, r := range s {
		n += r[1] - r[0] + 1
		for j < len(o) && o[j][1] < r[0] {
			j++
		}
		for k := j; k < len(o) && o[k][0] <= r[1]; k++ {
			n -= min(r[1], o[k][1]) - max(r[0], o[k][0]) + 1
		}
	}
	return n
}

// chatView is what one user's client shows of one chat: the seqs of the
// other member's messages, in seq order (a client following
// docs/protocol.md orders by seq and drops a seq it already has).
type chatView struct {
	high  int64  // highest seq seen, own acks included: resume asks for what follows
	shown numSet // seqs of the other member's messages shown
	top   int64  // highest seq in shown
}

// show records that the other member's message seq arrived, live or while
// a resume runs (between resume and resume.done). It reports whether the
// seq was new and whether it came out of order: live below one already
// shown. While a resume runs, what arrives is not checked: the replay fills
// gaps below messages that came live meanwhile (pushed before the server
// read the resume, received after it was sent), which the protocol
// promises, so a client orders that batch by seq.
func (v *chatView) show(seq int64, live bool) (fresh, inverted bool) {
	v.high = max(v.high, seq)
	if !v.shown.add(seq) {
		return false, false
	}
	inverted = live && seq < v.top
	v.top = max(v.top, seq)
	return true, inverted
}

// Ledger is what a worker's users saw of a chat scenario, for the
// coordinator to count acked messages never shown to a recipient (who may
// be held by another worker). Messages are named by their sender's
// connection index and number.
type Ledger struct {
	Acked  map[int]numSet         `json:"acked,omitempty"`  // by sender: the numbers acked to them
	Shown  map[int]map[int]numSet `json:"shown,omitempty"`  // by recipient, then sender: the numbers shown
	Expect map[int][]int          `json:"expect,omitempty"` // by recipient: the senders they must show
}

// merge adds o's entries to l (each user is held by one worker).
func (l *Ledger) merge(o *Ledger) {
	if o == nil {
		return
	}
	if l.Acked == nil {
		l.Acked, l.Shown, l.Expect = map[int]numSet{}, map[int]map[int]numSet{}, map[int][]int{}
	}
	maps.Copy(l.Acked, o.Acked)
	maps.Copy(l.Shown, o.Shown)
	maps.Copy(l.Expect, o.Expect)
}

// missing returns, by recipient, how many acked messages it never showed.
func (l *Ledger) missing() map[int]int64 {
	out := map[int]int64{}
	for to, from := range l.Expect {
		for _, s := range from {
			if n := l.Acked[s].missingFrom(l.Shown[to][s]); n > 0 {
				out[to] += n
			}
		}
	}
	return out
}
