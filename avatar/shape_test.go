package avatar

import (
	"fmt"
	"image"
	"image/color"
	"slices"
	"testing"
)

// bruteRuns is the reference rasteriser: every sample column of row y near
// box b tested one by one.
func bruteRuns(in func(x, y int) bool, b box, y int) []run {
	var out []run
	for c := max(b.x0/2-4, 0); c <= min(b.x1/2+4, samples-1); c++ {
		if !in(2*c+1, y) {
			continue
		}
		if k := len(out) - 1; k >= 0 && out[k].hi == c {
			out[k].hi++
		} else {
			out = append(out, run{c, c + 1})
		}
	}
	return out
}

// evenOdd is the reference inside test for polygons: a point is inside when
// a ray to its right crosses the outline an odd number of times.
func evenOdd(p polygon) func(x, y int) bool {
	return func(x, y int) bool {
		in := false
		for i := range p {
			a, b := p[i], p[(i+len(p)-1)%len(p)]
			if (a.Y > y) == (b.Y > y) {
				continue
			}
			// x < crossing, multiplied out by (b.Y - a.Y) minding its sign.
			lhs := int64(x-a.X) * int64(b.Y-a.Y)
			rhs := int64(y-a.Y) * int64(b.X-a.X)
			if (b.Y > a.Y && lhs < rhs) || (b.Y < a.Y && lhs > rhs) {
				in = !in
			}
		}
		return in
	}
}

// TestRunsMatchReference checks the fast runs of every primitive against a
// sample-by-sample scan, including shapes that are thin, tilted, or partly
// off the canvas.
func TestRunsMatchReference(t *testing.T) {
	d := newDice("shapes")
	at := func() int { return d.between(-200, canvas+200) }
	size := func() int { return d.between(1, 900) }
	type testCase struct {
		name string
		s    shape
		in   func(x, y int) bool
	}
	var cases []testCase
	for i := range 40 {
		e := tilted(at(), at(), size(), size(), d.between(-200, 200), d.between(-200, 200))
		c := line(at(), at(), at(), at(), d.between(1, 300))
		r := rrect{at(), at(), 0, 0, d.between(0, 60)}
		r.x1, r.y1 = r.x0+2*r.r+d.between(0, 900), r.y0+2*r.r+d.between(0, 900)
		p := polygon{{at(), at()}, {at(), at()}, {at(), at()}, {at(), at()}, {at(), at()}}
		cases = append(cases,
			testCase{fmt.Sprint("ellipse ", i), e, e.inside},
			testCase{fmt.Sprint("capsule ", i), c, c.inside},
			testCase{fmt.Sprint("rrect ", i), r, r.inside},
			testCase{fmt.Sprint("polygon ", i), p, evenOdd(p)},
			testCase{fmt.Sprint("union ", i), union{e, c, r}, func(x, y int) bool {
				return e.inside(x, y) || c.inside(x, y) || r.inside(x, y)
			}},
			testCase{fmt.Sprint("clip ", i), clip{e, c}, func(x, y int) bool { return e.inside(x, y) && c.inside(x, y) }},
			testCase{fmt.Sprint("minus ", i), minus{r, union{e, c}}, func(x, y int) bool {
				return r.inside(x, y) && !e.inside(x, y) && !c.inside(x, y)
			}},
		)
	}
	for _, tc := range cases {
		b := tc.s.bounds()
		for row := max(b.y0/2-4, 0); row <= min(b.y1/2+4, samples-1); row++ {
			y := 2*row + 1
			got := tc.s.runs(y, nil)
			want := bruteRuns(tc.in, b, y)
			if !slices.Equal(got, want) {
				t.Fatalf("%s %+v row %d: got %v, want %v", tc.name, tc.s, y, got, want)
			}
		}
	}
}

// TestFillMirrors checks that a drawing symmetric about the canvas's middle
// comes out mirror-symmetric, pixel for pixel: samples sit at odd units, so
// the middle is a pixel boundary.
func TestFillMirrors(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, Size, Size))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	red := color.RGBA{200, 0, 0, 200}
	fill(img, oval(centre, 600, 301, 157), red)
	fill(img, tilted(centre-300, 900, 400, 150, 3, 7), red)
	fill(img, tilted(centre+300, 900, 400, 150, -3, 7), red)
	fill(img, arc(centre, 1400, 300, 40, false), red)
	fill(img, polygon{{centre - 333, 1700}, {centre + 333, 1700}, {centre, 1999}}, red)
	for y := range Size {
		for x := range Size / 2 {
			if l, r := img.RGBAAt(x, y), img.RGBAAt(Size-1-x, y); l != r {
				t.Fatalf("pixel (%d,%d) is %v but its mirror is %v", x, y, l, r)
			}
		}
	}
}

func TestIsqrt(t *testing.T) {
	for _, v := range []int64{0, 1, 2, 3, 4, 15, 16, 17, 1<<52 - 1, 1 << 52, 1<<62 - 1} {
		r := int64(isqrt(v))
		if r*r > v || (r+1)*(r+1) <= v {
			t.Errorf("isqrt(%d) = %d", v, r)
		}
	}
}
