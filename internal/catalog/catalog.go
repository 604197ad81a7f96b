// Package catalog holds The AKS Checklist: its sections and items with their stable IDs,
// embedded from checklist.yaml (a copy of the project's shared catalog).
package catalog

import (
	_ "embed"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// Evidence is a kind of input that can prove an item.
type Evidence string

// The evidence kinds of the catalog.
const (
	Manifest   Evidence = "manifest"
	Cluster    Evidence = "cluster"
	ARM        Evidence = "arm"
	Terraform  Evidence = "terraform"
	ACR        Evidence = "acr"
	Dockerfile Evidence = "dockerfile"
	Scan       Evidence = "scan"
	Manual     Evidence = "manual"
)

// Section is a part of the checklist.
type Section struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Item is one checklist item.
type Item struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	Evidence []Evidence `json:"evidence"`
	// SectionID places an item whose ID does not name its section (custom.<name> items of
	// the config); empty for catalog items.
	SectionID string `json:"-"`
}

// Section returns the ID of the section the item belongs to: the part of its ID before the
// dot, unless SectionID says otherwise.
func (it Item) Section() string {
	if it.SectionID != "" {
		return it.SectionID
	}
	s, _, _ := strings.Cut(it.ID, ".")
	return s
}

// HasEvidence reports whether the item can be proved by inputs of kind e.
func (it Item) HasEvidence(e Evidence) bool {
	for _, x := range it.Evidence {
		if x == e {
			return true
		}
	}
	return false
}

// Catalog is the whole checklist, in catalog order.
type Catalog struct {
	Sections []Section `json:"sections"`
	Items    []Item    `json:"items"`

	byID      map[string]int
	sectionOf map[string]int
}

//go:embed checklist.yaml
var checklistYAML []byte

// Load parses the embedded catalog. It returns a new value on each call, so callers never
// share mutable state.
func Load() (*Catalog, error) {
	return Parse(checklistYAML)
}

// Parse reads a catalog document and validates it.
func Parse(data []byte) (*Catalog, error) {
	var c Catalog
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return nil, fmt.Errorf("parsing catalog: %w", err)
	}
	c.byID = make(map[string]int, len(c.Items))
	c.sectionOf = make(map[string]int, len(c.Sections))
	for i, s := range c.Sections {
		c.sectionOf[s.ID] = i
	}
	for i, it := range c.Items {
		if _, dup := c.byID[it.ID]; dup {
			return nil, fmt.Errorf("catalog: item %s appears twice", it.ID)
		}
		if _, ok := c.sectionOf[it.Section()]; !ok {
			return nil, fmt.Errorf("catalog: item %s names unknown section %q", it.ID, it.Section())
		}
		if len(it.Evidence) == 0 {
			return nil, fmt.Errorf("catalog: item %s has no evidence kind", it.ID)
		}
		c.byID[it.ID] = i
	}
	return &c, nil
}

// MustLoad is Load for callers that run on the embedded, tested catalog.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err) // the embedded catalog is covered by tests; failing here is a build defect
	}
	return c
}

// With returns a new catalog with extra items appended (a config's custom items). An item whose
// ID exists, or whose section is unknown, is an error.
func (c *Catalog) With(extra ...Item) (*Catalog, error) {
	out := &Catalog{Sections: c.Sections, Items: append(append([]Item{}, c.Items...), extra...),
		byID: make(map[string]int, len(c.Items)+len(extra)), sectionOf: c.sectionOf}
	for i, it := range out.Items {
		if _, dup := out.byID[it.ID]; dup {
			return nil, fmt.Errorf("item %s is already in the catalog", it.ID)
		}
		if _, ok := out.sectionOf[it.Section()]; !ok {
			return nil, fmt.Errorf("item %s names unknown section %q", it.ID, it.Section())
		}
		out.byID[it.ID] = i
	}
	return out, nil
}

// Item returns the item with the given ID.
func (c *Catalog) Item(id string) (Item, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Item{}, false
	}
	return c.Items[i], true
}

// ItemSection returns the section of an item: the catalog's (custom items name theirs), else
// the part of the ID before the dot.
func (c *Catalog) ItemSection(id string) string {
	if it, ok := c.Item(id); ok {
		return it.Section()
	}
	s, _, _ := strings.Cut(id, ".")
	return s
}

// SectionTitle returns the title of a section ID.
func (c *Catalog) SectionTitle(id string) string {
	if i, ok := c.sectionOf[id]; ok {
		return c.Sections[i].Title
	}
	return id
}

// SectionIndex returns the position of a section in catalog order (or len(Sections) when unknown).
func (c *Catalog) SectionIndex(id string) int {
	if i, ok := c.sectionOf[id]; ok {
		return i
	}
	return len(c.Sections)
}

// ItemIndex returns the position of an item in catalog order (or len(Items) when unknown).
func (c *Catalog) ItemIndex(id string) int {
	if i, ok := c.byID[id]; ok {
		return i
	}
	return len(c.Items)
}

// EvidenceHint says which input would evaluate an item of the given evidence kinds.
func EvidenceHint(kinds []Evidence) string {
	var parts []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	for _, k := range kinds {
		switch k {
		case Manifest:
			add("give Kubernetes manifests")
		case Cluster:
			add("scan a live cluster")
		case ARM, ACR:
			add("give az aks show output or ARM JSON")
		case Terraform:
			add("give Terraform (azurerm)")
		case Dockerfile:
			add("give Dockerfiles")
		case Scan:
			add("give image scan reports")
		}
	}
	return strings.Join(parts, " or ")
}
