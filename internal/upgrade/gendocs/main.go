// Command gendocs writes docs/upgrade-plan.md from upgrade-plan's tables (go generate
// ./internal/upgrade).
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/akscheck/akscheck/internal/upgrade"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendocs FILE")
		os.Exit(2)
	}
	var buf bytes.Buffer
	if err := upgrade.Markdown(&buf); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[1], buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}
