package avatar

import (
	"image"
	"image/color"
	"math"
	"slices"
)

// Geometry is in units of 1/8 pixel on a 2048×2048 canvas and every test is
// integer arithmetic in int64, so the same seed gives the same pixels on
// every CPU: with floating point the compiler may fuse multiply-adds
// differently per architecture and move edge pixels by one level.
//
// Each pixel is covered by a 4×4 grid of samples at the odd units 1, 3, 5, 7
// of the pixel, so a drawing mirrored around a pixel boundary stays
// symmetric. Sample column c sits at unit 2c+1, as does sample row c.
const (
	px      = 8          // units per pixel
	canvas  = Size * px  // canvas width and height in units
	centre  = canvas / 2 // the vertical axis of the face
	samples = Size * 4   // sample columns (and rows) across the canvas
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

// convex is a convex shape described by an inside test; its runs are found
// by binary search from a point on the row that is inside if any is.
type convex interface {
	// inside reports whether the point (x, y), in units, is in the shape.
	inside(x, y int) bool
	// middle is an x on row y that lies inside, or within a unit of inside,
	// whenever the row meets the shape.
	middle(y int) int
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
	g := min(max(floorDiv(s.middle(y), 2), first), last)
	switch {
	case in(g):
	case g > first && in(g-1):
		g--
	case g < last && in(g+1):
		g++
	default:
		return out
	}
	// Inside columns form one interval around g: search both of its ends.
	lo, hi := first, g // lo becomes the first column inside
	for lo < hi {
		if m := (lo + hi) / 2; in(m) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	l, h := g, last // l becomes the last column inside
	for l < h {
		if m := (l + h + 1) / 2; in(m) {
			l = m
		} else {
			h = m - 1
		}
	}
	return append(out, run{lo, l + 1})
}

// ellipse has semi-axis a along the direction (ux, uy) and b across it.
// The direction need not be normalised; it is kept small (|u| ≤ 64) so the
// products in inside stay well within int64.
type ellipse struct {
	cx, cy, a, b int
	ux, uy       int
	box          box // computed once: fill asks for it on every row
}

// tilted is an ellipse with semi-axis a along (dx, dy) and b across it.
func tilted(cx, cy, a, b, dx, dy int) ellipse {
	for abs(dx) > 64 || abs(dy) > 64 {
		dx, dy = dx/2, dy/2
	}
	if dx == 0 && dy == 0 {
		dx = 1
	}
	// Half-extents of a rotated ellipse: sqrt(a²ux² + b²uy²)/|u| in x, and
	// the same with ux, uy swapped in y; one unit of slack for rounding.
	ux, uy := int64(dx), int64(dy)
	a2, b2 := int64(a)*int64(a), int64(b)*int64(b)
	n := ux*ux + uy*uy
	hx := isqrt((a2*ux*ux+b2*uy*uy)/n) + 1
	hy := isqrt((a2*uy*uy+b2*ux*ux)/n) + 1
	return ellipse{cx, cy, a, b, dx, dy, box{cx - hx, cy - hy, cx + hx, cy + hy}}
}

// oval is an axis-aligned ellipse with radii rx and ry.
func oval(cx, cy, rx, ry int) ellipse { return tilted(cx, cy, rx, ry, 1, 0) }

// circle is a disc of radius r.
func circle(cx, cy, r int) ellipse { return tilted(cx, cy, r, r, 1, 0) }

// grow is the ellipse with both radii longer by d: an outline's outer edge.
func (e ellipse) grow(d int) ellipse { return tilted(e.cx, e.cy, e.a+d, e.b+d, e.ux, e.uy) }

func (e ellipse) inside(x, y int) bool {
	dx, dy := int64(x-e.cx), int64(y-e.cy)
	ux, uy := int64(e.ux), int64(e.uy)
	s := dx*ux + dy*uy // along the axis, times |u|
	t := dy*ux - dx*uy // across the axis, times |u|
	a2, b2 := int64(e.a)*int64(e.a), int64(e.b)*int64(e.b)
	return s*s*b2+t*t*a2 <= a2*b2*(ux*ux+uy*uy)
}

// middle is the midpoint of the chord on row y: where the quadratic in x
// from inside has its minimum.
func (e ellipse) middle(y int) int {
	ux, uy := int64(e.ux), int64(e.uy)
	a2, b2 := int64(e.a)*int64(e.a), int64(e.b)*int64(e.b)
	return e.cx - int(int64(y-e.cy)*ux*uy*(b2-a2)/(b2*ux*ux+a2*uy*uy))
}

func (e ellipse) bounds() box                 { return e.box }
func (e ellipse) runs(y int, out []run) []run { return convexRuns(e, y, out) }

// capsule is a line from (x0, y0) to (x1, y1) with round caps, r units from its axis.
type capsule struct{ x0, y0, x1, y1, r int }

// line is a capsule of total width w.
func line(x0, y0, x1, y1, w int) capsule { return capsule{x0, y0, x1, y1, w / 2} }

func (c capsule) inside(x, y int) bool {
	ex, ey := int64(c.x1-c.x0), int64(c.y1-c.y0)
	wx, wy := int64(x-c.x0), int64(y-c.y0)
	r2 := int64(c.r) * int64(c.r)
	l2 := ex*ex + ey*ey
	switch t := wx*ex + wy*ey; {
	case t <= 0:
		return wx*wx+wy*wy <= r2
	case t >= l2:
		vx, vy := int64(x-c.x1), int64(y-c.y1)
		return vx*vx+vy*vy <= r2
	default:
		cross := wx*ey - wy*ex
		return cross*cross <= r2*l2
	}
}

// middle is where the axis crosses row y, or the end nearest to the row:
// the point of the row closest to the axis.
func (c capsule) middle(y int) int {
	if c.y0 == c.y1 {
		return (c.x0 + c.x1) / 2
	}
	t := min(max(y, min(c.y0, c.y1)), max(c.y0, c.y1))
	return c.x0 + (t-c.y0)*(c.x1-c.x0)/(c.y1-c.y0)
}

func (c capsule) bounds() box {
	return box{min(c.x0, c.x1) - c.r, min(c.y0, c.y1) - c.r, max(c.x0, c.x1) + c.r, max(c.y0, c.y1) + c.r}
}

func (c capsule) runs(y int, out []run) []run { return convexRuns(c, y, out) }

// rrect is an axis-aligned rectangle with corners rounded to radius r.
type rrect struct{ x0, y0, x1, y1, r int }

// grow is the rectangle d units bigger all round: an outline's outer edge.
func (q rrect) grow(d int) rrect { return rrect{q.x0 - d, q.y0 - d, q.x1 + d, q.y1 + d, q.r + d} }

func (q rrect) inside(x, y int) bool {
	cx := min(max(x, q.x0+q.r), q.x1-q.r)
	cy := min(max(y, q.y0+q.r), q.y1-q.r)
	dx, dy := int64(x-cx), int64(y-cy)
	return dx*dx+dy*dy <= int64(q.r)*int64(q.r)
}

func (q rrect) middle(int) int              { return (q.x0 + q.x1) / 2 }
func (q rrect) bounds() box                 { return box{q.x0, q.y0, q.x1, q.y1} }
func (q rrect) runs(y int, out []run) []run { return convexRuns(q, y, out) }

// polygon is a closed polygon given by its vertices, filled by the even-odd rule.
type polygon []image.Point

func (p polygon) bounds() box {
	b := box{p[0].X, p[0].Y, p[0].X, p[0].Y}
	for _, v := range p[1:] {
		b = b.union(box{v.X, v.Y, v.X, v.Y})
	}
	return b
}

// runs finds where each edge crosses row y: sample column c lies left of an
// edge crossing at x = num/den when 2c+1 < x, that is when c < t with
// t = ceil((num-den) / 2den). Columns with an odd number of t above them
// are inside.
func (p polygon) runs(y int, out []run) []run {
	n := len(out)
	var ts [16]int
	cuts := ts[:0]
	j := len(p) - 1
	for i := range p {
		a, b := p[i], p[j]
		j = i
		if (a.Y > y) == (b.Y > y) {
			continue
		}
		num := int64(a.X)*int64(b.Y-a.Y) + int64(y-a.Y)*int64(b.X-a.X)
		den := int64(b.Y - a.Y)
		if den < 0 {
			num, den = -num, -den
		}
		cuts = append(cuts, int(ceilDiv64(num-den, 2*den)))
	}
	slices.Sort(cuts)
	for i := 0; i+1 < len(cuts); i += 2 {
		lo, hi := max(cuts[i], 0), min(cuts[i+1], samples)
		switch k := len(out) - 1; {
		case lo >= hi:
		case k >= n && out[k].hi == lo: // two runs meet at a vertex
			out[k].hi = hi
		default:
			out = append(out, run{lo, hi})
		}
	}
	return out
}

// arc is the upper (up) or lower half of a ring of radius r and width w,
// with round ends: a smile, a closed eye, a mouth.
func arc(cx, cy, r, w int, up bool) shape {
	h := w / 2
	half := rrect{cx - r - h, cy, cx + r + h, cy + r + h, 0}
	if up {
		half.y0, half.y1 = cy-r-h, cy
	}
	return union{
		clip{minus{circle(cx, cy, r+h), circle(cx, cy, r-h)}, half},
		circle(cx-r, cy, h),
		circle(cx+r, cy, h),
	}
}

// ring is the band between radii r-w/2 and r+w/2.
func ring(cx, cy, r, w int) shape {
	return minus{circle(cx, cy, r+w/2), circle(cx, cy, r-w/2)}
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
	rs := out[n:]
	slices.SortFunc(rs, func(a, b run) int { return a.lo - b.lo })
	merged := rs[:0]
	for _, r := range rs {
		if k := len(merged) - 1; k >= 0 && r.lo <= merged[k].hi {
			merged[k].hi = max(merged[k].hi, r.hi)
		} else {
			merged = append(merged, r)
		}
	}
	return out[:n+len(merged)]
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

// fill paints shape s onto img in colour c, which is not premultiplied:
// its alpha is how opaque the paint is. Each pixel's coverage is the number
// of its 16 samples inside s. img must be opaque.
func fill(img *image.RGBA, s shape, c color.RGBA) {
	b := s.bounds()
	row0, row1 := max(ceilDiv(b.y0-1, 2), 0), min(floorDiv(b.y1-1, 2), samples-1)
	var cover [Size]int
	rs := make([]run, 0, 16)
	for py := row0 / 4; py <= row1/4; py++ {
		left, right := Size, 0 // pixels touched in this row
		for sy := max(py*4, row0); sy <= min(py*4+3, row1); sy++ {
			rs = s.runs(2*sy+1, rs[:0])
			for _, r := range rs {
				first, last := r.lo/4, (r.hi-1)/4
				left, right = min(left, first), max(right, last)
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
		for x := left; x <= right; x++ {
			switch n := cover[x]; {
			case n == 16 && c.A == 255:
				pix[x*4], pix[x*4+1], pix[x*4+2] = c.R, c.G, c.B
			case n > 0:
				blend(pix[x*4:x*4+3], c, int(c.A)*n/16)
			}
			cover[x] = 0
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
