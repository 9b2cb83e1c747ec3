package avatar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
)

// pixelHash is the SHA-256 of an image's RGBA pixels, in hex.
func pixelHash(img *image.RGBA) string {
	sum := sha256.Sum256(img.Pix)
	return hex.EncodeToString(sum[:])
}

// MustDecode decodes a PNG avatar and checks its size.
func MustDecode(tb testing.TB, data []byte) image.Image {
	tb.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("decode png: %v", err)
	}
	if got, want := img.Bounds(), image.Rect(0, 0, Size, Size); got != want {
		tb.Fatalf("bounds %v, want %v", got, want)
	}
	return img
}

// TestGolden pins the drawings of a few seeds, so a change that alters any
// pixel is noticed. If the change is meant to alter the drawings, look at a
// contact sheet (see TestContactSheet) and update the hashes.
func TestGolden(t *testing.T) {
	tests := []struct{ seed, hash string }{
		{"bunny", "95b8b7a1462d02f800eca8dee402722cb9b860eaac5f1ce7ed03f66757b7efcb"},
		{"test", "74ee5e57e15a7c1cd648d80290283f07bb51f50c5a84cf0e58b88607170a96fc"},
		{"00000000-0000-0000-0000-000000000000", "cb037cfc951d9aeb5bcb8fd400ed34bdc98b52a2eda6a4024a36304910df1ce0"},
		{"abc", "975d5de3abed2ce68e263764c4ef5ac53d2d29cc0576c59435449bb99233d1c4"},
		{"", "12811b31b713c5ba0ffcee962a7b8e5218dadaeab4e7425b2df179dc8520e3a3"},
	}
	for _, tt := range tests {
		if got := pixelHash(Render(tt.seed)); got != tt.hash {
			t.Errorf("Render(%q) pixels hash %s, want %s", tt.seed, got, tt.hash)
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, seed := range []string{"bunny", "7f1c0e7e-4b9a-4c55-9d43-1d2e3f405060", "ünïcødé 🐰"} {
		a, err := PNG(seed)
		if err != nil {
			t.Fatal(err)
		}
		b, err := PNG(seed)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("PNG(%q) differs between two calls", seed)
		}
	}
}

// TestSeedsDiffer renders many seeds and expects every picture to differ.
func TestSeedsDiffer(t *testing.T) {
	seen := map[string]string{}
	for i := range 500 {
		seed := fmt.Sprintf("user-%d", i)
		h := pixelHash(Render(seed))
		if other, ok := seen[h]; ok {
			t.Fatalf("seeds %q and %q draw the same picture", other, seed)
		}
		seen[h] = seed
	}
}

// TestVariety checks that the seed reaches every option of every feature,
// so no style is dead code.
func TestVariety(t *testing.T) {
	seen := map[string]map[int]bool{}
	note := func(feature string, v int) {
		if seen[feature] == nil {
			seen[feature] = map[int]bool{}
		}
		seen[feature][v] = true
	}
	for i := range 2000 {
		b := newBunny(newDice(fmt.Sprint(i)))
		note("backdrop", int(b.backdrop))
		note("marking", int(b.marking))
		note("eyes", int(b.eyes))
		note("nose", int(b.nose))
		note("hat", int(b.hat))
		note("glasses", int(b.glasses))
		note("neck", int(b.neck))
		note("floppy ears", btoi(b.ears[0].floppy)+2*btoi(b.ears[1].floppy))
		note("carrot", btoi(b.carrot))
	}
	want := map[string]int{
		"backdrop": int(backdrops), "marking": int(markings), "eyes": int(eyeStyles), "nose": int(noses),
		"hat": int(hats), "glasses": int(glassStyles), "neck": int(necks), "floppy ears": 4, "carrot": 2,
	}
	for feature, n := range want {
		if got := len(seen[feature]); got != n {
			t.Errorf("%s: %d options seen, want %d", feature, got, n)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestAnySeed checks that unusual seeds render valid, opaque PNGs.
func TestAnySeed(t *testing.T) {
	tests := []struct{ name, seed string }{
		{"empty", ""},
		{"space", " "},
		{"unicode", "うさぎ 🐇 Ünïcødé"},
		{"invalid utf-8", "\xff\xfe\x00bunny"},
		{"long", strings.Repeat("bunny", 100_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := PNG(tt.seed)
			if err != nil {
				t.Fatal(err)
			}
			img := MustDecode(t, data)
			for _, p := range []image.Point{{0, 0}, {Size - 1, Size - 1}, {Size / 2, Size / 2}} {
				if _, _, _, a := img.At(p.X, p.Y).RGBA(); a != 0xffff {
					t.Errorf("pixel %v alpha %d, want opaque", p, a)
				}
			}
		})
	}
}

// TestPNGMatchesRender checks that the PNG holds exactly the rendered pixels.
func TestPNGMatchesRender(t *testing.T) {
	data, err := PNG("bunny")
	if err != nil {
		t.Fatal(err)
	}
	img, want := MustDecode(t, data), Render("bunny")
	for y := range Size {
		for x := range Size {
			r, g, b, _ := img.At(x, y).RGBA()
			w := want.RGBAAt(x, y)
			if uint8(r>>8) != w.R || uint8(g>>8) != w.G || uint8(b>>8) != w.B {
				t.Fatalf("pixel (%d,%d) decodes as %d,%d,%d, want %v", x, y, r>>8, g>>8, b>>8, w)
			}
		}
	}
}

// BenchmarkRender measures drawing alone.
func BenchmarkRender(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		Render(fmt.Sprint("bench-", i%64))
	}
}

// BenchmarkPNG measures what a request pays: drawing and encoding.
func BenchmarkPNG(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		if _, err := PNG(fmt.Sprint("bench-", i%64)); err != nil {
			b.Fatal(err)
		}
	}
}
