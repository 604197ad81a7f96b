package windows

import (
	"context"
	"fmt"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// AbruptKill finds Windows workloads that an abrupt node restart takes down.
var AbruptKill = windowsCheck(check.Meta{
	ID:          "windows-abrupt-kill",
	CrossObject: true,
	Item:        "windows.abrupt-kill",
	Title:       "Windows workloads survive the loss of a pod",
	Severity:    check.Low,
	Description: "A Windows Deployment or StatefulSet with fewer than 2 replicas or no PodDisruptionBudget. " +
		"Windows nodes are patched by reimaging, and Windows containers get less notice on shutdown: the " +
		"workload must tolerate a pod being killed abruptly.",
	Remediation: "Run at least 2 replicas and add a PodDisruptionBudget with maxUnavailable: 1.",
	Kinds:       []string{"Deployment", "StatefulSet"},
	Requires:    []string{"PodDisruptionBudget"},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	if w.Replicas < 2 {
		r.Failf("spec.replicas", "", "Windows %s %s runs %s: a node reimage or an abrupt kill takes it down; run at least 2",
			w.Kind, w.Name(), replicas(w.Replicas))
		return
	}
	if len(env.Index.BudgetsFor(w)) > 0 {
		return
	}
	r.Failf(w.TemplateMetaPath()+".labels", "", "no PodDisruptionBudget covers Windows %s %s", w.Kind, w.Name())
})

// replicas says how many replicas a workload runs, in words.
func replicas(n int32) string {
	if n == 1 {
		return "1 replica"
	}
	return fmt.Sprintf("%d replicas", n)
}
