package object

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// DefaultNamespace finds objects placed in the default namespace.
var DefaultNamespace = check.New(check.Meta{
	ID:       "default-namespace",
	Item:     "ops.no-default-namespace",
	Title:    "Objects are not in the default namespace",
	Severity: check.Medium,
	Description: "A namespaced object whose namespace is default, set in the object or through " +
		"--namespace default. Objects in default share one set of RBAC, quotas and network policies " +
		"with everything else put there by accident. Left out are what must live in default: the API " +
		"server's own Service/kubernetes, the ServiceAccount default, the ConfigMap kube-root-ca.crt of a " +
		"running cluster, and Roles and RoleBindings (they are how access to the default namespace is " +
		"granted, so they can live nowhere else); kinds akscheck does not know (CRDs) are not judged, since " +
		"their scope is unknown.",
	Remediation: "Create a namespace per application or team and set metadata.namespace (or deploy with -n).",
	Example: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop`,
}, func(_ context.Context, _ *check.Env, o *subject.Object, r *check.Result) {
	if o.Typed == nil || subject.IsClusterScoped(o.Kind) || belongsInDefault(o) {
		r.NotApplicable()
		return
	}
	if o.Namespace == "default" {
		r.Failf("metadata.namespace", "", "%s %s is in the default namespace", o.Kind, o.Name())
	}
})

// belongsInDefault reports whether an object is one the default namespace must hold: the
// API server's Service, the namespace's own ServiceAccount and CA bundle (made by the
// controllers of every namespace), and the RBAC that grants access to the namespace.
func belongsInDefault(o *subject.Object) bool {
	switch o.Kind {
	case "Service":
		return o.Name() == "kubernetes"
	case "ServiceAccount":
		return o.Name() == "default"
	case "ConfigMap":
		return o.Name() == "kube-root-ca.crt" && o.Live()
	case "Role", "RoleBinding":
		return o.Group() == "rbac.authorization.k8s.io"
	}
	return false
}
