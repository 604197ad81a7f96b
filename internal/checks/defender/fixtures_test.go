package defender

import (
	"os"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/checktest"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// fixtureCluster is the cluster whose assessments the fixtures hold.
const fixtureCluster = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-fixture"

// loadFixture reads a fixture: the rows Azure Resource Graph returns for the cluster's
// assessments (the query of internal/load/azure/defender.go), decoded as --azure decodes them.
func loadFixture(t *testing.T, path string) *subject.Scan {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := azure.DecodeRecommendations(fixtureCluster, data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &subject.Scan{Others: []subject.Subject{rec}, Evidence: map[catalog.Evidence]bool{catalog.ARM: true},
		Inputs: []subject.Input{{Kind: subject.InputARM, Source: path, Objects: 1}}}
}

func TestFixtures(t *testing.T) {
	t.Parallel()
	checktest.Suite{Checks: Checks(), Load: loadFixture, Now: testutil.Now(),
		Finding: func(t *testing.T, _ string, fd report.Finding) {
			if fd.Location.File != fixtureCluster || !strings.Contains(fd.Message, "aks-fixture") {
				t.Errorf("finding %q at %q: want it on the cluster", fd.Message, fd.Location.File)
			}
		}}.Run(t)
}

func run(t *testing.T, scan *subject.Scan) *report.Report {
	t.Helper()
	return engine.Run(t.Context(), catalog.MustLoad(), []*check.Check{Recommendations}, scan, engine.Options{Now: testutil.Now})
}

// The finding names each unhealthy recommendation with its severity, the first five, and
// counts the rest; it takes the highest severity among them.
func TestRecommendationsListed(t *testing.T) {
	t.Parallel()
	rep := run(t, loadFixture(t, "testdata/defender-recommendations/fail_many.json"))
	if len(rep.Findings) != 1 {
		t.Fatalf("%d findings, want 1", len(rep.Findings))
	}
	f := rep.Findings[0]
	for _, want := range []string{"7 unhealthy recommendation(s)", "Kubernetes API server should be configured with restricted access (High)", "and 2 more"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message %q lacks %q", f.Message, want)
		}
	}
	if strings.Contains(f.Message, "Diagnostic logs") {
		t.Errorf("message %q names more than five", f.Message)
	}
	if f.Severity != check.High {
		t.Errorf("severity %s, want high", f.Severity)
	}
	rep = run(t, loadFixture(t, "testdata/defender-recommendations/fail_unhealthy.json"))
	if it := testutil.Item(rep, "ops.defender").Status; it != report.StatusFail {
		t.Errorf("ops.defender is %s, want fail", it)
	}
}

// Recommendations that could not be read leave the item not evaluated, naming why.
func TestRecommendationsUnread(t *testing.T) {
	t.Parallel()
	rec := &subject.DefenderRecommendations{ClusterID: fixtureCluster, Name: "aks-fixture", Error: "forbidden (AuthorizationFailed): the Azure identity may not read it"}
	rep := run(t, &subject.Scan{Others: []subject.Subject{rec}, Evidence: map[catalog.Evidence]bool{catalog.ARM: true}})
	if len(rep.Findings) != 0 {
		t.Errorf("findings %+v", rep.Findings)
	}
	it := testutil.Item(rep, "ops.defender")
	if it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, "forbidden") || !strings.Contains(it.Reason, "Security Reader") {
		t.Errorf("ops.defender is %s (%s), want not-evaluated naming the 403 and the role", it.Status, it.Reason)
	}
}

// Bad rows are an error, not an empty list.
func TestDecodeRecommendationsRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{}`, `[{"id": "x"}]`, `[{"properties": {"status": {"code": "Healthy"}}}]`, `nope`} {
		if _, err := azure.DecodeRecommendations(fixtureCluster, []byte(in)); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}
