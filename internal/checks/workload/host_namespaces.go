package workload

import (
	"context"
	"strconv"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// HostPID finds pods sharing the host's process namespace.
var HostPID = check.New(check.Meta{
	ID:          "host-pid",
	Item:        "dev.security-context",
	Title:       "Pods do not share the host's process namespace",
	Severity:    check.High,
	Description: "spec.hostPID: true lets the pod see and signal every process of the node, including other pods' processes.",
	Remediation: "Remove hostPID from the pod spec.",
	Example: `spec:
  hostPID: false   # or leave it out: false is the default
  containers:
    - name: app
      image: contoso.azurecr.io/app:1.0.0`,
	Admission: hostNamespaceCEL("hostPID", "shares the host's process namespace (hostPID)"),
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	if w.Spec().HostPID {
		r.Failf(w.SpecPath()+".hostPID", "", "%s shares the host's process namespace (hostPID)", kindNoun(w))
	}
})

// HostIPC finds pods sharing the host's IPC namespace.
var HostIPC = check.New(check.Meta{
	ID:          "host-ipc",
	Item:        "dev.security-context",
	Title:       "Pods do not share the host's IPC namespace",
	Severity:    check.High,
	Description: "spec.hostIPC: true lets the pod read and write the shared memory of every process of the node.",
	Remediation: "Remove hostIPC from the pod spec.",
	Example: `spec:
  hostIPC: false   # or leave it out: false is the default
  containers:
    - name: app
      image: contoso.azurecr.io/app:1.0.0`,
	Admission: hostNamespaceCEL("hostIPC", "shares the host's IPC namespace (hostIPC)"),
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	if w.Spec().HostIPC {
		r.Failf(w.SpecPath()+".hostIPC", "", "%s shares the host's IPC namespace (hostIPC)", kindNoun(w))
	}
})

// HostNetwork finds pods on the host's network namespace.
var HostNetwork = check.New(check.Meta{
	ID:       "host-network",
	Item:     "dev.security-context",
	Title:    "Pods do not use the host's network namespace",
	Severity: check.High,
	Description: "spec.hostNetwork: true puts the pod on the node's network: it bypasses network policies, " +
		"can reach the instance metadata service (IMDS) and the kubelet, and can sniff node traffic.",
	Remediation: "Remove hostNetwork and expose the pod through a Service.",
	Example: `apiVersion: v1
kind: Service
metadata:
  name: app
  namespace: shop
spec:
  selector:
    app.kubernetes.io/name: app
  ports:
    - port: 80
      targetPort: 8080
# and in the pod template: no hostNetwork (false is the default)`,
	Admission: hostNamespaceCEL("hostNetwork", "uses the host's network namespace (hostNetwork)"),
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	if w.Spec().HostNetwork {
		r.Failf(w.SpecPath()+".hostNetwork", "", "%s uses the host's network namespace (hostNetwork)", kindNoun(w))
	}
})

// hostNamespaceCEL is the admission form of a host namespace check: the pod spec's field
// (hostPID, hostIPC, hostNetwork) is not true.
func hostNamespaceCEL(field, fault string) *check.AdmissionCEL {
	return &check.AdmissionCEL{
		Expression: "variables.podSpec.?" + field + ".orValue(false) != true",
		Message:    "variables.subject + " + strconv.Quote(" "+fault),
	}
}
