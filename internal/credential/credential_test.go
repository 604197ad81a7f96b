package credential

import (
	"strings"
	"testing"
)

func TestCredentialKind(t *testing.T) {
	t.Parallel()
	storageKey := "RklYVFVSRS1OT1QtQS1SRUFMLUtFWS1GSVhUVVJFLU5PVC1BLVJFQUwtS0VZLUZJWFRVUkUtTk9ULUEtUkVBTC=="
	for _, tc := range []struct{ value, want string }{
		{"-----BEGIN PRIVATE KEY-----\nRklYVFVSRQ==\n-----END PRIVATE KEY-----", "a PEM private key"},
		{"-----BEGIN OPENSSH PRIVATE KEY-----", "a PEM private key"},
		{"-----BEGIN ENCRYPTED PRIVATE KEY-----", "a PEM private key"},
		{"-----BEGIN CERTIFICATE-----", ""},
		{"-----BEGIN PUBLIC KEY-----", ""},
		{"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "a JSON Web Token"},
		{"eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", ""}, // no alg: not a JWT header
		{"www.contoso.example", ""},
		{"Server=db;Database=orders;Password=Fixture-42;", "a connection string with a password or key"},
		{"Server=db;Uid=orders;Pwd='Fixture-42'", "a connection string with a password or key"},
		{"Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=RklYVFVSRQ==", "a connection string with a password or key"},
		{"Server=db;Password=;", ""},
		{"Server=db;Password=$(DB_PASSWORD)", ""},
		{"Server=db;Password=${DB_PASSWORD}", ""},
		{"Server=db;Password={{ .Values.password }}", ""},
		{"Server=db;Password=<password>", ""},
		{"Server=db;Password=********", ""},
		{"Server=db;Password=xxxx", ""},
		{"Server=db;Password=changeme", ""},
		{"SharedAccessKeyName=send", ""},
		{"postgres://orders:Fixture-42@db:5432/orders", "a URL with a password"},
		{"postgres://orders@db:5432/orders", ""},
		{"postgres://orders:$(PGPASSWORD)@db:5432/orders", ""},
		{"http://db:5432/orders", ""},
		{storageKey, "an Azure storage account key"},
		{storageKey[:60] + "==", ""},
		{"AKIAFIXTURENOTREAL42", "an AWS access key ID"},
		{"ghp_FixtureNotARealTokenFixtureNotARealT", "a GitHub token"},
		{"github_pat_FixtureNotARealToken_FixtureNotARealToken", "a GitHub token"},
		{"xoxb-000000000000-fixture-not-real", "a Slack token"},
		{"info", ""},
		{"", ""},
	} {
		if got := Kind(tc.value); got != tc.want {
			t.Errorf("Kind(%.30q) = %q, want %q", tc.value, got, tc.want)
		}
	}
}

func TestCredentialFlag(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ arg, want string }{
		{"--password=Fixture-42", "--password"},
		{"--client-secret='Fixture-42'", "--client-secret"},
		{"-token=Fixture-42", "-token"},
		{"psql -h db --password=Fixture-42 && run", "--password"},
		{"--db.password=Fixture-42", "--db.password"},
		{"--password=$(DB_PASSWORD)", ""},
		{"--password=$(cat /run/secrets/pw)", ""},
		{"--password=${DB_PASSWORD}", ""},
		{`--password="$DB_PASSWORD"`, ""},
		{"--password=", ""},
		{"--password=<password>", ""},
		{"--token=/var/run/secrets/token", ""},
		{"--password-file=/run/pw", ""},
		{"--token-ttl=1h", ""},
		{"--secret-name=orders", ""},
		{"--enable-token-auth=true", ""},
		{"--password", ""},
		{"--log-level=info", ""},
	} {
		if got := Flag(tc.arg); got != tc.want {
			t.Errorf("Flag(%q) = %q, want %q", tc.arg, got, tc.want)
		}
	}
}

func TestCredentialAssignment(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ text, want string }{
		{"db.host=orders\ndb.password=Fixture-42\n", "db.password"},
		{"redis:\n  password: Fixture-42\n", "password"},
		{"export API_KEY=Fixture-42", "API_KEY"},
		{"db.password=${DB_PASSWORD}\n", ""},
		{"password_min_length=12\ntoken_ttl: 3600\n", ""},
		{"password:\n", ""},
		{"log_level=info", ""},
	} {
		if got := Assignment(tc.text); got != tc.want {
			t.Errorf("Assignment(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestCredentialFlagValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		word, next string
		want       bool
	}{
		{"--password", "Fixture-42", true},
		{"-token", "Fixture-42", true},
		{"--password", "$(DB_PASSWORD)", false},
		{"--password", "--verbose", false},
		{"--password-stdin", "Fixture-42", false},
		{"--token-ttl", "3600s", false},
		{"--log-level", "debug", false},
		{"password", "Fixture-42", false},
	} {
		if got := FlagValue(tc.word, tc.next); got != tc.want {
			t.Errorf("FlagValue(%q, %q) = %v, want %v", tc.word, tc.next, got, tc.want)
		}
	}
}

// kindOf is Kind as it was before the substrings that spare most values the expressions:
// every expression on every value. FuzzKind holds Kind to it.
func kindOf(value string) string {
	v := strings.TrimSpace(value)
	for _, s := range credentialShapes {
		if s.re.MatchString(v) {
			return s.kind
		}
	}
	if isJWT(v) {
		return "a JSON Web Token"
	}
	for _, m := range connSecret.FindAllStringSubmatch(v, -1) {
		if secretPart(m[1]) {
			return "a connection string with a password or key"
		}
	}
	if m := urlPassword.FindStringSubmatch(v); m != nil && secretPart(m[1]) {
		return "a URL with a password"
	}
	if storageKey.MatchString(v) {
		return "an Azure storage account key"
	}
	return ""
}

// FuzzKind: skipping the expressions of a value that lacks their substrings changes no
// answer, whatever the value (case folding of the connection string keys included: the
// Kelvin sign K is a k to (?i)).
func FuzzKind(f *testing.F) {
	for _, s := range []string{"", "feature.flag=true\n", "Server=db;Password=hunter2x", "Server=db;PASSWORD=x9",
		"Server=db;Account\u212Aey=abcdefgh", "pa\u017F\u017Fword=topsecret1", "https://u:p4ssw0rd@h.example",
		"-----BEGIN RSA PRIVATE KEY-----\nQQ==", "-----BEGIN CERTIFICATE-----\nQQ==\n-----END CERTIFICATE-----",
		"AKIAABCDEFGHIJKLMNOP", "ghp_" + strings.Repeat("a", 36), "xoxb-1234567890-abc",
		strings.Repeat("A", 86) + "==", "eyJhbGciOiJIUzI1NiJ9.e30.sig"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := Kind(v), kindOf(v); got != want {
			t.Errorf("Kind(%q) = %q, want %q", v, got, want)
		}
	})
}

// TestKindFoldsAsTheExpression: a connection string key written with the Kelvin sign or a
// long s is still the key to (?i), so the substrings must not skip it.
func TestKindFoldsAsTheExpression(t *testing.T) {
	for _, v := range []string{"Server=db;Account\u212Aey=abcdefgh", "pa\u017F\u017Fword=topsecret1", "PWD=hunter22"} {
		if got := Kind(v); got != "a connection string with a password or key" {
			t.Errorf("Kind(%q) = %q", v, got)
		}
	}
}

// BenchmarkKind compares Kind with kindOf on the values a cluster's ConfigMaps hold most: a
// namespace's CA certificate, a properties file, short settings.
//
//	go test ./internal/credential -run '^$' -bench Kind -benchmem
func BenchmarkKind(b *testing.B) {
	values := []string{
		"-----BEGIN CERTIFICATE-----\n" + strings.Repeat("MIIDBTCCAe2gAwIBAgIIUZ3vQ1w4f7IwDQYJKoZIhvcNAQELBQAwFTETMBEGA1UE\n", 17) + "-----END CERTIFICATE-----\n",
		strings.Repeat("feature.flag=true\n", 40), "info", "http://app.team-0.svc.cluster.local", "8080",
	}
	for _, kind := range []struct {
		name string
		fn   func(string) string
	}{{"Kind", Kind}, {"expressions-only", kindOf}} {
		b.Run(kind.name, func(b *testing.B) {
			for b.Loop() {
				for _, v := range values {
					kind.fn(v)
				}
			}
		})
	}
}
