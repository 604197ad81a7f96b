package dockerfile

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// RootUser finds images whose final stage runs as root.
var RootUser = check.New(check.Meta{
	ID:       "dockerfile-root-user",
	Item:     "dev.image-compliance",
	Title:    "The image runs as a non-root user",
	Severity: check.Medium,
	Description: "The last USER of the final stage (or of the stages it is built FROM) is root, 0 or 0:<group>, " +
		"or there is none and the base image runs as root. A process that runs as root in the container " +
		"is one kernel bug away from root on the node, and Kubernetes' runAsNonRoot refuses such images. " +
		"Bases known to default to a non-root user (distroless :nonroot tags, Microsoft's chiseled images) " +
		"need no USER; a USER set from a variable that cannot be resolved is taken as non-root.",
	Remediation: "Create or pick an unprivileged user and end the final stage with USER <uid>:<gid> (a numeric UID lets runAsNonRoot verify it).",
	Evidence:    evidence,
}, func(_ context.Context, _ *check.Env, df *subject.Dockerfile, r *check.Result) {
	user, stage := lastInChain(df, "USER")
	if user == nil {
		root := df.Final.Root()
		if nonRootBase(root) {
			return
		}
		r.FailLoc(df.At(df.Final.Line), "", "%s, the final stage, sets no USER, so the image runs as root (base %s)",
			df.Final.Ref(), baseRef(root))
		return
	}
	if len(user.Args) > 0 && isRootUser(user.Args[0]) {
		r.FailLoc(df.At(user.Line), "", "USER %s in %s: the image runs as root", user.Args[0], stage.Ref())
	}
})

func isRootUser(u string) bool {
	name, _, _ := strings.Cut(strings.TrimSpace(u), ":")
	return name == "root" || name == "0"
}

// nonRootBase reports whether a base image is known to run as a non-root user by default.
func nonRootBase(s *subject.DockerStage) bool {
	im := s.Image
	if !im.Valid {
		// scratch runs as root (UID 0); an unresolved base cannot be judged.
		return s.Unresolved
	}
	switch {
	case im.Registry == "gcr.io" && strings.HasPrefix(im.Repository, "distroless/"):
		return strings.Contains(im.Tag, "nonroot")
	case im.Registry == "mcr.microsoft.com":
		return strings.Contains(im.Tag, "chiseled")
	}
	return false
}
