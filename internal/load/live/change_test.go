package live

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// TestChangeOf: an informer's event names its object's kind, namespace and name, a
// tombstone's by its key; what cannot be named is an unknown change.
func TestChangeOf(t *testing.T) {
	t.Parallel()
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"}}
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"}}
	for _, tc := range []struct {
		kind string
		obj  any
		want Change
	}{
		{"Deployment", d, Change{Kind: "Deployment", Namespace: "shop", Name: "web", Known: true}},
		{"Node", n, Change{Kind: "Node", Name: "node-1", Known: true}},
		{"Deployment", cache.DeletedFinalStateUnknown{Key: "shop/web", Obj: nil}, Change{Kind: "Deployment", Namespace: "shop", Name: "web", Known: true}},
		{"Node", cache.DeletedFinalStateUnknown{Key: "node-1"}, Change{Kind: "Node", Name: "node-1", Known: true}},
		{"Deployment", cache.DeletedFinalStateUnknown{Key: "a/b/c"}, Change{Kind: "Deployment"}},
		{"Deployment", "not an object", Change{Kind: "Deployment"}},
	} {
		if got := changeOf(tc.kind, tc.obj); got != tc.want {
			t.Errorf("changeOf(%s, %v) = %+v, want %+v", tc.kind, tc.obj, got, tc.want)
		}
	}
}
