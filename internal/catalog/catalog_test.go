package catalog

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// sharedCatalog is the project's shared catalog, beside the repository in development and CI.
const sharedCatalog = "../../../shared/checklist.yaml"

func TestEmbeddedCatalogShape(t *testing.T) {
	t.Parallel()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 103 {
		t.Fatalf("catalog has %d items, want 103", len(c.Items))
	}
	want := map[string]int{"cluster": 22, "container": 7, "dev": 21, "dr": 7, "network": 11, "ops": 17, "resources": 5, "storage": 5, "windows": 8}
	got := map[string]int{}
	for _, it := range c.Items {
		got[it.Section()]++
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("items per section = %v, want %v", got, want)
	}
}

func TestEmbeddedCatalogMatchesShared(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.FromSlash(sharedCatalog))
	if os.IsNotExist(err) {
		t.Skipf("%s not present: the embedded copy is checked by TestEmbeddedCatalogShape only", sharedCatalog)
	}
	if err != nil {
		t.Fatal(err)
	}
	shared, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(shared.Sections, embedded.Sections) {
		t.Errorf("sections differ:\nshared   %v\nembedded %v", shared.Sections, embedded.Sections)
	}
	for i, it := range shared.Items {
		if i >= len(embedded.Items) {
			t.Errorf("item %s missing from the embedded catalog", it.ID)
			continue
		}
		// The embedded catalog may add evidence kinds that checks now read (an item's
		// evidence corrected as checks automate it), never drop one.
		got := embedded.Items[i]
		if it.ID != got.ID || it.Title != got.Title || it.SectionID != got.SectionID || !subset(it.Evidence, got.Evidence) {
			t.Errorf("item %d differs:\nshared   %+v\nembedded %+v", i, it, got)
		}
	}
	if len(embedded.Items) != len(shared.Items) {
		t.Errorf("embedded catalog has %d items, shared has %d", len(embedded.Items), len(shared.Items))
	}
}

// subset reports whether every kind of a is in b.
func subset(a, b []Evidence) bool {
	for _, x := range a {
		found := false
		for _, y := range b {
			found = found || x == y
		}
		if !found {
			return false
		}
	}
	return true
}

func TestParseRejectsBadCatalogs(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"duplicate":       "sections: [{id: a, title: A}]\nitems: [{id: a.x, title: X, evidence: [manual]}, {id: a.x, title: Y, evidence: [manual]}]",
		"unknown section": "sections: [{id: a, title: A}]\nitems: [{id: b.x, title: X, evidence: [manual]}]",
		"no evidence":     "sections: [{id: a, title: A}]\nitems: [{id: a.x, title: X}]",
		"unknown field":   "sections: [{id: a, title: A, extra: 1}]\nitems: []",
	} {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("%s: Parse accepted a bad catalog", name)
		}
	}
}
