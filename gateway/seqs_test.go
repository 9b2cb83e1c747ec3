package gateway

import (
	"slices"
	"testing"
)

func TestSeqs(t *testing.T) {
	var s seqs
	for _, step := range []struct {
		lo, hi int64
		want   seqs
	}{
		{9, 9, seqs{{9, 9}}},
		{10, 10, seqs{{9, 10}}},
		{1, 3, seqs{{1, 3}, {9, 10}}},
		{5, 6, seqs{{1, 3}, {5, 6}, {9, 10}}},
		{4, 4, seqs{{1, 6}, {9, 10}}},
		{7, 12, seqs{{1, 12}}},
		{2, 5, seqs{{1, 12}}},
		{20, 20, seqs{{1, 12}, {20, 20}}},
	} {
		s = s.add(step.lo, step.hi)
		if !slices.Equal(s, step.want) {
			t.Fatalf("after add(%d, %d): %v, want %v", step.lo, step.hi, s, step.want)
		}
	}
	for seq, want := range map[int64]bool{0: false, 1: true, 12: true, 13: false, 19: false, 20: true, 21: false} {
		if got := s.has(seq); got != want {
			t.Errorf("has(%d) = %v, want %v", seq, got, want)
		}
	}
}
