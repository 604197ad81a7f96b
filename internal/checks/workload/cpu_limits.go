package workload

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// CPULimits finds containers without a CPU limit.
var CPULimits = check.New(check.Meta{
	ID:       "cpu-limits",
	Item:     "dev.requests-limits",
	Title:    "Containers set a CPU limit",
	Severity: check.Low,
	Description: "Every container, init containers included, sets resources.limits.cpu. Some teams " +
		"deliberately run without CPU limits to avoid throttling; disable this check (checks.disable: " +
		"[cpu-limits]) when that is your policy.",
	Remediation: "Set resources.limits.cpu, or disable this check if your policy is to leave CPU unlimited.",
	Fix:         fixResourcesDoc,
	Settings:    []check.Setting{FixResourcesSetting},
	Example: `spec:
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0
      resources:
        requests:
          cpu: 250m
        limits:
          cpu: "1"`,
	Admission: eachContainerCEL("variables.resourceContainers", "!('cpu' in c.?resources.?limits.orValue({}))", "set no CPU limit"),
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.ResourceContainers() {
		if _, ok := c.Resources.Limits[corev1.ResourceCPU]; !ok {
			r.FailFixf(c.Path+".resources.limits", c.Name, resourcesFix(c, []string{"limits.cpu"}, FixResourcesSetting.Get(env)), "container %q of %s sets no CPU limit", c.Name, kindNoun(w))
		}
	}
})
