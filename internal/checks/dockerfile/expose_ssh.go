package dockerfile

import (
	"context"
	"strconv"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ExposeSSH finds images that expose the SSH port.
var ExposeSSH = check.New(check.Meta{
	ID:       "dockerfile-expose-ssh",
	Item:     "dev.image-compliance",
	Title:    "The image does not expose SSH",
	Severity: check.Medium,
	Description: "The final stage (or a stage it is built FROM) has EXPOSE 22, alone or in a range. An SSH " +
		"server in a container is a second way in that bypasses Kubernetes' access control and audit; " +
		"kubectl exec and kubectl debug do the job.",
	Remediation: "Remove EXPOSE 22 and the SSH server; use kubectl exec or kubectl debug to get into a running container.",
	Evidence:    evidence,
}, func(_ context.Context, _ *check.Env, df *subject.Dockerfile, r *check.Result) {
	for _, s := range df.Chain() {
		for _, in := range instructionsOf(s, "EXPOSE") {
			for _, p := range in.Args {
				if portIncludes(p, 22) {
					r.FailLoc(df.At(in.Line), "", "EXPOSE %s in %s exposes SSH (port 22)", p, s.Ref())
				}
			}
		}
	}
})

// portIncludes reports whether an EXPOSE port spec (22, 22/tcp, 20-30/udp) covers port.
func portIncludes(spec string, port int) bool {
	spec, _, _ = strings.Cut(spec, "/")
	lo, hi, isRange := strings.Cut(spec, "-")
	from, err := strconv.Atoi(strings.TrimSpace(lo))
	if err != nil {
		return false
	}
	to := from
	if isRange {
		if to, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil {
			return false
		}
	}
	return from <= port && port <= to
}
