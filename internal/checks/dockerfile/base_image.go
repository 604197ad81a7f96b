package dockerfile

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// BaseTag finds stages built FROM an image without a version.
var BaseTag = check.New(check.Meta{
	ID:       "dockerfile-base-tag",
	Item:     "dev.dockerfile-scanning",
	Title:    "Base images name a version",
	Severity: check.Medium,
	Description: "A FROM (of any stage) names an image without a tag or digest, or with the tag latest " +
		"(hadolint DL3006, DL3007). The build then takes whatever the registry serves that day: two builds " +
		"of one commit can differ, and a broken or compromised base slips in unnoticed. Build arguments " +
		"in FROM are replaced by their defaults; a FROM that depends on an argument without a default is " +
		"not judged.",
	Remediation: "Name a version tag (golang:1.26.8) or a digest (image@sha256:…) in every FROM, and let Renovate or Dependabot move it.",
	Evidence:    evidence,
}, func(_ context.Context, _ *check.Env, df *subject.Dockerfile, r *check.Result) {
	judged := false
	for _, s := range df.Stages {
		im := s.Image
		if !im.Valid {
			continue
		}
		judged = true
		switch {
		case im.Digest != "":
		case im.Tag == "":
			r.FailLoc(df.At(s.Line), "", "FROM %s in %s names no tag: the build takes whatever latest is that day", s.From, s.Ref())
		case im.Tag == "latest":
			r.FailLoc(df.At(s.Line), "", "FROM %s in %s uses the tag latest", s.From, s.Ref())
		}
	}
	if !judged {
		r.NotApplicable()
	}
})

// BaseDigest finds images whose runtime base is not pinned by digest.
var BaseDigest = check.New(check.Meta{
	ID:       "dockerfile-base-digest",
	Item:     "dev.dockerfile-scanning",
	Title:    "The runtime base image is pinned by digest",
	Severity: check.Low,
	Description: "The base image of the final stage (the image that ships) is named by tag only. Tags move: " +
		"the same Dockerfile rebuilt next month ships a different base, which a scan of today's image does " +
		"not cover. Build stages pinned by a version tag are accepted: what they contribute is compiled in " +
		"and shows in the image's own scan.",
	Remediation: "Pin the final stage's base by digest (FROM image:tag@sha256:…; crane digest or docker buildx imagetools inspect gives it) and let Renovate or Dependabot update it.",
	Evidence:    evidence,
}, func(_ context.Context, _ *check.Env, df *subject.Dockerfile, r *check.Result) {
	root := df.Final.Root()
	switch {
	case root.Scratch():
	case !root.Image.Valid:
		r.NotApplicable()
	case root.Image.Digest == "":
		r.FailLoc(df.At(root.Line), "", "the image's base %s (%s) is not pinned by digest", root.From, root.Ref())
	}
})
