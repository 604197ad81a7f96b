package live

import (
	"context"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// HandInstalledTools finds Flux, Dapr and Velero that run from other builds than their AKS
// extension's.
var HandInstalledTools = check.New(check.Meta{
	ID:          "live-hand-installed-tools",
	CrossObject: true,
	Item:        "cluster.extensions",
	Title:       "Flux, Dapr, Velero and KEDA run from their AKS extensions and add-ons, not hand-made installs",
	Severity:    check.Low,
	Description: "Looks for the controllers of Flux (source-, kustomize-, helm-, notification-controller), " +
		"Dapr (dapr-operator, dapr-sidecar-injector, dapr-sentry, dapr-placement-server), Velero and KEDA " +
		"(keda-operator and its metrics server and webhooks) in any namespace. Their AKS extensions " +
		"(microsoft.flux, microsoft.dapr, microsoft.dataprotection.kubernetes) and the KEDA add-on " +
		"run Microsoft's builds from mcr.microsoft.com and are upgraded and supported with the cluster; a " +
		"controller that runs any other image (the upstream ghcr.io/fluxcd, daprio, velero/velero or kedacore images, " +
		"or a copy in a registry of your own) was installed by hand, and nobody upgrades it. A heuristic: " +
		"the extension list itself is in Azure, not in the Kubernetes API (extension-for-installed-tools " +
		"reads it from az k8s-extension list). Not applicable when none of these tools runs.",
	Remediation: "Install the AKS extension (az k8s-extension create --extension-type microsoft.flux, microsoft.dapr or microsoft.dataprotection.kubernetes) or turn on the KEDA add-on (az aks update --enable-keda), and remove the hand-made install.",
	Evidence:    liveOnly,
	Requires:    subject.ToolKinds,
}, func(_ context.Context, env *check.Env, _ *subject.LiveCluster, r *check.Result) {
	found := false
	for _, t := range subject.ExtensionTools {
		ws := env.Index.RunningTool(t)
		if len(ws) == 0 {
			continue
		}
		found = true
		var byHand []string
		var first *subject.Workload
		for _, w := range ws {
			if img := foreignImage(w); img != "" {
				byHand = append(byHand, w.Kind+" "+w.Namespace+"/"+w.Name()+" ("+img+")")
				if first == nil {
					first = w
				}
			}
		}
		if first == nil {
			continue
		}
		sort.Strings(byHand)
		r.Add(check.Finding{Severity: r.Severity(), Object: objRef(first.Object),
			Message: t.Name + " runs from images of its own, not its AKS extension's: " + strings.Join(byHand, ", ") +
				" (evidence: the images of the cluster's Deployments and StatefulSets; " + t.Provider() + " runs mcr.microsoft.com builds)"})
	}
	if !found {
		r.NotApplicable()
	}
})

// foreignImage returns the first image of a workload's app containers that is not from
// mcr.microsoft.com, or "".
func foreignImage(w *subject.Workload) string {
	for _, c := range w.AppContainers() {
		if c.ImageRef.Registry != "mcr.microsoft.com" {
			return c.Image
		}
	}
	return ""
}
