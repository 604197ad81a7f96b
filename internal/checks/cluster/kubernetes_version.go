package cluster

import (
	"context"
	"time"

	"github.com/akscheck/akscheck/internal/aksversion"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// maxDataAge is how old the version data may be before findings say so.
const maxDataAge = 90 * 24 * time.Hour

// KubernetesVersion finds clusters on unsupported or ageing Kubernetes versions.
var KubernetesVersion = check.New(check.Meta{
	ID:       "kubernetes-version",
	Item:     "ops.kubernetes-version",
	Title:    "The control plane runs a supported Kubernetes version, on its latest patch",
	Severity: check.High,
	Dated:    true,
	Description: "currentKubernetesVersion (else kubernetesVersion; Terraform kubernetes_version) is judged on the " +
		"scan's date against the AKS versions: the output of az aks get-versions in the input or given with " +
		"--versions-file, else the data shipped with akscheck (GA, end of life, LTS end of life per minor). " +
		"Out of support is critical (LTS counts only with supportPlan AKSLongTermSupport on the Premium tier); " +
		"the oldest supported minor is medium (upgrade soon); a newer patch of the same minor (from the " +
		"version list or the cluster's upgrade profile) is low. Shipped data older than 90 days adds an " +
		"info finding.",
	Remediation: "Upgrade the cluster (az aks upgrade --kubernetes-version <newest supported>) and keep an auto-upgrade channel on.",
	Evidence:    clusterEvidence,
	Settings:    []check.Setting{VersionsSetting},
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	v := controlPlaneVersion(c)
	if !v.IsKnown() || aksversion.MinorOf(v.V) == "" {
		// Not written (Terraform without kubernetes_version), AKS chose the version when it
		// created the cluster: only the running cluster tells it.
		undecided(r, c, "the Kubernetes version", v.Attr)
		return
	}
	data := versionData(env, c)
	if age := data.Age(env.Now); age > maxDataAge {
		failSev(r, check.Info, c, v.Attr, "the AKS version data is %d days old (as of %s); pass az aks get-versions output with --versions-file",
			int(age.Hours()/24), data.AsOf)
	}
	lts := c.SupportPlan.Is("AKSLongTermSupport") && c.SKUTier.Is("Premium")
	verdict := data.Judge(v.V, lts, env.Now)
	switch {
	case !verdict.Known:
		r.Undecided("the AKS support data of Kubernetes " + v.V + " of " + noun(c) +
			" (not in the version data of this scan: give az aks get-versions output with --versions-file)")
		return
	case !verdict.Supported:
		msg := "Kubernetes %s is out of support"
		if c.SupportPlan.Is("AKSLongTermSupport") && !c.SKUTier.Is("Premium") {
			msg += " (long-term support needs the Premium tier)"
		}
		failSev(r, check.Critical, c, v.Attr, msg, v.V)
		return
	case verdict.Oldest:
		failSev(r, check.Medium, c, v.Attr, "Kubernetes %s is the oldest supported minor (end of life %s): upgrade soon",
			aksversion.MinorOf(v.V), orUnknown(verdict.EndOfLife))
	}
	if latest := latestPatch(c, v.V, verdict.LatestPatch); latest != "" {
		failSev(r, check.Low, c, v.Attr, "Kubernetes %s is not the latest patch of its minor (%s)", v.V, latest)
	}
})

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// controlPlaneVersion is the running version, else the requested one.
func controlPlaneVersion(c *subject.Cluster) subject.String {
	if c.CurrentKubernetesVersion.IsKnown() && c.CurrentKubernetesVersion.V != "" {
		return c.CurrentKubernetesVersion
	}
	return c.KubernetesVersion
}

// versionData picks the version list: the cluster's az aks get-versions input, else the
// scan's (--versions-file or the shipped data).
func versionData(env *check.Env, c *subject.Cluster) *aksversion.Data {
	if kv := c.Versions; kv != nil && len(kv.Minors) > 0 {
		d := &aksversion.Data{Source: "az aks get-versions", Live: true}
		for _, m := range kv.Minors {
			am := aksversion.Minor{Version: aksversion.MinorOf(m.Version), Preview: m.IsPreview, Patches: m.Patches}
			official := len(m.SupportPlans) == 0
			for _, p := range m.SupportPlans {
				switch {
				case equalFold(p, "KubernetesOfficial"):
					official = true
				case equalFold(p, "AKSLongTermSupport"):
					am.LTS = true
				}
			}
			am.LTSOnly = am.LTS && !official
			d.Minors = append(d.Minors, am)
		}
		return sortedData(d)
	}
	if v := VersionsSetting.Get(env); v != nil {
		return v
	}
	return aksversion.Shipped()
}

func sortedData(d *aksversion.Data) *aksversion.Data {
	for i := 1; i < len(d.Minors); i++ {
		for j := i; j > 0 && aksversion.Compare(d.Minors[j].Version, d.Minors[j-1].Version) < 0; j-- {
			d.Minors[j], d.Minors[j-1] = d.Minors[j-1], d.Minors[j]
		}
	}
	for i := range d.Minors {
		ps := d.Minors[i].Patches
		for a := 1; a < len(ps); a++ {
			for b := a; b > 0 && aksversion.Compare(ps[b], ps[b-1]) < 0; b-- {
				ps[b], ps[b-1] = ps[b-1], ps[b]
			}
		}
	}
	return d
}

// latestPatch returns a newer patch of the version's minor, from the version list or the
// cluster's upgrade profile; "" when the version is current or its patch is not given.
func latestPatch(c *subject.Cluster, version, fromList string) string {
	if len(aksversion.Parts(version)) < 3 {
		return ""
	}
	best := ""
	if fromList != "" && aksversion.Compare(fromList, version) > 0 {
		best = fromList
	}
	if c.Upgrades != nil {
		for _, u := range c.Upgrades.Upgrades {
			if aksversion.MinorOf(u) == aksversion.MinorOf(version) && aksversion.Compare(u, version) > 0 &&
				(best == "" || aksversion.Compare(u, best) > 0) {
				best = u
			}
		}
	}
	return best
}

// NodePoolVersionSkew finds pools too far from the control plane's version.
var NodePoolVersionSkew = check.New(check.Meta{
	ID:       "node-pool-version-skew",
	Aliases:  []string{"live-node-version-skew"},
	Item:     "ops.kubernetes-version",
	Title:    "Node pools are at most two minors behind the control plane, never ahead",
	Severity: check.High,
	Description: "Each pool's currentOrchestratorVersion (else orchestratorVersion; Terraform orchestrator_version) " +
		"has the control plane's major version, is not newer than it, and is at most two minors older: " +
		"outside that skew Kubernetes and AKS do not support the pool (high). A pool one or two minors " +
		"behind is an upgrade left half done (low). On a running cluster the pool's version is its oldest " +
		"node's kubelet (status.nodeInfo.kubeletVersion) and the control plane's the API server's (/version).",
	Remediation: "Upgrade the lagging node pools (az aks nodepool upgrade --kubernetes-version <control plane version>).",
	Evidence:    observedEvidence,
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	cpv := controlPlaneVersion(c)
	cp := aksversion.Parts(cpv.V)
	if !cpv.IsKnown() || len(cp) < 2 {
		undecided(r, c, "the control plane's Kubernetes version", cpv.Attr)
		return
	}
	judged := false
	for _, p := range c.Pools {
		pv := p.CurrentOrchestratorVersion
		if !pv.IsKnown() || pv.V == "" {
			pv = p.OrchestratorVersion
		}
		if pv.IsAbsent() {
			// Not written, a pool takes the control plane's version.
			judged = true
			continue
		}
		parts := aksversion.Parts(pv.V)
		if !pv.IsKnown() || len(parts) < 2 {
			poolUndecided(r, c, p, "the Kubernetes version", pv.Attr)
			continue
		}
		judged = true
		switch {
		case parts[0] != cp[0]:
			poolFail(r, c, p, pv.Attr, "runs Kubernetes %s, another major version than the control plane", pv.V)
		case parts[1] > cp[1]:
			poolFail(r, c, p, pv.Attr, "runs Kubernetes %s, newer than the control plane", pv.V)
		case cp[1]-parts[1] > 2:
			poolFail(r, c, p, pv.Attr, "runs Kubernetes %s, more than two minors behind the control plane", pv.V)
		case cp[1] > parts[1]:
			poolFailSev(r, check.Low, c, p, pv.Attr, "runs Kubernetes %s, %d minor(s) behind the control plane: the upgrade of the pool is not done",
				pv.V, cp[1]-parts[1])
		}
	}
	if !judged {
		r.NotApplicable()
	}
})

// VersionsSetting are the AKS Kubernetes versions clusters are judged against when their own
// az aks get-versions input is not given: --versions-file, else the data shipped with akscheck.
var VersionsSetting = check.NewInput[*aksversion.Data]("aksVersions",
	"the AKS Kubernetes versions clusters are judged against (--versions-file; default: the data shipped with akscheck)", nil)
