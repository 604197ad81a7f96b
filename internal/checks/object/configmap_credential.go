package object

import (
	"context"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/credential"
	"github.com/akscheck/akscheck/internal/subject"
)

// ConfigMapCredential finds credentials kept in ConfigMaps, which are not even meant to hold
// secrets.
var ConfigMapCredential = check.NewOf(check.Meta{
	ID:       "configmap-credential",
	Item:     "dev.secrets-key-vault",
	Title:    "ConfigMaps hold no credentials",
	Severity: check.High,
	Description: "A ConfigMap key whose name looks like a credential (password, secret, token, API key, " +
		"connection string…) with a literal value, a value that looks like a credential whatever the key (a " +
		"PEM private key, a JSON Web Token, a connection string or URL with a password, a cloud key or " +
		"token), or a configuration file in a value that sets such a key (db.password=…, password: …). " +
		"References ($(VAR), ${VAR}, {{ .x }}), paths and placeholders are not credentials. A ConfigMap is " +
		"readable by anyone who can read the namespace's configuration and is printed by kubectl describe. " +
		"The finding names the key and the kind of credential, never the value.",
	Remediation: "Move the value to Azure Key Vault and mount it through the Secrets Store CSI driver (SecretProviderClass); keep only non-secret settings in the ConfigMap.",
	Example: `apiVersion: v1
kind: ConfigMap
metadata:
  name: orders
  namespace: shop
data:
  DB_HOST: orders-db.shop.svc.cluster.local
  DB_PASSWORD_FILE: /mnt/secrets-store/db-password   # mounted from Key Vault`,
	Kinds: []string{"ConfigMap"},
}, func(_ context.Context, _ *check.Env, o *subject.Object, cm *corev1.ConfigMap, r *check.Result) {
	keys := make([]string, 0, len(cm.Data))
	for k := range cm.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := cm.Data[k]
		if strings.TrimSpace(v) == "" {
			continue
		}
		path := "data." + k
		switch {
		case credential.Kind(v) != "":
			r.Failf(path, "", "ConfigMap %s key %q holds %s (value not shown)", o.Name(), k, credential.Kind(v))
		case !strings.Contains(strings.TrimSpace(v), "\n") && credential.Name(k) && credential.Literal(v):
			r.Failf(path, "", "ConfigMap %s key %q looks like a credential and holds a literal value (value not shown)", o.Name(), k)
		default:
			if name := credential.Assignment(v); name != "" {
				r.Failf(path, "", "ConfigMap %s key %q sets %s to a literal value (value not shown)", o.Name(), k, name)
			}
		}
	}
})
