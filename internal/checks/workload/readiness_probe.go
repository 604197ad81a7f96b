package workload

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ReadinessProbe finds containers of replicated workloads without a readiness probe.
var ReadinessProbe = check.New(check.Meta{
	ID:          "readiness-probe",
	CrossObject: true,
	Item:        "dev.readiness-probe",
	Title:       "Containers of replicated workloads have a readiness probe",
	Severity:    check.Medium,
	Description: "Looks at the app containers of Deployments, StatefulSets, DaemonSets, ReplicaSets and " +
		"ReplicationControllers. Without a readiness probe a pod receives traffic as soon as its process " +
		"starts, before it can serve, and during rollouts and node drains requests fail. A workload that " +
		"serves no traffic is exempt: no Service of the scan selects its pods and none of its containers " +
		"declares a containerPort (a queue worker, a controller). Declared ports keep the check on even " +
		"when no Service is in the scan, since traffic can come from one outside it.",
	Remediation: "Add a readinessProbe that succeeds only when the container can serve requests.",
	Fix:         fixProbeDoc("readiness"),
	Example: `spec:
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0
      readinessProbe:
        httpGet:
          path: /ready
          port: 8080
        periodSeconds: 5`,
	Settings: []check.Setting{FixProbesSetting},
	Kinds:    replicatedKinds,
	// It reads the Services that select the pods, which a CEL validation of one object cannot:
	// no admission form.
	Requires: []string{"Service"},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	if !servesTraffic(env.Index, w) {
		r.NotApplicable()
		return
	}
	for _, c := range w.AppContainers() {
		if c.ReadinessProbe == nil {
			r.FailFixf(c.Path+".readinessProbe", c.Name, probeFix(c, "readiness", c.Path+".readinessProbe", FixProbesSetting.Get(env)), "container %q of %s has no readiness probe", c.Name, kindNoun(w))
		}
	}
})

// servesTraffic reports whether a workload's pods may be sent requests: a Service of the scan
// selects them, or one of their long-running containers (app containers and sidecars)
// declares a containerPort, which a Service outside the scan, an Ingress or a peer can reach.
func servesTraffic(ix *subject.Index, w *subject.Workload) bool {
	if len(ix.ServicesSelecting(w)) > 0 {
		return true
	}
	for _, c := range w.ResourceContainers() {
		if (!c.Init || c.Sidecar) && len(c.Ports) > 0 {
			return true
		}
	}
	return false
}
