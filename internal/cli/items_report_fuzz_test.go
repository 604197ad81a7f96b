package cli

import (
	"os"
	"strings"
	"testing"
)

// FuzzReadReport: items --report reads JSON and YAML reports from any file; whatever it is
// given, it returns a report or an error, never panics.
func FuzzReadReport(f *testing.F) {
	for _, golden := range []string{"testdata/examples.json.golden", "testdata/examples.yaml.golden"} {
		if data, err := os.ReadFile(golden); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"schemaVersion":"1","items":[{"id":"a"}]}`))
	f.Add([]byte("schemaVersion: '1'\nitems: [{id: a}]\n"))
	f.Add([]byte("&a [*a, *a]"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := readReport(strings.NewReader(string(data)), "-")
		if err == nil && (rep == nil || len(rep.Items) == 0) {
			t.Fatalf("no error but no report: %+v", rep)
		}
	})
}
