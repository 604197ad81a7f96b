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
		"with everything else put there by accident. The API server's own Service/kubernetes is left out; " +
		"kinds akscheck does not know (CRDs) are not judged, since their scope is unknown.",
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
	if o.Typed == nil || subject.IsClusterScoped(o.Kind) || (o.Kind == "Service" && o.Name() == "kubernetes") {
		r.NotApplicable()
		return
	}
	if o.Namespace == "default" {
		r.Failf("metadata.namespace", "", "%s %s is in the default namespace", o.Kind, o.Name())
	}
})
