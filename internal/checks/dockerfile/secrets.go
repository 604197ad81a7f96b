package dockerfile

import (
	"context"
	"path"
	"regexp"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/credential"
	"github.com/akscheck/akscheck/internal/subject"
)

// SecretEnv finds credentials written into ENV and ARG.
var SecretEnv = check.New(check.Meta{
	ID:       "dockerfile-secret-env",
	Item:     "dev.secrets-key-vault",
	Title:    "ENV and ARG carry no credentials",
	Severity: check.High,
	Description: "An ENV, or an ARG default, whose name looks like a credential (password, secret, token, API " +
		"key, access key, connection string, private key; heuristic) is set to a literal value, in any " +
		"stage. The value is in git, in the image's history (docker history shows ENV and ARG values) and " +
		"in every container's environment. Values that only reference other variables are not flagged; the " +
		"finding never shows the value.",
	Remediation: "Pass build-time secrets with RUN --mount=type=secret, and give the app its secrets at run time from Azure Key Vault (Secrets Store CSI driver) instead of baking them in.",
	Evidence:    evidence,
}, func(_ context.Context, _ *check.Env, df *subject.Dockerfile, r *check.Result) {
	flag := func(in *subject.DockerInstruction, where string) {
		for _, v := range in.Vars {
			if v.HasValue && literal(v.Value) && credential.EnvName(v.Name) {
				r.FailLoc(df.At(in.Line), "", "%s %s %ssets a literal value (value not shown)", in.Keyword, v.Name, where)
			}
		}
	}
	for i := range df.MetaArgs {
		flag(&df.MetaArgs[i], "before the first FROM ")
	}
	for _, s := range df.Stages {
		for i := range s.Instructions {
			if in := &s.Instructions[i]; in.Keyword == "ENV" || in.Keyword == "ARG" {
				flag(in, "in "+s.Ref()+" ")
			}
		}
	}
})

var varRef = regexp.MustCompile(`\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*`)

// literal reports whether a value holds anything besides references to other variables.
func literal(v string) bool {
	return strings.Trim(varRef.ReplaceAllString(v, ""), " \t\"'") != ""
}

// secretFiles are the names of files that hold keys and credentials.
var secretFiles = []string{"*.pem", "*.key", "*.pfx", "*.p12", "*.jks", "*.keystore", "id_rsa", "id_dsa", "id_ecdsa",
	"id_ed25519", ".env", ".env.*", ".netrc", ".npmrc", ".pypirc", ".git-credentials", ".ssh", "credentials.json", ".dockercfg"}

// harmlessEnv are .env files meant to be committed.
var harmlessEnv = map[string]bool{".env.example": true, ".env.sample": true, ".env.template": true, ".env.dist": true, ".env.defaults": true}

// SecretFile finds keys and credential files copied into images.
var SecretFile = check.New(check.Meta{
	ID:       "dockerfile-secret-file",
	Item:     "dev.secrets-key-vault",
	Title:    "COPY and ADD bring no keys or credential files",
	Severity: check.High,
	Description: "A COPY or ADD, in any stage, copies a file named like a key or credential store (*.pem, *.key, " +
		"*.pfx, *.p12, *.jks, id_rsa and the other SSH keys, .env, .netrc, .npmrc, .pypirc, " +
		".git-credentials, .ssh; heuristic), or writes one from a here-document. Anyone who can pull the " +
		"image can read it, and removing it in a later layer does not erase it.",
	Remediation: "Keep keys out of the build context (.dockerignore); use RUN --mount=type=secret or type=ssh for build-time credentials, and mount run-time secrets from Azure Key Vault.",
	Evidence:    evidence,
}, func(_ context.Context, _ *check.Env, df *subject.Dockerfile, r *check.Result) {
	for _, s := range df.Stages {
		for i := range s.Instructions {
			in := &s.Instructions[i]
			if in.Keyword != "COPY" && in.Keyword != "ADD" {
				continue
			}
			for _, src := range in.Args {
				if secretFile(src) {
					r.FailLoc(df.At(in.Line), "", "%s %s in %s puts a key or credential file into the image", in.Keyword, src, s.Ref())
				}
			}
			if len(in.Heredocs) > 0 && secretFile(in.Dest) {
				r.FailLoc(df.At(in.Line), "", "%s in %s writes %s, a key or credential file, into the image", in.Keyword, s.Ref(), in.Dest)
			}
		}
	}
})

func secretFile(p string) bool {
	base := path.Base(strings.TrimSuffix(strings.ReplaceAll(p, `\`, "/"), "/"))
	if harmlessEnv[strings.ToLower(base)] {
		return false
	}
	for _, pat := range secretFiles {
		if ok, _ := path.Match(pat, base); ok {
			return true
		}
	}
	return false
}
