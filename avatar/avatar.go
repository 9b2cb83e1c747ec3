package avatar

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
)

// Size is the width and height of every avatar, in pixels.
const Size = 256

// Render draws the avatar for seed: the same seed gives the same pixels on
// every machine and Go version. Any string is a valid seed.
func Render(seed string) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, Size, Size))
	newBunny(newDice(seed)).draw(img)
	return img
}

// PNG renders the avatar for seed and encodes it as PNG.
func PNG(seed string) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, Render(seed)); err != nil {
		return nil, fmt.Errorf("encode avatar %q: %w", seed, err)
	}
	return buf.Bytes(), nil
}
