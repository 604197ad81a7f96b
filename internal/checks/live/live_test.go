package live

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/checktest"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// fixtureNow is the date of the fixtures' scans.
var fixtureNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// apiserverLine sets the API server version of a fixture: "# apiserver: v1.31.2".
var apiserverLine = regexp.MustCompile(`(?m)^# apiserver: (\S+)$`)

// loadFixture reads a fixture as the live loader would have read the cluster: its objects
// from the API, a LiveCluster of its Nodes, and cluster evidence only.
func loadFixture(t *testing.T, file string) *subject.Scan {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	scan := manifest.LoadBytes(file, data, manifest.Options{Input: subject.InputCluster})
	if len(scan.Errors) > 0 {
		t.Fatalf("fixture does not load: %+v", scan.Errors)
	}
	version := "v1.31.2"
	if m := apiserverLine.FindSubmatch(data); m != nil {
		version = string(m[1])
	}
	scan.Others = append(scan.Others, subject.NewLiveCluster("fixture", "https://fixture.hcp.westeurope.azmk8s.io:443", version, scan.Objects))
	scan.Evidence = map[catalog.Evidence]bool{catalog.Cluster: true}
	return scan
}

// TestFixtures runs each check on its fixtures: testdata/<id>/pass_*.yaml must give no
// finding and make the item pass; fail_*.yaml must give at least one finding.
func TestFixtures(t *testing.T) {
	t.Parallel()
	checktest.Suite{Checks: Checks(), Pattern: "*.yaml", Load: loadFixture, Now: fixtureNow,
		Finding: func(t *testing.T, _ string, fd report.Finding) {
			if !strings.Contains(fd.Message, "evidence") {
				t.Errorf("finding does not name its evidence: %s", fd.Message)
			}
		}}.Run(t)
}

// TestGitOpsObjectsUnlisted: Flux runs, and its Kustomizations could not be listed (RBAC
// forbids it): the check does not say Flux deploys nothing, and its item is not evaluated,
// naming the kind.
func TestGitOpsObjectsUnlisted(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	scan := loadFixture(t, "testdata/live-gitops-controller/fail_flux_idle.yaml")
	scan.Unlisted = map[string]string{"Kustomization": "forbidden"}
	rep := engine.Run(t.Context(), cat, []*check.Check{GitOps}, scan, engine.Options{})
	if len(rep.Findings) > 0 {
		t.Errorf("findings %+v, want none: the Kustomizations were not seen", rep.Findings)
	}
	it := testutil.Item(rep, GitOps.Item)
	if it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, "Kustomization: forbidden") {
		t.Errorf("item %s (%s), want not evaluated for want of the Kustomizations", it.Status, it.Reason)
	}
}
