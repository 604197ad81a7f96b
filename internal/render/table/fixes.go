package table

import (
	"sort"

	"github.com/akscheck/akscheck/internal/render/fixtext"
	"github.com/akscheck/akscheck/internal/report"
)

// fixesBlock writes the fixes of a section's findings under its table, most severe first as
// the table is: the finding's check and object, then the command ("$ az ..."), each edit after
// its file and line in the input's form (Terraform `attr = value`, manifests and templates
// `path: value`) and the note, every line escaped like every scanned value.
func fixesBlock(ew *errWriter, fs []report.Finding, opts Options) {
	var with []report.Finding
	for _, f := range fs {
		if v := fixtext.Of(f.Fix); !v.Empty() {
			with = append(with, f)
		}
	}
	if len(with) == 0 {
		return
	}
	sort.SliceStable(with, func(i, j int) bool { return with[i].Severity > with[j].Severity })
	ew.printf("\n  %s\n", bold("Fixes", opts))
	for _, f := range with {
		v := fixtext.Of(f.Fix)
		ew.printf("    %s  %s  (%s)\n", clean(f.Check), clean(objectRef(f)), clean(v.Input))
		for _, line := range v.Lines() {
			ew.printf("      %s\n", clean(line))
		}
	}
}

// countFixes is the number of findings that carry a fix.
func countFixes(fs []report.Finding) int {
	n := 0
	for _, f := range fs {
		if !fixtext.Of(f.Fix).Empty() {
			n++
		}
	}
	return n
}
