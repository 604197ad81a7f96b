package workload

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// PreStopHook finds Service-backed containers without a preStop hook.
var PreStopHook = check.New(check.Meta{
	ID:          "prestop-hook",
	CrossObject: true,
	Item:        "dev.prestop-hook",
	Title:       "Service-backed containers have a preStop hook",
	Severity:    check.Low,
	Description: "Deployments and StatefulSets whose pods a Service in the scan selects. When a pod " +
		"stops, endpoints are removed while the container already gets SIGTERM; without a preStop hook " +
		"(a short sleep, or a graceful drain) requests in flight and those routed before the endpoint " +
		"update fail. This is a heuristic: the app may handle SIGTERM gracefully by itself.",
	Remediation: "Add lifecycle.preStop (for example a sleep of a few seconds) and keep terminationGracePeriodSeconds longer than it.",
	Example: `spec:
  terminationGracePeriodSeconds: 30
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0
      lifecycle:
        preStop:
          sleep:
            seconds: 5   # or exec: {command: ["sleep", "5"]} before Kubernetes 1.30`,
	Kinds:    scaledKinds,
	Requires: []string{"Service"},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	services := env.Index.ServicesSelecting(w)
	if len(services) == 0 {
		r.NotApplicable()
		return
	}
	for _, c := range w.AppContainers() {
		if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
			r.Failf(c.Path+".lifecycle.preStop", c.Name, "container %q of %s serves Service %q but has no preStop hook",
				c.Name, kindNoun(w), services[0].Name())
		}
	}
})
