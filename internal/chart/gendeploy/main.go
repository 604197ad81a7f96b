// Command gendeploy writes charts/akscheck/templates/_kinds.tpl from the kinds akscheck
// reviews, caches and lists. It runs from go generate (see internal/chart), in that
// package's folder.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/akscheck/akscheck/internal/chart"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendeploy CHART-DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gendeploy:", err)
		os.Exit(1)
	}
}

func run(chartDir string) error {
	return writeIfChanged(filepath.Join(chartDir, chart.KindsFile), chart.KindsTemplate(chart.CurrentKinds()))
}

// writeIfChanged leaves a file that already holds data untouched (and its modification time).
func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
