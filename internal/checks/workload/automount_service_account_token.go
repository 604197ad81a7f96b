package workload

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// AutomountServiceAccountToken finds pods that mount an API token they may not need.
var AutomountServiceAccountToken = check.New(check.Meta{
	ID:       "automount-service-account-token",
	Item:     "dev.security-context",
	Title:    "Pods do not mount a service account token unless they need one",
	Severity: check.Medium,
	Description: "automountServiceAccountToken is not false on the pod, nor on its ServiceAccount when " +
		"that is in the scan. A mounted token lets anyone who gets code execution in the pod call the " +
		"Kubernetes API with the ServiceAccount's rights.",
	Remediation: "Set automountServiceAccountToken: false on the pod spec or its ServiceAccount; pods that call the API can opt back in.",
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
	Requires: []string{"ServiceAccount"},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	spec := w.Spec()
	if isFalse(spec.AutomountServiceAccountToken) {
		return
	}
	if isTrue(spec.AutomountServiceAccountToken) {
		r.Failf(w.SpecPath()+".automountServiceAccountToken", "", "%s mounts a service account token (automountServiceAccountToken: true)", kindNoun(w))
		return
	}
	if sa := env.Index.ServiceAccountOf(w); sa != nil && isFalse(sa.AutomountServiceAccountToken) {
		return
	}
	sa := spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	r.Failf(w.SpecPath()+".automountServiceAccountToken", "", "%s mounts the token of ServiceAccount %q: neither the pod nor the ServiceAccount sets automountServiceAccountToken: false", kindNoun(w), sa)
})
