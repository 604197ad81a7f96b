// Package windows holds the checks of the Windows section that read Kubernetes objects: they
// apply to pods that target Windows nodes. Each check is one file with its metadata and
// logic; fixtures are in testdata/<check-id>/.
package windows

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

const (
	osLabel    = "kubernetes.io/os"
	buildLabel = "node.kubernetes.io/windows-build"
)

// windowsCheck builds a check of the workloads that target Windows nodes: any other is not
// applicable.
func windowsCheck(m check.Meta, fn func(ctx context.Context, env *check.Env, w *subject.Workload, r *check.Result)) *check.Check {
	return check.New(m, func(ctx context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
		if !w.TargetsWindows() {
			r.NotApplicable()
			return
		}
		fn(ctx, env, w, r)
	})
}

// selects reports whether the pod spec requires a node label value (or, with value "", the
// label's presence).
func selects(spec *corev1.PodSpec, key, value string) bool {
	return subject.RequiresNodeLabel(spec, key, value)
}
