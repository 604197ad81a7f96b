package workload

import (
	"context"

	"k8s.io/apimachinery/pkg/api/equality"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// LivenessSameAsReadiness finds liveness probes identical to the readiness probe.
var LivenessSameAsReadiness = check.New(check.Meta{
	ID:       "liveness-same-as-readiness",
	Item:     "dev.liveness-probe",
	Title:    "The liveness probe differs from the readiness probe",
	Severity: check.Low,
	Description: "Compares each container's liveness and readiness probes. When they are identical, a " +
		"container that is only busy or waiting for a dependency is killed instead of being taken out of " +
		"the Service, which turns a slow-down into a restart loop.",
	Remediation: "Make the liveness probe check only that the process is alive (a cheap endpoint, a longer period or higher failureThreshold), and keep dependency checks in the readiness probe.",
	Example: `spec:
  containers:
    - name: orders
      image: contoso.azurecr.io/orders:3.0.1
      livenessProbe:        # is the process alive?
        httpGet:
          path: /healthz
          port: 8080
        periodSeconds: 20
        failureThreshold: 3
      readinessProbe:       # can it serve now (database reachable, caches warm)?
        httpGet:
          path: /ready
          port: 8080
        periodSeconds: 5`,
	Kinds: longRunningKinds,
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	applied := false
	for _, c := range w.AppContainers() {
		if c.LivenessProbe == nil || c.ReadinessProbe == nil {
			continue
		}
		applied = true
		if equality.Semantic.DeepEqual(c.LivenessProbe, c.ReadinessProbe) {
			r.Failf(c.Path+".livenessProbe", c.Name, "container %q of %s has a liveness probe identical to its readiness probe", c.Name, kindNoun(w))
		}
	}
	if !applied {
		r.NotApplicable()
	}
})
