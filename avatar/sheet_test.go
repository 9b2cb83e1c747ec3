package avatar

import (
	"flag"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"testing"
)

var sheet = flag.String("sheet", "", "write a contact sheet of 16 avatars to this PNG file")
var sheetFrom = flag.Int("sheet-from", 0, "number of the first seed on the contact sheet")

// TestContactSheet writes a 4×4 sheet of avatars for seeds "bunny-N", so a
// person can look at them: go test ./avatar -run Sheet -sheet /tmp/sheet.png
func TestContactSheet(t *testing.T) {
	if *sheet == "" {
		return
	}
	out := image.NewRGBA(image.Rect(0, 0, 4*Size, 4*Size))
	for i := range 16 {
		at := image.Pt(i%4*Size, i/4*Size)
		img := Render(fmt.Sprintf("bunny-%d", *sheetFrom+i))
		draw.Draw(out, img.Bounds().Add(at), img, image.Point{}, draw.Src)
	}
	f, err := os.Create(*sheet)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, out); err != nil {
		t.Fatal(err)
	}
}
