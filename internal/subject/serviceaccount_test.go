package subject

import (
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestGrantsOf(t *testing.T) {
	t.Parallel()
	binding := func(kind, ns, name string, subjects ...rbacv1.Subject) *Object {
		role := rbacv1.RoleRef{Kind: "ClusterRole", Name: name}
		var typed any
		var meta *metav1.ObjectMeta
		if kind == "RoleBinding" {
			b := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, RoleRef: role, Subjects: subjects}
			typed, meta = b, &b.ObjectMeta
		} else {
			b := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: role, Subjects: subjects}
			typed, meta = b, &b.ObjectMeta
		}
		return &Object{APIVersion: "rbac.authorization.k8s.io/v1", Kind: kind, Namespace: ns, Meta: meta, Typed: typed}
	}
	sa := func(ns, name string) rbacv1.Subject {
		return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}
	}
	ix := NewIndex([]*Object{
		binding("RoleBinding", "shop", "same-ns", sa("", "web")),
		binding("RoleBinding", "shop", "other-ns", sa("staging", "web")),
		binding("ClusterRoleBinding", "", "as-user", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "system:serviceaccount:shop:web"}),
		binding("ClusterRoleBinding", "", "ns-group", rbacv1.Subject{Kind: rbacv1.GroupKind, Name: "system:serviceaccounts:shop"}),
		binding("ClusterRoleBinding", "", "all-group", rbacv1.Subject{Kind: rbacv1.GroupKind, Name: "system:serviceaccounts"}),
		binding("ClusterRoleBinding", "", "authenticated", rbacv1.Subject{Kind: rbacv1.GroupKind, Name: "system:authenticated"}),
		binding("ClusterRoleBinding", "", "twice", sa("shop", "web"), rbacv1.Subject{Kind: rbacv1.UserKind, Name: "system:serviceaccount:shop:web"}),
	})
	names := func(gs []Grant) []string {
		var out []string
		for _, g := range gs {
			out = append(out, g.Binding.Name())
		}
		return out
	}
	for _, tc := range []struct {
		ns, name string
		want     []string
	}{
		{"shop", "web", []string{"all-group", "as-user", "ns-group", "twice", "same-ns"}},
		{"shop", "cart", []string{"all-group", "ns-group"}},
		{"staging", "web", []string{"all-group", "other-ns"}},
	} {
		if got := names(ix.GrantsOf(tc.ns, tc.name)); !slices.Equal(got, tc.want) {
			t.Errorf("GrantsOf(%s, %s) = %v, want %v", tc.ns, tc.name, got, tc.want)
		}
	}
}

func TestWorkloadServiceAccount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		spec       corev1.PodSpec
		name, path string
	}{
		{corev1.PodSpec{ServiceAccountName: "web", DeprecatedServiceAccount: "old"}, "web", "spec.template.spec.serviceAccountName"},
		{corev1.PodSpec{DeprecatedServiceAccount: "old"}, "old", "spec.template.spec.serviceAccount"},
		{corev1.PodSpec{}, "default", "spec.template.spec"},
	} {
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"}}
		d.Spec.Template.Spec = tc.spec
		w := NewWorkload(&Object{APIVersion: "apps/v1", Kind: "Deployment", Typed: d, Meta: &d.ObjectMeta})
		if name, path := w.ServiceAccount(); name != tc.name || path != tc.path {
			t.Errorf("ServiceAccount() = %q, %q; want %q, %q", name, path, tc.name, tc.path)
		}
	}
}
