package workload

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ReadinessProbe finds containers of replicated workloads without a readiness probe.
var ReadinessProbe = check.New(check.Meta{
	ID:       "readiness-probe",
	Item:     "dev.readiness-probe",
	Title:    "Containers of replicated workloads have a readiness probe",
	Severity: check.Medium,
	Description: "Looks at the app containers of Deployments, StatefulSets, DaemonSets, ReplicaSets and " +
		"ReplicationControllers. Without a readiness probe a pod receives traffic as soon as its process " +
		"starts, before it can serve, and during rollouts and node drains requests fail.",
	Remediation: "Add a readinessProbe that succeeds only when the container can serve requests.",
	Example: `spec:
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0
      readinessProbe:
        httpGet:
          path: /ready
          port: 8080
        periodSeconds: 5`,
	Kinds:     replicatedKinds,
	Admission: eachContainerCEL("variables.appContainers", "!has(c.readinessProbe)", "have no readiness probe"),
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.AppContainers() {
		if c.ReadinessProbe == nil {
			r.Failf(c.Path+".readinessProbe", c.Name, "container %q of %s has no readiness probe", c.Name, kindNoun(w))
		}
	}
})
