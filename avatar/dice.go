package avatar

import (
	"crypto/sha256"
	"encoding/binary"
	"image/color"
)

// dice is a deterministic stream of choices seeded by a string: SHA-256 of
// the seed starts a SplitMix64 generator. It is ours rather than math/rand so
// the stream can never change under us with a Go release.
type dice struct{ state uint64 }

func newDice(seed string) *dice {
	sum := sha256.Sum256([]byte(seed))
	return &dice{state: binary.BigEndian.Uint64(sum[:8])}
}

func (d *dice) next() uint64 {
	d.state += 0x9e3779b97f4a7c15
	z := d.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn is a number in [0, n).
func (d *dice) intn(n int) int { return int(d.next() % uint64(n)) }

// between is a number in [lo, hi].
func (d *dice) between(lo, hi int) int { return lo + d.intn(hi-lo+1) }

// chance is true with the given probability in percent.
func (d *dice) chance(percent int) bool { return d.intn(100) < percent }

// colour picks one of cs.
func (d *dice) colour(cs []color.RGBA) color.RGBA { return cs[d.intn(len(cs))] }
