package subject

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestImplicitNamespace(t *testing.T) {
	t.Parallel()
	configMap := func(ns string, line int) *Object {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings", Namespace: ns}}
		return &Object{APIVersion: "v1", Kind: "ConfigMap", Meta: &cm.ObjectMeta, Namespace: ns, Typed: cm,
			Source: Location{File: "app.yaml", Line: line}}
	}
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "reader"}}
	clusterRole := &Object{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Meta: &role.ObjectMeta, Typed: role}
	custom := &Object{APIVersion: "example.io/v1", Kind: "Widget", Meta: &metav1.ObjectMeta{Name: "w"}}
	namespaces := func(objects ...*Object) []*Namespace {
		var out []*Namespace
		for _, s := range NewIndex(objects).Subjects(TypeOf[*Namespace]()) {
			out = append(out, s.(*Namespace))
		}
		return out
	}

	got := namespaces(configMap("shop", 1), configMap("", 7), configMap("", 9))
	if len(got) != 2 || got[0].Name != "shop" || !got[1].Implicit {
		t.Fatalf("namespaces = %+v, want shop and the implicit one", got)
	}
	id := got[1].Identity()
	if id.Name != ImplicitNamespaceName || id.Source.Line != 7 || got[1].String() != "the namespace these objects are applied to" {
		t.Errorf("implicit namespace: identity %+v, %q; want it named as such and located at the first object that names none", id, got[1])
	}
	if got[0].String() != "namespace shop" {
		t.Errorf("String() = %q", got[0])
	}
	// Cluster-scoped objects, and kinds whose scope akscheck does not know, imply no namespace.
	if got := namespaces(clusterRole, custom); len(got) != 0 {
		t.Errorf("namespaces = %+v, want none", got)
	}
	// A Role that grants access to default places nothing there: default is not judged.
	grant := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "support-read", Namespace: "default"}}
	roleInDefault := &Object{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role", Meta: &grant.ObjectMeta, Namespace: "default", Typed: grant}
	if got := namespaces(roleInDefault); len(got) != 0 {
		t.Errorf("namespaces = %+v, want none for a namespace only granted access to", got)
	}
	// A namespace implied by what it holds is located at the first object placed in it.
	if got := namespaces(configMap("shop", 4)); len(got) != 1 || got[0].Identity().Source.Line != 4 {
		t.Errorf("namespaces = %+v, want shop located at line 4", got)
	}
}
