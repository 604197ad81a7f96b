package kubeapi

import (
	"strconv"
	"strings"
	"testing"
)

func minor(t *testing.T, v string) int {
	t.Helper()
	major, m, ok := strings.Cut(v, ".")
	n, err := strconv.Atoi(m)
	if !ok || major != "1" || err != nil {
		t.Fatalf("%q is not a Kubernetes 1.x minor", v)
	}
	return n
}

func TestTable(t *testing.T) {
	t.Parallel()
	seen := map[[2]string]bool{}
	for _, d := range Deprecations() {
		key := [2]string{d.APIVersion, d.Kind}
		if seen[key] {
			t.Errorf("%s %s is listed twice", d.APIVersion, d.Kind)
		}
		seen[key] = true
		if !builtinGroups[group(d.APIVersion)] {
			t.Errorf("%s %s: group %q is not a built-in group", d.APIVersion, d.Kind, group(d.APIVersion))
		}
		if d.RemovedIn == "" {
			t.Errorf("%s %s: no RemovedIn (the table holds removed versions)", d.APIVersion, d.Kind)
			continue
		}
		if d.DeprecatedIn != "" && minor(t, d.DeprecatedIn) >= minor(t, d.RemovedIn) {
			t.Errorf("%s %s: deprecated in %s, not before its removal in %s", d.APIVersion, d.Kind, d.DeprecatedIn, d.RemovedIn)
		}
		if d.Replacement == "" && d.Note == "" {
			t.Errorf("%s %s: no replacement and no note saying what to do", d.APIVersion, d.Kind)
		}
		// A replacement is served today, or is itself in the table (PodSecurityPolicy).
		if r := d.Replacement; r != "" {
			if _, chained := Lookup(r, d.Kind); !chained && !contains(Served(d.Kind), r) {
				t.Errorf("%s %s: replacement %s is neither served nor deprecated", d.APIVersion, d.Kind, r)
			}
		}
	}
	for _, want := range [][2]string{
		{"apps/v1beta1", "Deployment"}, {"apps/v1beta2", "Deployment"}, {"extensions/v1beta1", "Deployment"},
		{"apps/v1beta2", "DaemonSet"}, {"extensions/v1beta1", "DaemonSet"}, {"apps/v1beta1", "StatefulSet"},
		{"apps/v1beta2", "StatefulSet"}, {"batch/v1beta1", "CronJob"}, {"policy/v1beta1", "PodDisruptionBudget"},
		{"autoscaling/v2beta1", "HorizontalPodAutoscaler"}, {"autoscaling/v2beta2", "HorizontalPodAutoscaler"},
		{"networking.k8s.io/v1beta1", "Ingress"}, {"extensions/v1beta1", "Ingress"}, {"policy/v1beta1", "PodSecurityPolicy"},
	} {
		if !seen[want] {
			t.Errorf("%s %s is missing", want[0], want[1])
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestLookup(t *testing.T) {
	t.Parallel()
	d, ok := Lookup("apps/v1beta2", "Deployment")
	if !ok || d.RemovedIn != "1.16" || d.Replacement != "apps/v1" || !d.Removed() {
		t.Errorf("apps/v1beta2 Deployment = %+v, %v", d, ok)
	}
	if _, ok := Lookup("apps/v1", "Deployment"); ok {
		t.Error("apps/v1 Deployment is not deprecated")
	}
	// The table is a copy: callers cannot change it.
	all := Deprecations()
	all[0].Replacement = "changed"
	if Deprecations()[0].Replacement == "changed" {
		t.Error("Deprecations returns the table itself")
	}
}

func TestMismatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		apiVersion, kind, want string
	}{
		{"v1", "Deployment", "apps/v1"},
		{"apps/v1", "Service", "v1"},
		{"apps/v2", "Deployment", "apps/v1"},
		{"batch/v1", "Deployment", "apps/v1"},
		{"extensions/v1beta1", "StatefulSet", "apps/v1"},
		{"v1beta1", "Pod", "v1"},
		{"networking.k8s.io/v1", "Service", "v1"},
		// Served, removed, custom or gated: no mismatch.
		{"apps/v1", "Deployment", ""},
		{"autoscaling/v1", "HorizontalPodAutoscaler", ""},
		{"apps/v1beta2", "Deployment", ""},
		{"events.k8s.io/v1", "Event", ""},
		{"serving.knative.dev/v1", "Service", ""},
		{"argoproj.io/v1alpha1", "Rollout", ""},
		{"v1", "Rollout", ""},
		{"example.com/v1", "Deployment", ""},
		{"storage.k8s.io/v1alpha1", "CSIDriver", ""},
	} {
		want, bad := Mismatch(tc.apiVersion, tc.kind)
		if want != tc.want || bad != (tc.want != "") {
			t.Errorf("Mismatch(%s, %s) = %q, %v; want %q", tc.apiVersion, tc.kind, want, bad, tc.want)
		}
	}
}
