package windows

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// HostProcess finds privileged Windows containers.
var HostProcess = windowsCheck(check.Meta{
	ID:       "windows-host-process",
	Item:     "windows.no-privileged",
	Title:    "Windows pods run no HostProcess or privileged containers",
	Severity: check.High,
	Description: "A pod that targets Windows with securityContext.windowsOptions.hostProcess: true (pod or " +
		"container) or a privileged container. A HostProcess container runs as a process of the node, " +
		"with the node's network and file system: it is node access.",
	Remediation: "Remove hostProcess and privileged; keep node-level agents in system namespaces, reviewed and exempted with a reason.",
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	spec := w.Spec()
	if sc := spec.SecurityContext; sc != nil && sc.WindowsOptions != nil && sc.WindowsOptions.HostProcess != nil && *sc.WindowsOptions.HostProcess {
		r.Failf(w.SpecPath()+".securityContext.windowsOptions.hostProcess", "", "%s %s runs as a Windows HostProcess pod", w.Kind, w.Name())
		return
	}
	for _, c := range w.Containers() {
		sc := c.SecurityContext
		if sc == nil {
			continue
		}
		if sc.WindowsOptions != nil && sc.WindowsOptions.HostProcess != nil && *sc.WindowsOptions.HostProcess {
			r.Failf(c.Path+".securityContext.windowsOptions.hostProcess", c.Name, "Windows container %q of %s %s is a HostProcess container", c.Name, w.Kind, w.Name())
		} else if sc.Privileged != nil && *sc.Privileged {
			r.Failf(c.Path+".securityContext.privileged", c.Name, "Windows container %q of %s %s is privileged", c.Name, w.Kind, w.Name())
		}
	}
})
