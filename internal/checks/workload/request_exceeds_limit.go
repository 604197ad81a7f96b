package workload

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// RequestExceedsLimit finds requests greater than their limits.
var RequestExceedsLimit = check.New(check.Meta{
	ID:       "request-exceeds-limit",
	Item:     "dev.requests-limits",
	Title:    "Requests do not exceed limits",
	Severity: check.Medium,
	Description: "A CPU or memory request greater than the limit of the same resource. The API server " +
		"rejects such a pod, so the workload never starts.",
	Remediation: "Lower the request to at most the limit, or raise the limit.",
	Example: `spec:
  containers:
    - name: cart
      image: contoso.azurecr.io/cart:1.4.2
      resources:
        requests:
          cpu: 500m       # at most the limit
          memory: 256Mi
        limits:
          cpu: "1"
          memory: 256Mi`,
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.ResourceContainers() {
		for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			req, hasReq := c.Resources.Requests[res]
			lim, hasLim := c.Resources.Limits[res]
			if hasReq && hasLim && req.Cmp(lim) > 0 {
				r.Failf(c.Path+".resources.requests."+string(res), c.Name, "container %q of %s requests %s %s, more than its limit %s",
					c.Name, kindNoun(w), req.String(), res, lim.String())
			}
		}
	}
})
