package credential

import (
	"encoding/json"
	"math"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Shape is what a value looks like, the only thing kept of a Secret's values once the loader
// has blanked them. Its words are fixed: no part of a value is ever in it.
type Shape string

// Shapes of values. Empty, Reference, Scalar, URL, Host and Config hold no credential; Credential
// does; Opaque may (a word, a random string, binary data: a password looks like any of them).
const (
	Empty      Shape = "empty"
	Reference  Shape = "reference"            // $(VAR), ${VAR}, {{ .x }}, a placeholder
	Scalar     Shape = "boolean-or-number"    // true, 8080, 0.5
	URL        Shape = "url-without-userinfo" // https://api.contoso.example/v1, no password or signed query
	Host       Shape = "hostname"             // db.contoso.example, 10.0.0.4:5432
	Config     Shape = "configuration"        // routing or settings text that sets no credential
	Cert       Shape = "certificate"          // PEM certificates and public keys, no private key
	Credential Shape = "credential-like"      // a private key, token, password-bearing URL, random key…
	Opaque     Shape = "opaque"               // anything else
)

// Benign reports whether a value of the shape holds no credential.
func (s Shape) Benign() bool {
	switch s {
	case Empty, Reference, Scalar, URL, Host, Config, Cert:
		return true
	}
	return false
}

var (
	hostname = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,62}\.?(?::[0-9]{1,5})?$`)
	scheme   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)
	// urlPath is a route or path prefix ("/shop", "/api/v2/orders"): routing, not a secret.
	urlPath = regexp.MustCompile(`^(?:/[A-Za-z0-9._~-]*)+/?$`)
	// signedQuery are the query parameters of URLs that carry a credential: SAS signatures,
	// tokens, keys.
	signedQuery = []string{"sig", "signature", "x-amz-signature", "code", "key", "apikey", "api_key", "access_token", "token"}
)

// Classify returns the shape of a value, with the words a finding uses for a credential
// ("a PEM private key") when it is one. Neither ever holds a part of the value.
func Classify(value string) (Shape, string) {
	v := strings.TrimSpace(value)
	switch {
	case v == "":
		return Empty, ""
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		return Opaque, ""
	}
	if kind := Kind(v); kind != "" {
		return Credential, kind
	}
	if strings.HasPrefix(v, "-----BEGIN ") && onlyPublicPEM(v) {
		return Cert, ""
	}
	unquoted := strings.Trim(v, `"'`)
	if !secretPart(unquoted) {
		return Reference, ""
	}
	if !strings.ContainsAny(v, "\n") {
		if s, kind := classifyLine(unquoted); s != "" {
			return s, kind
		}
	}
	return classifyText(v)
}

// classifyLine classifies a one-line value, or returns "" for text to read as configuration.
func classifyLine(v string) (Shape, string) {
	lower := strings.ToLower(v)
	if lower == "true" || lower == "false" || lower == "yes" || lower == "no" {
		return Scalar, ""
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return Scalar, ""
	}
	if scheme.MatchString(v) {
		return classifyURL(v)
	}
	if hostname.MatchString(v) || net.ParseIP(v) != nil {
		return Host, ""
	}
	if h, _, err := net.SplitHostPort(v); err == nil && net.ParseIP(h) != nil {
		return Host, ""
	}
	if urlPath.MatchString(v) && !highEntropy(v) {
		return Config, ""
	}
	if strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[") || strings.Contains(v, ";") || strings.Contains(v, "=") {
		return "", "" // JSON, or key=value settings: read as configuration
	}
	if highEntropy(v) {
		return Credential, "a random string shaped like a key or token"
	}
	return Opaque, ""
}

// classifyURL classifies a URL: one with a password or a signed query is a credential.
func classifyURL(v string) (Shape, string) {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return Opaque, ""
	}
	if _, has := u.User.Password(); has {
		// Kind found no secret in it: the password is empty, a reference or a placeholder.
		return Reference, ""
	}
	for k := range u.Query() {
		k = strings.ToLower(k)
		for _, s := range signedQuery {
			if k == s {
				return Credential, "a URL with a signature or token"
			}
		}
		if Name(k) {
			return Credential, "a URL with a signature or token"
		}
	}
	return URL, ""
}

// classifyText classifies configuration text (YAML, JSON, key=value lines, a connection
// string without a secret): it is configuration when no key names a credential with a literal
// value and no value is one.
func classifyText(v string) (Shape, string) {
	if name := Assignment(v); name != "" {
		return Credential, "a setting named like a credential"
	}
	for _, part := range strings.Split(v, ";") {
		if k, val, ok := strings.Cut(part, "="); ok && Name(strings.TrimSpace(k)) && Literal(val) {
			return Credential, "a setting named like a credential"
		}
	}
	var doc any
	if json.Unmarshal([]byte(v), &doc) != nil && yaml.Unmarshal([]byte(v), &doc) != nil {
		doc = nil
	}
	if s, kind := classifyTree(doc); s == Credential {
		return s, kind
	}
	for _, word := range strings.FieldsFunc(v, func(r rune) bool {
		return strings.ContainsRune(" \t\n\r\"',;=:", r)
	}) {
		if highEntropy(word) {
			return Credential, "a random string shaped like a key or token"
		}
	}
	return Config, ""
}

// classifyTree finds a credential in decoded JSON or YAML: a key named like one with a
// literal value, or a value shaped like one.
func classifyTree(doc any) (Shape, string) {
	switch t := doc.(type) {
	case map[string]any:
		for k, v := range t {
			if s, ok := v.(string); ok {
				if Name(k) && Literal(s) {
					return Credential, "a setting named like a credential"
				}
				if kind := Kind(s); kind != "" {
					return Credential, kind
				}
				continue
			}
			if s, kind := classifyTree(v); s == Credential {
				return s, kind
			}
		}
	case []any:
		for _, v := range t {
			if s, kind := classifyTree(v); s == Credential {
				return s, kind
			}
			if s, ok := v.(string); ok {
				if kind := Kind(s); kind != "" {
					return Credential, kind
				}
			}
		}
	}
	return Config, ""
}

// highEntropy reports whether a word looks like a random key or token: long, mixing upper
// and lower case letters and digits, with more than 4.3 bits per character (base64 of random
// bytes; not hex digests, UUIDs or names).
func highEntropy(w string) bool {
	if len(w) < 24 {
		return false
	}
	var upper, lower, digit bool
	counts := map[rune]int{}
	for _, r := range w {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		}
		counts[r]++
	}
	if !upper || !lower || !digit {
		return false
	}
	var bits float64
	n := float64(utf8.RuneCountInString(w))
	for _, c := range counts {
		p := float64(c) / n
		bits -= p * math.Log2(p)
	}
	return bits > 4.3
}

// fileSuffixes are the key suffixes of files that hold keys and credentials.
var fileSuffixes = []string{".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk", "id_rsa", "id_ecdsa", "id_ed25519",
	".dockerconfigjson", ".dockercfg", ".netrc", ".pgpass", ".htpasswd", "credentials", "kubeconfig", ".git-credentials"}

// SecretKey reports whether a Secret's key names a credential: a password, token, secret, key
// or connection string ("password", "api-key", "tls.key"), or a file of one ("ca.key",
// "server.pem", ".dockerconfigjson", "credentials.json").
func SecretKey(key string) bool {
	lower := strings.ToLower(key)
	base := strings.TrimSuffix(lower, ".json")
	for _, s := range fileSuffixes {
		if strings.HasSuffix(base, s) {
			return true
		}
	}
	if lower == "key" || lower == "auth" || keySuffix.MatchString(lower) && !notKey.MatchString(lower) {
		return true
	}
	return Name(key)
}

var (
	// keySuffix is a key named "<something> key": tls.key, signing-key, encryption_key.
	keySuffix = regexp.MustCompile(`[._-]key$`)
	// notKey are such names that hold no secret.
	notKey = regexp.MustCompile(`(?:public|routing|partition|cache|sort|primary|foreign)[._-]key$`)
	// pemBlock is the header of a PEM block and its type.
	pemBlock = regexp.MustCompile(`-----BEGIN ([A-Z0-9 ]+)-----`)
)

// onlyPublicPEM reports whether PEM text holds certificates and public keys only.
func onlyPublicPEM(v string) bool {
	blocks := pemBlock.FindAllStringSubmatch(v, -1)
	for _, b := range blocks {
		if b[1] != "CERTIFICATE" && b[1] != "PUBLIC KEY" && b[1] != "TRUSTED CERTIFICATE" {
			return false
		}
	}
	return len(blocks) > 0
}
