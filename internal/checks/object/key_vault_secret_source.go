package object

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

const secretProviderKind = "SecretProviderClass"

// secretProviderClass is what the check reads of a SecretProviderClass
// (secrets-store.csi.x-k8s.io/v1): its provider and the Secrets it syncs.
type secretProviderClass struct {
	Spec struct {
		Provider      string `json:"provider"`
		SecretObjects []struct {
			SecretName string `json:"secretName"`
		} `json:"secretObjects"`
	} `json:"spec"`
}

// secretTypesNotJudged are the Secret types that hold no application secret: tokens
// Kubernetes makes, and image pull credentials (cluster.acr-integration judges those).
var secretTypesNotJudged = map[corev1.SecretType]bool{
	corev1.SecretTypeServiceAccountToken: true,
	corev1.SecretTypeDockerConfigJson:    true,
	corev1.SecretTypeDockercfg:           true,
	corev1.SecretTypeBootstrapToken:      true,
}

// KeyVaultSecretSource finds Secrets that workloads read and that the manifests make by
// hand instead of syncing them from Azure Key Vault.
var KeyVaultSecretSource = check.NewOf(check.Meta{
	ID:          "key-vault-secret-source",
	CrossObject: true,
	Item:        "ops.key-vault",
	Title:       "The Secrets workloads read come from Azure Key Vault",
	Severity:    check.Medium,
	Description: "A Secret defined in the scanned files that a workload of its namespace reads (env " +
		"valueFrom.secretKeyRef, envFrom secretRef, secret and projected volumes, in any container) must be " +
		"one that a SecretProviderClass of provider azure in the namespace syncs from Key Vault " +
		"(spec.secretObjects; the Secrets Store CSI driver then writes its data). Any other such Secret is " +
		"made by hand or by a pipeline: its value lives outside Key Vault's access policies, audit and " +
		"rotation, whatever its data in the file (secret-in-manifest judges values written in it). Secrets " +
		"made by a controller (ownerReferences: Sealed Secrets, External Secrets, cert-manager), Secrets no " +
		"workload reads and the types that hold no application secret (service account and bootstrap tokens, " +
		"image pull credentials) are not judged. A workload reading a Secret the files do not define is not " +
		"judged either: how that Secret is made is not in the scan. Live clusters are not judged (the live " +
		"loader reads Secrets without their bodies and does not list SecretProviderClasses); the admission " +
		"webhook never sees Secrets.",
	Remediation: "Keep the secret in Azure Key Vault and mount it with a SecretProviderClass of provider azure (the Key Vault secrets provider add-on); when the app needs it as a Kubernetes Secret, list it in the class's secretObjects and remove the Secret from the manifests.",
	Example: `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: cart-redis
  namespace: shop
spec:
  provider: azure
  parameters:
    clientID: 00000000-0000-0000-0000-000000000000   # the workload identity
    keyvaultName: contoso-shop
    tenantId: 00000000-0000-0000-0000-000000000000
    objects: |
      array:
        - |
          objectName: redis-password
          objectType: secret
  secretObjects:                  # synced to the Secret cart-redis for env valueFrom
    - secretName: cart-redis
      type: Opaque
      data:
        - {objectName: redis-password, key: password}`,
	Kinds:    []string{"Secret"},
	Requires: append([]string{secretProviderKind}, subject.WorkloadKinds...),
	Evidence: []catalog.Evidence{catalog.Manifest},
}, func(_ context.Context, env *check.Env, o *subject.Object, s *corev1.Secret, r *check.Result) {
	if o.Live() || len(o.Meta.OwnerReferences) > 0 || secretTypesNotJudged[s.Type] {
		r.NotApplicable()
		return
	}
	var readers []string
	for _, w := range env.Index.WorkloadsIn(o.Namespace) {
		if _, reads := slices.BinarySearch(w.SecretsRead(), o.Meta.Name); reads {
			readers = append(readers, w.Kind+" "+w.Name())
		}
	}
	if len(readers) == 0 {
		r.NotApplicable()
		return
	}
	for _, spc := range env.Index.InNamespace(secretProviderKind, o.Namespace) {
		var c secretProviderClass
		if len(spc.Raw()) == 0 || json.Unmarshal(spc.Raw(), &c) != nil || !strings.EqualFold(c.Spec.Provider, "azure") {
			continue
		}
		for _, so := range c.Spec.SecretObjects {
			if so.SecretName == o.Meta.Name {
				return
			}
		}
	}
	sort.Strings(readers)
	r.Failf("metadata.name", "", "Secret %s, which %s reads, is made by the manifests: no SecretProviderClass of provider azure syncs it from Key Vault",
		o.Name(), strings.Join(readers, ", "))
})
