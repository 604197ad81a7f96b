package workload

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// credentialWords are the name parts that usually mean a credential, compared after removing
// "_" and "-" and lowercasing ("DB_PASSWORD", "apiKey", "AZURE-CLIENT-SECRET").
var credentialWords = []string{"password", "passwd", "pwd", "secret", "token", "apikey", "accesskey",
	"connectionstring", "connstr", "privatekey", "credential"}

// referenceSuffixes mark names whose value points at a credential instead of holding it.
var referenceSuffixes = []string{"_FILE", "_PATH", "_DIR", "_NAME", "_TYPE", "_ENDPOINT"}

var separators = strings.NewReplacer("_", "", "-", "", ".", "")

// LooksLikeCredential reports whether an environment variable name usually holds a credential.
func LooksLikeCredential(name string) bool {
	upper := strings.ToUpper(name)
	for _, s := range referenceSuffixes {
		if strings.HasSuffix(upper, s) {
			return false
		}
	}
	folded := strings.ToLower(separators.Replace(name))
	for _, w := range credentialWords {
		if strings.Contains(folded, w) {
			return true
		}
	}
	return false
}

// EnvLiteralSecret finds credentials written as literal environment values.
var EnvLiteralSecret = check.New(check.Meta{
	ID:       "env-literal-secret",
	Item:     "dev.secrets-key-vault",
	Title:    "Credentials are not written into environment values",
	Severity: check.High,
	Description: "An env entry with a literal value whose name looks like a credential (password, secret, " +
		"token, API key, access key, connection string, private key; case-insensitive). The value is in " +
		"git, in the Deployment history and visible to anyone who can read the object. The finding never " +
		"shows the value.",
	Remediation: "Store the secret in Azure Key Vault and mount it through the Secrets Store CSI driver (SecretProviderClass), or at least reference a Secret with valueFrom.secretKeyRef.",
	Example: `spec:
  containers:
    - name: cart
      image: contoso.azurecr.io/cart:1.4.2
      env:
        - name: REDIS_PASSWORD
          valueFrom:
            secretKeyRef:       # a Secret synced from Key Vault by the Secrets Store CSI driver
              name: cart-redis
              key: password`,
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.Containers() {
		for i, e := range c.Env {
			if e.ValueFrom == nil && strings.TrimSpace(e.Value) != "" && LooksLikeCredential(e.Name) {
				r.Failf(c.Path+".env["+itoa(i)+"].value", c.Name, "container %q of %s sets %s to a literal value (value not shown)", c.Name, kindNoun(w), e.Name)
			}
		}
	}
})
