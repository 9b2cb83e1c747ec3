package avatar

import "image/color"

// bunny is everything the seed decides about one avatar; draw turns it into
// pixels. Lengths are in units (1/8 pixel).
type bunny struct {
	sky, ground color.RGBA // background gradient, top to bottom
	backdrop    backdrop

	fur, line, light color.RGBA // coat, outline, muzzle and chest
	mark             color.RGBA // markings, when marking != plain
	marking          marking
	leftSide         bool // for one-sided things: eye patch, wink, bow, flower, hat tilt
	spots            [3][3]int

	headRX, headRY int
	ears           [2]ear // left, right
	innerEar       color.RGBA

	eyes       eyes
	iris       color.RGBA
	eyeR, eyeX int // eye radius, distance of each eye from the middle
	lashes     bool

	nose                 nose
	noseColour           color.RGBA
	muzzle, teeth, blush bool
	whiskers             int // per side

	hat     hat
	glasses glasses
	neck    neck
	carrot  bool
	accent  color.RGBA // hat, bow, scarf
	trim    color.RGBA // a second accent colour: stripes, gems, dots
}

// ear is one ear: an ellipse from a base on the head to its tip.
type ear struct {
	floppy       bool
	tipX, tipY   int // tip offset from the base; tipX points away from the face
	halfWidth    int
	innerPercent int // width of the pink inside, in percent of the ear
}

type backdrop int

const (
	plainBackdrop backdrop = iota
	dotsBackdrop
	haloBackdrop
	ringsBackdrop
	backdrops
)

type marking int

const (
	plain marking = iota
	eyePatch
	spotted
	hood
	dutch
	markings
)

type eyes int

const (
	dotEyes eyes = iota
	shinyEyes
	bigEyes
	happyEyes
	calmEyes
	winkEyes
	eyeStyles
)

type nose int

const (
	ovalNose nose = iota
	triangleNose
	heartNose
	noses
)

type hat int

const (
	noHat hat = iota
	partyHat
	crown
	topHat
	flower
	bow
	beanie
	hats
)

type glasses int

const (
	noGlasses glasses = iota
	roundGlasses
	sunglasses
	glassStyles
)

type neck int

const (
	bareNeck neck = iota
	bowTie
	scarf
	bell
	necks
)

// coat is a fur colour and, when it is spotted, its markings' colour.
type coat struct{ fur, mark color.RGBA }

// The palettes below are read-only tables.
var (
	white     = rgb(250, 248, 244)
	cream     = rgb(246, 226, 190)
	sand      = rgb(222, 190, 140)
	grey      = rgb(168, 166, 172)
	lilac     = rgb(178, 168, 196)
	brown     = rgb(168, 112, 72)
	ginger    = rgb(226, 148, 84)
	chocolate = rgb(108, 72, 52)
	black     = rgb(58, 54, 60)
	ink       = rgb(40, 30, 36)

	coats = []coat{
		{fur: white}, {fur: cream}, {fur: sand}, {fur: grey}, {fur: lilac},
		{fur: brown}, {fur: ginger}, {fur: chocolate}, {fur: black},
		{white, black}, {white, brown}, {white, grey}, {white, ginger},
		{cream, ginger}, {cream, chocolate}, {grey, white}, {brown, cream},
		{black, white}, {chocolate, cream}, {sand, brown},
	}

	// skies pairs background colours, top then bottom.
	skies = [][2]color.RGBA{
		{rgb(186, 225, 255), rgb(140, 196, 240)}, // sky blue
		{rgb(255, 205, 220), rgb(244, 160, 190)}, // pink
		{rgb(200, 240, 200), rgb(140, 210, 150)}, // mint
		{rgb(255, 236, 170), rgb(250, 200, 110)}, // sunny
		{rgb(220, 205, 255), rgb(170, 150, 230)}, // lavender
		{rgb(255, 214, 186), rgb(246, 164, 130)}, // peach
		{rgb(170, 230, 230), rgb(100, 190, 200)}, // teal
		{rgb(90, 100, 160), rgb(50, 55, 110)},    // night
		{rgb(236, 236, 236), rgb(200, 204, 212)}, // silver
		{rgb(210, 236, 150), rgb(150, 200, 90)},  // meadow
	}

	innerEars  = []color.RGBA{rgb(250, 180, 190), rgb(244, 160, 176), rgb(252, 196, 180), rgb(236, 170, 200)}
	irises     = []color.RGBA{rgb(110, 70, 40), rgb(60, 120, 200), rgb(70, 150, 90), rgb(150, 90, 190), rgb(200, 60, 80), rgb(40, 40, 48)}
	noseColors = []color.RGBA{rgb(240, 130, 150), rgb(226, 104, 130), rgb(200, 120, 110), rgb(90, 60, 64)}
	accents    = []color.RGBA{rgb(230, 70, 90), rgb(60, 130, 220), rgb(250, 190, 40), rgb(120, 190, 80), rgb(160, 90, 210), rgb(250, 130, 40), rgb(40, 170, 170), rgb(240, 110, 170)}
)

// newBunny rolls every choice for one avatar. The order of the rolls is part
// of the picture: changing it changes every avatar (and the golden test).
func newBunny(d *dice) bunny {
	var b bunny
	sky := skies[d.intn(len(skies))]
	b.sky, b.ground = sky[0], sky[1]
	b.backdrop = backdrop(d.intn(int(backdrops)))

	c := coats[d.intn(len(coats))]
	b.fur = c.fur
	b.line = mix(c.fur, ink, 150)
	b.light = mix(c.fur, white, 140)
	if c.mark != (color.RGBA{}) {
		b.mark = c.mark
		b.marking = marking(1 + d.intn(int(markings)-1))
	}
	b.leftSide = d.chance(50)
	for i := range b.spots {
		b.spots[i] = [3]int{d.between(-60, 60) * px, d.between(-50, 40) * px, d.between(12, 24) * px}
	}

	b.headRX, b.headRY = d.between(66, 74)*px, d.between(56, 62)*px
	floppy := d.intn(10) // 0–5 upright, 6–7 one floppy, 8–9 lop-eared
	for i := range b.ears {
		e := &b.ears[i]
		e.halfWidth = d.between(19, 25) * px
		e.innerPercent = d.between(45, 62)
		e.tipX, e.tipY = d.between(-6, 30)*px, -d.between(84, 100)*px
		e.floppy = floppy >= 8 || (floppy >= 6 && i == floppy-6)
		if e.floppy {
			e.tipX, e.tipY = d.between(30, 46)*px, d.between(76, 92)*px
		}
	}
	b.innerEar = d.colour(innerEars)

	b.eyes = eyes(d.intn(int(eyeStyles)))
	b.iris = d.colour(irises)
	b.eyeR, b.eyeX = d.between(8, 12)*px, d.between(25, 31)*px
	b.lashes = d.chance(30)

	b.nose = nose(d.intn(int(noses)))
	b.noseColour = d.colour(noseColors)
	b.muzzle, b.teeth, b.blush = d.chance(70), d.chance(40), d.chance(60)
	b.whiskers = d.intn(4)

	b.accent, b.trim = d.colour(accents), d.colour(accents)
	if d.chance(55) {
		b.hat = hat(1 + d.intn(int(hats)-1))
	}
	if d.chance(25) {
		b.glasses = glasses(1 + d.intn(int(glassStyles)-1))
	}
	if d.chance(40) {
		b.neck = neck(1 + d.intn(int(necks)-1))
	}
	b.carrot = d.chance(15)
	return b
}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 255} }

// mix is a blended t/255 of the way from a to b.
func mix(a, b color.RGBA, t int) color.RGBA {
	m := func(x, y uint8) uint8 { return uint8((int(x)*(255-t) + int(y)*t + 127) / 255) }
	return color.RGBA{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B), 255}
}

// luma is the perceived brightness of c, 0–255.
func luma(c color.RGBA) int { return (299*int(c.R) + 587*int(c.G) + 114*int(c.B)) / 1000 }

// alpha is c made translucent.
func alpha(c color.RGBA, a uint8) color.RGBA { c.A = a; return c }
