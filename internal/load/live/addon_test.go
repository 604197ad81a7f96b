package live

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/subject"
)

// TestKindKeys: every kind has its own key, and a fallback API comes after the one it stands
// in for, which serves the same resource and kind.
func TestKindKeys(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	kinds := Kinds()
	for i, k := range kinds {
		if seen[k.Key()] {
			t.Errorf("two kinds have the key %s", k.Key())
		}
		seen[k.Key()] = true
		if k.FallbackFor == "" {
			continue
		}
		found := false
		for _, p := range kinds[:i] {
			found = found || p.Group == k.FallbackFor && p.Resource == k.Resource && p.Kind == k.Kind
		}
		if !found {
			t.Errorf("%s (%s) falls back for %s, which no kind before it serves", k.Key(), k.APIVersion(), k.FallbackFor)
		}
	}
	if got := (Kind{Group: "networking.k8s.io", Kind: "NetworkPolicy"}).Key(); got != "NetworkPolicy" {
		t.Errorf("Kubernetes NetworkPolicy key %q", got)
	}
	calico := KindsNamed("NetworkPolicy")
	if len(calico) != 3 || calico[1].Key() != "NetworkPolicy.projectcalico.org" {
		t.Errorf("KindsNamed(NetworkPolicy) = %+v", calico)
	}
	if got := joinWhy(joinWhy("", calico[0], "forbidden"), calico[1], "forbidden"); got != "forbidden; projectcalico.org/v3 networkpolicies: forbidden" {
		t.Errorf("joined reasons %q", got)
	}
}

const addOnPolicies = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: default-deny
  namespace: payments
  labels: {team: net}
spec:
  endpointSelector: {}
  ingress: [{}]
  egress: [{}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: risk
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: risk
spec:
  selector: all()
  types: [Egress]
`

// TestAddOnObjectsAsTheManifestLoaderMakesThem: a Cilium and a Calico policy read from the
// cluster are the objects the manifest loader makes of the same YAML (untyped, the same JSON,
// the same metadata), so the model reads them the same; and a Calico NetworkPolicy beside a
// Kubernetes one of the same name keeps both in the index.
func TestAddOnObjectsAsTheManifestLoaderMakesThem(t *testing.T) {
	t.Parallel()
	fromFile := manifest.LoadBytes("policies.yaml", []byte(addOnPolicies), manifest.Options{})
	if len(fromFile.Errors) > 0 || len(fromFile.Objects) != 3 {
		t.Fatalf("manifest: %+v", fromFile.Errors)
	}
	live := &subject.Scan{}
	for i, doc := range strings.Split(addOnPolicies, "---\n") {
		want := fromFile.Objects[i]
		if want.Typed != nil {
			live.Objects = append(live.Objects, want)
			continue
		}
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatal(err)
		}
		// What the API server adds, and what the scan drops.
		u.SetUID("0b3c8f0e-1111-2222-3333-444455556666")
		u.SetResourceVersion("42")
		u.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "kubectl"}})
		u.SetAnnotations(map[string]string{lastApplied: "{}"})
		gv, _ := schema.ParseGroupVersion(u.GetAPIVersion())
		k := Kind{Group: gv.Group, Version: gv.Version, Kind: u.GetKind(), AddOn: true}
		stripAddOn(u, nil)
		got, err := addOnObject(k, u)
		if err != nil {
			t.Fatal(err)
		}
		if got.Typed != nil || got.APIVersion != want.APIVersion || got.Kind != want.Kind || got.Namespace != want.Namespace ||
			got.Meta.Name != want.Meta.Name || got.Meta.Labels["team"] != want.Meta.Labels["team"] || got.Meta.Annotations != nil ||
			got.Input != subject.InputCluster {
			t.Errorf("%s: live %+v, manifest %+v", want.Kind, got, want)
		}
		var a, b map[string]any
		_ = json.Unmarshal(got.Raw(), &a)
		_ = json.Unmarshal(want.Raw(), &b)
		delete(a["metadata"].(map[string]any), "uid")
		delete(a["metadata"].(map[string]any), "resourceVersion")
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("%s: live JSON %s, manifest JSON %s", want.Kind, ja, jb)
		}
		live.Objects = append(live.Objects, got)
	}
	for name, s := range map[string]*subject.Scan{"manifest": fromFile, "live": live} {
		ix := subject.NewIndexOf(s)
		pay := ix.NetworkPolicies("payments")
		if len(pay) != 1 || !pay[0].DeniesAll(subject.Ingress) || !pay[0].DeniesAll(subject.Egress) {
			t.Errorf("%s: the Cilium default deny of payments is not one: %d policies", name, len(pay))
		}
		risk := ix.NetworkPolicies("risk")
		if len(risk) != 2 {
			t.Fatalf("%s: risk has %d policies, want the Kubernetes and the Calico default-deny", name, len(risk))
		}
		ingress, egress := false, false
		for _, p := range risk {
			ingress = ingress || p.DeniesAll(subject.Ingress)
			egress = egress || p.DeniesAll(subject.Egress)
		}
		if !ingress || !egress {
			t.Errorf("%s: risk denies ingress %v, egress %v; want both", name, ingress, egress)
		}
	}
}

// fakeAPIServer serves discovery and empty lists for the built-in kinds only: a cluster with
// none of the add-ons installed. It records the paths asked for.
func fakeAPIServer(t *testing.T) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var paths []string
	groups := map[string][]Kind{} // group/version → kinds
	for _, k := range Kinds() {
		if !k.AddOn {
			gv := k.APIVersion()
			groups[gv] = append(groups[gv], k)
		}
	}
	write := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		switch p := r.URL.Path; {
		case p == "/version":
			write(w, map[string]string{"major": "1", "minor": "37", "gitVersion": "v1.37.2"})
		case p == "/api":
			write(w, metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"}, Versions: []string{"v1"}})
		case p == "/apis":
			list := metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}}
			for gv := range groups {
				if g, v, ok := strings.Cut(gv, "/"); ok {
					gvd := metav1.GroupVersionForDiscovery{GroupVersion: gv, Version: v}
					list.Groups = append(list.Groups, metav1.APIGroup{Name: g, Versions: []metav1.GroupVersionForDiscovery{gvd}, PreferredVersion: gvd})
				}
			}
			write(w, list)
		case groups[strings.TrimPrefix(strings.TrimPrefix(p, "/api/"), "/apis/")] != nil:
			gv := strings.TrimPrefix(strings.TrimPrefix(p, "/api/"), "/apis/")
			rl := metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: gv}
			for _, k := range groups[gv] {
				rl.APIResources = append(rl.APIResources, metav1.APIResource{Name: k.Resource, Kind: k.Kind, Namespaced: k.Namespaced,
					Verbs: metav1.Verbs{"get", "list", "watch"}})
			}
			write(w, rl)
		default:
			parts := strings.Split(strings.Trim(p, "/"), "/")
			resource := parts[len(parts)-1]
			for gv, kinds := range groups {
				for _, k := range kinds {
					if k.Resource == resource && strings.Contains(p, "/"+gv+"/") {
						if k.MetadataOnly {
							write(w, map[string]any{"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": map[string]any{}, "items": []any{}})
						} else {
							write(w, map[string]any{"kind": k.Kind + "List", "apiVersion": gv, "metadata": map[string]any{}, "items": []any{}})
						}
						return
					}
				}
			}
			http.Error(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`, http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), paths...)
	}
}

// TestAddOnsNotInstalledAreAbsent: on a cluster without the add-ons' CRDs, the scan asks for
// none of their objects and reports none of them unlisted: there are none, and the checks
// judge on the objects they have.
func TestAddOnsNotInstalledAreAbsent(t *testing.T) {
	t.Parallel()
	srv, paths := fakeAPIServer(t)
	scan := LoadConfig(t.Context(), &rest.Config{Host: srv.URL}, "bare", Options{})
	for _, e := range scan.Errors {
		t.Errorf("error: %s", e.Message)
	}
	if len(scan.Unlisted) > 0 {
		t.Errorf("unlisted: %v", scan.Unlisted)
	}
	listed := 0
	for _, p := range paths() {
		for _, k := range Kinds() {
			if k.AddOn && strings.Contains(p, "/"+k.Group+"/") && strings.HasSuffix(p, "/"+k.Resource) {
				t.Errorf("listed %s, which the API server does not serve", p)
			}
		}
		if strings.HasSuffix(p, "/deployments") {
			listed++
		}
	}
	if listed != 1 {
		t.Errorf("Deployments listed %d times, want 1 (is the fake answering?)", listed)
	}
}

// TestStripAddOnStatus: an add-on object's status goes, unless a check reads its kind's (a
// custom check of that kind: check.StatusReaders); the cache's transform does the same.
func TestStripAddOnStatus(t *testing.T) {
	t.Parallel()
	app := func() *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
			"metadata": map[string]any{"name": "shop", "namespace": "argocd"},
			"spec":     map[string]any{"project": "default"},
			"status":   map[string]any{"health": map[string]any{"status": "Degraded"}},
		}}
	}
	apps := func(kind string) bool { return kind == "Application" }
	for _, c := range []struct {
		name string
		keep func(string) bool
		want bool
	}{{"no reader", nil, false}, {"a reader of another kind", func(k string) bool { return k == "Kustomization" }, false}, {"a reader", apps, true}} {
		u := app()
		stripAddOn(u, c.keep)
		_, kept := u.Object["status"]
		cached, _ := stripAddOnForCache(app(), c.keep)
		_, keptCached := cached.(*unstructured.Unstructured).Object["status"]
		if kept != c.want || keptCached != c.want || u.Object["spec"] == nil {
			t.Errorf("%s: status kept %v (cache %v), want %v; spec %v", c.name, kept, keptCached, c.want, u.Object["spec"])
		}
	}
}
