package windows

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// BuildSelector finds Windows pods that do not pin the Windows build of their nodes, and
// HostProcess pods that do not select Windows nodes at all.
var BuildSelector = windowsCheck(check.Meta{
	ID:       "windows-build-selector",
	Item:     "windows.base-image-os",
	Title:    "Windows pods select the Windows build their image needs",
	Severity: check.Medium,
	Description: "A pod that targets Windows nodes without a node.kubernetes.io/windows-build node selector " +
		"or required affinity. Windows containers only run on a host of the same build as their base " +
		"image (ltsc2019 on 10.0.17763, ltsc2022 on 10.0.20348); a cluster with pools of both puts the pod " +
		"on the wrong one, where it never starts. A HostProcess pod (hostProcess: true on the pod or any " +
		"container) is a Windows pod whatever it selects, but HostProcess containers are not bound to the " +
		"host's build: it must select Windows nodes (kubernetes.io/os: windows, or a build), or the " +
		"scheduler may put it on a Linux node.",
	Remediation: "Add nodeSelector node.kubernetes.io/windows-build: \"10.0.20348\" (the build of the image's LTSC tag), or a RuntimeClass that sets it.",
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	spec := w.Spec()
	if w.HostProcess() {
		// Only Windows nodes carry the build label, so a build selects Windows too.
		if !selects(spec, osLabel, "windows") && !selects(spec, buildLabel, "") {
			r.Failf(w.SpecPath()+".nodeSelector", "", "%s %s runs HostProcess containers but does not select Windows nodes (%s: windows), so it may be scheduled on a Linux node",
				w.Kind, w.Name(), osLabel)
		}
		return
	}
	if !selects(spec, buildLabel, "") {
		r.Failf(w.SpecPath()+".nodeSelector", "", "%s %s targets Windows without a %s selector", w.Kind, w.Name(), buildLabel)
	}
})
