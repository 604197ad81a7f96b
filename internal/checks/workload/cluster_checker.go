package workload

import (
	"context"

	batchv1 "k8s.io/api/batch/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ClusterCheckerScheduled finds in-cluster checkers that run once or not at all.
var ClusterCheckerScheduled = check.New(check.Meta{
	ID:       "cluster-checker-scheduled",
	Item:     "ops.cluster-checks",
	Title:    "In-cluster checkers run on a schedule",
	Severity: check.Low,
	Description: "A workload of a checker of the cluster (akscheck, kube-bench, Polaris, Kubescape, " +
		"trivy-operator; known by the labels of their charts or by their images, mirrored or not) is a " +
		"CronJob that is not suspended, or a controller that runs and rechecks by itself (Deployment, " +
		"DaemonSet, StatefulSet). A Job or a Pod checks the cluster once, and a suspended CronJob not at " +
		"all: the cluster drifts after the last report. Other workloads are not judged. How recently a " +
		"scheduled checker last succeeded only a running cluster tells (live-cluster-checker).",
	Remediation: "Run the checker as a CronJob (kube-bench, Polaris audit, akscheck's scan.cronJob) or as its operator, and resume a suspended CronJob (spec.suspend: false).",
	Example: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: kube-bench
  namespace: security-scans
spec:
  schedule: "0 3 * * 1"
  suspend: false`,
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	checker := w.ClusterChecker()
	if checker == "" {
		r.NotApplicable()
		return
	}
	switch w.Kind {
	case "Job", "Pod":
		r.Failf("kind", "", "%s runs %s once: the cluster is not checked again after it (evidence: its kind)", kindNoun(w), checker)
	case "CronJob":
		if cj, ok := w.Body().(*batchv1.CronJob); ok && isTrue(cj.Spec.Suspend) {
			r.Failf("spec.suspend", "", "%s runs %s but is suspended: no scan is scheduled (evidence: spec.suspend)", kindNoun(w), checker)
		}
	}
})
