package engine

import "github.com/akscheck/akscheck/internal/check"

// findingBlocks holds a check's findings in the order its subjects were judged, in blocks
// that are never copied. A slice grown by append copies all it holds each time it grows by a
// quarter: a check that fails 75,000 subjects allocated four times the 22 MB its findings
// hold, garbage that brought the collector back in the middle of the checks, where the heap
// peaks (half of what the checks stage of the engine benchmark allocated).
type findingBlocks struct {
	blocks [][]check.Finding
	n      int
}

// Blocks start small (most checks find little) and double up to maxFindingBlock findings, so
// a block's unused room is never more than what the blocks before it hold, nor 74 KB.
const (
	minFindingBlock = 8
	maxFindingBlock = 256
)

// reserve makes the first block hold n findings: the count of the run the memo remembers.
func (b *findingBlocks) reserve(n int) {
	if len(b.blocks) == 0 && n > 0 {
		b.blocks = append(b.blocks, make([]check.Finding, 0, n))
	}
}

// add appends copies of fs.
func (b *findingBlocks) add(fs []check.Finding) {
	for len(fs) > 0 {
		last := len(b.blocks) - 1
		if last < 0 || len(b.blocks[last]) == cap(b.blocks[last]) {
			size := minFindingBlock
			if last >= 0 {
				size = min(max(2*cap(b.blocks[last]), minFindingBlock), maxFindingBlock)
			}
			b.blocks = append(b.blocks, make([]check.Finding, 0, size))
			last++
		}
		k := min(cap(b.blocks[last])-len(b.blocks[last]), len(fs))
		b.blocks[last] = append(b.blocks[last], fs[:k]...)
		fs = fs[k:]
		b.n += k
	}
}

// len is how many findings it holds.
func (b *findingBlocks) len() int { return b.n }

// each calls fn with each finding in order, by pointer: fn may change it.
func (b *findingBlocks) each(fn func(*check.Finding)) {
	for _, block := range b.blocks {
		for i := range block {
			fn(&block[i])
		}
	}
}

// slices returns the blocks, in order, for what takes a slice of findings.
func (b *findingBlocks) slices() [][]check.Finding { return b.blocks }
