package cli

import (
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/load/bicep/biceptest"
	"github.com/akscheck/akscheck/internal/report"
)

// bicepFindings scans examples/bicep and returns its findings as check@file:line.
func bicepFindings(t *testing.T, args ...string) (int, []string, *report.Report) {
	t.Helper()
	code, out, errOut := run(t, "", append(append([]string{"scan", "-o", "json"}, args...), "../../examples/bicep")...)
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report: %v\n%s\n%s", err, out, errOut)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Check+"@"+filepath.ToSlash(strings.TrimPrefix(f.Location.File, "../../"))+":"+itoaLine(f.Location.Line))
	}
	sort.Strings(got)
	return code, got, &r
}

func itoaLine(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestScanBicep: akscheck scan compiles the example's .bicep file with the compiler --bicep
// or AKSCHECK_BICEP names (here the stand-in that replays the real compiler's recorded
// output) and reports each finding at its .bicep line; without a compiler each .bicep file is
// an error entry (and with nothing else read, exit 2).
func TestScanBicep(t *testing.T) {
	fake := biceptest.Compiler(t, "bicep")
	want := []string{
		"acr-admin-user@examples/bicep/modules/registry.bicep:14",
		"acr-passwordless-pull@examples/bicep/modules/registry.bicep:14",
		"ephemeral-os-disk@examples/bicep/shop.bicep:145",
		"kubernetes-rbac-entra@examples/bicep/shop.bicep:37",
	}
	code, got, r := bicepFindings(t, "--bicep", fake)
	if code != ExitFindings || strings.Join(got, "\n") != strings.Join(want, "\n") || len(r.Errors) != 0 {
		t.Errorf("--bicep: exit %d, errors %+v, findings:\n%s", code, r.Errors, strings.Join(got, "\n"))
	}
	for _, f := range r.Findings {
		if f.Fix == nil || f.Fix.File != f.Location.File || f.Fix.Line != f.Location.Line || !strings.Contains(f.Fix.Note, ".bicep source") {
			t.Errorf("%s: fix %+v", f.Check, f.Fix)
		}
	}

	t.Setenv("AKSCHECK_BICEP", fake)
	if code, got, _ := bicepFindings(t); code != ExitFindings || len(got) != len(want) {
		t.Errorf("AKSCHECK_BICEP: exit %d, findings %v", code, got)
	}

	t.Setenv("AKSCHECK_BICEP", "")
	t.Setenv("PATH", t.TempDir())
	code, got, r = bicepFindings(t)
	if code != ExitUsage || len(got) != 0 || len(r.Errors) != 2 {
		t.Fatalf("no compiler: exit %d, findings %v, errors %+v", code, got, r.Errors)
	}
	for _, e := range r.Errors {
		if !strings.Contains(e.Message, "az bicep build --file") {
			t.Errorf("no compiler: %+v", e)
		}
	}
}
