package live

import (
	"os"
	"sort"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/akscheck/akscheck/internal/load/manifest"
)

// The ClusterRole shipped in deploy/ grants every kind the scanner lists, and nothing else.
func TestDeployRoleGrantsWhatTheScanLists(t *testing.T) {
	t.Parallel()
	const file = "../../../deploy/1-rbac.yaml"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	scan := manifest.LoadBytes(file, data, manifest.Options{})
	var role *rbacv1.ClusterRole
	for _, o := range scan.Objects {
		if r, ok := o.Body().(*rbacv1.ClusterRole); ok && r.Name == "akscheck-reader" {
			role = r
		}
	}
	if role == nil {
		t.Fatalf("%s has no ClusterRole akscheck-reader", file)
	}
	granted := map[string]bool{} // group/resource/verb
	var paths []string
	for _, rule := range role.Rules {
		for _, g := range rule.APIGroups {
			for _, res := range rule.Resources {
				for _, v := range rule.Verbs {
					granted[g+"/"+res+"/"+v] = true
				}
			}
		}
		paths = append(paths, rule.NonResourceURLs...)
	}
	want := map[string]bool{}
	for _, k := range Kinds() {
		want[k.Group+"/"+k.Resource+"/list"] = true
	}
	want["/namespaces/get"] = true // --namespace reads the one namespace
	for w := range want {
		if !granted[w] {
			t.Errorf("the scan lists %s but the role does not grant it", w)
		}
	}
	for g := range granted {
		if !want[g] {
			t.Errorf("the role grants %s, which the scan does not use", g)
		}
	}
	sort.Strings(paths)
	for _, p := range []string{"/api", "/api/*", "/apis", "/apis/*", "/version"} {
		if i := sort.SearchStrings(paths, p); i == len(paths) || paths[i] != p {
			t.Errorf("the role does not grant get on %s (discovery)", p)
		}
	}
}
