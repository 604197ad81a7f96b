package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// realEstateDir holds small estates in the style of the public samples AKS operators scan
// first (see its README). Every finding on them must be one an AKS expert agrees with.
const realEstateDir = "../../testdata/real-estate"

// TestRealEstates scans each estate on its own and compares its findings, errors and item
// statuses with a golden file in testdata/real-estate/. Regenerate with
// `go test ./internal/cli -run TestRealEstates -update` and review every changed line: a new
// finding there is a false alarm until shown otherwise.
func TestRealEstates(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(realEstateDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(realEstateDir, e.Name())
			_, out, stderr := run(t, "", "scan", "--allow-errors", "-o", "json", dir)
			var rep struct {
				Summary struct {
					Findings map[string]int `json:"findings"`
					Items    map[string]int `json:"items"`
					Score    float64        `json:"score"`
				} `json:"summary"`
				Findings []struct {
					Check, Severity, Message string
					Object                   struct{ Kind, Namespace, Name string }
					Location                 struct {
						File string
						Line int
						Path string
					}
				} `json:"findings"`
				Errors []struct {
					Source  string
					Line    int
					Message string
				} `json:"errors"`
				Items []struct{ ID, Status, Reason string } `json:"items"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			rel := func(file string) string { return strings.TrimPrefix(filepath.ToSlash(file), filepath.ToSlash(dir)+"/") }
			var b strings.Builder
			s := rep.Summary
			fmt.Fprintf(&b, "estate %s: %d findings (critical %d, high %d, medium %d, low %d, info %d); score %g\n",
				e.Name(), len(rep.Findings), s.Findings["critical"], s.Findings["high"], s.Findings["medium"], s.Findings["low"], s.Findings["info"], s.Score)
			fmt.Fprintf(&b, "items: pass %d, fail %d, not-applicable %d, not-evaluated %d, manual %d\n",
				s.Items["pass"], s.Items["fail"], s.Items["not-applicable"], s.Items["not-evaluated"], s.Items["manual"])
			b.WriteString("\nerrors:\n")
			for _, e := range rep.Errors {
				fmt.Fprintf(&b, "  %s:%d %s\n", rel(e.Source), e.Line, e.Message)
			}
			b.WriteString("\nfindings:\n")
			for _, f := range rep.Findings {
				obj := f.Object.Kind + "/" + f.Object.Name
				if f.Object.Namespace != "" {
					obj = f.Object.Kind + "/" + f.Object.Namespace + "/" + f.Object.Name
				}
				loc := fmt.Sprintf("%s:%d", rel(f.Location.File), f.Location.Line)
				if f.Location.Path != "" {
					loc += " " + f.Location.Path
				}
				fmt.Fprintf(&b, "  %-8s %s %s (%s)\n           %s\n", f.Severity, f.Check, obj, loc, f.Message)
			}
			b.WriteString("\nitems (all but manual):\n")
			for _, it := range rep.Items {
				if it.Status == "manual" {
					continue
				}
				fmt.Fprintf(&b, "  %-15s %s\n", it.Status, it.ID)
			}
			matchGolden(t, filepath.Join("testdata", "real-estate", e.Name()+".golden"), b.String())
		})
	}
}
