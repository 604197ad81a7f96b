// Package credential tells credentials from other values and names, never keeping or
// returning a value: the names of variables, flags and keys that hold credentials, and the
// shapes of values that are credentials whatever they are called (PEM private keys, JSON Web
// Tokens, connection strings and URLs with a password, cloud keys and tokens). The checks of
// literal credentials (env-literal-secret, configmap-credential, the Dockerfile ENV check) and
// the loaders, which classify a Secret's values before blanking them, share it.
package credential

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// credentialWords are the name parts that usually mean a credential, compared after removing
// "_" and "-" and lowercasing ("DB_PASSWORD", "apiKey", "AZURE-CLIENT-SECRET").
var credentialWords = []string{"password", "passwd", "pwd", "secret", "token", "apikey", "accesskey",
	"connectionstring", "connstr", "privatekey", "credential"}

// referenceSuffixes mark names whose value points at a credential instead of holding it.
var referenceSuffixes = []string{"_FILE", "_PATH", "_DIR", "_NAME", "_TYPE", "_ENDPOINT"}

var separators = strings.NewReplacer("_", "", "-", "", ".", "")

// EnvName reports whether an environment variable (or ENV, ARG) name usually holds a credential.
func EnvName(name string) bool {
	upper := strings.ToUpper(name)
	for _, s := range referenceSuffixes {
		if strings.HasSuffix(upper, s) {
			return false
		}
	}
	folded := strings.ToLower(separators.Replace(name))
	for _, w := range credentialWords {
		if strings.Contains(folded, w) {
			return true
		}
	}
	return false
}

// credentialShapes are the values that are credentials whatever the variable is called, each
// with the words a finding uses for it. They are matched against the whole value (a PEM key or
// a token inside a longer value counts); their matches are never shown. needs are substrings
// one of which every match holds: a value with none of them is not run through the expression
// (see Kind).
var credentialShapes = []struct {
	kind  string
	needs []string
	re    *regexp.Regexp
}{
	{"a PEM private key", []string{"PRIVATE KEY-----"}, regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----`)},
	{"an AWS access key ID", []string{"AKIA", "ASIA"}, regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)},
	{"a GitHub token", []string{"gh", "github_pat_"}, regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})\b`)},
	{"a Slack token", []string{"xox"}, regexp.MustCompile(`\bxox[baprs]-[A-Za-z0-9-]{10,}`)},
}

var (
	// connSecret is a key=value pair of a connection string that holds a secret (ADO.NET,
	// ODBC, Azure Storage, Service Bus and Event Hubs).
	connSecret = regexp.MustCompile(`(?i)(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey)\s*=\s*([^;]*)`)
	// connSecretKeys are the keys of connSecret, one of which (in any case) each match holds.
	connSecretKeys = []string{"password", "pwd", "accountkey", "sharedaccesskey"}
	// urlPassword is the password of a URL's user information (scheme://user:password@host).
	urlPassword = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:([^/\s@]+)@`)
	// storageKey is an Azure storage account key: 64 bytes, base64.
	storageKey = regexp.MustCompile(`^[A-Za-z0-9+/]{86}==$`)
	// reference is a value that names a secret instead of holding it: $(VAR) (Kubernetes), ${VAR}
	// and $VAR (shells, envsubst), %VAR% and {{ ... }} (templates).
	reference = regexp.MustCompile(`^(?:\$\([^)]*\)|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|%[^%]+%|\{\{.*\}\})$`)
	// base64url is one segment of a JSON Web Token.
	base64url = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)
)

// placeholders are the secret parts of connection strings and URLs that documentation and
// templates use for "put the password here"; compared lowercased.
var placeholders = map[string]bool{"changeme": true, "change-me": true, "password": true, "secret": true,
	"placeholder": true, "redacted": true, "example": true, "your-password": true, "yourpassword": true, "replaceme": true}

// Kind names the kind of credential a value looks like ("a PEM private key"), or ""
// when it looks like none. Only the kind is ever reported, never the value.
//
// Each expression runs only on a value holding a substring that all its matches hold: the
// expressions backtrack over long values, and most values are long and hold none (a
// namespace's kube-root-ca.crt certificate, an application's properties file). Without the
// substrings a live scan of 30,000 objects spent 13% of its CPU here. kindOf in the tests is
// Kind without them, and FuzzKind holds the two equal.
func Kind(value string) string {
	v := strings.TrimSpace(value)
	for _, s := range credentialShapes {
		if containsAny(v, s.needs) && s.re.MatchString(v) {
			return s.kind
		}
	}
	if isJWT(v) {
		return "a JSON Web Token"
	}
	if strings.Contains(v, "=") && containsAnyFold(v, connSecretKeys) {
		for _, m := range connSecret.FindAllStringSubmatch(v, -1) {
			if secretPart(m[1]) {
				return "a connection string with a password or key"
			}
		}
	}
	if strings.Contains(v, "://") && strings.Contains(v, "@") {
		if m := urlPassword.FindStringSubmatch(v); m != nil && secretPart(m[1]) {
			return "a URL with a password"
		}
	}
	if len(v) == 88 && storageKey.MatchString(v) {
		return "an Azure storage account key"
	}
	return ""
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// containsAnyFold reports whether s holds one of the ASCII words in any case, folded as the
// (?i) of regexp folds: Unicode simple folding, so the Kelvin sign K matches k and ſ
// matches s, as they do in the expression.
func containsAnyFold(s string, words []string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b&0xC0 == 0x80 {
			continue // inside a multi-byte rune
		}
		for _, w := range words {
			// An ASCII byte starts a match only if it is the word's first letter; a rune
			// beyond ASCII may fold to it.
			if (b >= utf8.RuneSelf || b|0x20 == w[0]) && hasPrefixFold(s[i:], w) {
				return true
			}
		}
	}
	return false
}

func hasPrefixFold(s, word string) bool {
	for j := 0; j < len(word); j++ {
		r, size := utf8.DecodeRuneInString(s)
		if size == 0 || !foldsTo(r, rune(word[j])) {
			return false
		}
		s = s[size:]
	}
	return true
}

// foldsTo reports whether r is c under simple case folding (c is lower-case ASCII).
func foldsTo(r, c rune) bool {
	if r == c {
		return true
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f == c {
			return true
		}
	}
	return false
}

// secretPart reports whether the secret part of a connection string or URL holds a secret:
// it is not empty, a reference or a placeholder.
func secretPart(s string) bool {
	s = strings.Trim(strings.TrimSpace(s), `"'`)
	switch {
	case s == "", reference.MatchString(s), placeholders[strings.ToLower(s)]:
		return false
	case strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">"):
		return false
	case strings.Trim(s, string(s[0])) == "" && strings.ContainsAny(s[:1], "*xX.?#-"):
		return false // ***, xxxx, ...
	}
	return true
}

// isJWT reports whether a value is a JSON Web Token: three base64url segments whose first is
// a JSON object with an "alg".
func isJWT(v string) bool {
	if strings.Count(v, ".") != 2 {
		return false
	}
	parts := strings.Split(v, ".")
	if len(parts) != 3 || len(parts[0]) < 10 || len(parts[1]) == 0 {
		return false
	}
	for _, p := range parts {
		if !base64url.MatchString(p) {
			return false
		}
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return false
	}
	var h map[string]any
	if json.Unmarshal(header, &h) != nil {
		return false
	}
	_, ok := h["alg"]
	return ok
}

// credentialFlag is a command-line flag with its value written after "=" (--password=x,
// -token=x), alone or inside a shell script; the value may be quoted.
var credentialFlag = regexp.MustCompile(`(?:^|[\s;&|(])(--?[A-Za-z][A-Za-z0-9_.-]*)=("[^"]*"|'[^']*'|\$\([^)]*\)|[^\s;&|)]+)`)

// assignment is a "key=value" or "key: value" line of a configuration file.
var assignment = regexp.MustCompile(`(?m)^[ \t]*(?:export[ \t]+)?([A-Za-z][A-Za-z0-9_.-]*)[ \t]*[:=][ \t]*(.*?)[ \t]*$`)

// settingSuffixes mark flag and key names about a credential that are not one:
// --token-ttl=1h, password_min_length=12, tokenSecretRef; compared folded (no "_", "-", ".",
// lowercased).
var settingSuffixes = []string{"ttl", "timeout", "expiry", "expiration", "lifetime", "duration", "audience",
	"url", "uri", "length", "size", "mode", "enabled", "policy", "id", "header", "stdin", "ref", "name",
	"file", "path", "dir", "type", "endpoint", "secretname", "keyname"}

// Name reports whether a flag or key name holds a credential ("--client-secret",
// "db.password", "apiKey"), not a setting about one or a reference to one.
func Name(name string) bool {
	folded := strings.ToLower(separators.Replace(strings.TrimLeft(name, "-")))
	for _, s := range settingSuffixes {
		if strings.HasSuffix(folded, s) {
			return false
		}
	}
	return EnvName(folded)
}

// Literal reports whether a value written for a credential holds one: it is not empty,
// a reference ($(VAR), ${VAR}, {{ .x }}), a placeholder (<password>, changeme, ***), a boolean or
// a short number.
func Literal(value string) bool {
	v := strings.Trim(strings.TrimSpace(value), `"'`)
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "null", "none", "~":
		return false
	}
	if len(v) <= 5 && strings.Trim(v, "0123456789") == "" {
		return false
	}
	if strings.HasPrefix(v, "/") || strings.HasPrefix(v, "@") || strings.HasPrefix(v, "file:") {
		return false // a path to the credential
	}
	return secretPart(v)
}

// Flag returns the first flag of a command-line argument (or of a shell script in
// one) that passes a literal credential ("--password"), or "". The value is never returned.
func Flag(arg string) string {
	for _, m := range credentialFlag.FindAllStringSubmatch(arg, -1) {
		if Name(m[1]) && Literal(m[2]) {
			return m[1]
		}
	}
	return ""
}

// Assignment returns the first key of a configuration text ("key=value" or
// "key: value" lines, or the whole text as one key's value) that is a credential written as
// a literal, or "". The value is never returned.
func Assignment(text string) string {
	for _, m := range assignment.FindAllStringSubmatch(text, -1) {
		if Name(m[1]) && Literal(m[2]) {
			return m[1]
		}
	}
	return ""
}

// bareFlag is a flag without a value ("--password"), whose value is the next word.
var bareFlag = regexp.MustCompile(`^--?[A-Za-z][A-Za-z0-9_.-]*$`)

// FlagValue reports whether word is a flag named like a credential ("--password")
// and next, the word after it, a literal credential: the form "--password x" of a command's
// words. Words that are flags themselves are not values.
func FlagValue(word, next string) bool {
	return bareFlag.MatchString(word) && Name(word) && !strings.HasPrefix(next, "-") && Literal(next)
}
