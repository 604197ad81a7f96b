package dockerfile

import (
	"context"
	"regexp"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// CurlPipeShell finds scripts downloaded and run in one go.
var CurlPipeShell = check.New(check.Meta{
	ID:       "dockerfile-curl-pipe-shell",
	Item:     "dev.dockerfile-scanning",
	Title:    "RUN does not pipe downloads into a shell",
	Severity: check.Medium,
	Description: "A RUN pipes curl or wget into a shell or interpreter (curl … | sh, | bash, | python), or runs " +
		"a download through sh -c \"$(curl …)\" or <(curl …), in any stage (heuristic). The build runs " +
		"whatever the server returns, unverified and unpinned: a compromised or changed script runs with " +
		"the build's privileges and lands in the image.",
	Remediation: "Download to a file, verify its checksum or signature, then run it; better, install a pinned package or copy a verified binary.",
	Evidence:    evidence,
}, func(_ context.Context, _ *check.Env, df *subject.Dockerfile, r *check.Result) {
	for s, in := range everyInstruction(df, "RUN") {
		if prog := pipedDownload(in.Script()); prog != "" {
			r.FailLoc(df.At(in.Line), "", "RUN in %s pipes a download into %s", s.Ref(), prog)
		}
	}
})

var interpreters = map[string]bool{"sh": true, "bash": true, "zsh": true, "ash": true, "dash": true, "ksh": true,
	"python": true, "python3": true, "perl": true, "ruby": true, "node": true, "php": true, "pwsh": true}

// substituted matches a download run through command or process substitution.
var substituted = regexp.MustCompile(`\b(sh|bash|zsh|ash|dash|ksh|python3?|perl|ruby|node)\b[^|;&\n]*(\$\(|<\(|` + "`" + `)\s*(curl|wget)\b`)

// pipedDownload returns the shell a script pipes a download into, or "".
func pipedDownload(script string) string {
	for _, p := range parseScript(script) {
		downloading := false
		for _, c := range p {
			switch n := c.name(); {
			case n == "curl" || n == "wget":
				downloading = true
			case downloading && interpreters[n]:
				return n
			}
		}
	}
	if m := substituted.FindStringSubmatch(script); m != nil {
		return m[1]
	}
	return ""
}
