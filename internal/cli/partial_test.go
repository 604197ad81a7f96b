package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestPartialScan: the changed files of a commit, scanned with --partial, are not failed for
// the NetworkPolicies, PDBs and quotas other files hold: those checks are not evaluated.
// What the files show on their own is still judged.
func TestPartialScan(t *testing.T) {
	t.Parallel()
	deployment := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: 3\n" +
		"  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n" +
		"    spec:\n      containers: [{name: c, image: contoso.azurecr.io/web:1.0, securityContext: {privileged: true}}]\n"
	scanJSON := func(args ...string) (map[string]bool, map[string]map[string]string) {
		t.Helper()
		_, out, stderr := run(t, deployment, append([]string{"scan", "-o", "json", "--fail-on", "none"}, append(args, "-")...)...)
		var rep struct {
			Findings []struct{ Check string }
			Items    []struct{ ID, Status, Reason string }
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		checks := map[string]bool{}
		for _, f := range rep.Findings {
			checks[f.Check] = true
		}
		items := map[string]map[string]string{}
		for _, it := range rep.Items {
			items[it.ID] = map[string]string{"status": it.Status, "reason": it.Reason}
		}
		return checks, items
	}
	whole, _ := scanJSON()
	part, items := scanJSON("--partial")
	for _, c := range []string{"network-policy-coverage", "default-deny-ingress", "pdb-coverage", "resource-quota"} {
		if !whole[c] || part[c] {
			t.Errorf("%s: whole scan %v, partial %v (want a finding only in the whole scan)", c, whole[c], part[c])
		}
	}
	if !part["privileged-container"] {
		t.Error("--partial dropped a finding on the file itself")
	}
	pdb := items["resources.pdb"]
	if pdb["status"] != "not-evaluated" || !strings.Contains(pdb["reason"], "other files of the estate may hold (--partial)") {
		t.Errorf("resources.pdb: %v", pdb)
	}
	if code, _, stderr := run(t, "", "scan", "--partial", "--cluster", "--kubeconfig", "/nonexistent"); code != ExitUsage || !strings.Contains(stderr, "--partial") {
		t.Errorf("--partial --cluster: exit %d, %s", code, stderr)
	}
	if !slices.Contains(scanFlagGroups()[0].flags, "partial") {
		t.Error("--partial is not among the input flags of the help")
	}
}
