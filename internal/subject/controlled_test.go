package subject

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestControlled: the Controlled form keeps an object's metadata and a Pod's placement, reads
// as the same placement as the whole Pod, copies deeply, and gives the index no workload view:
// its controller stands for it.
func TestControlled(t *testing.T) {
	t.Parallel()
	meta := metav1.ObjectMeta{Name: "web-1-abc", Namespace: "shop", Labels: map[string]string{"app": "web"},
		OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "web-1", Controller: ptr.To(true)}}}
	pod := &corev1.Pod{ObjectMeta: meta, Spec: corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "app"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	c := NewControlled(pod)
	if c.Name != "web-1-abc" || c.NodeName != "n1" || c.Phase != corev1.PodRunning || MetaOf(c) != &c.ObjectMeta {
		t.Fatalf("Controlled = %+v", c)
	}
	whole := &Object{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Meta: &pod.ObjectMeta, Typed: pod}
	kept := &Object{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Meta: MetaOf(c), Typed: c}
	for _, o := range []*Object{whole, kept} {
		if node, phase, ok := PodPlacement(o); !ok || node != "n1" || phase != corev1.PodRunning {
			t.Errorf("PodPlacement(%T) = %q, %q, %v", o.Typed, node, phase, ok)
		}
	}
	if _, _, ok := PodPlacement(&Object{Kind: "ReplicaSet", Meta: &meta, Typed: NewControlled(&appsv1.ReplicaSet{ObjectMeta: meta})}); ok {
		t.Error("a ReplicaSet has a pod placement")
	}
	if NewWorkload(kept) != nil {
		t.Error("a Controlled object has a workload view")
	}

	cp := c.DeepCopyObject().(*Controlled)
	cp.Labels["app"] = "other"
	if c.Labels["app"] != "web" || cp.NodeName != "n1" {
		t.Error("DeepCopyObject shares the labels or lost the placement")
	}

	// Its controller in the scan, the Pod is judged there: not a subject, no workload.
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop"}}
	ix := NewIndex([]*Object{{APIVersion: "apps/v1", Kind: "ReplicaSet", Namespace: "shop", Meta: &rs.ObjectMeta, Typed: rs}, kept})
	if ix.WorkloadOf(kept) != nil || len(ix.ObjectsOfKind("Pod")) != 1 {
		t.Error("the index judges a controlled Pod, or lost it")
	}
}
