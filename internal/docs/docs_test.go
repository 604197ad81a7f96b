package docs

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/checks/object"
	"github.com/akscheck/akscheck/internal/checks/workload"
)

// TestPagesAreGenerated fails when docs/checks/ is stale: a page missing, different from what
// the metadata gives, or left over from a check that no longer exists.
func TestPagesAreGenerated(t *testing.T) {
	t.Parallel()
	pages, err := Pages(catalog.MustLoad(), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	stale, err := StalePages("../../docs/checks", pages)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Errorf("docs/checks is stale (%s): run go generate ./internal/docs", strings.Join(stale, ", "))
	}
}

// TestPagesSayWhatWhyFixAndExempt checks the sections of every page.
func TestPagesSayWhatWhyFixAndExempt(t *testing.T) {
	t.Parallel()
	pages, err := Pages(catalog.MustLoad(), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	for name, page := range pages {
		for _, want := range []string{"## What it looks at, and why", "## How to fix", "## How to exempt", check.ExemptAnnotation, "exemptions:"} {
			if !strings.Contains(string(page), want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
	// Checks on Kubernetes objects show the annotations.
	for _, c := range workload.Checks() {
		if !strings.Contains(string(pages[c.ID+".md"]), check.ExemptReasonAnnotation+": ") {
			t.Errorf("%s.md does not show the exemption annotations", c.ID)
		}
	}
}

// TestManifestChecksHaveExamples requires a fixed example for the checks on Kubernetes objects.
func TestManifestChecksHaveExamples(t *testing.T) {
	t.Parallel()
	for _, c := range append(workload.Checks(), object.Checks()...) {
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("check %s has no Example", c.ID)
			continue
		}
		if lang := ExampleLanguage(c.Example); lang != "yaml" {
			t.Errorf("check %s: example reads as %s, want yaml", c.ID, lang)
		}
		dec := yaml.NewDecoder(strings.NewReader(c.Example))
		for {
			var doc any
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("check %s: example is not YAML: %v", c.ID, err)
				break
			}
		}
	}
}

func TestExampleLanguage(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"apiVersion: v1\nkind: Pod":                                   "yaml",
		"# comment\nresource \"azurerm_kubernetes_cluster\" \"a\" {}": "hcl",
		"FROM scratch\nUSER 65532":                                    "dockerfile",
		"{\"properties\": {}}":                                        "json",
		"":                                                            "yaml",
	} {
		if got := ExampleLanguage(in); got != want {
			t.Errorf("ExampleLanguage(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestPageURL(t *testing.T) {
	t.Parallel()
	if got := PageURL("", "liveness-probe"); got != DefaultBaseURL+"liveness-probe.md" {
		t.Errorf("default: %s", got)
	}
	if got := PageURL("docs/checks", "x"); got != "docs/checks/x.md" {
		t.Errorf("relative: %s", got)
	}
	if IsAbsoluteURL("docs/checks/x.md") || !IsAbsoluteURL(DefaultBaseURL) {
		t.Error("IsAbsoluteURL")
	}
}

// TestConfigSettingsAreGenerated fails when the settings table of docs/config.md is stale.
func TestConfigSettingsAreGenerated(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := WithSettings(doc, checks.All())
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(doc) {
		t.Error("docs/config.md's settings are stale: run go generate ./internal/docs")
	}
}

// TestConfigCustomFieldsAreGenerated fails when the custom checks' field list of
// docs/config.md is stale.
func TestConfigCustomFieldsAreGenerated(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := WithFields(doc)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(doc) {
		t.Error("docs/config.md's custom check fields are stale: run go generate ./internal/docs")
	}
}
