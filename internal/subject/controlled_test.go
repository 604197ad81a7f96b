package subject

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestControlled: the Controlled form keeps the metadata that names an object (not its labels,
// annotations or finalizers) and a Pod's placement, reads as the same placement as the whole
// Pod, copies deeply, and gives the index no workload view: its controller stands for it.
func TestControlled(t *testing.T) {
	t.Parallel()
	meta := metav1.ObjectMeta{Name: "web-1-abc", Namespace: "shop", UID: "u1", ResourceVersion: "7", Generation: 2,
		Labels: map[string]string{"app": "web"}, Annotations: map[string]string{"k8s.v1.cni.cncf.io/network-status": "[]"},
		Finalizers:      []string{"batch.kubernetes.io/job-tracking"},
		OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "web-1", Controller: ptr.To(true)}}}
	pod := &corev1.Pod{ObjectMeta: meta, Spec: corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "app"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	c := NewControlled(pod)
	if c.Name != "web-1-abc" || c.Namespace != "shop" || c.UID != "u1" || c.ResourceVersion != "7" || c.Generation != 2 ||
		c.NodeName != "n1" || c.Phase != corev1.PodRunning || MetaOf(c) != &c.ObjectMeta {
		t.Fatalf("Controlled = %+v", c)
	}
	if c.Labels != nil || c.Annotations != nil || c.Finalizers != nil {
		t.Errorf("Controlled keeps labels %v, annotations %v, finalizers %v", c.Labels, c.Annotations, c.Finalizers)
	}
	if ref := metav1.GetControllerOfNoCopy(c); ref == nil || ref.Name != "web-1" {
		t.Errorf("Controlled lost its controller: %v", c.OwnerReferences)
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
	cp.OwnerReferences[0].Name = "other"
	if c.OwnerReferences[0].Name != "web-1" || cp.NodeName != "n1" {
		t.Error("DeepCopyObject shares the owners or lost the placement")
	}

	// Its controller in the scan, the Pod is judged there: not a subject, no workload.
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop"}}
	ix := NewIndex([]*Object{{APIVersion: "apps/v1", Kind: "ReplicaSet", Namespace: "shop", Meta: &rs.ObjectMeta, Typed: rs}, kept})
	if ix.WorkloadOf(kept) != nil || len(ix.ObjectsOfKind("Pod")) != 1 {
		t.Error("the index judges a controlled Pod, or lost it")
	}
}
