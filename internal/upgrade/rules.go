package upgrade

import "github.com/akscheck/akscheck/internal/check"

// Rule is one kind of finding of an upgrade plan: its severity, whether it stops the upgrade,
// what to do, and where the rule comes from. The table is data, so that SARIF and JUnit
// describe the rules from the one place the plan reads them.
type Rule struct {
	ID       string
	Section  string
	Severity check.Severity
	// Blocking rules make the verdict no-go.
	Blocking    bool
	Title       string
	Remediation string
	// Source is the authority the rule follows.
	Source string
}

const (
	srcSkew   = "Kubernetes version skew policy (kubernetes.io/releases/version-skew-policy); AKS supported Kubernetes versions (learn.microsoft.com/azure/aks/supported-kubernetes-versions): minors cannot be skipped, node pools at most two minors behind"
	srcGuide  = "Kubernetes Deprecated API Migration Guide (kubernetes.io/docs/reference/using-api/deprecation-guide), through internal/kubeapi"
	srcDrain  = "AKS: Upgrade options (learn.microsoft.com/azure/aks/upgrade-aks-cluster): drain, surge, drain timeout, soak; Kubernetes: Specifying a Disruption Budget (kubernetes.io/docs/tasks/run-application/configure-pdb)"
	srcIPs    = "AKS: Azure CNI IP planning (learn.microsoft.com/azure/aks/configure-azure-cni): each node takes maxPods+1 addresses of the subnet; overlay and kubenet pods take none"
	srcAKS    = "AKS release calendar and FAQ (learn.microsoft.com/azure/aks/supported-kubernetes-versions, learn.microsoft.com/azure/aks/faq)"
	sectPath  = "path"
	sectAPIs  = "apis"
	sectDrain = "drain"
	sectCap   = "capacity"
	sectAKS   = "aks-changes"
)

// Rules is every rule of the plan, by section.
var Rules = []Rule{
	{ID: "upgrade-step-unsupported", Section: sectPath, Severity: check.Medium,
		Title:       "A step of the path is out of support on the plan's date",
		Remediation: "Go on through the step to a supported minor without stopping; plan the whole path in one maintenance window.", Source: srcAKS},
	{ID: "upgrade-target-unsupported", Section: sectPath, Severity: check.High, Blocking: true,
		Title:       "The target minor is not in support (preview, or past its end of life)",
		Remediation: "Choose a target in support (--to), or upgrade further.", Source: srcAKS},
	{ID: "upgrade-pool-skew", Section: sectPath, Severity: check.High, Blocking: true,
		Title:       "A node pool would be more than two minors behind the control plane",
		Remediation: "Upgrade the pool first (az aks nodepool upgrade --kubernetes-version <control plane version>), then the control plane.", Source: srcSkew},
	{ID: "upgrade-pool-behind", Section: sectPath, Severity: check.Low,
		Title:       "A node pool is behind the control plane",
		Remediation: "Upgrade the pool with the control plane (az aks upgrade upgrades every pool unless --control-plane-only).", Source: srcSkew},
	{ID: "upgrade-removed-api", Section: sectAPIs, Severity: check.High, Blocking: true,
		Title:       "An object uses an apiVersion the target no longer serves",
		Remediation: "Rewrite the object (and the chart or pipeline that writes it) in the replacement apiVersion before the upgrade.", Source: srcGuide},
	{ID: "upgrade-deprecated-api", Section: sectAPIs, Severity: check.Low,
		Title:       "An object uses a deprecated apiVersion the target still serves",
		Remediation: "Move the object to the replacement apiVersion before the minor that removes it.", Source: srcGuide},
	{ID: "upgrade-pdb-blocks", Section: sectDrain, Severity: check.High, Blocking: true,
		Title:       "A PodDisruptionBudget allows no eviction: the drain of its nodes hangs",
		Remediation: "Use maxUnavailable: 1 (or a minAvailable below the ready replicas), and run enough replicas to lose one.", Source: srcDrain},
	{ID: "upgrade-single-replica-pdb", Section: sectDrain, Severity: check.Medium,
		Title:       "A single-replica workload under a PodDisruptionBudget",
		Remediation: "Run two replicas or more, or accept the downtime of its drain.", Source: srcDrain},
	{ID: "upgrade-bare-pod", Section: sectDrain, Severity: check.Medium,
		Title:       "A pod without a controller is deleted by the drain and never comes back",
		Remediation: "Run it under a Deployment, StatefulSet or Job.", Source: srcDrain},
	{ID: "upgrade-local-storage", Section: sectDrain, Severity: check.Low,
		Title:       "A pod keeps data on its node (emptyDir, hostPath): the drain loses it",
		Remediation: "Keep data that must outlive the node on a PersistentVolume.", Source: srcDrain},
	{ID: "upgrade-pool-settings", Section: sectDrain, Severity: check.Info,
		Title:       "A node pool's upgrade settings: surge, drain timeout, soak",
		Remediation: "Set upgradeSettings (az aks nodepool update --max-surge --drain-timeout --node-soak-duration) to what the pool's workloads need.", Source: srcDrain},
	{ID: "upgrade-surge-addresses", Section: sectCap, Severity: check.Info,
		Title:       "The addresses a pool's surge nodes need from its subnet",
		Remediation: "Make sure the pool's subnet has that many free addresses, or lower maxSurge.", Source: srcIPs},
	{ID: "upgrade-surge-subnet-full", Section: sectCap, Severity: check.High, Blocking: true,
		Title:       "A pool's surge nodes need more addresses than its subnet has free: the upgrade fails",
		Remediation: "Lower maxSurge, or free or add addresses to the subnet (a larger prefix, or move to Azure CNI Overlay) before the upgrade.", Source: srcIPs},
	{ID: "upgrade-aks-change-blocks", Section: sectAKS, Severity: check.High, Blocking: true,
		Title:       "An AKS change in a minor of the path stops the upgrade while a pool it touches remains",
		Remediation: "Replace the pools the change names (a new pool of a supported OS, then delete the old one) before the upgrade.",
		Source:      "AKS announcements, each cited by its change (internal/upgrade/changes.go) and in the finding"},
	{ID: "upgrade-aks-change", Section: sectAKS, Severity: check.Info,
		Title:       "An AKS change in a minor of the path touches this cluster",
		Remediation: "Read the change and test the workloads it touches before the upgrade.", Source: srcAKS},
}

// RuleByID returns the rule of an ID.
func RuleByID(id string) (Rule, bool) {
	for _, r := range Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// Sections are the sections of a plan, in the order of its checklist.
var Sections = []struct{ ID, Title string }{
	{sectPath, "Target and path"},
	{sectAPIs, "Removed and deprecated APIs"},
	{sectDrain, "Drain blockers"},
	{sectCap, "Capacity for surge"},
	{sectAKS, "AKS changes"},
}
