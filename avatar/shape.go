package avatar

import (
	"image"
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

// ellipse has semi-axis a along the direction (ux, uy) and b across it.
// The direction need not be normalised; it is kept small (|u| ≤ 64) so the
// products in inside stay well within int64.
type ellipse struct {
	cx, cy, a, b int
	ux, uy       int
	box          box // computed once: fill asks for it on every row
}

// tilted is an ellipse with semi-axis a along (dx, dy) and b across it.
// Radii should be under 2048 units; below one unit they count as one.
func tilted(cx, cy, a, b, dx, dy int) ellipse {
	a, b = max(a, 1), max(b, 1)
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

// chord solves the quadratic in x from inside: its minimum, in integers,
// is the middle of the chord, and the half-width is estimated in floating
// point (a guess may differ by platform; the pixels cannot).
func (e ellipse) chord(y int) (lo, hi int) {
	ux, uy, dy := int64(e.ux), int64(e.uy), int64(y-e.cy)
	a2, b2 := int64(e.a)*int64(e.a), int64(e.b)*int64(e.b)
	qa := b2*ux*ux + a2*uy*uy
	m := e.cx - int(dy*ux*uy*(b2-a2)/qa)
	fa, fb := float64(qa), 2*float64(dy*ux*uy)*float64(b2-a2)
	fc := float64(b2*uy*uy+a2*ux*ux)*float64(dy*dy) - float64(a2*b2)*float64(ux*ux+uy*uy)
	disc := fb*fb - 4*fa*fc
	if disc <= 0 {
		return m, m
	}
	h := int(math.Sqrt(disc) / (2 * fa))
	return m - h, m + h
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

// chord is centred where the axis crosses row y, or on the end nearest
// to the row (the point of the row closest to the axis), and is as wide as
// the band is along a row.
func (c capsule) chord(y int) (lo, hi int) {
	ex, ey := c.x1-c.x0, c.y1-c.y0
	if ey == 0 {
		m := (c.x0 + c.x1) / 2
		return m - abs(ex)/2 - c.r, m + abs(ex)/2 + c.r
	}
	t := min(max(y, min(c.y0, c.y1)), max(c.y0, c.y1))
	m := c.x0 + (t-c.y0)*ex/ey
	w := int(float64(c.r) * math.Hypot(float64(ex), float64(ey)) / math.Abs(float64(ey)))
	return m - w, m + w
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

func (q rrect) chord(int) (lo, hi int)      { return q.x0, q.x1 }
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

// stroke is the outline of a closed polygon, w units wide.
func stroke(p polygon, w int) union {
	u := make(union, len(p))
	for i := range p {
		a, c := p[i], p[(i+1)%len(p)]
		u[i] = line(a.X, a.Y, c.X, c.Y, w)
	}
	return u
}
