package live

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

const gatekeeperSystem = "gatekeeper-system"

// AzurePolicy checks that Azure Policy for Kubernetes (Gatekeeper) runs and enforces policies.
var AzurePolicy = check.New(check.Meta{
	ID:          "live-azure-policy",
	CrossObject: true,
	Item:        "ops.azure-policy",
	Title:       "Azure Policy (Gatekeeper) runs and has constraint templates",
	Severity:    check.High,
	Description: "Looks for the Azure Policy add-on (Deployments azure-policy and azure-policy-webhook in " +
		"kube-system) and Gatekeeper (gatekeeper-controller and gatekeeper-audit in gatekeeper-system), " +
		"reads their readiness, and counts the ConstraintTemplates (templates.gatekeeper.sh) that Azure " +
		"Policy assignments install. Without them nothing admits or audits workloads against the " +
		"organisation's policies.",
	Remediation: "Enable the Azure Policy add-on (az aks enable-addons --addons azure-policy) and assign the Kubernetes pod security baseline initiative to the cluster.",
	Evidence:    liveOnly,
	Requires:    []string{"Deployment", "ConstraintTemplate"},
}, func(_ context.Context, env *check.Env, c *subject.LiveCluster, r *check.Result) {
	addon := findAgents(env.Index, kubeSystem, []string{"Deployment"}, hasPrefix("azure-policy"))
	gk := findAgents(env.Index, gatekeeperSystem, []string{"Deployment"}, hasPrefix("gatekeeper-"))
	if len(addon) == 0 && len(gk) == 0 {
		r.Failf("", "", "neither the Azure Policy add-on (kube-system/azure-policy) nor Gatekeeper (gatekeeper-system) runs (evidence: the Deployments of kube-system and gatekeeper-system)")
		return
	}
	failAgents(r, check.High, unhealthy(append(addon, gk...)), "policy component")
	if len(gk) == 0 {
		r.Failf("", "", "the Azure Policy add-on runs but Gatekeeper does not run in gatekeeper-system: no policy is enforced (evidence: the Deployments of gatekeeper-system)")
		return
	}
	if n := len(env.Index.ObjectsOfKind("ConstraintTemplate")); n == 0 {
		r.Failf("", "", "Gatekeeper runs but no ConstraintTemplate exists: no policy is assigned to the cluster (evidence: templates.gatekeeper.sh ConstraintTemplates)")
	}
})
