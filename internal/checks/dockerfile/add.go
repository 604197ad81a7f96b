package dockerfile

import (
	"context"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// AddRemote finds ADD instructions that download without verifying.
var AddRemote = check.New(check.Meta{
	ID:       "dockerfile-add-remote",
	Item:     "dev.dockerfile-scanning",
	Title:    "ADD does not download unverified files",
	Severity: check.Medium,
	Description: "ADD fetches a URL (http, https, git) without --checksum (hadolint DL3020). The build trusts " +
		"whatever the server returns at build time, and the download is cached by URL, not content.",
	Remediation: "Add --checksum=sha256:… to the ADD (BuildKit verifies it), or download in a RUN that verifies a checksum or signature.",
	Evidence:    evidence,
}, func(_ context.Context, _ *check.Env, df *subject.Dockerfile, r *check.Result) {
	for s, in := range everyInstruction(df, "ADD") {
		for _, src := range in.Args {
			if isRemote(src) && in.Checksum == "" {
				r.FailLoc(df.At(in.Line), "", "ADD %s in %s downloads without --checksum", src, s.Ref())
			}
		}
	}
})

// AddLocal finds ADD instructions where COPY would do.
var AddLocal = check.New(check.Meta{
	ID:       "dockerfile-add-local",
	Item:     "dev.dockerfile-scanning",
	Title:    "COPY copies plain files",
	Severity: check.Low,
	Description: "ADD copies a local file or directory that is not a tar archive, or here-document content " +
		"(hadolint DL3020). ADD's extra behaviour (unpacking archives, fetching URLs) makes the intent " +
		"unclear and can surprise: a file that happens to be a tar archive is unpacked.",
	Remediation: "Use COPY for local files; keep ADD for tar archives that must be unpacked.",
	Evidence:    evidence,
}, func(_ context.Context, _ *check.Env, df *subject.Dockerfile, r *check.Result) {
	for s, in := range everyInstruction(df, "ADD") {
		for _, src := range in.Args {
			if !isRemote(src) && !isArchive(src) {
				r.FailLoc(df.At(in.Line), "", "ADD %s in %s copies a plain file: COPY would do", src, s.Ref())
			}
		}
		if len(in.Heredocs) > 0 {
			r.FailLoc(df.At(in.Line), "", "ADD of a here-document in %s: COPY would do", s.Ref())
		}
	}
})

func isRemote(src string) bool {
	l := strings.ToLower(src)
	for _, p := range []string{"http://", "https://", "git@", "git://", "ssh://"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// isArchive reports whether ADD unpacks a source: a local tar archive, compressed or not. A
// source that is a variable or a wildcard may be one.
func isArchive(src string) bool {
	l := strings.ToLower(src)
	if strings.ContainsAny(l, "$*?[") {
		return true
	}
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".tar.lz", ".tar.lzma"} {
		if strings.HasSuffix(l, ext) {
			return true
		}
	}
	return false
}
