package avatar

import (
	"image"
	"image/color"
	"math"
	"slices"
)

// box is an axis-aligned rectangle in units, inclusive of both corners.
type box struct{ x0, y0, x1, y1 int }

func (b box) union(o box) box {
	return box{min(b.x0, o.x0), min(b.y0, o.y0), max(b.x1, o.x1), max(b.y1, o.y1)}
}

func (b box) intersect(o box) box {
	return box{max(b.x0, o.x0), max(b.y0, o.y0), min(b.x1, o.x1), min(b.y1, o.y1)}
}

// run is the sample columns [lo, hi) of one sample row.
type run struct{ lo, hi int }

// shape is a region of the canvas.
type shape interface {
	// bounds is a box that contains the whole shape.
	bounds() box
	// runs appends to out, in increasing order and not touching, the runs of
	// sample row y (a unit) that lie inside the shape and on the canvas.
	runs(y int, out []run) []run
}

// convex is a convex shape described by an inside test. Its inside samples
// on a row form one run, whose ends convexRuns finds with that test.
type convex interface {
	// inside reports whether the point (x, y), in units, is in the shape.
	inside(x, y int) bool
	// chord estimates, in units, where row y enters and leaves the shape.
	// The estimate only has to be good enough that its middle is inside,
	// or within a unit of inside, whenever the row meets the shape; the
	// exact ends come from inside, so a rough estimate costs time, never
	// different pixels.
	chord(y int) (lo, hi int)
	bounds() box
}

// convexRuns appends the single run of row y inside s.
func convexRuns[S convex](s S, y int, out []run) []run {
	b := s.bounds()
	first, last := max(ceilDiv(b.x0-1, 2), 0), min(floorDiv(b.x1-1, 2), samples-1)
	if first > last {
		return out
	}
	in := func(c int) bool { return s.inside(2*c+1, y) }
	lo, hi := s.chord(y)
	g := min(max(floorDiv((lo+hi)/2, 2), first), last)
	switch {
	case in(g):
	case g > first && in(g-1):
		g--
	case g < last && in(g+1):
		g++
	default:
		return out
	}
	// The inside columns are one interval around g; find its two ends.
	l := search(first, g, floorDiv(lo, 2), in)
	h := search(g, last, floorDiv(hi, 2), func(c int) bool { return c == last || !in(c+1) })
	return append(out, run{l, h + 1})
}

// search returns the first c in [lo, hi] for which f is true, where f is
// false then true over the range and f(hi) is true. It gallops out from
// guess, so a guess off by k costs about 2·log2(k) calls.
func search(lo, hi, guess int, f func(int) bool) int {
	g := min(max(guess, lo), hi)
	if f(g) {
		hi = g
		for step := 1; hi-step >= lo; step *= 2 {
			if !f(hi - step) {
				lo = hi - step + 1
				break
			}
			hi -= step
		}
	} else {
		lo = g + 1
		for step := 1; lo+step-1 < hi; step *= 2 {
			if f(lo + step - 1) {
				hi = lo + step - 1
				break
			}
			lo += step
		}
	}
	for lo < hi {
		if m := (lo + hi) / 2; f(m) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// union is the area covered by any of its shapes.
type union []shape

func (u union) bounds() box {
	b := u[0].bounds()
	for _, s := range u[1:] {
		b = b.union(s.bounds())
	}
	return b
}

func (u union) runs(y int, out []run) []run {
	n := len(out)
	for _, s := range u {
		if b := s.bounds(); y >= b.y0 && y <= b.y1 {
			out = s.runs(y, out)
		}
	}
	return out[:n+len(merge(out[n:]))]
}

// merge sorts rs and joins the runs that overlap or touch, in place.
func merge(rs []run) []run {
	slices.SortFunc(rs, func(a, b run) int { return a.lo - b.lo })
	merged := rs[:0]
	for _, r := range rs {
		if k := len(merged) - 1; k >= 0 && r.lo <= merged[k].hi {
			merged[k].hi = max(merged[k].hi, r.hi)
		} else {
			merged = append(merged, r)
		}
	}
	return merged
}

// clip is the part of shape s inside shape to: a marking on the head.
type clip struct{ s, to shape }

func (c clip) bounds() box { return c.s.bounds().intersect(c.to.bounds()) }

func (c clip) runs(y int, out []run) []run {
	n := len(out)
	out = c.s.runs(y, out)
	k := len(out)
	if k == n {
		return out
	}
	out = c.to.runs(y, out)
	as, bs := out[n:k], out[k:]
	end := len(out)
	for _, a := range as {
		for _, b := range bs {
			if lo, hi := max(a.lo, b.lo), min(a.hi, b.hi); lo < hi {
				out = append(out, run{lo, hi})
			}
		}
	}
	return append(out[:n], out[end:]...)
}

// minus is shape s with shape cut taken out: a ring, a crescent.
type minus struct{ s, cut shape }

func (m minus) bounds() box { return m.s.bounds() }

func (m minus) runs(y int, out []run) []run {
	n := len(out)
	out = m.s.runs(y, out)
	if b := m.cut.bounds(); y < b.y0 || y > b.y1 || len(out) == n {
		return out
	}
	k := len(out)
	out = m.cut.runs(y, out)
	keep, cuts := out[n:k], out[k:]
	// Results go after the inputs, then move down to n; appending may move
	// out, but keep and cuts still read the old array.
	end := len(out)
	for _, r := range keep {
		for _, c := range cuts {
			if c.hi <= r.lo || c.lo >= r.hi {
				continue
			}
			if c.lo > r.lo {
				out = append(out, run{r.lo, c.lo})
			}
			r.lo = c.hi
			if r.lo >= r.hi {
				break
			}
		}
		if r.lo < r.hi {
			out = append(out, r)
		}
	}
	return append(out[:n], out[end:]...)
}

// covers reports whether the sample nearest to (x, y) is inside s.
func covers(s shape, x, y int) bool {
	c := floorDiv(x, 2)
	for _, r := range s.runs(floorDiv(y, 2)*2+1, nil) {
		if r.lo <= c && c < r.hi {
			return true
		}
	}
	return false
}

// fill paints shape s onto img in colour c, which is not premultiplied:
// its alpha is how opaque the paint is. Each pixel's coverage is the number
// of its 16 samples inside s. img must be opaque.
func fill(img *image.RGBA, s shape, c color.RGBA) {
	b := s.bounds()
	row0, row1 := max(ceilDiv(b.y0-1, 2), 0), min(floorDiv(b.y1-1, 2), samples-1)
	var cover [Size]int // samples covered, per pixel of the current row
	rs := make([]run, 0, 16)
	touched := make([]run, 0, 16) // pixels of the row with some coverage
	for py := row0 / 4; py <= row1/4; py++ {
		touched = touched[:0]
		for sy := max(py*4, row0); sy <= min(py*4+3, row1); sy++ {
			rs = s.runs(2*sy+1, rs[:0])
			for _, r := range rs {
				first, last := r.lo/4, (r.hi-1)/4
				touched = append(touched, run{first, last + 1})
				if first == last {
					cover[first] += r.hi - r.lo
					continue
				}
				cover[first] += 4 - r.lo%4
				for x := first + 1; x < last; x++ {
					cover[x] += 4
				}
				cover[last] += r.hi - last*4
			}
		}
		pix := img.Pix[py*img.Stride:]
		for _, t := range merge(touched) {
			for x := t.lo; x < t.hi; x++ {
				if n := cover[x]; n == 16 && c.A == 255 {
					pix[x*4], pix[x*4+1], pix[x*4+2] = c.R, c.G, c.B
				} else {
					blend(pix[x*4:x*4+3], c, int(c.A)*n/16)
				}
				cover[x] = 0
			}
		}
	}
}

// blend mixes colour c over the opaque pixel p with alpha a (0–255).
func blend(p []byte, c color.RGBA, a int) {
	p[0] = byte((int(c.R)*a + int(p[0])*(255-a) + 127) / 255)
	p[1] = byte((int(c.G)*a + int(p[1])*(255-a) + 127) / 255)
	p[2] = byte((int(c.B)*a + int(p[2])*(255-a) + 127) / 255)
}

// isqrt is the square root of v rounded down. math.Sqrt is exactly rounded
// on every platform and the result is corrected, so this is deterministic.
func isqrt(v int64) int {
	r := int64(math.Sqrt(float64(v)))
	for r*r > v {
		r--
	}
	for (r+1)*(r+1) <= v {
		r++
	}
	return int(r)
}

func floorDiv(a, b int) int {
	if q := a / b; (a%b != 0) && ((a < 0) != (b < 0)) {
		return q - 1
	} else {
		return q
	}
}

func ceilDiv(a, b int) int { return -floorDiv(-a, b) }

func ceilDiv64(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) == (b < 0) {
		q++
	}
	return q
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
