package engine

import (
	"strconv"
	"testing"

	"github.com/akscheck/akscheck/internal/check"
)

// TestFindingBlocks: findings come back in the order they were added, whatever the sizes of
// the batches; no block is copied, and none is larger than maxFindingBlock unless reserved.
func TestFindingBlocks(t *testing.T) {
	t.Parallel()
	batch := func(from, n int) []check.Finding {
		out := make([]check.Finding, n)
		for i := range out {
			out[i].Message = strconv.Itoa(from + i)
		}
		return out
	}
	for _, reserve := range []int{0, 3, 1000} {
		var b findingBlocks
		b.reserve(reserve)
		total := 0
		for _, n := range []int{0, 1, 7, 2, 300, 0, 1, 513, 64} {
			b.add(batch(total, n))
			total += n
		}
		if b.len() != total {
			t.Fatalf("reserve %d: len %d, want %d", reserve, b.len(), total)
		}
		i := 0
		b.each(func(f *check.Finding) {
			if f.Message != strconv.Itoa(i) {
				t.Fatalf("reserve %d: finding %d is %q", reserve, i, f.Message)
			}
			i++
		})
		for j, block := range b.slices() {
			if cap(block) > maxFindingBlock && !(j == 0 && cap(block) == reserve) {
				t.Errorf("reserve %d: block %d holds %d", reserve, j, cap(block))
			}
			if len(block) == 0 {
				t.Errorf("reserve %d: block %d is empty", reserve, j)
			}
		}
	}
	var b findingBlocks
	b.each(func(*check.Finding) { t.Error("an empty list has a finding") })
}
