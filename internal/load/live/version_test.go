package live

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"github.com/akscheck/akscheck/internal/subject"
)

// TestStatusOnlyUpdates: an update of an object's status alone (or a resync) leaves the
// version of its kind where it was; any other change moves it, and what cannot be compared
// counts as a change.
func TestStatusOnlyUpdates(t *testing.T) {
	t.Parallel()
	pdb := func(rv string, minAvailable int32, healthy int32, label string) *policyv1.PodDisruptionBudget {
		return &policyv1.PodDisruptionBudget{
			ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", ResourceVersion: rv, Labels: map[string]string{"app": label}},
			Spec:       policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(minAvailable))},
			Status:     policyv1.PodDisruptionBudgetStatus{CurrentHealthy: healthy},
		}
	}
	scaled := func(rv string, maxReplicas int64, ready string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
			"metadata": map[string]any{"name": "web", "namespace": "shop", "resourceVersion": rv},
			"spec":     map[string]any{"maxReplicaCount": maxReplicas},
			"status":   map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": ready}}}}}
		return u
	}
	secret := func(rv, label string) *metav1.PartialObjectMetadata {
		return &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
			ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "shop", ResourceVersion: rv, Labels: map[string]string{"app": label}}}
	}
	pod := func(rv string, phase corev1.PodPhase) *subject.Controlled {
		return subject.NewControlled(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop", ResourceVersion: rv},
			Status: corev1.PodStatus{Phase: phase}})
	}
	for _, tt := range []struct {
		name     string
		old, cur any
		status   bool
	}{
		{"resync", pdb("1", 1, 2, "web"), pdb("1", 1, 2, "web"), true},
		{"budget status", pdb("1", 1, 2, "web"), pdb("2", 1, 3, "web"), true},
		{"budget spec", pdb("1", 1, 2, "web"), pdb("2", 2, 2, "web"), false},
		{"budget labels", pdb("1", 1, 2, "web"), pdb("2", 1, 2, "api"), false},
		{"add-on status", scaled("1", 10, "True"), scaled("2", 10, "False"), true},
		{"add-on spec", scaled("1", 10, "True"), scaled("2", 20, "True"), false},
		{"metadata only, resync", secret("1", "db"), secret("1", "db"), true},
		{"metadata only, labels", secret("1", "db"), secret("2", "cache"), false},
		// A record of what a controller made keeps a Pod's phase as its own: a change.
		{"controlled pod phase", pod("1", corev1.PodPending), pod("2", corev1.PodRunning), false},
		{"tombstone", cache.DeletedFinalStateUnknown{Key: "shop/web"}, pdb("2", 1, 2, "web"), false},
		// A new generation is a change of spec, whatever else the copies would show.
		{"new generation", withGeneration(pdb("1", 1, 2, "web"), 1), withGeneration(pdb("2", 1, 2, "web"), 2), false},
	} {
		if got := statusOnly(tt.old, tt.cur); got != tt.status {
			t.Errorf("%s: statusOnly = %v, want %v", tt.name, got, tt.status)
		}
	}
	// What it compares is a copy: the cache's objects keep their status.
	old, cur := pdb("1", 1, 2, "web"), pdb("2", 1, 3, "web")
	statusOnly(old, cur)
	if old.Status.CurrentHealthy != 2 || cur.ResourceVersion != "2" {
		t.Errorf("the cache's objects were changed: %+v %+v", old, cur)
	}
}

func withGeneration(p *policyv1.PodDisruptionBudget, g int64) *policyv1.PodDisruptionBudget {
	p.Generation = g
	return p
}
