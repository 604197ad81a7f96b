package admissionpolicy

import (
	"bytes"
	"flag"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/enforce"
	"github.com/akscheck/akscheck/internal/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestGenerateIsDeterministicAndMatchesGolden(t *testing.T) {
	t.Parallel()
	var outs [2]bytes.Buffer
	for i := range outs {
		set, err := Generate(Options{Checks: checks.All()})
		if err != nil {
			t.Fatal(err)
		}
		if err := set.WriteYAML(&outs[i], "# akscheck admission-policy\n"); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(outs[0].Bytes(), outs[1].Bytes()) {
		t.Fatal("two generations differ")
	}
	golden := filepath.Join("testdata", "default.golden.yaml")
	if *update {
		if err := os.WriteFile(golden, outs[0].Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/admissionpolicy -update)", err)
	}
	if !bytes.Equal(want, outs[0].Bytes()) {
		t.Errorf("the policies differ from %s; run go test ./internal/admissionpolicy -update and review the diff", golden)
	}
}

func TestEveryCoveredCheckGetsAPolicyAndBinding(t *testing.T) {
	t.Parallel()
	covered := Covered(checks.All())
	set, err := Generate(Options{Checks: checks.All()})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Policies) != len(covered) || len(set.Bindings) != len(covered) {
		t.Fatalf("%d policies and %d bindings for %d covered checks", len(set.Policies), len(set.Bindings), len(covered))
	}
	for i, p := range set.Policies {
		b := set.Bindings[i]
		if b.Spec.PolicyName != p.Name || b.Name != p.Name {
			t.Errorf("binding %s binds %s, want %s", b.Name, b.Spec.PolicyName, p.Name)
		}
		ns := b.Spec.MatchResources.NamespaceSelector.MatchExpressions
		if len(ns) != 1 || ns[0].Key != "kubernetes.io/metadata.name" || strings.Join(ns[0].Values, ",") != "kube-system" {
			t.Errorf("binding %s: namespace selector %+v, want kube-system excluded", b.Name, ns)
		}
	}
}

func actionsOf(t *testing.T, set *Set) map[string]admissionregistrationv1.ValidationAction {
	t.Helper()
	out := map[string]admissionregistrationv1.ValidationAction{}
	for _, b := range set.Bindings {
		if len(b.Spec.ValidationActions) != 1 {
			t.Fatalf("binding %s: actions %v", b.Name, b.Spec.ValidationActions)
		}
		out[strings.TrimPrefix(b.Name, "akscheck-")] = b.Spec.ValidationActions[0]
	}
	return out
}

func TestActionsFollowTheAdmissionPolicy(t *testing.T) {
	t.Parallel()
	admission := enforce.Default()
	admission.ByCheck["host-ipc"] = enforce.Off           // high, denied by default
	admission.ByCheck["cpu-limits"] = enforce.Deny        // low, warned by default
	admission.ByCheck["dev.liveness-probe"] = enforce.Off // by item
	admission.ExcludeNamespaces = nil
	policy := &engine.Policy{
		Disabled: map[string]bool{"host-pid": true, "dev.readiness-probe": true},
		Severity: map[string]check.Severity{"privileged-container": check.Medium, "memory-limits": check.Critical},
	}
	set, err := Generate(Options{Checks: checks.All(), Policy: policy, Admission: admission})
	if err != nil {
		t.Fatal(err)
	}
	got := actionsOf(t, set)
	for id, want := range map[string]admissionregistrationv1.ValidationAction{
		"privileged-container":  admissionregistrationv1.Warn, // severity lowered to medium
		"memory-limits":         admissionregistrationv1.Deny, // severity raised to critical
		"cpu-limits":            admissionregistrationv1.Deny,
		"host-network":          admissionregistrationv1.Deny,
		"drop-all-capabilities": admissionregistrationv1.Warn,
	} {
		if got[id] != want {
			t.Errorf("%s: action %q, want %q", id, got[id], want)
		}
	}
	for _, id := range []string{"host-ipc", "liveness-probe", "host-pid", "readiness-probe"} {
		if a, ok := got[id]; ok {
			t.Errorf("%s is off or disabled, yet bound with %s", id, a)
		}
	}
	for _, b := range set.Bindings {
		if b.Spec.MatchResources != nil {
			t.Errorf("binding %s selects namespaces although none is excluded", b.Name)
		}
	}
}

func TestStrictLeavesOutTheAnnotation(t *testing.T) {
	t.Parallel()
	set, err := Generate(Options{Checks: checks.All(), Policy: &engine.Policy{Strict: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range set.Policies {
		if len(p.Spec.MatchConditions) != 0 {
			t.Errorf("%s: match conditions %v under --strict", p.Name, p.Spec.MatchConditions)
		}
	}
}

// TestExemptions checks the match conditions against the engine's rules for the exemption
// annotation and the config's exemptions.
func TestExemptions(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	policy := &engine.Policy{Source: ".akscheck.yaml", Exemptions: []engine.Exemption{
		{Check: "host-network", Namespace: "mon*", Name: "node-[a-c]?", Line: 3},
		{Check: "dev.security-context", Kind: "DaemonSet", Line: 7},
		{Check: "host-network", Name: "old", Expires: now.AddDate(0, 0, -1), Line: 9},
		{Check: "host-network", Name: "soon", Expires: now.AddDate(0, 1, 0), Line: 11},
		{Check: "host-network", Container: "sidecar", Line: 13},
	}}
	set, err := Generate(Options{Checks: checks.All(), Policy: policy, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var p *admissionregistrationv1.ValidatingAdmissionPolicy
	for i := range set.Policies {
		if set.Policies[i].Name == "akscheck-host-network" {
			p = &set.Policies[i]
		}
	}
	if len(set.Notes) != 2 {
		t.Errorf("notes %q: want one for the container exemption and one for the expiry", set.Notes)
	}
	env, err := newEnv()
	if err != nil {
		t.Fatal(err)
	}
	pod := func(kind, ns, name string, annotations map[string]any) map[string]any {
		meta := map[string]any{"name": name, "namespace": ns}
		if annotations != nil {
			meta["annotations"] = annotations
		}
		spec := map[string]any{"hostNetwork": true, "containers": []any{map[string]any{"name": "c", "image": "x:1"}}}
		if kind != "Pod" {
			spec = map[string]any{"template": map[string]any{"spec": spec}}
		}
		return map[string]any{"apiVersion": "v1", "kind": kind, "metadata": meta, "spec": spec}
	}
	for _, tc := range []struct {
		name     string
		obj      map[string]any
		admitted bool
	}{
		{"no exemption", pod("Deployment", "shop", "web", nil), false},
		{"globs match", pod("Deployment", "monitoring", "node-b1", nil), true},
		{"name glob does not", pod("Deployment", "monitoring", "node-d1", nil), false},
		{"by item and kind", pod("DaemonSet", "shop", "web", nil), true},
		{"expired", pod("Deployment", "shop", "old", nil), false},
		{"not yet expired", pod("Deployment", "shop", "soon", nil), true},
		{"annotation by ID", pod("Pod", "shop", "a", map[string]any{check.ExemptAnnotation: "latest-tag, host-network", check.ExemptReasonAnnotation: "CNI agent"}), true},
		{"annotation by item", pod("Pod", "shop", "a", map[string]any{check.ExemptAnnotation: "dev.security-context", check.ExemptReasonAnnotation: "CNI agent"}), true},
		{"annotation without reason", pod("Pod", "shop", "a", map[string]any{check.ExemptAnnotation: "host-network", check.ExemptReasonAnnotation: " \t"}), false},
		{"annotation for another check", pod("Pod", "shop", "a", map[string]any{check.ExemptAnnotation: "host-networks", check.ExemptReasonAnnotation: "x"}), false},
	} {
		v, err := evaluate(env, p, tc.obj, tc.obj["metadata"].(map[string]any)["namespace"].(string), false)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if v.admitted != tc.admitted {
			t.Errorf("%s: admitted %v, want %v (%s)", tc.name, v.admitted, tc.admitted, v.message)
		}
	}
}

// TestGlobRegexpMatchesAsPathMatch: CEL's matches is RE2, as Go's regexp.
func TestGlobRegexpMatchesAsPathMatch(t *testing.T) {
	t.Parallel()
	values := []string{"", "a", "ab", "abc", "web-1", "web-", "x.y", "xzy", "a*b", "a]", "]", "-", "^", "node-b1", "Node-B1", "é"}
	for _, glob := range []string{"*", "a?", "web-*", "[a-c]*", "[^a-c]*", "x.y", `a\*b`, `[\]a]*`, "*-[0-9]", `[\-]`, "[é]", "?", "[]a]"} {
		re, err := globRegexp(glob)
		if _, bad := path.Match(glob, ""); bad != nil {
			if err == nil {
				t.Errorf("glob %q is malformed, yet translated to %q", glob, re)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", glob, err)
		}
		for _, v := range values {
			want, _ := path.Match(glob, v)
			if got := regexp.MustCompile(re).MatchString(v); got != want {
				t.Errorf("glob %q (regexp %q) on %q: %v, path.Match says %v", glob, re, v, got, want)
			}
		}
	}
}
