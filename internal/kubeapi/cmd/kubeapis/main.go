// Command kubeapis checks akscheck's table of removed apiVersions (package kubeapi) against
// the Kubernetes Deprecated API Migration Guide, its source:
//
//	curl -fsSLO https://raw.githubusercontent.com/kubernetes/website/main/content/en/docs/reference/using-api/deprecation-guide.md
//	go run ./internal/kubeapi/cmd/kubeapis -guide deprecation-guide.md
//
// It prints every removal the table lacks or spells otherwise (release, replacement) and
// exits 1 when there is one; with -go it prints the missing removals as table entries to
// add, in the table's syntax (the minor that deprecated each version comes from the release
// notes, which the guide does not give: fill DeprecatedIn by hand).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/akscheck/akscheck/internal/kubeapi"
)

func main() {
	guide := flag.String("guide", "", "the deprecation guide's markdown (required)")
	asGo := flag.Bool("go", false, "print the missing removals as Go table entries")
	flag.Parse()
	n, err := run(os.Stdout, *guide, *asGo)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubeapis:", err)
		os.Exit(2)
	}
	if n > 0 {
		os.Exit(1)
	}
}

func run(w io.Writer, guide string, asGo bool) (int, error) {
	if guide == "" {
		return 0, fmt.Errorf("-guide is required")
	}
	md, err := os.ReadFile(guide)
	if err != nil {
		return 0, err
	}
	removals, err := kubeapi.ParseGuide(md)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", guide, err)
	}
	if asGo {
		n := 0
		for _, r := range removals {
			if _, ok := kubeapi.Lookup(r.APIVersion, r.Kind); ok {
				continue
			}
			n++
			fmt.Fprintf(w, "{APIVersion: %q, Kind: %q, DeprecatedIn: \"\", RemovedIn: %q, Replacement: %q},\n", r.APIVersion, r.Kind, r.RemovedIn, r.Replacement)
		}
		return n, nil
	}
	diff := kubeapi.CompareGuide(removals)
	for _, d := range diff {
		fmt.Fprintln(w, d)
	}
	if len(diff) == 0 {
		fmt.Fprintf(w, "the table agrees with the guide's %d removals\n", len(removals))
	}
	return len(diff), nil
}
