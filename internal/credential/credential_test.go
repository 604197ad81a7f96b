package credential

import "testing"

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
