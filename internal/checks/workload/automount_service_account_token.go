package workload

import (
	"context"
	"fmt"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// AutomountServiceAccountToken finds pods that mount an API token they may not need.
var AutomountServiceAccountToken = check.New(check.Meta{
	ID:          "automount-service-account-token",
	CrossObject: true,
	Item:        "dev.security-context",
	Title:       "Pods do not mount a service account token unless they need one",
	Severity:    check.Medium,
	Description: "automountServiceAccountToken is not false on the pod, nor on its ServiceAccount when " +
		"that is in the scan. A mounted token lets anyone who gets code execution in the pod call the " +
		"Kubernetes API with the ServiceAccount's rights. An explicit automountServiceAccountToken: true " +
		"(on the pod, or on its ServiceAccount when the pod leaves it unset) for a ServiceAccount that a " +
		"RoleBinding or ClusterRoleBinding of the scan binds, by name or through the " +
		"system:serviceaccounts groups, is a decision of a pod that calls the API (an operator, a " +
		"controller, an exporter): it gives only an info note naming the role.",
	Remediation: "Set automountServiceAccountToken: false on the pod spec or its ServiceAccount; pods that call the API can opt back in.",
	Fix: "sets automountServiceAccountToken: false on the pod spec when neither the pod nor its ServiceAccount sets it and no RoleBinding or ClusterRoleBinding of the scan " +
		"binds the ServiceAccount (an explicit true is an opt-in, left alone)",
	Example: `apiVersion: v1
kind: ServiceAccount
metadata:
  name: cart
  namespace: shop
automountServiceAccountToken: false
---
# in the pod template of the workload
spec:
  serviceAccountName: cart
  automountServiceAccountToken: false`,
	Requires: []string{"ServiceAccount", "RoleBinding", "ClusterRoleBinding"},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	spec := w.Spec()
	path := w.SpecPath() + ".automountServiceAccountToken"
	name, _ := w.ServiceAccount()
	sa := env.Index.ServiceAccountOf(w)
	// The pod's own setting wins over its ServiceAccount's.
	var where string
	switch {
	case isFalse(spec.AutomountServiceAccountToken):
		return
	case isTrue(spec.AutomountServiceAccountToken):
		where = "the pod sets automountServiceAccountToken: true"
	case sa != nil && isFalse(sa.AutomountServiceAccountToken):
		return
	case sa != nil && isTrue(sa.AutomountServiceAccountToken):
		where = fmt.Sprintf("ServiceAccount %q sets automountServiceAccountToken: true", name)
	default:
		// A ServiceAccount that a binding of the scan grants a role is one the pods may use
		// to call the API: the token stays until a person decides.
		var fix *check.Fix
		if len(env.Index.GrantsOf(w.Namespace, name)) == 0 {
			fix = &check.Fix{Edits: []check.Edit{{Op: check.EditSet, Path: path, Value: false}},
				Note: "a pod that calls the Kubernetes API through a binding outside the scan needs automountServiceAccountToken: true"}
		}
		r.FailFixf(path, "", fix, "%s mounts the token of ServiceAccount %q: neither the pod nor the ServiceAccount sets automountServiceAccountToken: false", kindNoun(w), name)
		return
	}
	// An explicit true is an opt-in. With a binding that gives the ServiceAccount a role, the
	// pods call the API by design (operators, controllers, exporters): a decision, noted, not
	// a defect. Without one in the scan the token grants nothing the scan can see, so the
	// opt-in may be a leftover.
	grants := env.Index.GrantsOf(w.Namespace, name)
	if len(grants) == 0 {
		r.Failf(path, "", "%s mounts the token of ServiceAccount %q (%s), and no RoleBinding or ClusterRoleBinding in the scan binds that ServiceAccount", kindNoun(w), name, where)
		return
	}
	g := grants[0]
	more := ""
	if len(grants) > 1 {
		more = fmt.Sprintf(" (and %d more)", len(grants)-1)
	}
	r.FailAt(check.Info, w.At(path), "", "%s mounts the token of ServiceAccount %q by choice (%s), and %s %s binds it to %s %s%s",
		kindNoun(w), name, where, g.Binding.Kind, g.Binding.Name(), g.Role.Kind, g.Role.Name, more)
})
