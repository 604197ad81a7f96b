package rbac

import (
	"context"
	"strconv"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

func itoa(i int) string { return strconv.Itoa(i) }

// ACRPullSecret finds pods that pull from ACR with a registry password.
var ACRPullSecret = check.New(check.Meta{
	ID:          "acr-image-pull-secret",
	CrossObject: true,
	Item:        "cluster.acr-integration",
	Title:       "Pods pull from ACR without a registry password",
	Severity:    check.Medium,
	Description: "A pod that pulls an image from *.azurecr.io and lists imagePullSecrets (itself, or through its ServiceAccount when that is in the scan). AKS pulls from an " +
		"attached ACR with the kubelet's managed identity (AcrPull); a pull secret means a registry " +
		"password or token that must be stored, rotated and can leak.",
	Remediation: "Attach the registry to the cluster (az aks update --attach-acr), remove imagePullSecrets, and disable the registry's admin user.",
	Requires:    []string{"ServiceAccount"},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	usesACR := false
	for _, c := range w.Containers() {
		if strings.HasSuffix(strings.ToLower(c.ImageRef.Registry), ".azurecr.io") {
			usesACR = true
		}
	}
	if !usesACR {
		r.NotApplicable()
		return
	}
	if secrets := w.Spec().ImagePullSecrets; len(secrets) > 0 {
		r.Failf(w.SpecPath()+".imagePullSecrets", "", "%s %s pulls from Azure Container Registry with imagePullSecrets (%s)", w.Kind, w.Name(), secrets[0].Name)
		return
	}
	if sa := env.Index.ServiceAccountOf(w); sa != nil && len(sa.ImagePullSecrets) > 0 {
		_, path := w.ServiceAccount()
		r.Failf(path, "", "%s %s pulls from Azure Container Registry with the imagePullSecrets of ServiceAccount %s (%s)",
			w.Kind, w.Name(), sa.Name, sa.ImagePullSecrets[0].Name)
	}
})
