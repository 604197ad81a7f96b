package dockerfile

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ShellFormEntrypoint finds images that start their process through /bin/sh -c.
var ShellFormEntrypoint = check.New(check.Meta{
	ID:       "dockerfile-shell-form-entrypoint",
	Item:     "dev.dockerfile-scanning",
	Title:    "ENTRYPOINT and CMD use the exec form",
	Severity: check.Medium,
	Description: "The image's ENTRYPOINT, or its CMD, is in shell form (ENTRYPOINT java -jar app.jar) (hadolint " +
		"DL3025). The container's PID 1 is then /bin/sh -c, which does not forward SIGTERM: when Kubernetes " +
		"stops the pod the app never hears it, drops in-flight requests and is killed after the grace " +
		"period. A shell form that starts with exec is accepted. Only the ENTRYPOINT and CMD that the " +
		"final image keeps are judged.",
	Remediation: "Write ENTRYPOINT [\"/app\", \"--flag\"] and CMD [\"arg\"] (JSON arrays), or start the shell form with exec.",
	Evidence:    evidence,
}, func(_ context.Context, _ *check.Env, df *subject.Dockerfile, r *check.Result) {
	ep, epStage := lastInChain(df, "ENTRYPOINT")
	cmd, cmdStage := effectiveCmd(df)
	if ep == nil && cmd == nil {
		r.NotApplicable()
		return
	}
	if ep != nil && shellForm(ep) {
		r.FailLoc(df.At(ep.Line), "", "ENTRYPOINT in %s is in shell form: /bin/sh is PID 1 and does not pass SIGTERM to the app", epStage.Ref())
	}
	if cmd == nil || !shellForm(cmd) {
		return
	}
	switch {
	case ep == nil:
		r.FailLoc(df.At(cmd.Line), "", "CMD in %s is in shell form: /bin/sh is PID 1 and does not pass SIGTERM to the app", cmdStage.Ref())
	case !ep.ShellForm:
		r.FailLoc(df.At(cmd.Line), "", "CMD in %s is in shell form: the ENTRYPOINT receives /bin/sh -c and the command line as its arguments", cmdStage.Ref())
	}
})

func shellForm(in *subject.DockerInstruction) bool {
	if !in.ShellForm || len(in.Args) == 0 {
		return false
	}
	return !strings.HasPrefix(strings.TrimSpace(in.Args[0])+" ", "exec ")
}

// effectiveCmd returns the CMD the image keeps: the last CMD of the nearest stage of the chain
// that sets one, unless a stage sets ENTRYPOINT without a CMD of its own, which resets the CMD
// it inherits (as docker build does).
func effectiveCmd(df *subject.Dockerfile) (*subject.DockerInstruction, *subject.DockerStage) {
	for _, s := range df.Chain() {
		if cmds := instructionsOf(s, "CMD"); len(cmds) > 0 {
			return cmds[len(cmds)-1], s
		}
		if len(instructionsOf(s, "ENTRYPOINT")) > 0 {
			return nil, nil
		}
	}
	return nil, nil
}
