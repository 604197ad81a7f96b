// Command gendocs writes docs/checks.md from the checks' metadata. It runs from go generate
// (see internal/docs); `akscheck checks -o markdown` prints the same document.
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/docs"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendocs OUTPUT.md")
		os.Exit(2)
	}
	var b bytes.Buffer
	if err := docs.ChecksMarkdown(&b, catalog.MustLoad(), checks.All()); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[1], b.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}
