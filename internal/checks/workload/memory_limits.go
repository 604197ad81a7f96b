package workload

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// MemoryLimits finds containers without a memory request and limit.
var MemoryLimits = check.New(check.Meta{
	ID:       "memory-limits",
	Item:     "resources.memory-limits",
	Title:    "Containers set a memory request and a memory limit",
	Severity: check.Medium,
	Description: "Every container, init containers included, sets resources.requests.memory and " +
		"resources.limits.memory (the kube-advisor rule). Memory cannot be throttled: without a limit a " +
		"leaking container makes the node evict other pods.",
	Remediation: "Set resources.requests.memory and resources.limits.memory on every container.",
	Fix:         fixResourcesDoc,
	Settings:    []check.Setting{FixResourcesSetting},
	Example: `spec:
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0
      resources:
        requests:
          memory: 256Mi
        limits:
          memory: 256Mi`,
	Admission: eachContainerCEL("variables.resourceContainers",
		"!('memory' in c.?resources.?requests.orValue({})) || !('memory' in c.?resources.?limits.orValue({}))",
		"set no requests.memory or no limits.memory"),
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.ResourceContainers() {
		if missing := unsetResources(c.Resources, "requests.memory", "limits.memory"); len(missing) > 0 {
			r.FailFixf(c.Path+".resources", c.Name, resourcesFix(c, missing, FixResourcesSetting.Get(env)), "container %q of %s sets no %s", c.Name, kindNoun(w), strings.Join(missing, " or "))
		}
	}
})
