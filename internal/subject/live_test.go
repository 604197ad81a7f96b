package subject

import (
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func owned(kind, name string) []metav1.OwnerReference {
	yes := true
	return []metav1.OwnerReference{{Kind: kind, Name: name, Controller: &yes}}
}

func obj(kind string, typed any) *Object {
	m := MetaOf(typed)
	return &Object{APIVersion: "v1", Kind: kind, Meta: m, Namespace: m.Namespace, Typed: typed}
}

// A Pod of a ReplicaSet of a Deployment is checked once, at the Deployment; a Pod whose
// controller is not in the scan is checked itself.
func TestControllerDeduplication(t *testing.T) {
	t.Parallel()
	deploy := obj("Deployment", &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"}})
	rs := obj("ReplicaSet", &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop", OwnerReferences: owned("Deployment", "web")}})
	pod := obj("Pod", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-1-a", Namespace: "shop", OwnerReferences: owned("ReplicaSet", "web-1")}})
	orphan := obj("Pod", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "x-1-a", Namespace: "shop", OwnerReferences: owned("ReplicaSet", "x-1")}})
	crdOwned := obj("Pod", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "r-a", Namespace: "shop", OwnerReferences: owned("Rollout", "r")}})
	naked := obj("Pod", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "naked", Namespace: "shop"}})
	ix := NewIndex([]*Object{deploy, rs, pod, orphan, crdOwned, naked})

	var got []string
	for _, w := range ix.Workloads() {
		got = append(got, w.Kind+"/"+w.Name())
	}
	want := []string{"Deployment/web", "Pod/x-1-a", "Pod/r-a", "Pod/naked"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("workloads = %v, want %v", got, want)
	}
	if n := len(ix.Subjects(TypeOf[*Object]())); n != 4 {
		t.Errorf("%d object subjects, want 4 (the ReplicaSet and its Pod are checked at the Deployment)", n)
	}
	if ix.Get("Pod", "shop", "web-1-a") == nil || len(ix.ObjectsOfKind("Pod")) != 4 {
		t.Error("controlled objects must stay in the index for lookups")
	}
}

func TestMinorVersion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][2]int{"v1.31.2": {1, 31}, "1.30": {1, 30}, "v1.29.4-eks-1": {1, 29}, "v1.32+": {1, 32}} {
		ma, mi, ok := MinorVersion(in)
		if !ok || [2]int{ma, mi} != want {
			t.Errorf("MinorVersion(%q) = %d, %d, %v", in, ma, mi, ok)
		}
	}
	if _, _, ok := MinorVersion("latest"); ok {
		t.Error("latest parsed")
	}
}
