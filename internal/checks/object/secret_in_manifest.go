package object

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/credential"
	"github.com/akscheck/akscheck/internal/subject"
)

// SecretInManifest finds Secret objects that carry their data in the manifests.
var SecretInManifest = check.NewOf(check.Meta{
	ID:       "secret-in-manifest",
	Item:     "dev.secrets-key-vault",
	Title:    "Secret values are not kept in manifests",
	Severity: check.Medium,
	Description: "A Secret in the scanned files with a value that is, or may be, a credential. Base64 is not " +
		"encryption: the value is in git and in every copy of the repository. A value counts when its key " +
		"names a credential (password, token, secret, key, connection string, credentials; key and " +
		"certificate files such as tls.key or *.pem; .dockerconfigjson), when it is shaped like one (a PEM " +
		"private key, a JSON Web Token, a URL or connection string with a password, a signed URL, AccountKey=, " +
		"a random key-like string, configuration that sets a password), or when it is opaque (a word or a " +
		"random string: a password looks like either). Secrets of the types that hold credentials " +
		"(kubernetes.io/tls, dockerconfigjson, basic-auth, ssh-auth) always count. A Secret whose every value " +
		"is empty, a reference or placeholder, a boolean or number, a URL without user information, a " +
		"hostname, a certificate, or routing configuration that sets no credential is not a finding. The " +
		"loader classifies each value before blanking it; only keys and those classes reach the check and " +
		"the report, never a value. Live clusters are not judged by this check (every cluster has Secrets).",
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
	credentialType := credentialSecretTypes[s.Type]
	var reasons []string
	path := ""
	for _, v := range o.SecretValues() {
		var why string
		switch {
		case v.Shape == credential.Empty || v.Shape == credential.Reference:
			continue
		case v.Shape == credential.Credential:
			why = fmt.Sprintf("key %q holds %s", v.Key, v.Kind)
		case credential.SecretKey(v.Key):
			why = fmt.Sprintf("key %q is named like a credential", v.Key)
		case credentialType:
			why = fmt.Sprintf("key %q of a %s Secret", v.Key, s.Type)
		case !v.Shape.Benign():
			why = fmt.Sprintf("key %q holds an opaque value that may be a credential", v.Key)
		default:
			continue
		}
		if path == "" {
			path = v.Path()
		}
		reasons = append(reasons, why)
	}
	if len(o.SecretValues()) == 0 && len(s.Data)+len(s.StringData) > 0 {
		// Values the loader did not classify (a Secret built by hand in a test): nothing
		// says they are harmless.
		r.Failf("data", "", "Secret %s holds %d value(s) in the manifest (values not shown)", o.Name(), len(s.Data)+len(s.StringData))
		return
	}
	if len(reasons) == 0 {
		return
	}
	const shown = 4
	more := ""
	if len(reasons) > shown {
		more = fmt.Sprintf(" and %d more", len(reasons)-shown)
		reasons = reasons[:shown]
	}
	r.Failf(path, "", "Secret %s holds credentials in the manifest: %s%s (values not shown)", o.Name(), strings.Join(reasons, "; "), more)
})

// credentialSecretTypes are the Secret types whose values are credentials by definition.
var credentialSecretTypes = map[corev1.SecretType]bool{
	corev1.SecretTypeTLS: true, corev1.SecretTypeDockerConfigJson: true, corev1.SecretTypeDockercfg: true,
	corev1.SecretTypeBasicAuth: true, corev1.SecretTypeSSHAuth: true, corev1.SecretTypeServiceAccountToken: true,
	corev1.SecretTypeBootstrapToken: true,
}
