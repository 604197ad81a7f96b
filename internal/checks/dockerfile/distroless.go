package dockerfile

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// minimalBases are the image patterns of distroless and minimal bases.
var minimalBases = []string{"gcr.io/distroless/*", "gcr.io/distroless/*/*", "cgr.dev/chainguard/*", "cgr.dev/chainguard/*/*"}

// DistrolessBase finds images whose runtime base carries a full distribution.
var DistrolessBase = check.New(check.Meta{
	ID:       "dockerfile-distroless-base",
	Item:     "container.distroless",
	Title:    "The runtime base is distroless or minimal",
	Severity: check.Low,
	Description: "The base of the final stage is not scratch, gcr.io/distroless/*, cgr.dev/chainguard/*, a " +
		"mcr.microsoft.com distroless or chiseled image, or an image of the distrolessBases parameter " +
		"(--distroless-base). A full distribution ships a shell, a package manager and hundreds of " +
		"packages the app never uses: each is attack surface and a source of vulnerability findings.",
	Remediation: "Build in a full image and copy the result into a distroless or chiseled base (multi-stage build), or add your own minimal base with --distroless-base.",
	Evidence:    evidence,
	Settings:    []check.Setting{DistrolessBasesSetting},
}, func(_ context.Context, env *check.Env, df *subject.Dockerfile, r *check.Result) {
	root := df.Final.Root()
	switch {
	case root.Scratch():
	case !root.Image.Valid:
		r.NotApplicable()
	case !minimalBase(root.Image, DistrolessBasesSetting.Get(env)):
		r.FailLoc(df.At(root.Line), "", "the image's base %s (%s) is a full distribution, not distroless or minimal", root.From, root.Ref())
	}
})

func minimalBase(im subject.ImageRef, extra []string) bool {
	if im.Registry == "mcr.microsoft.com" {
		if strings.Contains(im.Repository, "distroless") || strings.Contains(im.Tag, "distroless") || strings.Contains(im.Tag, "chiseled") {
			return true
		}
	}
	return matchesImage(im, minimalBases) || matchesImage(im, extra)
}

// DistrolessBasesSetting are image patterns that count as distroless or minimal bases besides
// the built-in ones.
var DistrolessBasesSetting = check.NewParam[[]string]("distrolessBases",
	"image patterns that count as distroless or minimal bases besides the built-in ones (\"myacr.azurecr.io/base/*\", \"alpine:3.*\")",
	nil, nil)
