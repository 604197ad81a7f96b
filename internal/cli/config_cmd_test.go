package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigInitAndValidate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ".akscheck.yaml")
	if code, _, errOut := run(t, "", "config", "init", path); code != ExitOK {
		t.Fatalf("config init: exit %d: %s", code, errOut)
	}
	if code, _, _ := run(t, "", "config", "init", path); code != ExitUsage {
		t.Error("config init overwrote an existing file without --force")
	}
	if code, out, errOut := run(t, "", "config", "validate", path); code != ExitOK || !strings.Contains(out, "valid") {
		t.Fatalf("the starter config does not validate: %d %s %s", code, out, errOut)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "privileged-container") {
		t.Error("the starter config does not list the checks")
	}
}

func TestScanWithConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("checks:\n  disabel: [cpu-limits]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "", "scan", "--config", bad, "../../examples")
	if code != ExitUsage || !strings.Contains(errOut, bad+`:2: unknown key "disabel" in checks (did you mean "disable"?)`) {
		t.Errorf("invalid config: exit %d, stderr %q", code, errOut)
	}
	good := filepath.Join(dir, "good.yaml")
	cfg := "checks:\n  disable: [dev.security-context, container.allowed-registries, dev.secrets-key-vault, network.block-imds, windows.no-privileged, cluster.k8s-rbac-aad, cluster.no-dashboard, resources.pdb]\n" +
		"  severity: {dev.manifest-practices: info}\n"
	if err := os.WriteFile(good, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := run(t, "", "scan", "-o", "json", "--config", good, "--fail-on", "critical", "../../examples")
	if strings.Contains(out, `"check":"privileged-container"`) {
		t.Error("a disabled item's check ran")
	}
	if !strings.Contains(out, `"check":"latest-tag","item":"dev.manifest-practices","severity":"info"`) {
		t.Error("the severity override is not in the report")
	}
	if code != ExitOK && code != ExitFindings {
		t.Errorf("exit %d", code)
	}
}

func TestHelmAndKustomizeInputs(t *testing.T) {
	t.Parallel()
	_, out, _ := run(t, "", "scan", "-o", "json", "--release-name", "prod", "--set", "replicaCount=1", "--set", "autoscaling.minReplicas=1", "../../examples/helm", "../../examples/kustomize")
	for _, want := range []string{
		`{"kind":"helm","source":"../../examples/helm/catalog","objects":3}`,
		`{"kind":"kustomize","source":"../../examples/kustomize/search/overlays/prod","objects":1}`,
		`"name":"prod-catalog"},"container":"api","location":{"file":"../../examples/helm/catalog/templates/deployment.yaml"`,
		`"check":"replicas","item":"dev.replicas","severity":"medium","message":"Deployment prod-catalog runs 1 replica: `,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %s", want)
		}
	}
}
