package subject

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRedactSecretJSON(t *testing.T) {
	t.Parallel()
	in := `{"apiVersion":"example.com/v1","kind":"Secret","metadata":{"name":"s"},"data":{"password":"aHVudGVyMg=="},"stringData":{"token":"hunter2"},"type":"Opaque"}`
	for _, kind := range []string{"Secret", "secret"} {
		out := RedactSecretJSON(kind, []byte(in))
		if strings.Contains(string(out), "hunter2") || strings.Contains(string(out), "aHVudGVyMg") {
			t.Errorf("%s: a value survived: %s", kind, out)
		}
		var got struct {
			Metadata   struct{ Name string }
			Data       map[string]string
			StringData map[string]string
			Type       string
		}
		if err := json.Unmarshal(out, &got); err != nil || got.Metadata.Name != "s" || got.Type != "Opaque" ||
			len(got.Data) != 1 || len(got.StringData) != 1 {
			t.Errorf("%s: keys or other fields lost: %s (%v)", kind, out, err)
		}
	}
	odd := RedactSecretJSON("Secret", []byte(`{"kind":"Secret","data":"aHVudGVyMg==","stringData":["hunter2"]}`))
	if strings.Contains(string(odd), "hunter2") || strings.Contains(string(odd), "aHVudGVyMg") {
		t.Errorf("values of the wrong shape survived: %s", odd)
	}
	cm := `{"kind":"ConfigMap","data":{"a":"b"}}`
	if got := string(RedactSecretJSON("ConfigMap", []byte(cm))); got != cm {
		t.Errorf("ConfigMap changed: %s", got)
	}
}
