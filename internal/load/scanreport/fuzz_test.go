package scanreport

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/load/scanreport/generate"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// FuzzLoadBytes feeds arbitrary bytes to the report loader. It must never panic, must return
// either one report or one error entry naming the file, and every report's references must
// be valid images. Findings of the fuzzer are kept in testdata/fuzz/FuzzLoadBytes and run by
// plain `go test`.
func FuzzLoadBytes(f *testing.F) {
	seeds := []string{
		`{"SchemaVersion":2,"ArtifactName":"a:1","Results":[{"Target":"t","Class":"os-pkgs","Vulnerabilities":[{"VulnerabilityID":"CVE-1","PkgName":"p","FixedVersion":"2","Severity":"HIGH"}]}]}`,
		`{"matches":[{"vulnerability":{"id":"CVE-1","severity":"High","fix":{"versions":["2"],"state":"fixed"}},"artifact":{"name":"p","version":"1","type":"deb"}}],"source":{"type":"image","target":{"userInput":"a@sha256:0000000000000000000000000000000000000000000000000000000000000000","repoDigests":["a@sha256:0000000000000000000000000000000000000000000000000000000000000000"]}},"descriptor":{"timestamp":"2026-11-23T10:00:00.5+01:00"}}`,
		`{"matches":[],"source":{"type":"directory","target":"."}}`,
		`[{"Target":"x"}]`,
		`{"SchemaVersion":"2","ArtifactName":1}`,
		string(generate.Trivy("big:1", time.Unix(0, 0), 20)),
	}
	testutil.AddSeeds(f, seeds,
		filepath.Join("..", "..", "..", "examples", "images", "*.json"),
		filepath.Join("..", "..", "checks", "vuln", "testdata", "*", "*.json"),
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang is a failing input, not a fuzzer that never returns.
		testutil.WithinBudget(t, testutil.FuzzBudget, func() {
			s := LoadBytes("report.json", data)
			if len(s.Errors)+len(s.Others) != 1 || len(s.Inputs) != 1 {
				t.Fatalf("want one report or one error: %+v, %d reports", s.Errors, len(s.Others))
			}
			for _, e := range s.Errors {
				if e.Source != "report.json" || e.Message == "" || e.Line < 0 || strings.Contains(e.Message, "json:") {
					t.Fatalf("bad error entry %+v", e)
				}
			}
			for _, o := range s.Others {
				r := o.(*subject.ImageReport)
				for _, im := range r.Images {
					if !im.Valid {
						t.Fatalf("invalid image reference kept: %+v", im)
					}
				}
				for _, v := range r.Vulnerabilities {
					if v.Severity == "" {
						t.Fatalf("vulnerability without severity: %+v", v)
					}
				}
			}
		})
	})
}
