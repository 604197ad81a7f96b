package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/testutil/gentree"
)

// TestGeneratedTreeReports pins the JSON report of a small dense and a small sparse generated
// tree (the trees of make bench-scale, package gentree), sorted: the findings one per line in
// order, then the items, the summary and the inputs. The engine's indexes and evaluation
// order may change for speed; what it reports must not. Regenerate with
// `go test ./internal/cli -run TestGeneratedTreeReports -update` and review the diff.
func TestGeneratedTreeReports(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		shape gentree.Shape
		n     int
	}{{gentree.Dense, 330}, {gentree.Sparse, 140}} {
		t.Run(string(tt.shape), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if _, err := gentree.Write(dir, tt.shape, tt.n, 1); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := run(t, "", "scan", "-o", "json", dir)
			if code != ExitOK && code != ExitFindings {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			// The tree's folder is a new temporary one each run.
			out = strings.ReplaceAll(out, filepath.ToSlash(dir), "TREE")
			matchGolden(t, filepath.Join("testdata", fmt.Sprintf("gentree-%s.golden", tt.shape)), sortedReport(t, out))
		})
	}
}

// sortedReport is a JSON report with its findings as sorted lines of compact JSON, then every
// other top-level field, each on its own line.
func sortedReport(t *testing.T, report string) string {
	t.Helper()
	var rep map[string]json.RawMessage
	if err := json.Unmarshal([]byte(report), &rep); err != nil {
		t.Fatalf("the report is not JSON: %v", err)
	}
	var findings []json.RawMessage
	if err := json.Unmarshal(rep["findings"], &findings); err != nil {
		t.Fatal(err)
	}
	lines := make([]string, 0, len(findings))
	for _, f := range findings {
		var v any
		if err := json.Unmarshal(f, &v); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(v) // map keys sorted
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	slices.Sort(lines)
	delete(rep, "findings")
	keys := make([]string, 0, len(rep))
	for k := range rep {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		var v any
		if err := json.Unmarshal(rep[k], &v); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, k+": "+string(b))
	}
	return strings.Join(lines, "\n") + "\n"
}
