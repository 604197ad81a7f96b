package live

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// logAgent matches the DaemonSets of log collectors: Container Insights (ama-logs, omsagent
// before 2023) and common third-party agents.
var (
	containerInsights = hasPrefix("ama-logs", "omsagent")
	thirdPartyLogs    = contains("fluent-bit", "fluentbit", "fluentd", "datadog", "filebeat", "elastic-agent", "promtail", "vector", "splunk", "logging-operator")
)

// LogAgent checks that a log collector runs on every node.
var LogAgent = check.New(check.Meta{
	ID:          "live-log-agent",
	CrossObject: true,
	Item:        "ops.log-aggregation",
	Title:       "A log collector runs on every node",
	Severity:    check.Medium,
	Description: "Looks for the Container Insights agent DaemonSet (ama-logs, omsagent on older clusters) in " +
		"kube-system, or a third-party log collector DaemonSet (Fluent Bit, Fluentd, Datadog, Filebeat, " +
		"Elastic Agent, Promtail, Vector, Splunk; a heuristic on names) in any namespace, and reads its " +
		"readiness. Container logs live on the node only until the pod is gone.",
	Remediation: "Enable Container Insights (az aks enable-addons --addons monitoring --workspace-resource-id <id>) or deploy a log collector DaemonSet.",
	Evidence:    liveOnly,
	Requires:    []string{"DaemonSet"},
}, func(_ context.Context, env *check.Env, c *subject.LiveCluster, r *check.Result) {
	agents := findAgents(env.Index, kubeSystem, []string{"DaemonSet"}, containerInsights)
	agents = append(agents, findAgents(env.Index, "", []string{"DaemonSet"}, thirdPartyLogs)...)
	if len(agents) == 0 {
		r.Failf("", "", "no log collector DaemonSet (ama-logs, Fluent Bit, Fluentd…) runs in the cluster (evidence: the names of %d DaemonSets)", len(daemonSets(env.Index, "")))
		return
	}
	failAgents(r, check.Medium, unhealthy(agents), "the log collector")
})

var (
	managedPrometheus = hasPrefix("ama-metrics")
	selfPrometheus    = contains("prometheus", "datadog", "victoria-metrics", "vmagent", "grafana-agent", "alloy")
)

// MetricsAgent checks that metrics are collected from the cluster.
var MetricsAgent = check.New(check.Meta{
	ID:          "live-metrics-agent",
	CrossObject: true,
	Item:        "ops.metrics",
	Title:       "A metrics collector runs in the cluster",
	Severity:    check.Medium,
	Description: "Looks for Azure Monitor managed Prometheus (ama-metrics in kube-system), or a Prometheus, " +
		"VictoriaMetrics, Grafana Agent/Alloy or Datadog collector in any namespace (a heuristic on the " +
		"names of Deployments, StatefulSets and DaemonSets), and reads its readiness. Without metrics " +
		"nobody sees a node or pod running out of CPU or memory before it fails.",
	Remediation: "Enable Azure Monitor managed Prometheus (az aks update --enable-azure-monitor-metrics) or deploy a Prometheus stack.",
	Evidence:    liveOnly,
	Requires:    []string{"Deployment", "StatefulSet", "DaemonSet"},
}, func(_ context.Context, env *check.Env, c *subject.LiveCluster, r *check.Result) {
	kinds := []string{"Deployment", "StatefulSet", "DaemonSet"}
	agents := findAgents(env.Index, kubeSystem, kinds, managedPrometheus)
	agents = append(agents, findAgents(env.Index, "", kinds, selfPrometheus)...)
	if len(agents) == 0 {
		r.Failf("", "", "no metrics collector (ama-metrics, Prometheus…) runs in the cluster (evidence: the names of the cluster's Deployments, StatefulSets and DaemonSets)")
		return
	}
	failAgents(r, check.Medium, unhealthy(agents), "the metrics collector")
})
