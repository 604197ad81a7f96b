package live

import (
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/akscheck/akscheck/internal/subject"
)

// TestStripForCache: what a workload controller made is kept in its Controlled form (its
// names, owners and node, not its labels, annotations or template); a bare Pod, and a Pod of
// an operator's resource, keep everything the checks read; equal labels are one map, a
// Secret's data are not shared.
func TestStripForCache(t *testing.T) {
	t.Parallel()
	owner := []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "web-1", Controller: ptr.To(true)}}
	spec := corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "app", Image: "x"}}}
	meta := func(owned bool) metav1.ObjectMeta {
		m := metav1.ObjectMeta{Name: "p", Labels: map[string]string{"app": "web"},
			Annotations:   map[string]string{lastApplied: "{}", "keep": "1"},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}}
		if owned {
			m.OwnerReferences = owner
		}
		return m
	}
	shared := subject.NewSharedUpTo(cacheSharedMaps)
	owned, _ := stripForCache(&corev1.Pod{ObjectMeta: meta(true), Spec: spec, Status: corev1.PodStatus{Phase: corev1.PodRunning}}, shared, nil)
	p, ok := owned.(*subject.Controlled)
	// Judged at its controller: its labels and annotations are read by no check.
	if !ok || p.NodeName != "n1" || p.Phase != corev1.PodRunning || p.Labels != nil || p.ManagedFields != nil ||
		p.Annotations != nil || len(p.OwnerReferences) != 1 {
		t.Errorf("owned pod kept as %#v", owned)
	}
	bare, _ := stripForCache(&corev1.Pod{ObjectMeta: meta(false), Spec: spec}, shared, nil)
	if b := bare.(*corev1.Pod); len(b.Spec.Containers) != 1 || b.Annotations[lastApplied] != "" || b.Annotations["keep"] != "1" {
		t.Errorf("a bare pod lost its containers or other annotations, or kept the last-applied one: %#v", b)
	}
	operated := meta(false)
	operated.OwnerReferences = []metav1.OwnerReference{{APIVersion: "core.strimzi.io/v1beta2", Kind: "StrimziPodSet",
		Name: "kafka", Controller: ptr.To(true)}}
	if op, _ := stripForCache(&corev1.Pod{ObjectMeta: operated, Spec: spec}, shared, nil); op.(*corev1.Pod).Spec.Containers == nil {
		t.Errorf("a pod of an operator's resource (judged itself) lost its containers")
	}
	claimMeta := meta(false)
	claimMeta.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: "db", Controller: ptr.To(true)}}
	if claim, _ := stripForCache(&corev1.PersistentVolumeClaim{ObjectMeta: claimMeta,
		Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: ptr.To("managed-csi")}}, shared, nil); !isClaim(claim) {
		t.Errorf("a claim a StatefulSet owns (read whole by the storage checks) is kept as %T", claim)
	}
	rs, _ := stripForCache(&appsv1.ReplicaSet{ObjectMeta: meta(true), Spec: appsv1.ReplicaSetSpec{Template: corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}}, Spec: spec}}}, shared, nil)
	replicaSet, ok := rs.(*subject.Controlled)
	if !ok || replicaSet.Name != "p" || len(replicaSet.OwnerReferences) != 1 || replicaSet.NodeName != "" {
		t.Errorf("owned ReplicaSet kept as %#v", rs)
	}
	same := func(a, b map[string]string) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	}
	labels := bare.(*corev1.Pod).Labels
	web, _ := stripForCache(&appsv1.Deployment{ObjectMeta: meta(false)}, shared, nil)
	if !same(labels, web.(*appsv1.Deployment).Labels) || replicaSet.Labels != nil {
		t.Error("the cached objects' equal labels are not one map, or a controlled ReplicaSet keeps its labels")
	}
	sec, _ := stripForCache(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s", Labels: map[string]string{"app": "web"}},
		StringData: map[string]string{"app": "web"}}, shared, nil)
	if s := sec.(*corev1.Secret); !same(s.Labels, labels) || same(s.StringData, labels) {
		t.Error("a Secret's labels are not shared, or its data are")
	}
	meta2, _ := stripForCache(&metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: "m", Labels: map[string]string{"app": "web"}}}, shared, nil)
	if !same(meta2.(*metav1.PartialObjectMetadata).Labels, labels) {
		t.Error("the labels of an object cached as metadata are not shared")
	}
}

func isClaim(obj any) bool {
	c, ok := obj.(*corev1.PersistentVolumeClaim)
	return ok && c.Spec.StorageClassName != nil
}

// TestAddTypedKeepsControlledForm: the live loader keeps what a listed workload made (a Pod of
// its ReplicaSet) in its Controlled form, and anything else it owns (a claim of a
// StatefulSet, read whole by the storage checks) as it was listed.
func TestAddTypedKeepsControlledForm(t *testing.T) {
	t.Parallel()
	l := &loader{scan: &subject.Scan{}, workloads: map[ownerKey]bool{}, shared: subject.NewShared()}
	l.addTyped(Kind{Group: "apps", Version: "v1", Kind: "StatefulSet", Namespaced: true},
		&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "shop"}})
	l.addTyped(Kind{Group: "apps", Version: "v1", Kind: "ReplicaSet", Namespaced: true},
		&appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop"}})
	owned := func(kind, name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: "shop",
			OwnerReferences: []metav1.OwnerReference{{Kind: kind, Name: name[:len(name)-2], Controller: ptr.To(true)}}}
	}
	l.addTyped(Kind{Version: "v1", Kind: "PersistentVolumeClaim", Namespaced: true},
		&corev1.PersistentVolumeClaim{ObjectMeta: owned("StatefulSet", "db-0"), Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: ptr.To("managed-csi")}})
	l.addTyped(Kind{Version: "v1", Kind: "Pod", Namespaced: true},
		&corev1.Pod{ObjectMeta: owned("ReplicaSet", "web-1-a"), Spec: corev1.PodSpec{NodeName: "n1"}})
	byKind := map[string]*subject.Object{}
	for _, o := range l.scan.Objects {
		byKind[o.Kind] = o
	}
	if !isClaim(byKind["PersistentVolumeClaim"].Body()) {
		t.Errorf("the StatefulSet's claim is kept as %T", byKind["PersistentVolumeClaim"].Body())
	}
	// A workload's body is kept packed, a claim's (small, read whole by other checks) not.
	if !byKind["StatefulSet"].Packed() || byKind["PersistentVolumeClaim"].Packed() {
		t.Errorf("packed: StatefulSet %v, claim %v; want the StatefulSet's body packed only", byKind["StatefulSet"].Packed(), byKind["PersistentVolumeClaim"].Packed())
	}
	if node, _, ok := subject.PodPlacement(byKind["Pod"]); !ok || node != "n1" {
		t.Errorf("the ReplicaSet's Pod is kept as %T", byKind["Pod"].Typed)
	}
	if _, ok := byKind["Pod"].Typed.(*subject.Controlled); !ok {
		t.Errorf("the ReplicaSet's Pod is kept whole (%T)", byKind["Pod"].Typed)
	}
}

// TestStripForCacheStatus: the cache drops what no built-in check reads of a status, but for
// the kinds a custom check names (keepStatus), whose whole object it reads.
func TestStripForCacheStatus(t *testing.T) {
	t.Parallel()
	deploy := func() *appsv1.Deployment {
		return &appsv1.Deployment{Status: appsv1.DeploymentStatus{ReadyReplicas: 1,
			Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue}}}}
	}
	shared := subject.NewSharedUpTo(cacheSharedMaps)
	dropped, _ := stripForCache(deploy(), shared, nil)
	kept, _ := stripForCache(deploy(), shared, func(kind string) bool { return kind == "Deployment" })
	other, _ := stripForCache(deploy(), shared, func(kind string) bool { return kind == "Node" })
	if d := dropped.(*appsv1.Deployment); d.Status.Conditions != nil || d.Status.ReadyReplicas != 1 {
		t.Errorf("no custom check: status %+v", d.Status)
	}
	if len(kept.(*appsv1.Deployment).Status.Conditions) != 1 || other.(*appsv1.Deployment).Status.Conditions != nil {
		t.Error("the conditions are not kept for the kind a custom check names, or are for another")
	}
}
