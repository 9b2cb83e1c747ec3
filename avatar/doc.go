// Package avatar draws the procedural bunny that is every profile's
// picture. Render(seed) and PNG(seed) give a 256×256 bunny that depends only
// on the seed string: the same seed draws the same pixels on every machine,
// and different seeds draw different bunnies.
//
// # From seed to bunny
//
// SHA-256 of the seed starts a small SplitMix64 generator (dice.go), which
// newBunny (bunny.go) rolls, in a fixed order, into a bunny: background
// colours and pattern, coat colour and markings (eye patch, spots, hood,
// Dutch), head size, each ear upright or floppy with its own tilt and
// length, eye style and colour, nose, muzzle, teeth, blush, whiskers, and
// accessories (hats, glasses, neckwear, a carrot). The order of the rolls is
// part of the drawing: adding a roll in the middle redraws every avatar.
//
// # From bunny to pixels
//
// draw (draw.go, accessory.go) paints layer by layer, back to front, with a
// few shapes (shape.go): ellipses that may be tilted, circles, capsules
// (lines with width), rounded rectangles and polygons, plus union, clip and
// minus to combine them (raster.go). Outlines are the same shape grown and
// filled in a darker colour first.
//
// Edges are anti-aliased by 4×4 supersampling. Rather than testing 16
// points per pixel, the rasteriser works one sample row at a time: a convex
// shape's inside samples on a row are a single run, whose two ends are found
// by searching with the shape's exact inside test from an estimate, and the
// combinators work on those runs. A pixel's coverage is the count of its
// samples inside, so a typical avatar renders in a couple of milliseconds.
//
// # Determinism
//
// Coordinates are integers in 1/8 pixel and every inside test is exact
// integer arithmetic, so no platform's floating point can move an edge. Floats
// appear only in estimates (where a row's run probably ends, an integer
// square root's first guess) whose result is then settled by integer tests.
// Colours are blended in integers too. TestGolden pins the pixels of a few
// seeds; a change that alters a drawing must update it on purpose.
//
// To look at the bunnies, write a contact sheet of 16 of them:
//
//	go test ./avatar -run ContactSheet -sheet /tmp/sheet.png [-sheet-from 16]
package avatar
