package workload

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// LivenessProbe finds long-running containers without a liveness probe.
var LivenessProbe = check.New(check.Meta{
	ID:       "liveness-probe",
	Item:     "dev.liveness-probe",
	Title:    "Long-running containers have a liveness probe",
	Severity: check.Medium,
	Description: "Looks at the app containers of Deployments, StatefulSets, DaemonSets, ReplicaSets, " +
		"ReplicationControllers and Pods that restart always (Jobs, CronJobs and pods that run to completion " +
		"are left out, as are init containers). Without a liveness probe the kubelet cannot restart a " +
		"container that hangs without exiting.",
	Remediation: "Add a livenessProbe (httpGet, tcpSocket, grpc or exec) that fails only when the process cannot recover by itself.",
	Fix:         fixProbeDoc("liveness"),
	Example: `spec:
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0
      livenessProbe:
        httpGet:
          path: /healthz
          port: 8080
        periodSeconds: 10
        failureThreshold: 3`,
	Settings: []check.Setting{FixProbesSetting},
	Kinds:    longRunningKinds,
	// Pods that do not restart always run to completion: they pass, as the check leaves them out.
	Admission: func() *check.AdmissionCEL {
		a := eachContainerCEL("variables.appContainers", "!has(c.livenessProbe)", "have no liveness probe")
		a.Expression = "(object.kind == 'Pod' && variables.podSpec.?restartPolicy.orValue('Always') != 'Always') || " + a.Expression
		return a
	}(),
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	if !w.LongRunning() {
		r.NotApplicable()
		return
	}
	for _, c := range w.AppContainers() {
		if c.LivenessProbe == nil {
			r.FailFixf(c.Path+".livenessProbe", c.Name, probeFix(c, "liveness", c.Path+".livenessProbe", FixProbesSetting.Get(env)), "container %q of %s has no liveness probe", c.Name, kindNoun(w))
		}
	}
})
