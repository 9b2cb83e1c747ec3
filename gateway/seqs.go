package gateway

// seqs is the set of a chat's message seqs a connection has queued (or the
// client said it has): sorted, disjoint, non-adjacent ranges [lo, hi]. It
// is usually one range; a second one appears when live messages arrive
// before a resume fills the gap below them.
type seqs [][2]int64

// has reports whether s is in the set.
func (r seqs) has(s int64) bool {
	for _, x := range r {
		if s < x[0] {
			return false
		}
		if s <= x[1] {
			return true
		}
	}
	return false
}

// top is the highest seq in the set, or 0.
func (r seqs) top() int64 {
	if len(r) == 0 {
		return 0
	}
	return r[len(r)-1][1]
}

// add puts [lo, hi] into the set, merging ranges that overlap or touch.
func (r seqs) add(lo, hi int64) seqs {
	out := make(seqs, 0, len(r)+1)
	i := 0
	for ; i < len(r) && r[i][1] < lo-1; i++ {
		out = append(out, r[i])
	}
	for ; i < len(r) && r[i][0] <= hi+1; i++ {
		lo, hi = min(lo, r[i][0]), max(hi, r[i][1])
	}
	out = append(out, [2]int64{lo, hi})
	return append(out, r[i:]...)
}
