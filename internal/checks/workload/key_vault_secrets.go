package workload

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

const (
	secretsStoreDriver = "secrets-store.csi.k8s.io"
	secretProviderKind = "SecretProviderClass"
)

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

// secretTypesNotJudged are the Secret types whose values are no application secret: tokens
// Kubernetes makes, and image pull credentials (cluster.acr-integration judges those).
var secretTypesNotJudged = map[corev1.SecretType]bool{
	corev1.SecretTypeServiceAccountToken: true,
	corev1.SecretTypeDockerConfigJson:    true,
	corev1.SecretTypeDockercfg:           true,
	corev1.SecretTypeBootstrapToken:      true,
}

// KeyVaultSecrets finds workloads whose secrets do not come from Azure Key Vault.
var KeyVaultSecrets = check.New(check.Meta{
	ID:       "key-vault-workload-secrets",
	Item:     "ops.key-vault",
	Title:    "Workloads take their secrets from Azure Key Vault through the Secrets Store CSI driver",
	Severity: check.Medium,
	Description: "Follows the Secrets a pod template reads (env valueFrom.secretKeyRef, envFrom secretRef, " +
		"secret and projected volumes, in every container) and its Secrets Store CSI volumes (driver " +
		"secrets-store.csi.k8s.io, volumeAttributes.secretProviderClass). A Secret counts as coming from Key " +
		"Vault when a SecretProviderClass of provider azure in the namespace syncs it (spec.secretObjects); a " +
		"Secret made by a controller (ownerReferences) and the types that hold no application secret " +
		"(service account and bootstrap tokens, image pull credentials) are not judged. A Secret the manifests " +
		"themselves define, and no such class syncs, was made by hand: its value lives outside Key Vault's " +
		"access policies, audit and rotation. A CSI volume whose SecretProviderClass has another provider does " +
		"not read Key Vault either. A Secret or a SecretProviderClass that is not in the scanned files is " +
		"undecided (a pipeline or an operator may make it). Live scans are not judged: the live loader does " +
		"not list SecretProviderClasses.",
	Remediation: "Keep the secret in Azure Key Vault and mount it with a SecretProviderClass of provider azure (the Key Vault secrets provider add-on); when the app needs it as a Kubernetes Secret, list it in the SecretProviderClass's secretObjects.",
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
  secretObjects:                  # synced to a Secret for env valueFrom
    - secretName: cart-redis
      type: Opaque
      data:
        - {objectName: redis-password, key: password}`,
	Evidence: []catalog.Evidence{catalog.Manifest},
	// Not "Secret": the admission webhook would have to read every Secret of the cluster.
	Requires: []string{secretProviderKind},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	if w.Live() {
		r.NotApplicable()
		return
	}
	classes := map[string]*secretProviderClass{}
	synced := map[string]bool{}
	for _, o := range env.Index.InNamespace(secretProviderKind, w.Namespace) {
		var spc secretProviderClass
		if len(o.Raw) == 0 || json.Unmarshal(o.Raw, &spc) != nil {
			continue
		}
		classes[o.Meta.Name] = &spc
		if strings.EqualFold(spc.Spec.Provider, "azure") {
			for _, so := range spc.Spec.SecretObjects {
				synced[so.SecretName] = true
			}
		}
	}
	spec := w.Spec()
	applies := false
	for i, v := range spec.Volumes {
		if v.CSI == nil || v.CSI.Driver != secretsStoreDriver {
			continue
		}
		applies = true
		path := fmt.Sprintf("%s.volumes[%d].csi.volumeAttributes.secretProviderClass", w.SpecPath(), i)
		name := v.CSI.VolumeAttributes["secretProviderClass"]
		switch spc := classes[name]; {
		case spc == nil:
			r.Undecided(fmt.Sprintf("SecretProviderClass %s/%s, which %s mounts (volume %s): it is not in the scanned files", w.Namespace, name, kindNoun(w), v.Name))
		case !strings.EqualFold(spc.Spec.Provider, "azure"):
			r.Failf(path, "", "%s mounts SecretProviderClass %s, whose provider is %q, not azure (Key Vault)", kindNoun(w), name, spc.Spec.Provider)
		}
	}
	reported := map[string]bool{}
	judge := func(secret, path, container string) {
		applies = true
		if secret == "" || reported[secret] || synced[secret] {
			return
		}
		reported[secret] = true
		o := env.Index.Get("Secret", w.Namespace, secret)
		if o == nil {
			// Made by a pipeline, an operator (External Secrets, Sealed Secrets) or by hand:
			// the scan does not say.
			r.Undecided(fmt.Sprintf("Secret %s/%s, which %s reads: neither it nor a SecretProviderClass syncing it is in the scanned files", w.Namespace, secret, kindNoun(w)))
			return
		}
		if len(o.Meta.OwnerReferences) > 0 {
			return
		}
		if s, ok := o.Typed.(*corev1.Secret); ok && secretTypesNotJudged[s.Type] {
			return
		}
		r.Failf(path, container, "%s reads Secret %s, which the manifests define and no SecretProviderClass of provider azure syncs from Key Vault", kindNoun(w), secret)
	}
	for i, v := range spec.Volumes {
		switch {
		case v.Secret != nil:
			judge(v.Secret.SecretName, fmt.Sprintf("%s.volumes[%d].secret.secretName", w.SpecPath(), i), "")
		case v.Projected != nil:
			for j, src := range v.Projected.Sources {
				if src.Secret != nil {
					judge(src.Secret.Name, fmt.Sprintf("%s.volumes[%d].projected.sources[%d].secret.name", w.SpecPath(), i, j), "")
				}
			}
		}
	}
	for _, c := range w.Containers() {
		for i, e := range c.EnvFrom {
			if e.SecretRef != nil {
				judge(e.SecretRef.Name, fmt.Sprintf("%s.envFrom[%d].secretRef.name", c.Path, i), c.Name)
			}
		}
		for i, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				judge(e.ValueFrom.SecretKeyRef.Name, fmt.Sprintf("%s.env[%d].valueFrom.secretKeyRef.name", c.Path, i), c.Name)
			}
		}
	}
	if !applies {
		r.NotApplicable()
	}
})
