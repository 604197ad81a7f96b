package workload

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// LatestTag finds images without a tag or tagged latest.
var LatestTag = check.New(check.Meta{
	ID:       "latest-tag",
	Item:     "dev.manifest-practices",
	Title:    "Images are pinned to a version",
	Severity: check.Medium,
	Description: "An image without a tag or digest, with the tag latest, or with another name-like tag " +
		"without a digit (stable, main, edge, lts, alpine, aspnetapp), which is a channel moved to " +
		"whatever is newest just like latest. Such a manifest does not say what runs: two nodes can run " +
		"different code, and a rollback does not roll back. A tag with a digit (1.4.2, v2, 2024.01.5, " +
		"16.4-alpine) counts as a version.",
	Remediation: "Reference images by an immutable version tag or by digest (image@sha256:…).",
	Example: `spec:
  containers:
    - name: web
      # a version tag, or a digest: contoso.azurecr.io/web@sha256:<digest>
      image: contoso.azurecr.io/web:2.1.0`,
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.Containers() {
		im := c.ImageRef
		switch {
		case c.Image == "":
			r.Failf(c.Path+".image", c.Name, "container %q of %s names no image", c.Name, kindNoun(w))
		case !im.Valid:
			r.Failf(c.Path+".image", c.Name, "container %q of %s has an invalid image reference %q", c.Name, kindNoun(w), c.Image)
		case im.Channel():
			r.Failf(c.Path+".image", c.Name, "container %q of %s uses image %q without a version: tag %q is a channel that moves like latest", c.Name, kindNoun(w), c.Image, im.Tag)
		case !im.Versioned():
			r.Failf(c.Path+".image", c.Name, "container %q of %s uses image %q without a version", c.Name, kindNoun(w), c.Image)
		}
	}
})
