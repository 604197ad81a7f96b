package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/akscheck/akscheck/internal/load/scanreport/generate"
	"github.com/akscheck/akscheck/internal/testutil"
)

type imagesReport struct {
	Inputs   []struct{ Kind, Source string }
	Findings []struct {
		Check, Item, Severity, Message string
		Object                         struct{ Kind, Namespace, Name string }
		Location                       struct {
			File string
			Line int
		}
		Related []struct{ Kind, Namespace, Name, Container string }
	}
	Items  []struct{ ID, Status string }
	Errors []struct {
		Source, Message string
		Line            int
	}
}

func decodeImages(t *testing.T, out string) imagesReport {
	t.Helper()
	var rep imagesReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return rep
}

func (r imagesReport) status(item string) string {
	for _, it := range r.Items {
		if it.ID == item {
			return it.Status
		}
	}
	return ""
}

// scanItems are proved by scan reports only (container.image-scanning also by a cluster's
// Defender setting, which the examples hold).
var scanItems = []string{"dev.image-static-analysis", "dev.vulnerability-threshold"}

// TestScanReports runs the examples with and without --scan-reports: the report items are
// not evaluated without it, and with it the vulnerability findings name the workloads that run
// the image, in the message and in related.
func TestScanReports(t *testing.T) {
	t.Parallel()
	_, out, _ := run(t, "", "scan", "-o", "json", "../../examples")
	without := decodeImages(t, out)
	for _, item := range scanItems {
		if st := without.status(item); st != "not-evaluated" {
			t.Errorf("without --scan-reports, %s is %s, want not-evaluated", item, st)
		}
	}
	for _, f := range without.Findings {
		if f.Check == "image-scan-report" {
			t.Errorf("image-scan-report ran without --scan-reports: %s", f.Message)
		}
	}
	if st := without.status("cluster.base-image-refresh"); st != "manual" {
		t.Errorf("without --scan-reports, cluster.base-image-refresh is %s, want manual", st)
	}
	for _, item := range []string{"dev.dockerfile-scanning", "dev.image-compliance", "container.distroless"} {
		if st := without.status(item); st != "fail" {
			t.Errorf("%s is %s with the example Dockerfiles, want fail", item, st)
		}
	}

	code, out, _ := run(t, "", "scan", "-o", "json", "--scan-reports", "../../examples/images", "../../examples")
	if code != ExitFindings {
		t.Errorf("exit %d, want %d", code, ExitFindings)
	}
	schema := testutil.CompileSchema(t, reportSchema)
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("report does not match the contract: %v", err)
	}
	with := decodeImages(t, out)
	for _, item := range append(scanItems, "cluster.base-image-refresh", "container.image-scanning") {
		if st := with.status(item); st != "fail" {
			t.Errorf("with the example reports, %s is %s, want fail", item, st)
		}
	}
	kinds := map[string]int{}
	for _, in := range with.Inputs {
		kinds[in.Kind]++
	}
	if kinds["scan"] != 3 || kinds["dockerfile"] != 2 {
		t.Errorf("inputs by kind = %v, want 3 scan reports and 2 Dockerfiles", kinds)
	}
	joined := false
	for _, f := range with.Findings {
		if f.Check != "vulnerability-threshold" || !strings.Contains(f.Message, "CVE-2024-6119") {
			continue
		}
		deployment := false
		for _, r := range f.Related {
			deployment = deployment || (r.Kind == "Deployment" && r.Namespace == "shop" && r.Name == "storefront" && r.Container == "web")
		}
		joined = deployment && len(f.Related) == 2 && strings.Contains(f.Message, "Deployment/shop/storefront [web]") &&
			strings.Contains(f.Message, "Pod/shop/storefront-6c9f8b7d5-x2k4q [web]") &&
			f.Object.Kind == "Image" && strings.HasSuffix(f.Location.File, "storefront.trivy.json")
		if !joined {
			t.Errorf("finding not joined to its workloads: %+v", f)
		}
	}
	if !joined {
		t.Error("no finding for CVE-2024-6119 of the storefront image")
	}
}

// TestLargeScanReport scans a generated Trivy report of 12,000 vulnerabilities: the table
// aggregates them per severity, the JSON report lists each.
func TestLargeScanReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	image := "contosoacr.azurecr.io/shop/big:1.0"
	if err := os.WriteFile(filepath.Join(dir, "big.trivy.json"), generate.Trivy(image, testNow().Add(-time.Hour), 12000), 0o644); err != nil {
		t.Fatal(err)
	}
	deploy := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big, namespace: shop}\nspec:\n  selector: {matchLabels: {app: big}}\n" +
		"  template:\n    metadata: {labels: {app: big}}\n    spec:\n      containers: [{name: app, image: " + image + "}]\n"
	if err := os.WriteFile(filepath.Join(dir, "big.yaml"), []byte(deploy), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, out, _ := run(t, "", "scan", "-o", "json", "--scan-reports", dir, dir)
	elapsed := time.Since(start)
	rep := decodeImages(t, out)
	vulns := 0
	for _, f := range rep.Findings {
		if f.Check == "vulnerability-threshold" {
			vulns++
		}
	}
	// The generator cycles through 9 severities, the first three critical or high.
	if want := 3*(12000/9) + min(12000%9, 3); vulns != want {
		t.Errorf("JSON lists %d vulnerability findings, want %d", vulns, want)
	}
	_, table, _ := run(t, "", "scan", "--no-color", "--scan-reports", dir, dir)
	lines := 0
	for _, l := range strings.Split(table, "\n") {
		if strings.Contains(l, "vulnerability-threshold") {
			lines++
			if !strings.Contains(l, "aggregated") || !strings.Contains(l, "related: Deployment/shop/big [app]") {
				t.Errorf("row not aggregated: %s", l)
			}
		}
	}
	if lines != 3 {
		t.Errorf("the table has %d vulnerability rows, want 3 (critical, high, info)", lines)
	}
	t.Logf("12,000-vulnerability report: JSON scan in %v", elapsed)
}

func TestImageFlags(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"apiVersion":"v1","kind":"ConfigMap"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--vuln-threshold", "urgent", "../../examples/images"}, ExitUsage, ""},
		{[]string{"--vuln-unfixed-severity", "none", "../../examples/images"}, ExitUsage, ""},
		{[]string{"--report-max-age", "soon", "../../examples/images"}, ExitUsage, ""},
		{[]string{"--scan-reports", "../../examples/images"}, ExitFindings, "CVE-2024-45490"},
		{[]string{"--scan-reports", "../../examples/images", "--vuln-threshold", "critical", "--fail-on", "critical"}, ExitFindings, "CVE-2024-45490"},
		{[]string{"--scan-reports", bad}, ExitUsage, "not a Trivy (schema v2"},
		{[]string{"--scan-reports", "does-not-exist"}, ExitUsage, "--scan-reports: cannot read"},
		{[]string{"--target", "build", "../../examples/images/storefront.Dockerfile"}, ExitOK, "stage build"},
	} {
		code, out, stderr := run(t, "", append([]string{"scan", "--no-color"}, tc.args...)...)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("scan %v: exit %d (want %d), output lacks %q:\n%s%s", tc.args, code, tc.code, tc.want, out, stderr)
		}
	}
}

// TestImagesGolden compares the report of the example images (Dockerfiles and scan reports,
// no manifests) with golden files. Regenerate with go test ./internal/cli -update.
func TestImagesGolden(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"table", "json"} {
		_, out, _ := run(t, "", "scan", "--no-color", "-o", format, "--scan-reports", "../../examples/images", "../../examples/images")
		matchGolden(t, filepath.Join("testdata", "images."+format+".golden"), out)
	}
}
