package workload

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// RequestsLimits finds containers without CPU and memory requests or a memory limit.
var RequestsLimits = check.New(check.Meta{
	ID:       "requests-limits",
	Item:     "dev.requests-limits",
	Title:    "Containers set CPU and memory requests and a memory limit",
	Severity: check.Medium,
	Description: "Every container, init containers included, sets resources.requests.cpu, " +
		"resources.requests.memory and resources.limits.memory. The scheduler places pods by their " +
		"requests; without them nodes are overcommitted, and without a memory limit one container can " +
		"take a node's memory and get other pods evicted.",
	Remediation: "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory from measured usage.",
	Example: `spec:
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0
      resources:
        requests:
          cpu: 250m
          memory: 256Mi
        limits:
          memory: 256Mi`,
	Admission: eachContainerCEL("variables.resourceContainers",
		"!('cpu' in c.?resources.?requests.orValue({})) || !('memory' in c.?resources.?requests.orValue({})) || !('memory' in c.?resources.?limits.orValue({}))",
		"set no requests.cpu, requests.memory or limits.memory"),
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.ResourceContainers() {
		if missing := unsetResources(c.Resources, "requests.cpu", "requests.memory", "limits.memory"); len(missing) > 0 {
			r.Failf(c.Path+".resources", c.Name, "container %q of %s sets no %s", c.Name, kindNoun(w), strings.Join(missing, ", "))
		}
	}
})
