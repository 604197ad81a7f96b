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
	Description: "imagePullPolicy: Always on an image pinned by a version tag or digest pulls the registry " +
		"on every start for nothing (slower starts, and pods fail to start when the registry is down); an " +
		"unset imagePullPolicy with a latest or missing tag defaults to Always and runs whatever the tag " +
		"points at when the pod starts. A name-like tag without a digit (stable, main, edge, lts, alpine, " +
		"aspnetapp) is a channel that moves like latest, never a pin: Always on it is not flagged, and " +
		"left unset it defaults to IfNotPresent, so nodes run whichever image they pulled first.",
	Remediation: "Pin images by version tag or digest and use imagePullPolicy: IfNotPresent.",
	Fix: "sets imagePullPolicy: IfNotPresent on a container whose pinned image is pulled Always, and Always on one whose channel tag (stable, main) would otherwise " +
		"default to IfNotPresent; an unpinned image is left for a person to pin",
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
		case c.ImagePullPolicy == corev1.PullAlways && im.Versioned():
			r.FailFixf(c.Path+".imagePullPolicy", c.Name, pullPolicyFix(corev1.PullIfNotPresent), "container %q of %s pulls pinned image %q on every start (imagePullPolicy: Always)", c.Name, kindNoun(w), c.Image)
		case c.ImagePullPolicy == "" && im.Channel():
			// A channel tag is judged as latest is, but the API server defaults it to
			// IfNotPresent: each node keeps whichever image the tag named when it first pulled.
			r.FailFixf(c.Path+".imagePullPolicy", c.Name, pullPolicyFix(corev1.PullAlways), "container %q of %s leaves imagePullPolicy unset with image %q, whose tag %q is a channel that moves like latest; it defaults to IfNotPresent, so each node runs whichever image the tag named when it first pulled", c.Name, kindNoun(w), c.Image, im.Tag)
		case c.ImagePullPolicy == "" && !im.Versioned():
			r.Failf(c.Path+".imagePullPolicy", c.Name, "container %q of %s leaves imagePullPolicy unset with mutable image %q, so it defaults to Always", c.Name, kindNoun(w), c.Image)
		}
	}
})

// pullPolicyFix sets the finding's imagePullPolicy. An unpinned image gets none: writing the
// default Always out would silence the finding without pinning anything.
func pullPolicyFix(p corev1.PullPolicy) *check.Fix {
	return &check.Fix{Edits: []check.Edit{{Op: check.EditSet, Value: string(p)}}}
}
