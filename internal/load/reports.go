package load

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/load/scanreport"
	"github.com/akscheck/akscheck/internal/subject"
)

// loadScanReports reads the image scan reports of --scan-reports: a file whatever its name,
// and the .json files of a directory, recursively (folders starting with "." skipped). Every
// file read must be a Trivy or Grype report; anything else is an error entry naming it.
func loadScanReports(ctx context.Context, opts Options) *subject.Scan {
	scan := &subject.Scan{}
	for _, p := range opts.ScanReports {
		if ctx.Err() != nil {
			break
		}
		info, err := os.Stat(p)
		if err != nil {
			scan.Errors = append(scan.Errors, subject.LoadError{Source: p, Message: "--scan-reports: " + describeFSError(err)})
			continue
		}
		files := []string{p}
		if info.IsDir() {
			files = reportFiles(p, scan)
			if len(files) == 0 {
				scan.Errors = append(scan.Errors, subject.LoadError{Source: p, Message: "--scan-reports: no .json file in this directory"})
			}
		}
		for _, f := range files {
			if ctx.Err() != nil || opts.budget.exhausted() {
				break
			}
			data, err := opts.readInput(ctx, f)
			if err != nil {
				scan.Errors = append(scan.Errors, subject.LoadError{Source: f, Message: err.Error()})
				continue
			}
			scan.Merge(scanreport.LoadBytes(f, data))
		}
	}
	return scan
}

func reportFiles(root string, scan *subject.Scan) []string {
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			scan.Errors = append(scan.Errors, subject.LoadError{Source: path, Message: describeFSError(err)})
			return nil
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && strings.EqualFold(filepath.Ext(path), ".json") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		scan.Errors = append(scan.Errors, subject.LoadError{Source: root, Message: fmt.Sprintf("--scan-reports: %v", err)})
	}
	sort.Strings(files)
	return files
}
