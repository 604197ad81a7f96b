package live

import (
	"context"
	"fmt"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ClusterCheckMaxAge is how long ago a scheduled checker may have last succeeded.
var ClusterCheckMaxAge = check.NewParam("clusterCheckMaxAge",
	"how long ago an in-cluster checker's CronJob may have last succeeded (status.lastSuccessfulTime), in days (7d) or as a Go duration (36h)",
	check.Age(7*24*time.Hour), func(a check.Age) error {
		if a <= 0 {
			return fmt.Errorf("%s is not a positive age", a)
		}
		return nil
	})

// ClusterChecker checks that a checker of the cluster runs and has succeeded lately.
var ClusterChecker = check.New(check.Meta{
	ID:          "live-cluster-checker",
	CrossObject: true,
	Item:        "ops.cluster-checks",
	Title:       "A scheduled checker of the cluster has succeeded lately",
	Severity:    check.Low,
	Description: "Looks for the workloads of a checker of the cluster's configuration or security " +
		"(akscheck, kube-bench, Polaris, Kubescape, trivy-operator; known by the labels of their charts or " +
		"by their images) in any namespace. A CronJob of one must have succeeded within clusterCheckMaxAge " +
		"(7 days by default; status.lastSuccessfulTime, or its creation when it is younger than that); an " +
		"operator or dashboard (Deployment, DaemonSet, StatefulSet) must be ready. Suspended CronJobs and " +
		"one-off Jobs are reported by cluster-checker-scheduled. The reports themselves and the " +
		"remediation of what they found stay manual.",
	Remediation: "Schedule a checker (akscheck's chart with scan.cronJob.enabled, kube-bench or a Polaris audit as a CronJob, trivy-operator or Kubescape's operator) and fix what keeps its runs from succeeding.",
	Evidence:    liveOnly,
	Requires:    []string{"CronJob", "Deployment", "DaemonSet", "StatefulSet"},
	Settings:    []check.Setting{ClusterCheckMaxAge},
	// A CronJob's last success grows older with every day of the scan.
	Dated: true,
}, func(_ context.Context, env *check.Env, _ *subject.LiveCluster, r *check.Result) {
	var checkers []*subject.Workload
	for _, w := range env.Index.Workloads() {
		if w.ClusterChecker() != "" {
			checkers = append(checkers, w)
		}
	}
	var running int
	maxAge := ClusterCheckMaxAge.Get(env).Duration()
	var agents []agent
	for _, w := range checkers {
		switch w.Kind {
		case "CronJob":
			cj, ok := w.Body().(*batchv1.CronJob)
			if !ok || (cj.Spec.Suspend != nil && *cj.Spec.Suspend) {
				continue
			}
			running++
			if stale := staleRun(cj, env.Now, maxAge); stale != "" {
				r.Add(check.Finding{Severity: r.Severity(), Object: objRef(w.Object), Location: subject.Location{Path: "status.lastSuccessfulTime"},
					Message: "CronJob " + w.Namespace + "/" + w.Name() + " runs " + w.ClusterChecker() + " but " + stale + " (evidence: its status.lastSuccessfulTime)"})
			}
		case "Deployment", "DaemonSet", "StatefulSet":
			running++
			name := w.Name()
			agents = append(agents, findAgents(env.Index, w.Namespace, []string{w.Kind}, func(n string) bool { return n == name })...)
		}
	}
	if running == 0 {
		r.Failf("", "", "no scheduled checker of the cluster (%s) runs in the cluster (evidence: the CronJobs, Deployments, DaemonSets and StatefulSets of %d namespaces, by labels and images)",
			strings.Join(subject.ClusterCheckerNames(), ", "), countNamespaces(env.Index))
		return
	}
	failAgents(r, r.Severity(), unhealthy(agents), "the checker")
})

// staleRun says what is wrong with a CronJob's last success at now, or "": it succeeded
// within maxAge, or was created within maxAge and may not have been due yet.
func staleRun(cj *batchv1.CronJob, now time.Time, maxAge time.Duration) string {
	if last := cj.Status.LastSuccessfulTime; last != nil {
		if age := now.Sub(last.Time); age > maxAge {
			// Whole days read best ("30d"); an age under a day in hours.
			unit := 24 * time.Hour
			if age < unit {
				unit = time.Hour
			}
			return fmt.Sprintf("last succeeded %s ago, on %s (more than %s)", check.Age(age.Truncate(unit)), last.UTC().Format(time.DateOnly), check.Age(maxAge))
		}
		return ""
	}
	if created := cj.CreationTimestamp.Time; !created.IsZero() && now.Sub(created) <= maxAge {
		return ""
	}
	if cj.CreationTimestamp.IsZero() {
		return "has never succeeded"
	}
	return fmt.Sprintf("has never succeeded since it was created on %s", cj.CreationTimestamp.UTC().Format(time.DateOnly))
}

// countNamespaces counts the namespaces that hold workloads, for the evidence of a finding.
func countNamespaces(ix *subject.Index) int {
	seen := map[string]bool{}
	for _, w := range ix.Workloads() {
		seen[w.Namespace] = true
	}
	return len(seen)
}
