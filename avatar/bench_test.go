package avatar

import (
	"fmt"
	"testing"
)

func BenchmarkRender(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		Render(fmt.Sprint("bench-", i%64))
	}
}

func BenchmarkPNG(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		if _, err := PNG(fmt.Sprint("bench-", i%64)); err != nil {
			b.Fatal(err)
		}
	}
}
