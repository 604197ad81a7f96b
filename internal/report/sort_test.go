package report

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
)

// randomFindings returns n findings over a few items, checks, files, lines and objects, many of
// them equal in every sorted field, so that stability counts.
func randomFindings(cat *catalog.Catalog, n int, seed uint64) []Finding {
	r := rand.New(rand.NewPCG(seed, seed))
	fs := make([]Finding, n)
	for i := range fs {
		fs[i] = Finding{
			Item:     cat.Items[r.IntN(4)].ID,
			Check:    fmt.Sprintf("check-%d", r.IntN(3)),
			Message:  fmt.Sprintf("finding %d", i), // tells equal findings apart
			Object:   Object{Kind: "Deployment", Namespace: "ns", Name: fmt.Sprintf("app-%d", r.IntN(5))},
			Location: Location{File: fmt.Sprintf("f%d.yaml", r.IntN(3)), Line: r.IntN(4)},
		}
	}
	return fs
}

// TestSortFindings: findings sorted in place are in the report's order, equal ones in the
// order they came (a stable sort), for every size up to a few cycles of the permutation.
func TestSortFindings(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	for n := range 40 {
		for seed := range uint64(5) {
			fs := randomFindings(cat, n, seed)
			want := slices.Clone(fs)
			slices.SortStableFunc(want, func(a, b Finding) int { return compareFindings(cat, &a, &b) })
			SortFindings(cat, fs)
			if !slices.EqualFunc(fs, want, func(a, b Finding) bool { return a.Message == b.Message }) {
				t.Fatalf("%d findings (seed %d): sorted as %v, want %v", n, seed, messages(fs), messages(want))
			}
		}
	}
}

func messages(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Message
	}
	return out
}

// BenchmarkSortFindings sorts the findings of a large report:
//
//	go test ./internal/report -run '^$' -bench SortFindings -benchmem
func BenchmarkSortFindings(b *testing.B) {
	cat := catalog.MustLoad()
	orig := randomFindings(cat, 100_000, 1)
	fs := make([]Finding, len(orig))
	b.ReportAllocs()
	for b.Loop() {
		copy(fs, orig)
		SortFindings(cat, fs)
	}
}
