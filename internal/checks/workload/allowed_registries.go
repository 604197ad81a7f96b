package workload

import (
	"context"
	"path"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// AllowedRegistries finds images pulled from registries outside the allowlist.
var AllowedRegistries = check.New(check.Meta{
	ID:       "allowed-registries",
	Item:     "container.allowed-registries",
	Title:    "Images come from allowed registries",
	Severity: check.High,
	Description: "The registry host of every image is in the allowlist (default *.azurecr.io and " +
		"mcr.microsoft.com; --allowed-registry or the allowedRegistries parameter). Images without a " +
		"registry host come from Docker Hub. Images from unknown registries escape your scanning, " +
		"signing and quarantine.",
	Remediation: "Import the image into your Azure Container Registry (az acr import) and reference it there, or add the registry to the allowlist.",
	Example: `# The image comes from your Azure Container Registry (import it with az acr import).
spec:
  template:
    spec:
      containers:
        - name: cart
          image: contoso.azurecr.io/cart:1.4.2`,
	Settings: []check.Setting{AllowedRegistriesSetting},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.Containers() {
		im := c.ImageRef
		if !im.Valid {
			continue
		}
		if !registryAllowed(im.Registry, AllowedRegistriesSetting.Get(env)) {
			r.Failf(c.Path+".image", c.Name, "container %q of %s pulls %q from %s, which is not an allowed registry (%s)",
				c.Name, kindNoun(w), c.Image, im.Registry, joinQuoted(AllowedRegistriesSetting.Get(env)))
		}
	}
})

func registryAllowed(host string, patterns []string) bool {
	host = strings.ToLower(host)
	for _, p := range patterns {
		p = strings.ToLower(strings.TrimSuffix(p, "/"))
		if ok, _ := path.Match(p, host); ok {
			return true
		}
	}
	return false
}

// AllowedRegistriesSetting are the registry host patterns images may come from.
var AllowedRegistriesSetting = check.NewParam("allowedRegistries",
	"registry host patterns images may come from (\"*.azurecr.io\", \"mcr.microsoft.com\")",
	[]string{"*.azurecr.io", "mcr.microsoft.com"}, nil)
