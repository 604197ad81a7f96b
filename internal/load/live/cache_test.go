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

// TestStripForCache: what a controller made keeps its labels and node, not its template; a
// bare Pod keeps everything the checks read; equal labels are one map, a Secret's data are not
// shared.
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
	owned, _ := stripForCache(&corev1.Pod{ObjectMeta: meta(true), Spec: spec}, shared)
	p := owned.(*corev1.Pod)
	if len(p.Spec.Containers) != 0 || p.Spec.NodeName != "n1" || p.Labels["app"] != "web" || p.ManagedFields != nil ||
		p.Annotations[lastApplied] != "" || p.Annotations["keep"] != "1" {
		t.Errorf("owned pod kept %+v", p)
	}
	bare, _ := stripForCache(&corev1.Pod{ObjectMeta: meta(false), Spec: spec}, shared)
	if len(bare.(*corev1.Pod).Spec.Containers) != 1 {
		t.Errorf("a bare pod lost its containers")
	}
	rs, _ := stripForCache(&appsv1.ReplicaSet{ObjectMeta: meta(true), Spec: appsv1.ReplicaSetSpec{Template: corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}}, Spec: spec}}}, shared)
	if r := rs.(*appsv1.ReplicaSet); len(r.Spec.Template.Spec.Containers) != 0 || r.Spec.Template.Labels["app"] != "web" {
		t.Errorf("owned ReplicaSet kept %+v", r.Spec.Template)
	}
	same := func(a, b map[string]string) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	}
	replicaSet := rs.(*appsv1.ReplicaSet)
	if !same(p.Labels, bare.(*corev1.Pod).Labels) || !same(p.Labels, replicaSet.Spec.Template.Labels) {
		t.Error("the cached objects' equal labels are not one map")
	}
	sec, _ := stripForCache(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s", Labels: map[string]string{"app": "web"}},
		StringData: map[string]string{"app": "web"}}, shared)
	if s := sec.(*corev1.Secret); !same(s.Labels, p.Labels) || same(s.StringData, p.Labels) {
		t.Error("a Secret's labels are not shared, or its data are")
	}
	meta2, _ := stripForCache(&metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: "m", Labels: map[string]string{"app": "web"}}}, shared)
	if !same(meta2.(*metav1.PartialObjectMetadata).Labels, p.Labels) {
		t.Error("the labels of an object cached as metadata are not shared")
	}
}
