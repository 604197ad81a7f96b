package dockerfile

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// Sudo finds RUN instructions that use sudo.
var Sudo = check.New(check.Meta{
	ID:       "dockerfile-sudo",
	Item:     "dev.dockerfile-scanning",
	Title:    "RUN does not use sudo",
	Severity: check.Medium,
	Description: "A RUN runs a command through sudo (or doas), in any stage (hadolint DL3004; heuristic: the " +
		"script is split into commands, not run). sudo needs a TTY and a sudoers entry, behaves differently " +
		"across bases, and means sudo ships in the image, where it lets the app user become root.",
	Remediation: "Run the privileged steps before switching with USER (or switch to USER root for them and back), and do not install sudo.",
	Evidence:    evidence,
}, func(_ context.Context, _ *check.Env, df *subject.Dockerfile, r *check.Result) {
	for s, in := range everyInstruction(df, "RUN") {
		for _, c := range commands(in.Script()) {
			if c.sudo {
				r.FailLoc(df.At(in.Line), "", "RUN in %s uses sudo (%s)", s.Ref(), c.name())
				break
			}
		}
	}
})
