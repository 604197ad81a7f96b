package subject

import (
	"fmt"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/credential"
)

func TestClassifySecret(t *testing.T) {
	t.Parallel()
	// data.url is base64 of https://api.contoso.example; data.bad is not base64.
	raw := `{"kind":"Secret","data":{"url":"aHR0cHM6Ly9hcGkuY29udG9zby5leGFtcGxl","bad":"%%%"},` +
		`"stringData":{"password":"hunter2-fixture","dsn":"postgres://u:fixture-pw-42@db/orders","empty":""}}`
	got := ClassifySecret("Secret", []byte(raw))
	want := []SecretValue{
		{Field: "data", Key: "bad", Shape: credential.Opaque},
		{Field: "data", Key: "url", Shape: credential.URL},
		{Field: "stringData", Key: "dsn", Shape: credential.Credential, Kind: "a URL with a password"},
		{Field: "stringData", Key: "empty", Shape: credential.Empty},
		{Field: "stringData", Key: "password", Shape: credential.Opaque},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ClassifySecret =\n%v\nwant\n%v", got, want)
	}
	for _, s := range []string{"hunter2", "fixture-pw", "api.contoso"} {
		if strings.Contains(fmt.Sprintf("%#v", got), s) {
			t.Errorf("the summary keeps a value: %#v", got)
		}
	}
	if ClassifySecret("ConfigMap", []byte(raw)) != nil {
		t.Error("a ConfigMap was classified")
	}
}
