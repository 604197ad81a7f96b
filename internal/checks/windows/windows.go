// Package windows holds the checks of the Windows section that read Kubernetes objects: they
// apply to pods that target Windows nodes. Each check is one file with its metadata and
// logic; fixtures are in testdata/<check-id>/.
package windows

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/subject"
)

const (
	osLabel    = "kubernetes.io/os"
	buildLabel = "node.kubernetes.io/windows-build"
)

// targetsWindows reports whether a workload's pods are placed on Windows nodes.
func targetsWindows(w *subject.Workload) bool { return w.TargetsWindows() }

// selects reports whether the pod spec requires a node label value (or, with value "", the
// label's presence).
func selects(spec *corev1.PodSpec, key, value string) bool {
	return subject.RequiresNodeLabel(spec, key, value)
}
