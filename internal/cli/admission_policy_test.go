package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAdmissionPolicyFollowsTheConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, ".akscheck.yaml")
	doc := "checks:\n  disable: [host-pid]\n" +
		"admission:\n  checks: {cpu-limits: deny, host-ipc: off}\n  excludeNamespaces: [kube-system, tools]\n" +
		"exemptions:\n  - check: host-network\n    container: sidecar\n    reason: CNI\n"
	if err := os.WriteFile(cfg, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "policies.yaml")
	code, _, errOut := run(t, "", "admission-policy", "--config", cfg, "-o", out)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "note: exemption of host-network") {
		t.Errorf("no note about the container exemption: %q", errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	yaml := string(data)
	for _, want := range []string{"name: akscheck-privileged-container", "name: akscheck-cpu-limits", "- tools", "kind: ValidatingAdmissionPolicyBinding"} {
		if !strings.Contains(yaml, want) {
			t.Errorf("the policies lack %q", want)
		}
	}
	for _, unwanted := range []string{"akscheck-host-pid", "akscheck-host-ipc", "akscheck-latest-tag"} {
		if strings.Contains(yaml, unwanted) {
			t.Errorf("the policies hold %s", unwanted)
		}
	}
	i := strings.Index(yaml, "policyName: akscheck-cpu-limits")
	if i < 0 || !strings.HasPrefix(yaml[i:], "policyName: akscheck-cpu-limits\n  validationActions:\n  - Deny\n") {
		t.Error("cpu-limits is not denied as the config says")
	}
}
