//go:build integration

package integration

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"
)

// TestDeployApplies: kubectl apply -f deploy/ on a cluster without cert-manager creates
// every object of the files in name order, as the API server validates them (the webhook
// configuration, the PodDisruptionBudget's eviction policy, the preStop sleep...), and only
// the last file, cert-manager's, fails, for want of its CRDs.
func TestDeployApplies(t *testing.T) {
	t.Parallel()
	api, err := env.StartAPIServer("deploy")
	if err != nil {
		t.Fatal(err)
	}
	defer api.Stop()
	cfg := api.Config(adminToken)
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := restmapper.GetAPIGroupResources(dc)
	if err != nil {
		t.Fatal(err)
	}
	mapper := restmapper.NewDiscoveryRESTMapper(groups)
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../../../../deploy/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("deploy/: %v %v", files, err)
	}
	sort.Strings(files)
	created := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		needsCRDs := strings.Contains(filepath.Base(f), "cert-manager")
		for _, doc := range strings.Split(string(data), "\n---\n") {
			var u unstructured.Unstructured
			if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
				t.Fatalf("%s: %v", filepath.Base(f), err)
			}
			gvk := u.GroupVersionKind()
			m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			if needsCRDs {
				if !meta.IsNoMatchError(err) {
					t.Errorf("%s: %s without cert-manager's CRDs: %v, want no match for the kind", filepath.Base(f), gvk.Kind, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %s: %v", filepath.Base(f), gvk, err)
			}
			var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
			if m.Scope.Name() == meta.RESTScopeNameNamespace {
				ri = dyn.Resource(m.Resource).Namespace(u.GetNamespace())
			}
			if _, err := ri.Create(t.Context(), &u, metav1.CreateOptions{FieldValidation: "Strict"}); err != nil && !apierrors.IsAlreadyExists(err) {
				t.Errorf("%s: creating %s %s: %v", filepath.Base(f), gvk.Kind, u.GetName(), err)
				continue
			}
			created++
		}
	}
	if created < 15 {
		t.Errorf("created %d objects from deploy/, want the namespace, RBAC, policies, CronJob and webhook", created)
	}
}
