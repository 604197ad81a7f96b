// Command gendeploy writes charts/akscheck/templates/_kinds.tpl from the kinds akscheck
// reviews, caches and lists, then deploy/ from the chart rendered with fixed values. It runs
// from go generate (see internal/chart), in that package's folder.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/akscheck/akscheck/internal/chart"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gendeploy CHART-DIR DEPLOY-DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "gendeploy:", err)
		os.Exit(1)
	}
}

func run(chartDir, deployDir string) error {
	if err := writeIfChanged(filepath.Join(chartDir, chart.KindsFile), chart.KindsTemplate(chart.CurrentKinds())); err != nil {
		return err
	}
	docs, err := chart.Render(chartDir, chart.DeployOptions("."))
	if err != nil {
		return err
	}
	files, err := chart.DeployFiles(docs)
	if err != nil {
		return err
	}
	// deploy/ holds nothing but what the chart renders (and the folder chart.HandWritten): a
	// file no longer rendered goes.
	old, err := filepath.Glob(filepath.Join(deployDir, "*.yaml"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if _, ok := files[filepath.Base(f)]; !ok {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	for name, data := range files {
		if err := writeIfChanged(filepath.Join(deployDir, name), data); err != nil {
			return err
		}
	}
	return nil
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
