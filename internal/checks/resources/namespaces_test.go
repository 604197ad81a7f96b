package resources

import (
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/subject"
)

// TestNamespaceOwnerUndecided holds the rule for manifests that leave out the Namespace: the
// namespace is neither passed nor failed, and the evidence asked for names it.
func TestNamespaceOwnerUndecided(t *testing.T) {
	t.Parallel()
	const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
%s
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: contoso.azurecr.io/web:1.0.0}]}
`
	for _, tc := range []struct {
		name, namespace, want string
	}{
		{"no Namespace object", "  namespace: shop", "the Namespace object of namespace shop"},
		{"no namespace named", "", "the namespace that the objects naming none (Deployment web) are applied to"},
	} {
		scan := manifest.LoadBytes("web.yaml", []byte(strings.Replace(deployment, "%s\n", tc.namespace+"\n", 1)), manifest.Options{})
		if len(scan.Errors) > 0 {
			t.Fatalf("%s: %+v", tc.name, scan.Errors)
		}
		env := &check.Env{Index: subject.NewIndexOf(scan)}
		var judged int
		for _, s := range env.Index.Subjects(subject.TypeOf[*subject.Namespace]()) {
			r := check.NewResult(&NamespaceOwner.Meta, s)
			NamespaceOwner.Run(t.Context(), env, s, r)
			judged++
			if len(r.Findings()) > 0 || len(r.Missing()) != 1 || !strings.HasPrefix(r.Missing()[0], tc.want) {
				t.Errorf("%s: findings %v, missing %q; want undecided on %q", tc.name, r.Findings(), r.Missing(), tc.want)
			}
		}
		if judged != 1 {
			t.Errorf("%s: %d namespaces, want 1", tc.name, judged)
		}
	}
}
