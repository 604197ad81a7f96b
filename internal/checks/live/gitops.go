package live

import (
	"context"
	"fmt"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

var (
	fluxController = hasPrefix("kustomize-controller", "helm-controller", "source-controller")
	argoController = hasPrefix("argocd-application-controller", "argo-cd-argocd-application-controller", "argocd-server")
	// gitopsKinds are what the controllers deploy from: a cluster whose Kustomizations could
	// not be listed does not show that Flux deploys nothing.
	gitopsKinds = []string{"Kustomization", "HelmRelease", "Application"}
)

// GitOps checks that a GitOps controller deploys to the cluster.
var GitOps = check.New(check.Meta{
	ID:          "live-gitops-controller",
	CrossObject: true,
	Item:        "ops.gitops",
	Title:       "A GitOps controller (Flux or Argo CD) deploys to the cluster",
	Severity:    check.Low,
	Description: "Looks for the Flux controllers (kustomize-controller, helm-controller, source-controller; " +
		"the AKS GitOps extension installs them in flux-system) or the Argo CD application controller in " +
		"any namespace, and counts their Kustomizations, HelmReleases and Applications. With GitOps the " +
		"cluster's state is what the repository says, reviewed and reproducible; without it, what kubectl " +
		"last applied. Whether it manages every application namespace is for a person to confirm.",
	Remediation: "Install the AKS GitOps (Flux v2) extension (az k8s-configuration flux create) or Argo CD, and deploy the applications from a repository.",
	Evidence:    liveOnly,
	Requires:    append([]string{"Deployment", "StatefulSet"}, gitopsKinds...),
}, func(_ context.Context, env *check.Env, c *subject.LiveCluster, r *check.Result) {
	kinds := []string{"Deployment", "StatefulSet"}
	flux := findAgents(env.Index, "", kinds, fluxController)
	argo := findAgents(env.Index, "", kinds, argoController)
	if len(flux) == 0 && len(argo) == 0 {
		r.Failf("", "", "no GitOps controller runs: no Flux kustomize-/helm-/source-controller and no Argo CD application controller (evidence: the names of the cluster's Deployments and StatefulSets)")
		return
	}
	failAgents(r, check.Low, unhealthy(append(flux, argo...)), "the GitOps controller")
	objects := 0
	for _, k := range gitopsKinds {
		objects += len(env.Index.ObjectsOfKind(k))
	}
	if objects == 0 {
		r.Failf("", "", "%s runs but deploys nothing: no Kustomization, HelmRelease or Application exists (evidence: the GitOps objects of the cluster)", gitopsNames(flux, argo))
	}
})

func gitopsNames(flux, argo []agent) string {
	switch {
	case len(flux) > 0 && len(argo) > 0:
		return "Flux and Argo CD"
	case len(flux) > 0:
		return fmt.Sprintf("Flux (%s)", flux[0].ref())
	}
	return fmt.Sprintf("Argo CD (%s)", argo[0].ref())
}
