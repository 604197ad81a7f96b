package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func azureFindings(t *testing.T, args ...string) (int, map[string][]string) {
	t.Helper()
	code, out, errOut := run(t, "", append([]string{"scan", "-o", "json"}, args...)...)
	var rep struct {
		Findings []struct {
			Check   string `json:"check"`
			Message string `json:"message"`
		} `json:"findings"`
		Errors []any `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("exit %d, no JSON report: %v\n%s", code, err, errOut)
	}
	if len(rep.Errors) > 0 {
		t.Fatalf("errors: %+v", rep.Errors)
	}
	byCheck := map[string][]string{}
	for _, f := range rep.Findings {
		byCheck[f.Check] = append(byCheck[f.Check], f.Message)
	}
	return code, byCheck
}

// TestAzureCheckFlags: the flags of the Azure checks reach them.
func TestAzureCheckFlags(t *testing.T) {
	t.Parallel()
	cluster := filepath.Join("..", "load", "arm", "testdata", "az", "aks-hardened.json")
	_, base := azureFindings(t, cluster)
	if len(base["azure-required-tags"]) != 0 || len(base["regulated-profile"]) != 0 || len(base["kubernetes-version"]) != 0 {
		t.Fatalf("the hardened cluster should pass: %v", base)
	}

	_, got := azureFindings(t, "--required-tag", "costCenter", "--profile", "regulated", cluster)
	if len(got["azure-required-tags"]) == 0 || !strings.Contains(got["azure-required-tags"][0], `"costCenter"`) {
		t.Errorf("--required-tag: %v", got["azure-required-tags"])
	}
	if len(got["regulated-profile"]) != 0 {
		t.Errorf("the hardened cluster meets the regulated profile: %v", got["regulated-profile"])
	}

	versions := filepath.Join(t.TempDir(), "versions.json")
	if err := os.WriteFile(versions, []byte(`{"values": [{"version": "1.37", "capabilities": {"supportPlan": ["KubernetesOfficial"]}, "patchVersions": {"1.37.2": {}}},
 {"version": "1.38", "capabilities": {"supportPlan": ["KubernetesOfficial"]}, "patchVersions": {"1.38.1": {}}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, got := azureFindings(t, "--versions-file", versions, cluster)
	if len(got["kubernetes-version"]) != 1 || !strings.Contains(got["kubernetes-version"][0], "out of support") || code != 1 {
		t.Errorf("--versions-file: exit %d, %v", code, got["kubernetes-version"])
	}

	tmpl := filepath.Join("..", "load", "arm", "testdata", "templates", "aks.json")
	params := filepath.Join("..", "load", "arm", "testdata", "templates", "aks.parameters.json")
	_, got = azureFindings(t, "--arm-parameters", params, tmpl)
	if len(got["private-cluster"]) != 1 {
		t.Errorf("--arm-parameters (privateCluster false): %v", got["private-cluster"])
	}

	v3 := filepath.Join("..", "load", "terraform", "testdata", "v3", "main.tf")
	_, got = azureFindings(t, v3)
	if len(got["private-cluster"]) != 0 {
		t.Errorf("an unset variable must not fail: %v", got["private-cluster"])
	}
	vars := filepath.Join(t.TempDir(), "public.tfvars")
	if err := os.WriteFile(vars, []byte("private_cluster = false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, got = azureFindings(t, "--tf-var-file", vars, v3)
	if len(got["private-cluster"]) != 1 {
		t.Errorf("--tf-var-file: %v", got["private-cluster"])
	}

	if code, _, _ := run(t, "", "scan", "--profile", "lax", cluster); code != 2 {
		t.Errorf("--profile lax: exit %d, want 2", code)
	}
	if code, _, _ := run(t, "", "scan", "--versions-file", "/nonexistent.json", cluster); code != 2 {
		t.Errorf("--versions-file missing: exit %d, want 2", code)
	}
}
