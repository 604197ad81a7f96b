package dockerfile

import (
	"context"
	"regexp"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// PackageInstall finds OS package installs that are not pinned or leave their cache behind.
var PackageInstall = check.New(check.Meta{
	ID:       "dockerfile-package-install",
	Item:     "dev.dockerfile-scanning",
	Title:    "OS package installs are pinned and clean up",
	Severity: check.Low,
	Description: "A RUN installs packages with apt-get/apt, apk, dnf, yum, microdnf or tdnf without a version for " +
		"every package (hadolint DL3008, DL3018, DL3041), in any stage; or, in the final stage or a stage it " +
		"is built FROM, without removing the package cache in the same RUN (DL3009, DL3019, DL3040): " +
		"rm -rf /var/lib/apt/lists/*, apk --no-cache, dnf/yum/tdnf clean all, or a RUN --mount=type=cache " +
		"on the cache directory. Unpinned installs make rebuilds drift; a cache left in a layer stays in " +
		"the image for good. Heuristic: the script is split into commands, not run; packages given by a " +
		"variable are not judged.",
	Remediation: "Pin each package (apt: curl=8.5.0-1, apk: curl=8.5.0-r0, dnf/tdnf: curl-8.5.0) and clean the cache in the same RUN, or use RUN --mount=type=cache for it.",
	Evidence:    evidence,
}, func(_ context.Context, _ *check.Env, df *subject.Dockerfile, r *check.Result) {
	found := false
	for _, s := range df.Stages {
		inImage := df.InChain(s)
		for _, in := range instructionsOf(s, "RUN") {
			script := in.Script()
			for _, c := range commands(script) {
				inst := installOf(c)
				if inst == nil {
					continue
				}
				found = true
				if len(inst.unpinned) > 0 {
					r.FailLoc(df.At(in.Line), "", "%s %s in %s does not pin versions of %s", c.name(), inst.verb, s.Ref(), strings.Join(inst.unpinned, ", "))
				}
				if inImage && !inst.noCache && !cleansUp(inst.manager, script, in.Mounts) {
					r.FailLoc(df.At(in.Line), "", "%s %s in %s leaves the package cache in the image (%s)", c.name(), inst.verb, s.Ref(), cleanupHint[inst.manager])
				}
			}
		}
	}
	if !found {
		r.NotApplicable()
	}
})

// install is one package-manager install command.
type install struct {
	manager  string // apt, apk or dnf
	verb     string
	unpinned []string
	noCache  bool
}

var managers = map[string]string{"apt-get": "apt", "apt": "apt", "apk": "apk", "dnf": "dnf", "yum": "dnf", "microdnf": "dnf", "tdnf": "dnf"}

// valueFlags are the options of each manager that take the next word as their value.
var valueFlags = map[string]map[string]bool{
	"apt": {"-o": true, "-t": true, "--target-release": true, "-c": true, "--config-file": true},
	"apk": {"-t": true, "--virtual": true, "-X": true, "--repository": true, "-p": true, "--root": true,
		"--arch": true, "--keys-dir": true, "--repositories-file": true, "--cache-dir": true},
	"dnf": {"-x": true, "--exclude": true, "--releasever": true, "--installroot": true, "-c": true, "--config": true,
		"--setopt": true, "--enablerepo": true, "--disablerepo": true, "--repo": true},
}

var cleanupHint = map[string]string{
	"apt": "remove /var/lib/apt/lists/* in the same RUN",
	"apk": "use apk add --no-cache",
	"dnf": "run clean all in the same RUN",
}

// installOf returns the install a command performs, or nil.
func installOf(c command) *install {
	mgr, ok := managers[c.name()]
	if !ok {
		return nil
	}
	args := c.args()
	verb := "install"
	if mgr == "apk" {
		verb = "add"
	}
	inst := &install{manager: mgr, verb: verb}
	seenVerb := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--no-cache":
			inst.noCache = true
		case valueFlags[mgr][a]:
			i++
		case strings.HasPrefix(a, "-"):
		case !seenVerb:
			if a != verb {
				return nil
			}
			seenVerb = true
		case !pinned(mgr, a):
			inst.unpinned = append(inst.unpinned, a)
		}
	}
	if !seenVerb {
		return nil
	}
	return inst
}

var rpmVersion = regexp.MustCompile(`-[0-9]`)

// pinned reports whether a package argument names a version (or is a file, a URL, a variable
// or a module, which cannot be judged).
func pinned(mgr, pkg string) bool {
	if strings.ContainsAny(pkg, "$/") || strings.HasPrefix(pkg, "@") || strings.HasPrefix(pkg, ".") {
		return true
	}
	switch mgr {
	case "apt":
		return strings.Contains(pkg, "=") || strings.HasSuffix(pkg, ".deb")
	case "apk":
		return strings.ContainsAny(pkg[1:], "=~<>") || strings.HasSuffix(pkg, ".apk")
	default:
		return rpmVersion.MatchString(pkg) || strings.HasSuffix(pkg, ".rpm")
	}
}

var cleanups = map[string]*regexp.Regexp{
	"apt": regexp.MustCompile(`rm\s+(-\S+\s+)*[^;&|\n]*/var/lib/apt/lists`),
	"apk": regexp.MustCompile(`rm\s+(-\S+\s+)*[^;&|\n]*/var/cache/apk|apk\s+cache\s+clean`),
	"dnf": regexp.MustCompile(`\b(dnf|yum|microdnf|tdnf)\s+(-\S+\s+)*clean\s+all|rm\s+(-\S+\s+)*[^;&|\n]*/var/cache/(dnf|yum|tdnf)`),
}

var cacheDirs = map[string][]string{
	"apt": {"/var/lib/apt", "/var/cache/apt"},
	"apk": {"/var/cache/apk", "/etc/apk/cache"},
	"dnf": {"/var/cache/dnf", "/var/cache/yum", "/var/cache/tdnf", "/var/cache/libdnf5"},
}

// cleansUp reports whether a RUN leaves no package cache of a manager in its layer.
func cleansUp(mgr, script string, mounts []subject.DockerMount) bool {
	if cleanups[mgr].MatchString(script) {
		return true
	}
	for _, m := range mounts {
		if m.Type != "cache" && m.Type != "tmpfs" {
			continue
		}
		for _, d := range cacheDirs[mgr] {
			if strings.HasPrefix(strings.TrimSuffix(m.Target, "/"), d) {
				return true
			}
		}
	}
	return false
}
