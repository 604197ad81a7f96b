package workload

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/credential"
	"github.com/akscheck/akscheck/internal/subject"
)

// EnvLiteralSecret finds credentials written as literal environment values.
var EnvLiteralSecret = check.New(check.Meta{
	ID:       "env-literal-secret",
	Item:     "dev.secrets-key-vault",
	Title:    "Credentials are not written into environment values",
	Severity: check.High,
	Description: "An env entry with a literal value whose name looks like a credential (password, secret, " +
		"token, API key, access key, connection string, private key; case-insensitive), or whose value does, " +
		"whatever the name: a PEM private key, a JSON Web Token, a connection string or URL with a password " +
		"(Password=, Pwd=, AccountKey=, SharedAccessKey=, user:password@), an Azure storage account key, an " +
		"AWS access key ID, a GitHub or Slack token. A value that is a reference ($(VAR), ${VAR}, {{ .x }}) " +
		"or a placeholder (<password>, changeme, ***) is not a credential. The value is in git, in the " +
		"Deployment history and visible to anyone who can read the object. The container's command and args " +
		"are read too: an entry whose value looks like a credential, or a flag with a literal value whose " +
		"name does (--password=…, --password …, --client-secret=…, also inside a shell script; not " +
		"--token-ttl=1h). The " +
		"finding names the variable or the argument's position and the kind of credential, never the value " +
		"or any part of it.",
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
			if e.ValueFrom != nil || strings.TrimSpace(e.Value) == "" {
				continue
			}
			path := c.Path + ".env[" + itoa(i) + "].value"
			if kind := credential.Kind(e.Value); kind != "" {
				r.Failf(path, c.Name, "container %q of %s sets %s to a literal value that looks like %s (value not shown)", c.Name, kindNoun(w), e.Name, kind)
			} else if credential.EnvName(e.Name) {
				r.Failf(path, c.Name, "container %q of %s sets %s to a literal value (value not shown)", c.Name, kindNoun(w), e.Name)
			}
		}
		for _, field := range []struct {
			name  string
			words []string
		}{{"command", c.Command}, {"args", c.Args}} {
			for i, a := range field.words {
				path := c.Path + "." + field.name + "[" + itoa(i) + "]"
				if kind := credential.Kind(a); kind != "" {
					r.Failf(path, c.Name, "container %q of %s has %s in %s[%d] (value not shown)", c.Name, kindNoun(w), kind, field.name, i)
				} else if flag := credential.Flag(a); flag != "" {
					r.Failf(path, c.Name, "container %q of %s passes a literal value to %s in %s[%d] (value not shown)", c.Name, kindNoun(w), flag, field.name, i)
				} else if i > 0 && credential.FlagValue(field.words[i-1], a) {
					r.Failf(path, c.Name, "container %q of %s passes a literal value to %s in %s[%d] (value not shown)", c.Name, kindNoun(w), field.words[i-1], field.name, i)
				}
			}
		}
	}
})
