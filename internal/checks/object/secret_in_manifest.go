package object

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// SecretInManifest finds Secret objects that carry their data in the manifests.
var SecretInManifest = check.NewOf(check.Meta{
	ID:       "secret-in-manifest",
	Item:     "dev.secrets-key-vault",
	Title:    "Secret values are not kept in manifests",
	Severity: check.Medium,
	Description: "A Secret with data or stringData in the scanned files. Base64 is not encryption: the " +
		"value is in git and in every copy of the repository. Only the keys are read; values never reach " +
		"the report. Live clusters are not judged by this check (every cluster has Secrets).",
	Remediation: "Keep the secret in Azure Key Vault and mount it with the Secrets Store CSI driver (a SecretProviderClass, optionally synced to a Secret), or encrypt it in git with Sealed Secrets or SOPS.",
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
          objectType: secret`,
	Kinds:    []string{"Secret"},
	Evidence: []catalog.Evidence{catalog.Manifest},
}, func(_ context.Context, _ *check.Env, o *subject.Object, s *corev1.Secret, r *check.Result) {
	if o.Live() {
		r.NotApplicable()
		return
	}
	if n := len(s.Data) + len(s.StringData); n > 0 {
		r.Failf("data", "", "Secret %s holds %d value(s) in the manifest (values not shown)", o.Name(), n)
	}
})
