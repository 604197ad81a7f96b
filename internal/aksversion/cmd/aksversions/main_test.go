package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/akscheck/akscheck/internal/aksversion"
)

func TestRegenerate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cal := filepath.Join(dir, "calendar.md")
	if err := os.WriteFile(cal, []byte("| 1.36 | Apr 2026 | May 2026 | Jun 2026 | Jun 2027 | until 1.40 GA | Jun 2028 |\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	versions := filepath.Join(dir, "versions.json")
	if err := os.WriteFile(versions, []byte(`{"values": [{"version": "1.36", "patchVersions": {"1.36.2": {}, "1.36.10": {}}},
 {"version": "1.37", "capabilities": {"supportPlan": ["KubernetesOfficial"]}, "patchVersions": {"1.37.1": {}}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(&out, cal, versions, "2026-11-24", "test"); err != nil {
		t.Fatal(err)
	}
	d, err := aksversion.Parse(out.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if d.AsOf != "2026-11-24" || len(d.Minors) != 2 || d.Minors[0].EndOfLife != "2027-06-30" || d.Minors[0].Patches[1] != "1.36.10" || d.Minors[1].Version != "1.37" {
		t.Errorf("regenerated data: %+v", d)
	}
	if err := run(&out, "", "", "2026-11-24", "x"); err == nil {
		t.Error("-calendar is required")
	}
}

// TestShippedMatchesReference: the shipped data is the release calendar of the project's
// reference notes (shared/reference/aks-versions.md, beside the repository), when present.
func TestShippedMatchesReference(t *testing.T) {
	t.Parallel()
	ref := filepath.Join("..", "..", "..", "..", "..", "shared", "reference", "aks-versions.md")
	md, err := os.ReadFile(ref)
	if err != nil {
		t.Skipf("reference notes not beside the repository: %v", err)
	}
	cal, err := aksversion.ParseCalendar(md)
	if err != nil {
		t.Fatal(err)
	}
	shipped := aksversion.Shipped()
	if len(cal) != len(shipped.Minors) {
		t.Fatalf("%d minors in the reference, %d shipped", len(cal), len(shipped.Minors))
	}
	for i, m := range cal {
		s := shipped.Minors[i]
		if m.Version != s.Version || m.GA != s.GA || m.EndOfLife != s.EndOfLife || m.LTSEndOfLife != s.LTSEndOfLife {
			t.Errorf("%s: reference %+v, shipped %+v", m.Version, m, s)
		}
	}
}
