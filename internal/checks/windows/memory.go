package windows

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// MemoryLimits finds Windows containers without memory request and limit.
var MemoryLimits = windowsCheck(check.Meta{
	ID:       "windows-memory",
	Item:     "windows.memory-usage",
	Title:    "Windows containers set a memory request and limit",
	Severity: check.Medium,
	Description: "A container of a pod that targets Windows without resources.requests.memory and " +
		"resources.limits.memory. Windows has no out-of-memory killer for containers: it pages to disk, " +
		"and an unbounded container slows the whole node down.",
	Remediation: "Set resources.requests.memory and resources.limits.memory on every Windows container, with headroom for the node's own services.",
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.ResourceContainers() {
		_, req := c.Resources.Requests[corev1.ResourceMemory]
		_, lim := c.Resources.Limits[corev1.ResourceMemory]
		if !req || !lim {
			r.Failf(c.Path+".resources", c.Name, "Windows container %q of %s %s lacks a memory request or limit", c.Name, w.Kind, w.Name())
		}
	}
})
