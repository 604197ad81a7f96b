package cluster

import (
	"context"
	"slices"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// Log categories of AKS diagnostic settings: the audit category group holds auditLogs, and
// the settings must keep kube-audit-admin (or kube-audit) and controlPlaneLogs; the allLogs
// group holds them all.
var (
	auditLogs        = []string{"kube-audit", "kube-audit-admin", "guard"}
	controlPlaneLogs = []string{"guard", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "cluster-autoscaler"}
)

// ControlPlaneLogs finds clusters whose control-plane logs are not kept.
var ControlPlaneLogs = check.New(check.Meta{
	ID:       "control-plane-logs",
	Item:     "ops.control-plane-logs",
	Title:    "A diagnostic setting keeps the control-plane and audit logs",
	Severity: check.High,
	Description: "A diagnostic setting on the cluster (Microsoft.Insights/diagnosticSettings; Terraform " +
		"azurerm_monitor_diagnostic_setting) with a destination enables kube-audit-admin (or kube-audit), " +
		"guard, kube-apiserver, kube-controller-manager, kube-scheduler and cluster-autoscaler (the allLogs " +
		"category group covers all; audit covers the audit and guard logs). Judged when the input holds the " +
		"cluster's diagnostic settings (a template, a module, or az monitor diagnostic-settings list output).",
	Remediation: "Add a diagnostic setting that sends kube-audit-admin, guard, kube-apiserver, kube-controller-manager, kube-scheduler and cluster-autoscaler to a Log Analytics workspace.",
	Evidence:    clusterEvidence,
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	if !c.DiagnosticsKnown {
		missingFrom(r, c, "the diagnostic settings",
			"az monitor diagnostic-settings list --resource <cluster ID> output, or the template's Microsoft.Insights/diagnosticSettings or Terraform azurerm_monitor_diagnostic_setting")
		return
	}
	covered := map[string]bool{}
	unknown := false
	for _, d := range c.Diagnostics {
		if d.HasDestination.IsKnown() && !d.HasDestination.V {
			continue
		}
		unknown = unknown || d.UnknownLogs || d.HasDestination.IsUnknown()
		for cat := range d.Logs {
			switch cat {
			case "group:alllogs":
				for _, x := range slices.Concat(auditLogs, controlPlaneLogs) {
					covered[x] = true
				}
			case "group:audit":
				for _, x := range auditLogs {
					covered[x] = true
				}
			default:
				covered[cat] = true
			}
		}
	}
	var missing []string
	if !covered["kube-audit-admin"] && !covered["kube-audit"] {
		missing = append(missing, "kube-audit-admin (or kube-audit)")
	}
	for _, x := range controlPlaneLogs {
		if !covered[x] {
			missing = append(missing, x)
		}
	}
	switch {
	case len(missing) == 0:
	case unknown:
		undecided(r, c, "the log categories or destination of a diagnostic setting", subject.Attr{State: subject.Unknown, Loc: unknownLogsAt(c)})
	case len(c.Diagnostics) == 0:
		fail(r, c, subject.Attr{Loc: c.DiagnosticsAt}, "no diagnostic setting keeps the control-plane logs")
	default:
		d := c.Diagnostics[0]
		fail(r, d, subject.Attr{Loc: d.LogsAt}, "the diagnostic settings do not keep %s", strings.Join(missing, ", "))
	}
})

// unknownLogsAt is where the first diagnostic setting with unknown logs or destination is
// written.
func unknownLogsAt(c *subject.Cluster) subject.Location {
	for _, d := range c.Diagnostics {
		if d.UnknownLogs {
			return where(d.LogsAt, d.Source)
		}
		if d.HasDestination.IsUnknown() {
			return where(d.HasDestination.Loc, d.Source)
		}
	}
	return c.DiagnosticsAt
}
