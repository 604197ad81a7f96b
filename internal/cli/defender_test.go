package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/report"
)

// scan DIR --azure: Defender for Cloud's vulnerability assessments of the images the
// manifests' workloads run are joined to them as --scan-reports are, each finding naming
// Defender for Cloud; its recommendations for the cluster are one finding; the config's
// vulnerabilities.ignore applies to them as to Trivy's.
func TestAzureDefender(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	manifest := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "shopacr.azurecr.io/shop/web@sha256:4b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"}
      - {name: api, image: "shopacr.azurecr.io/shop/api:2.0.1"}
`
	if err := os.WriteFile(filepath.Join(dir, "web.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(t.TempDir(), "akscheck.yaml")
	if err := os.WriteFile(config, []byte("vulnerabilities:\n  ignore:\n  - {id: CVE-2024-45337, reason: not reachable from the API's handlers}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runAzure(t, srv, "scan", dir, "--azure", "--aks-resource-id", azuretest.ClusterID, "--config", config, "-o", "json")
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1\n%s", code, stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) > 0 {
		t.Errorf("errors = %+v", rep.Errors)
	}
	var web, api, recs bool
	for _, f := range append(rep.Findings, rep.Suppressed...) {
		switch {
		case f.Check == "vulnerability-threshold" && strings.Contains(f.Message, "CVE-2024-2511"):
			web = true
			if f.Severity.String() != "critical" || !strings.Contains(f.Message, "reported by Defender for Cloud") ||
				len(f.Related) != 1 || f.Related[0].Name != "web" || f.Related[0].Container != "web" {
				t.Errorf("CVE-2024-2511: %+v", f)
			}
		case f.Check == "vulnerability-threshold" && strings.Contains(f.Message, "CVE-2024-45337"):
			api = true
			if f.SuppressedBy == "" || !strings.Contains(f.Message, "run by Deployment/shop/web [api]") {
				t.Errorf("CVE-2024-45337 (ignored, by tag): %+v", f)
			}
		case f.Check == "defender-recommendations":
			recs = true
			if !strings.Contains(f.Message, "3 unhealthy recommendation(s) for cluster aks-shop") || !strings.Contains(f.Message, "Kubernetes API server should be configured with restricted access (High)") {
				t.Errorf("recommendations: %s", f.Message)
			}
		}
	}
	if !web || !api || !recs {
		t.Errorf("findings: web CVE %v, api CVE %v, recommendations %v", web, api, recs)
	}
	for _, it := range rep.Items {
		if it.ID == "container.image-scanning" && it.Status == report.StatusPass {
			t.Error("container.image-scanning passes on Defender's findings-only reports")
		}
	}
}
