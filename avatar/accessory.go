package avatar

import (
	"image"
	"image/color"
)

// Colours of the accessories that do not come from the seed.
var (
	gold     = rgb(250, 200, 60)
	darkGold = rgb(170, 120, 30)
	felt     = rgb(62, 52, 72)
)

// drawHat paints whatever the bunny wears on its head.
func (b bunny) drawHat(img *image.RGBA) {
	x, top := headX, headY-b.headRY
	side := 1
	if b.leftSide {
		side = -1
	}
	switch b.hat {
	case partyHat:
		tip := image.Point{x + side*10*px, top - 54*px}
		cone := polygon{{x - 22*px, top + 10*px}, {x + 22*px, top + 10*px}, tip}
		outlined(img, cone, b.accent, b.line)
		for k := range 3 {
			fill(img, clip{circle(x-10*px+k*10*px+side*k*2*px, top-k*14*px, 4*px), cone}, b.trim)
		}
		fill(img, circle(tip.X, tip.Y, 8*px).grow(outline), b.line)
		fill(img, circle(tip.X, tip.Y, 8*px), b.trim)
	case crown:
		c := polygon{
			{x - 30*px, top + 8*px}, {x - 32*px, top - 22*px}, {x - 15*px, top - 6*px}, {x, top - 28*px},
			{x + 15*px, top - 6*px}, {x + 32*px, top - 22*px}, {x + 30*px, top + 8*px},
		}
		outlined(img, c, gold, darkGold)
		for _, g := range []int{-18, 0, 18} {
			fill(img, circle(x+g*px, top, 4*px), b.trim)
		}
	case topHat:
		brim := rrect{x - 38*px, top - 2*px, x + 38*px, top + 7*px, 4 * px}
		crownPart := rrect{x - 25*px, top - 48*px, x + 25*px, top + 2*px, 3 * px}
		for _, r := range []rrect{crownPart, brim} {
			fill(img, r.grow(outline), ink)
		}
		fill(img, crownPart, felt)
		fill(img, brim, felt)
		fill(img, rrect{x - 25*px, top - 14*px, x + 25*px, top - 4*px, 0}, b.accent)
	case flower:
		drawFlower(img, x+side*40*px, top+6*px, b.accent, gold)
	case bow:
		drawBow(img, x+side*36*px, top+4*px, b.accent, b.trim)
	case beanie:
		above := rrect{x - b.headRX - 8*px, top - 60*px, x + b.headRX + 8*px, top + 16*px, 0}
		shell := oval(x, top+16*px, b.headRX-4*px, 50*px)
		dome := clip{shell, above}
		fill(img, clip{shell.grow(outline), above}, b.line)
		fill(img, dome, b.accent)
		for k := -2; k <= 2; k++ {
			fill(img, clip{line(x+k*16*px, top+14*px, x+k*12*px, top-30*px, 3*px), dome}, alpha(b.trim, 160))
		}
		band := rrect{x - b.headRX + 2*px, top + 6*px, x + b.headRX - 2*px, top + 22*px, 8 * px}
		fill(img, band.grow(outline), b.line)
		fill(img, band, b.trim)
		fill(img, circle(x, top-34*px, 11*px).grow(outline), b.line)
		fill(img, circle(x, top-34*px, 11*px), white)
	}
}

// drawFlower paints five petals round a centre at (x, y).
func drawFlower(img *image.RGBA, x, y int, petal, middle color.RGBA) {
	// Offsets of five petals, 72° apart, 10 px from the centre.
	offsets := [5][2]int{{0, -10}, {10, -3}, {6, 8}, {-6, 8}, {-10, -3}}
	for _, o := range offsets {
		fill(img, circle(x+o[0]*px, y+o[1]*px, 9*px).grow(16), mix(petal, ink, 120))
	}
	for _, o := range offsets {
		fill(img, circle(x+o[0]*px, y+o[1]*px, 9*px), petal)
	}
	fill(img, circle(x, y, 6*px), middle)
}

// drawBow paints a bow centred at (x, y).
func drawBow(img *image.RGBA, x, y int, c, dots color.RGBA) {
	w, h := 20*px, 13*px
	for _, s := range []int{-1, 1} {
		wing := polygon{{x, y}, {x + s*w, y - h}, {x + s*w, y + h}}
		fill(img, union{wing, stroke(wing, outline), line(x+s*w, y-h, x+s*w, y+h, 6*px)}, mix(c, ink, 120))
		fill(img, union{wing, line(x+s*w, y-h+outline, x+s*w, y+h-outline, 6*px-outline)}, c)
		fill(img, circle(x+s*w*3/5, y, 3*px), dots)
	}
	fill(img, circle(x, y, 6*px).grow(outline), mix(c, ink, 120))
	fill(img, circle(x, y, 6*px), c)
}

// drawNeck paints whatever the bunny wears round its neck; the head,
// drawn later, hides the top of it.
func (b bunny) drawNeck(img *image.RGBA) {
	x, y := headX, headY+b.headRY+12*px
	switch b.neck {
	case bowTie:
		drawBow(img, x, y, b.accent, b.trim)
	case scarf:
		band := rrect{x - 70*px, y - 12*px, x + 70*px, y + 10*px, 10 * px}
		tail := rrect{x + 18*px, y - 4*px, x + 40*px, y + 42*px, 6 * px}
		for _, r := range []rrect{tail, band} {
			fill(img, r.grow(outline), b.line)
			fill(img, r, b.accent)
		}
		for k := range 3 {
			fill(img, rrect{x + 18*px, y + 8*px + k*12*px, x + 40*px, y + 13*px + k*12*px, 0}, b.trim)
		}
	case bell:
		band := rrect{x - 64*px, y - 8*px, x + 64*px, y + 4*px, 6 * px}
		fill(img, band.grow(outline), b.line)
		fill(img, band, b.accent)
		fill(img, circle(x, y+10*px, 10*px).grow(outline), darkGold)
		fill(img, circle(x, y+10*px, 10*px), gold)
		fill(img, line(x, y+12*px, x, y+19*px, 2*px), darkGold)
		fill(img, circle(x-3*px, y+6*px, 3*px), alpha(white, 180))
	}
}

// drawCarrot paints a carrot held in front of the bunny, bottom right.
func drawCarrot(img *image.RGBA) {
	leaf := rgb(90, 170, 70)
	fill(img, tilted(214*px, 184*px, 18*px, 6*px, 2, -5), leaf)
	fill(img, tilted(224*px, 190*px, 18*px, 6*px, 5, -2), leaf)
	fill(img, tilted(206*px, 180*px, 16*px, 5*px, -1, -5), leaf)
	body := polygon{{202 * px, 190 * px}, {226 * px, 204 * px}, {186 * px, 252 * px}}
	top := circle(214*px, 197*px, 13*px)
	fill(img, union{body, stroke(body, outline), top.grow(outline)}, rgb(120, 60, 30))
	fill(img, union{body, top}, rgb(246, 140, 40))
	for k := range 3 {
		y := 212*px + k*12*px
		fill(img, line(206*px-k*6*px, y, 212*px-k*6*px, y+2*px, 14), rgb(200, 100, 30))
	}
}
