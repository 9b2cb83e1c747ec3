package avatar

import (
	"image"
	"image/color"
)

// Where the face sits, in units. Every feature is placed relative to it.
const (
	headX   = centre
	headY   = 146 * px
	outline = 20 // width of the dark outline around fur, in units (2.5 px)
)

// draw paints the bunny onto img layer by layer, back to front.
func (b bunny) draw(img *image.RGBA) {
	b.drawBackdrop(img)
	b.drawBody(img)
	b.drawNeck(img)
	b.drawEars(img, false)
	b.drawHead(img)
	b.drawEars(img, true) // floppy ears hang in front of the head
	b.drawEyes(img)
	b.drawMouth(img)
	b.drawGlasses(img)
	b.drawHat(img)
	if b.carrot {
		drawCarrot(img)
	}
}

// drawBackdrop fills the canvas: a vertical gradient and a soft pattern.
func (b bunny) drawBackdrop(img *image.RGBA) {
	for y := range Size {
		c := mix(b.sky, b.ground, y*255/(Size-1))
		row := img.Pix[y*img.Stride : y*img.Stride+Size*4]
		for x := 0; x < len(row); x += 4 {
			row[x], row[x+1], row[x+2], row[x+3] = c.R, c.G, c.B, 255
		}
	}
	soft := alpha(white, 70)
	switch b.backdrop {
	case dotsBackdrop:
		for y := 0; y < 9; y++ {
			for x := y % 2; x < 10; x += 2 {
				fill(img, circle(x*28*px+10*px, y*30*px+12*px, 5*px), soft)
			}
		}
	case haloBackdrop:
		fill(img, circle(headX, headY, 118*px), soft)
	case ringsBackdrop:
		for r := 40; r <= 200; r += 40 {
			fill(img, ring(headX, headY, r*px, 8*px), soft)
		}
	}
}

// drawBody paints the shoulders with a lighter chest.
func (b bunny) drawBody(img *image.RGBA) {
	body := oval(headX, 278*px, 90*px, 72*px)
	fill(img, body.grow(outline), b.line)
	fill(img, body, b.fur)
	fill(img, clip{oval(headX, 262*px, 38*px, 40*px), body}, b.light)
}

// earBase is where ear i (0 left, 1 right) joins the head.
func (b bunny) earBase(i int, e ear) (x, y int) {
	side := []int{-1, 1}[i]
	if e.floppy {
		return headX + side*52*px, headY - b.headRY + 16*px
	}
	return headX + side*30*px, headY - b.headRY + 18*px
}

// drawEars paints the floppy or the upright ears.
func (b bunny) drawEars(img *image.RGBA, floppy bool) {
	for i, e := range b.ears {
		if e.floppy != floppy {
			continue
		}
		x, y := b.earBase(i, e)
		dx, dy := e.tipX, e.tipY
		if i == 0 {
			dx = -dx
		}
		half := isqrt(int64(dx)*int64(dx)+int64(dy)*int64(dy)) / 2
		outer := tilted(x+dx/2, y+dy/2, half, e.halfWidth, dx, dy)
		inner := tilted(x+dx*55/100, y+dy*55/100, half*78/100, e.halfWidth*e.innerPercent/100, dx, dy)
		fur := b.fur
		if b.marking == dutch {
			fur = b.mark
		}
		fill(img, outer.grow(outline), b.line)
		fill(img, outer, fur)
		fill(img, inner, b.innerEar)
	}
}

// head is the face outline: a wide oval with chubby cheeks.
func (b bunny) head(grow int) union {
	cheek := b.headRX - 24*px
	return union{
		oval(headX, headY, b.headRX+grow, b.headRY+grow),
		circle(headX-cheek, headY+22*px, 28*px+grow),
		circle(headX+cheek, headY+22*px, 28*px+grow),
	}
}

// markingShape is where the markings go, before clipping to the head; nil
// for a plain coat.
func (b bunny) markingShape() shape {
	side := 1
	if b.leftSide {
		side = -1
	}
	switch b.marking {
	case eyePatch:
		return oval(headX+side*b.eyeX, headY, b.eyeR+16*px, b.eyeR+20*px)
	case spotted:
		u := union{}
		for _, s := range b.spots {
			u = append(u, circle(headX+s[0], headY+s[1], s[2]))
		}
		return u
	case hood:
		return oval(headX, headY-b.headRY, b.headRX+24*px, b.headRY*3/4)
	case dutch:
		return union{
			oval(headX-44*px, headY-6*px, 38*px, 50*px),
			oval(headX+44*px, headY-6*px, 38*px, 50*px),
		}
	}
	return nil
}

// muzzleShape is the lighter patch round the mouth.
func (b bunny) muzzleShape() shape {
	return union{circle(headX-11*px, headY+31*px, 17*px), circle(headX+11*px, headY+31*px, 17*px)}
}

// pen is the colour to draw lines on the face at (x, y): ink, or on dark
// fur a light line so closed eyes and mouths stay visible.
func (b bunny) pen(x, y int) color.RGBA {
	under := b.fur
	if m := b.markingShape(); m != nil && covers(m, x, y) {
		under = b.mark
	}
	if b.muzzle && covers(b.muzzleShape(), x, y) {
		under = b.light
	}
	if luma(under) < 110 {
		return mix(under, white, 200)
	}
	return ink
}

// drawHead paints the face: outline, fur, markings, muzzle and blush.
func (b bunny) drawHead(img *image.RGBA) {
	head := b.head(0)
	fill(img, b.head(outline), b.line)
	fill(img, head, b.fur)
	if m := b.markingShape(); m != nil {
		fill(img, clip{m, head}, b.mark)
	}
	if b.muzzle {
		fill(img, b.muzzleShape(), b.light)
	}
	if b.blush {
		for _, s := range []int{-1, 1} {
			fill(img, oval(headX+s*(b.eyeX+16*px), headY+22*px, 12*px, 7*px), alpha(rgb(250, 110, 140), 110))
		}
	}
}

// drawEyes paints both eyes, lashes included.
func (b bunny) drawEyes(img *image.RGBA) {
	for i, s := range []int{-1, 1} {
		x, y, r := headX+s*b.eyeX, headY+4*px, b.eyeR
		style := b.eyes
		if style == winkEyes {
			style = shinyEyes
			if b.leftSide == (i == 0) {
				style = happyEyes
			}
		}
		pen := b.pen(x, y)
		if pen != ink && style != bigEyes { // a light rim shows dark eyes on dark fur
			fill(img, oval(x, y, r, r*6/5).grow(10), alpha(pen, 120))
		}
		switch style {
		case dotEyes:
			r = r * 3 / 4
			fill(img, circle(x, y, r), ink)
			fill(img, circle(x+r/3, y-r/3, r/3), white)
		case shinyEyes:
			eye := oval(x, y, r, r*6/5)
			fill(img, eye, ink)
			fill(img, clip{circle(x, y+r/2, r*3/4), eye}, mix(b.iris, ink, 60))
			sparkle(img, x, y, r)
		case bigEyes:
			fill(img, oval(x, y, r*5/4, r*7/5).grow(12), b.line)
			fill(img, oval(x, y, r*5/4, r*7/5), white)
			fill(img, circle(x, y+r/5, r), b.iris)
			fill(img, circle(x, y+r/5, r*11/20), ink)
			sparkle(img, x, y+r/5, r)
		case happyEyes:
			fill(img, arc(x, y+r/3, r*4/5, 26, true), pen)
		case calmEyes:
			fill(img, arc(x, y-r/4, r*4/5, 26, false), pen)
		}
		if b.lashes && style != happyEyes {
			ox := x + s*r*4/5
			fill(img, line(ox, y-r*4/5, ox+s*6*px, y-r*7/5, 16), pen)
			fill(img, line(ox+s*2*px, y-r*1/5, ox+s*9*px, y-r*3/5, 16), pen)
		}
	}
}

// sparkle adds the two highlights that make an eye look alive.
func sparkle(img *image.RGBA, x, y, r int) {
	fill(img, circle(x+r*3/10, y-r*2/5, r*2/5), white)
	fill(img, circle(x-r*2/5, y+r*2/5, r/5), alpha(white, 220))
}

// drawMouth paints teeth, mouth, nose and whiskers.
func (b bunny) drawMouth(img *image.RGBA) {
	x, y := headX, headY+22*px // the nose
	if b.teeth {
		t := rrect{x - 6*px, y + 8*px, x + 6*px, y + 22*px, 2 * px}
		fill(img, t.grow(12), b.line)
		fill(img, t, white)
		fill(img, line(x, t.y0, x, t.y1, 12), b.line)
	}
	pen := b.pen(x, y+12*px)
	fill(img, line(x, y, x, y+9*px, 20), pen)
	fill(img, arc(x-6*px, y+9*px, 6*px, 20, false), pen)
	fill(img, arc(x+6*px, y+9*px, 6*px, 20, false), pen)

	switch b.nose {
	case ovalNose:
		fill(img, oval(x, y, 9*px, 6*px), b.noseColour)
	case triangleNose:
		fill(img, union{
			polygon{{x - 9*px, y - 3*px}, {x + 9*px, y - 3*px}, {x, y + 6*px}},
			circle(x, y+2*px, 4*px),
			line(x-8*px, y-3*px, x+8*px, y-3*px, 3*px),
		}, b.noseColour)
	case heartNose:
		fill(img, union{
			circle(x-4*px, y-2*px, 5*px),
			circle(x+4*px, y-2*px, 5*px),
			polygon{{x - 9*px, y - 1*px}, {x + 9*px, y - 1*px}, {x, y + 7*px}},
		}, b.noseColour)
	}
	fill(img, oval(x-2*px, y-2*px, 3*px, 2*px), alpha(white, 150))

	whisker := alpha(b.line, 210)
	if luma(b.fur) < 110 {
		whisker = alpha(white, 200)
	}
	for k := range b.whiskers {
		for _, s := range []int{-1, 1} {
			fill(img, line(x+s*30*px, y+5*px+k*5*px, x+s*80*px, y-6*px+k*12*px, 13), whisker)
		}
	}
}

// drawGlasses paints the glasses, if any, with arms to the sides of the head.
func (b bunny) drawGlasses(img *image.RGBA) {
	if b.glasses == noGlasses {
		return
	}
	y := headY + 4*px
	r := b.eyeR + 8*px
	frame := rgb(50, 40, 50)
	if luma(b.fur) < 110 { // a dark frame would vanish on dark fur
		frame = b.accent
	}
	for _, s := range []int{-1, 1} {
		x := headX + s*b.eyeX
		switch b.glasses {
		case roundGlasses:
			fill(img, circle(x, y, r), alpha(white, 60))
			fill(img, ring(x, y, r, 24), frame)
		case sunglasses:
			lens := rrect{x - r, y - r*4/5, x + r, y + r*3/4, 6 * px}
			fill(img, lens.grow(12), frame)
			fill(img, lens, alpha(rgb(30, 30, 44), 235))
			fill(img, line(x-r/2, y-r/3, x-r/5, y-r*3/5, 20), alpha(white, 120))
		}
		fill(img, line(x+s*r, y-2*px, headX+s*(b.headRX-2*px), y-6*px, 24), frame)
	}
	fill(img, arc(headX, y, b.eyeX-r, 24, true), frame)
}

// outlined fills polygon p in colour c with an outline in colour line.
func outlined(img *image.RGBA, p polygon, c, line color.RGBA) {
	fill(img, union{p, stroke(p, outline)}, line)
	fill(img, p, c)
}
