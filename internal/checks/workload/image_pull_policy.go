package workload

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ImagePullPolicy finds pull policies that do not fit the image reference.
var ImagePullPolicy = check.New(check.Meta{
	ID:       "image-pull-policy",
	Item:     "dev.image-pull-policy",
	Title:    "imagePullPolicy fits the image reference",
	Severity: check.Low,
	Description: "imagePullPolicy: Always on an image pinned by tag or digest pulls the registry on every " +
		"start for nothing (slower starts, and pods fail to start when the registry is down); an unset " +
		"imagePullPolicy with a latest or missing tag defaults to Always and runs whatever the tag points " +
		"at when the pod starts.",
	Remediation: "Pin images by version tag or digest and use imagePullPolicy: IfNotPresent.",
	Example: `spec:
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0
      imagePullPolicy: IfNotPresent`,
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.Containers() {
		im := c.ImageRef
		if !im.Valid {
			continue
		}
		switch {
		case c.ImagePullPolicy == corev1.PullAlways && !im.Mutable():
			r.Failf(c.Path+".imagePullPolicy", c.Name, "container %q of %s pulls pinned image %q on every start (imagePullPolicy: Always)", c.Name, kindNoun(w), c.Image)
		case c.ImagePullPolicy == "" && im.Mutable():
			r.Failf(c.Path+".imagePullPolicy", c.Name, "container %q of %s leaves imagePullPolicy unset with mutable image %q, so it defaults to Always", c.Name, kindNoun(w), c.Image)
		}
	}
})
