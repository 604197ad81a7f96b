package object

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/checktest"
	"github.com/akscheck/akscheck/internal/engine"
)

// TestFindingsShowNoValue runs the checks that read Secret and ConfigMap values on their
// fixtures and asserts that no value, nor a line of one, nor its base64 form, appears in a
// finding: messages name keys and kinds of credential only.
func TestFindingsShowNoValue(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	for _, c := range []*check.Check{SecretInManifest, ConfigMapCredential} {
		fixtures, _ := filepath.Glob(filepath.Join("testdata", c.ID, "*.yaml"))
		if len(fixtures) == 0 {
			t.Fatalf("no fixtures for %s", c.ID)
		}
		for _, f := range fixtures {
			values := fixtureValues(t, f)
			rep := engine.Run(t.Context(), cat, []*check.Check{c}, checktest.Manifests(t, f), engine.Options{})
			out, err := json.Marshal(rep.Findings)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range values {
				if strings.Contains(string(out), v) {
					t.Errorf("%s: a finding shows a value (%d characters) of the fixture: %s", f, len(v), out)
				}
			}
		}
	}
}

// fixtureValues returns the values of the data and stringData of every document of a
// fixture, as written, decoded from base64, and line by line (at least 6 characters: shorter
// ones are words a message may hold, such as "true").
func fixtureValues(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	var out []string
	add := func(v string) {
		for _, line := range append([]string{v}, strings.Split(v, "\n")...) {
			if line = strings.TrimSpace(line); len(line) >= 6 {
				out = append(out, line)
			}
		}
	}
	for {
		var doc struct {
			Data       map[string]string `yaml:"data"`
			StringData map[string]string `yaml:"stringData"`
		}
		if dec.Decode(&doc) != nil {
			break
		}
		for _, v := range doc.Data {
			add(v)
			if raw, err := base64.StdEncoding.DecodeString(v); err == nil {
				add(string(raw))
			}
		}
		for _, v := range doc.StringData {
			add(v)
		}
	}
	return out
}
