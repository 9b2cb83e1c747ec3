package api

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// defaultAvatar is a TEMPORARY stand-in until avatar.PNG lands.
func defaultAvatar(seed string) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	var h byte
	for i := 0; i < len(seed); i++ {
		h = h*31 + seed[i]
	}
	for i := range img.Pix {
		img.Pix[i] = h
	}
	img.Set(0, 0, color.White)
	var b bytes.Buffer
	err := png.Encode(&b, img)
	return b.Bytes(), err
}
