package credential

import "testing"

func TestClassify(t *testing.T) {
	t.Parallel()
	randomKey := "q8Vt2ZxP4mLr7NcK1sJe9HbW3yFa6GdU0oTi5XkR"
	for _, tc := range []struct {
		value string
		want  Shape
	}{
		{"", Empty},
		{"   ", Empty},
		{"${DB_PASSWORD}", Reference},
		{"<password>", Reference},
		{"changeme", Reference},
		{"true", Scalar},
		{"8443", Scalar},
		{"https://api.contoso.example/v1/orders", URL},
		{"redis://cart-redis.shop.svc.cluster.local:6379/0", URL},
		{"postgres://orders@db:5432/orders", URL},
		{"postgres://orders:$(PGPASSWORD)@db:5432/orders", Reference},
		{"postgres://orders:Fixture-42@db:5432/orders", Credential},
		{"https://contoso.blob.core.windows.net/c/b?sv=2022-11-02&sig=Rml4dHVyZQ%3D%3D", Credential},
		{"https://login.contoso.example/callback?client_secret=Fixture-42", Credential},
		{"orders-db.shop.svc.cluster.local", Host},
		{"db.contoso.example:5432", Host},
		{"10.0.0.4", Host},
		{"10.0.0.4:5432", Host},
		{"Server=db;Database=orders", Config},
		{"Endpoint=sb://contoso.servicebus.windows.net/;EntityPath=orders", Config},
		{"http:\n  routers:\n    api:\n      rule: Host(`api.contoso.example`)\n      service: api\n", Config},
		{`{"routes":[{"host":"api.contoso.example","backend":"http://api:8080"}]}`, Config},
		{"upstream api { server api.shop.svc:8080; }\n", Config},
		{"/shop", Config},
		{"/api/v2/orders/", Config},
		{"/q8Vt2ZxP4mLr7NcK1sJe9HbW3yFa6GdU0oTi5XkR", Credential},
		{"-----BEGIN CERTIFICATE-----\nRklYVFVSRQ==\n-----END CERTIFICATE-----\n", Cert},
		{"-----BEGIN PRIVATE KEY-----\nRklYVFVSRQ==\n-----END PRIVATE KEY-----\n", Credential},
		{"db:\n  host: db\n  password: Fixture-42\n", Credential},
		{`{"user":"orders","password":"Fixture-42"}`, Credential},
		{"Server=db;Password=Fixture-42", Credential},
		{"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", Credential},
		{randomKey, Credential},
		{"settings:\n  signing: " + randomKey + "\n", Credential},
		{"not-a-real-password", Opaque},
		{"hunter2", Opaque},
		{"\x00\x01binary", Opaque},
		{"0f3c2a9e-6b1d-4c8e-9a7f-2d5e8b1c4a60", Opaque}, // a UUID: not random enough to call a key, but not known benign
	} {
		if got, _ := Classify(tc.value); got != tc.want {
			t.Errorf("Classify(%.40q) = %s, want %s", tc.value, got, tc.want)
		}
	}
}

func TestSecretKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key  string
		want bool
	}{
		{"password", true}, {"DB_PASSWORD", true}, {"api-key", true}, {"token", true}, {"client-secret", true},
		{"connectionString", true}, {"tls.key", true}, {"ca.key", true}, {"server.pem", true}, {"key", true},
		{".dockerconfigjson", true}, {"credentials.json", true}, {"auth", true}, {"signing-key", true},
		{"url", false}, {"host", false}, {"routes.yaml", false}, {"tls.crt", false}, {"ca.crt", false},
		{"public.key", true}, {"public-key", false}, {"routing-key", false}, {"token-url", false}, {"client-id", false},
	} {
		if got := SecretKey(tc.key); got != tc.want {
			t.Errorf("SecretKey(%q) = %v, want %v", tc.key, got, tc.want)
		}
	}
}

// FuzzClassify holds Classify to its promise on any text: no panic, one of the shapes, and a
// kind only for a credential.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"", "true", "https://a.example/?sig=x", "a: b\nc: d\n", `{"password":"x"}`,
		"-----BEGIN CERTIFICATE-----\nQQ==\n-----END CERTIFICATE-----", "Server=db;Password=x", "10.0.0.4:80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		s, kind := Classify(v)
		switch s {
		case Empty, Reference, Scalar, URL, Host, Config, Cert, Opaque:
			if kind != "" {
				t.Errorf("Classify(%q) = %s with kind %q", v, s, kind)
			}
		case Credential:
			if kind == "" {
				t.Errorf("Classify(%q) = credential without a kind", v)
			}
		default:
			t.Errorf("Classify(%q) = unknown shape %q", v, s)
		}
	})
}
