//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/akscheck/akscheck/internal/admit"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/testutil/kubetest"
)

// installCRD installs a schemaless CustomResourceDefinition and waits until it is served.
func installCRD(ctx context.Context, dyn dynamic.Interface, group, version, kind, plural string, namespaced bool) error {
	scope := "Cluster"
	if namespaced {
		scope = "Namespaced"
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": plural + "." + group},
		"spec": map[string]any{
			"group": group, "scope": scope,
			"names": map[string]any{"kind": kind, "plural": plural, "listKind": kind + "List"},
			"versions": []any{map[string]any{"name": version, "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}},
		},
	}}
	crdGVR := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	if _, err := dyn.Resource(crdGVR).Create(ctx, obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	gvr := schema.GroupVersionResource{Group: group, Version: version, Resource: plural}
	for range 100 {
		if _, err := dyn.Resource(gvr).List(ctx, metav1.ListOptions{Limit: 1}); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("CRD %s.%s not served", plural, group)
}

// On a cluster whose CNI is Cilium, a Deployment admitted into a namespace whose default
// deny is a CiliumNetworkPolicy, and that a KEDA ScaledObject scales, gets no warning of
// network policy coverage or autoscaling, and nothing is left not evaluated: the cache
// watches the add-on kinds the API server serves, and has synced them.
func TestAddOnKindsAtAdmission(t *testing.T) {
	cs, warned := client(t)
	ctx := t.Context()
	dyn, err := dynamic.NewForConfig(api.Config(kubetest.AdminToken))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		group, version, kind, plural string
		namespaced                   bool
	}{
		{"cilium.io", "v2", "CiliumNetworkPolicy", "ciliumnetworkpolicies", true},
		{"cilium.io", "v2", "CiliumClusterwideNetworkPolicy", "ciliumclusterwidenetworkpolicies", false},
		{"keda.sh", "v1alpha1", "ScaledObject", "scaledobjects", true},
	} {
		if err := installCRD(ctx, dyn, c.group, c.version, c.kind, c.plural, c.namespaced); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "cilium-apps"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cnp := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
		"metadata": map[string]any{"name": "default-deny", "namespace": "cilium-apps"},
		"spec":     map[string]any{"endpointSelector": map[string]any{}, "ingress": []any{map[string]any{}}, "egress": []any{map[string]any{}}},
	}}
	if _, err := dyn.Resource(schema.GroupVersionResource{Group: "cilium.io", Version: "v2", Resource: "ciliumnetworkpolicies"}).
		Namespace("cilium-apps").Create(ctx, cnp, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	so := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
		"metadata": map[string]any{"name": "web", "namespace": "cilium-apps"},
		"spec":     map[string]any{"scaleTargetRef": map[string]any{"name": "web"}, "minReplicaCount": int64(2)},
	}}
	if _, err := dyn.Resource(schema.GroupVersionResource{Group: "keda.sh", Version: "v1alpha1", Resource: "scaledobjects"}).
		Namespace("cilium-apps").Create(ctx, so, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	w := startWebhook(t, api.Config(kubetest.AdminToken), "")
	synced := w.cache.Synced()
	for _, k := range []string{"CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "ScaledObject", "NetworkPolicy"} {
		if !synced[k] {
			t.Errorf("%s not synced: %v", k, synced)
		}
	}
	for k := range synced {
		if strings.Contains(k, "projectcalico") || strings.Contains(k, "GlobalNetworkPolicy") {
			t.Errorf("Calico is not installed, yet the cache waits for %s: %v", k, synced)
		}
	}
	register(t, cs, "akscheck-addons", w, admissionregistrationv1.Ignore)

	// The webhook answers once registered: its warnings come back (pdb-… has no PDB to find).
	var got string
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := cs.AppsV1().Deployments("cilium-apps").Create(ctx, deployment("cilium-apps", "web", 2, nil),
			metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
			t.Fatalf("compliant Deployment: %v", err)
		}
		got = strings.Join(warned.Take(), "\n")
		if strings.Contains(got, "akscheck: [") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the webhook never answered")
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, unwanted := range []string{"[network-policy-coverage]", "[autoscaling]", "not evaluated"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("warnings hold %s:\n%s", unwanted, got)
		}
	}
	// The controls: a Deployment no ScaledObject scales gets the autoscaling warning; one in a
	// namespace without the Cilium policy is denied for coverage. Their absence above is the
	// add-ons' doing.
	if _, err := cs.AppsV1().Deployments("cilium-apps").Create(ctx, deployment("cilium-apps", "api", 2, nil),
		metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
		t.Fatalf("Deployment cilium-apps/api: %v", err)
	}
	if got := strings.Join(warned.Take(), "\n"); !strings.Contains(got, "[autoscaling]") {
		t.Errorf("cilium-apps/api: want the autoscaling warning:\n%s", got)
	}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "open-apps"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = cs.AppsV1().Deployments("open-apps").Create(ctx, deployment("open-apps", "web", 2, nil), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err == nil || !strings.Contains(err.Error(), "[network-policy-coverage]") {
		t.Errorf("open-apps/web: want a denial for network policy coverage, got %v", err)
	}

	// A served add-on kind the cache may not list is unlisted, with why, as a built-in kind is.
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "akscheck-no-cilium"}}
	for _, k := range admit.CacheKinds(checks.All()) {
		if k.Group != "cilium.io" {
			role.Rules = append(role.Rules, rbacv1.PolicyRule{APIGroups: []string{k.Group}, Resources: []string{k.Resource}, Verbs: []string{"get", "list", "watch"}})
		}
	}
	if _, err := cs.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "akscheck-no-cilium"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "akscheck-no-cilium"},
		Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: kubetest.ReaderUser}}}
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cache, err := live.NewCache(api.Config(kubetest.ReaderToken), admit.CacheKinds(checks.All()), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go cache.Run(cctx)
	deadline = time.Now().Add(20 * time.Second)
	for {
		s := cache.Snapshot("cilium-apps", nil)
		if strings.Contains(s.Unlisted["CiliumNetworkPolicy"], "forbidden") && strings.Contains(s.Unlisted["CiliumClusterwideNetworkPolicy"], "forbidden") {
			if len(s.Unlisted) != 2 {
				t.Errorf("unlisted %v, want the Cilium kinds alone", s.Unlisted)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("unlisted %v, synced %v", s.Unlisted, cache.Synced())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
