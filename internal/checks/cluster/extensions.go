package cluster

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// The inputs that list what a cluster's inputs leave out, named in undecided reasons.
const (
	giveExtensions  = "az k8s-extension list --cluster-type managedClusters output, the template's Microsoft.KubernetesConfiguration/extensions, or --azure"
	giveFluxConfigs = "az k8s-configuration flux list --cluster-type managedClusters output, the template's Microsoft.KubernetesConfiguration/fluxConfigurations, or --azure"
	giveBackups     = "az dataprotection backup-instance list output, the template's Microsoft.DataProtection/backupVaults/backupInstances, or --azure"
)

// argoNames are the Argo CD application controller's workload names (no AKS extension is
// generally available for it; it counts as GitOps all the same).
var argoNames = []string{"argocd-application-controller", "argo-cd-argocd-application-controller"}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// workloadNames names workloads in a message: "Deployment flux-system/source-controller".
func workloadNames(ws []*subject.Workload) string {
	names := make([]string, 0, len(ws))
	for _, w := range ws {
		names = append(names, w.Kind+" "+w.Namespace+"/"+w.Name())
	}
	sort.Strings(names)
	if len(names) > 3 {
		names = append(names[:3], "…")
	}
	return strings.Join(names, ", ")
}

// hasExtension tells whether the cluster has an extension of a type: yes, no, or unknown
// (the extensions are not in the input, or one's type is an unresolved expression) with the
// reason recorded as undecided.
func hasExtension(r *check.Result, c *subject.Cluster, typ string) (has, decided bool) {
	if len(c.ExtensionOfType(typ)) > 0 {
		return true, true
	}
	if !c.ExtensionsKnown {
		missingFrom(r, c, "the cluster extensions", giveExtensions)
		return false, false
	}
	for _, e := range c.Extensions {
		if e.ExtensionType.IsUnknown() {
			undecided(r, c, "the type of extension "+e.Name, e.ExtensionType.Attr)
			return false, false
		}
	}
	return false, true
}

// extensionsAt is where an extension of the cluster would be declared.
func extensionsAt(c *subject.Cluster) subject.Location {
	loc := c.Source
	loc.Path = "providers/Microsoft.KubernetesConfiguration/extensions"
	if c.Input == subject.InputTerraform {
		loc.Path = "azurerm_kubernetes_cluster_extension"
	}
	return loc
}

// ExtensionAutoUpgrade finds cluster extensions that do not take minor upgrades.
var ExtensionAutoUpgrade = check.New(check.Meta{
	ID:       "extension-auto-upgrade",
	Item:     "cluster.extensions",
	Title:    "Cluster extensions take minor version upgrades automatically",
	Severity: check.Low,
	Description: "Each cluster extension (Microsoft.KubernetesConfiguration/extensions; Terraform " +
		"azurerm_kubernetes_cluster_extension) keeps autoUpgradeMinorVersion on (the default), so that it " +
		"gets the fixes of its release train; azurerm turns it off when version pins one. An extension " +
		"that tracks the Preview release train runs unsupported builds. The extensions are not in az aks " +
		"show output: without them (az k8s-extension list, a template, a module or --azure) the item is not " +
		"evaluated; a cluster without extensions is not applicable.",
	Remediation: "Let the extension upgrade its minor versions (az k8s-extension update --auto-upgrade-minor-version true; in Terraform, remove version) on the Stable release train.",
	Evidence:    clusterEvidence,
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	if len(c.Extensions) == 0 {
		if !c.ExtensionsKnown {
			missingFrom(r, c, "the cluster extensions", giveExtensions)
			return
		}
		r.NotApplicable()
		return
	}
	for _, e := range c.Extensions {
		what := "extension " + e.Name
		if e.ExtensionType.IsKnown() {
			what += " (" + e.ExtensionType.V + ")"
		}
		au := e.AutoUpgradeMinorVersion
		switch {
		case au.IsUnknown():
			undecided(r, c, "the auto-upgrade setting of "+what, au.Attr)
		case au.IsKnown() && !au.V:
			pinned := ""
			if e.Version.IsKnown() && e.Version.V != "" {
				pinned = " at version " + e.Version.V
			}
			fail(r, c, au.Attr, "%s is pinned%s: it does not take minor version upgrades (fixes and security updates)", what, pinned)
		}
		if e.ReleaseTrain.IsKnown() && strings.EqualFold(e.ReleaseTrain.V, "preview") {
			fail(r, c, e.ReleaseTrain.Attr, "%s tracks the Preview release train: it runs builds that are not supported for production", what)
		}
	}
})

// ExtensionForTools finds Flux, Dapr and Velero installed by hand where an AKS extension
// provides them.
var ExtensionForTools = check.New(check.Meta{
	ID:          "extension-for-installed-tools",
	CrossObject: true,
	Requires:    subject.WorkloadKinds,
	Item:        "cluster.extensions",
	Title:       "Flux, Dapr, backups and KEDA come from AKS extensions and add-ons, not hand-made installs",
	Severity:    check.Low,
	Description: "Heuristic, with the manifests scanned alongside the cluster: a workload that runs Flux " +
		"(source-, kustomize-, helm-controller or ghcr.io/fluxcd images), Dapr (dapr-operator, " +
		"dapr-sidecar-injector, daprio images) or Velero (velero/velero) on a cluster that has no extension " +
		"of that type (microsoft.flux, microsoft.dapr, microsoft.dataprotection.kubernetes), or KEDA " +
		"(keda-operator, kedacore images) on a cluster whose KEDA add-on is off " +
		"(workloadAutoScalerProfile.keda.enabled; Terraform workload_autoscaler_profile keda_enabled). The " +
		"extensions and add-ons are installed, upgraded and supported by Microsoft with the cluster; a copy applied by hand is " +
		"upgraded by nobody. Not " +
		"applicable when none of these tools is in the scan; not evaluated without the cluster's extensions.",
	Remediation: "Install the AKS extension (az k8s-extension create --extension-type microsoft.flux, microsoft.dapr or microsoft.dataprotection.kubernetes) or turn on the KEDA add-on (az aks update --enable-keda), and remove the hand-made install.",
	Evidence:    clusterEvidence,
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	found := false
	for _, t := range subject.ExtensionTools {
		ws := env.Index.RunningTool(t)
		if len(ws) == 0 {
			continue
		}
		found = true
		var has, decided bool
		if t.Extension == "" {
			has, decided = c.KEDA.True(), !c.KEDA.IsUnknown()
			if !decided {
				undecided(r, c, "whether the KEDA add-on is on", c.KEDA.Attr)
			}
		} else {
			has, decided = hasExtension(r, c, t.Extension)
		}
		if !decided || has {
			continue
		}
		sort.Slice(ws, func(i, j int) bool { return ws[i].Source.File+ws[i].Name() < ws[j].Source.File+ws[j].Name() })
		w := ws[0]
		r.Add(check.Finding{Severity: r.Severity(), Location: w.Source,
			Object: check.ObjectRef{APIVersion: w.APIVersion, Kind: w.Kind, Namespace: w.Namespace, Name: w.Name()},
			Message: t.Name + " is installed by hand (" + workloadNames(ws) + ") while cluster " + c.Name +
				" has no " + strings.TrimPrefix(t.Provider(), "the ") + " (evidence: the cluster's extensions and add-ons and the scan's workloads)"})
	}
	if !found {
		r.NotApplicable()
	}
})

// GitOpsExtension finds clusters that no GitOps configuration deploys to.
var GitOpsExtension = check.New(check.Meta{
	ID:          "gitops-flux-configuration",
	CrossObject: true,
	Requires:    subject.WorkloadKinds,
	Item:        "ops.gitops",
	Title:       "The cluster is deployed by GitOps: the Flux extension with a Flux configuration",
	Severity:    check.Low,
	Description: "The cluster has the GitOps extension (extensionType microsoft.flux) and at least one Flux " +
		"configuration that is not suspended (Microsoft.KubernetesConfiguration/fluxConfigurations; " +
		"Terraform azurerm_kubernetes_flux_configuration), so that its applications come from a " +
		"repository. A Flux or Argo CD controller among the manifests scanned alongside counts as GitOps " +
		"too (extension-for-installed-tools recommends the extension). Without the cluster's extensions " +
		"and Flux configurations in the input (they are not in az aks show output) the item is not evaluated.",
	Remediation: "Install the GitOps extension and point it at the repository (az k8s-configuration flux create --cluster-type managedClusters ...; Terraform azurerm_kubernetes_flux_configuration).",
	Evidence:    clusterEvidence,
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	flux := c.ExtensionOfType(subject.ExtensionFlux)
	if len(flux) == 0 {
		if handMadeGitOps(env.Index) {
			return
		}
		if has, decided := hasExtension(r, c, subject.ExtensionFlux); decided && !has {
			fail(r, c, subject.Attr{Loc: extensionsAt(c)}, "no GitOps: the cluster has no Flux extension (microsoft.flux) and the scan no Flux or Argo CD controller")
		}
		return
	}
	if len(c.FluxConfigs) == 0 {
		if !c.FluxConfigsKnown {
			missingFrom(r, c, "the Flux configurations", giveFluxConfigs)
			return
		}
		fail(r, c, flux[0].ExtensionType.Attr, "the Flux extension %s is installed but deploys nothing: no Flux configuration points it at a repository", flux[0].Name)
		return
	}
	var suspended []string
	for _, f := range c.FluxConfigs {
		switch {
		case f.Suspend.IsUnknown():
			undecided(r, c, "whether Flux configuration "+f.Name+" is suspended", f.Suspend.Attr)
			return
		case !f.Suspend.True():
			return
		}
		suspended = append(suspended, f.Name)
	}
	fail(r, c, c.FluxConfigs[0].Suspend.Attr, "every Flux configuration is suspended (%s): nothing is reconciled from the repository", strings.Join(suspended, ", "))
})

// handMadeGitOps reports whether the scan runs a Flux or Argo CD controller of its own.
func handMadeGitOps(ix *subject.Index) bool {
	if len(ix.RunningTool(subject.ExtensionTools[0])) > 0 {
		return true
	}
	for _, w := range ix.Workloads() {
		if contains(argoNames, w.Name()) {
			return true
		}
	}
	return false
}

// AKSBackup finds clusters that nothing backs up.
var AKSBackup = check.New(check.Meta{
	ID:          "aks-backup",
	CrossObject: true,
	Requires:    append(slices.Clip(subject.WorkloadKinds), "PersistentVolumeClaim", "Schedule"),
	Item:        "storage.backup",
	Title:       "AKS Backup protects the cluster: the backup extension with a backup instance",
	Severity:    check.Medium,
	Description: "The cluster has the AKS Backup extension (extensionType microsoft.dataprotection.kubernetes) " +
		"and a Backup vault's backup instance protects it with a policy (Microsoft.DataProtection/" +
		"backupVaults/backupInstances with dataSourceInfo.resourceID the cluster; Terraform " +
		"azurerm_data_protection_backup_instance_kubernetes_cluster): the extension alone takes no backup. " +
		"A Velero Schedule among the manifests scanned alongside counts as a backup too. When the scan " +
		"holds Kubernetes objects and none of them is a PersistentVolumeClaim of an application " +
		"namespace, there is no data to back up: not applicable. Without the cluster's extensions and " +
		"backup instances in the input the item is not evaluated. Restores must still be tested.",
	Remediation: "Install the AKS Backup extension (az k8s-extension create --extension-type microsoft.dataprotection.kubernetes) and protect the cluster from a Backup vault (az dataprotection backup-instance create) with a policy that fits its data.",
	Evidence:    clusterEvidence,
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	if len(env.Index.Objects()) > 0 && !holdsData(env) {
		r.NotApplicable()
		return
	}
	if veleroSchedules(env.Index) > 0 {
		return
	}
	ext := c.ExtensionOfType(subject.ExtensionBackup)
	if len(ext) == 0 {
		if has, decided := hasExtension(r, c, subject.ExtensionBackup); decided && !has {
			fail(r, c, subject.Attr{Loc: extensionsAt(c)}, "no backup: the cluster has no AKS Backup extension (microsoft.dataprotection.kubernetes) and the scan no Velero Schedule")
		}
		return
	}
	if len(c.Backups) == 0 {
		if !c.BackupsKnown {
			missingFrom(r, c, "the backup instances", giveBackups)
			return
		}
		fail(r, c, ext[0].ExtensionType.Attr, "the AKS Backup extension %s is installed but no backup instance protects the cluster: no backup is taken", ext[0].Name)
	}
})

// holdsData reports whether the scan holds a PersistentVolumeClaim of an application
// namespace (or a StatefulSet that claims volumes).
func holdsData(env *check.Env) bool {
	for _, o := range env.Index.OfKind("PersistentVolumeClaim") {
		if !scope.System(env, o.Namespace) {
			return true
		}
	}
	for _, w := range env.Index.Workloads() {
		if st := w.StatefulSet(); st != nil && len(st.Spec.VolumeClaimTemplates) > 0 && !scope.System(env, w.Namespace) {
			return true
		}
	}
	return false
}

// veleroSchedules counts the Velero Schedules of the scan that are not paused.
func veleroSchedules(ix *subject.Index) int {
	n := 0
	for _, o := range ix.OfKind("Schedule") {
		var s struct {
			Spec struct {
				Paused bool `json:"paused"`
			} `json:"spec"`
		}
		if o.Group() != "velero.io" || json.Unmarshal(o.Raw(), &s) != nil || s.Spec.Paused {
			continue
		}
		n++
	}
	return n
}
