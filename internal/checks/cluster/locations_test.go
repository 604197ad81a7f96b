package cluster

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
)

// TestLocationsAsWritten: the checks name no paths; every finding on the examples
// (az CLI output and an azurerm module) carries the path the loader gave the setting, in
// the input's own spelling.
func TestLocationsAsWritten(t *testing.T) {
	t.Parallel()
	examples := filepath.Join("..", "..", "..", "examples")
	scan := load.Load(t.Context(), []string{filepath.Join(examples, "cluster"), filepath.Join(examples, "terraform")}, load.Options{})
	if len(scan.Errors) > 0 {
		t.Fatalf("examples do not load: %+v", scan.Errors)
	}
	rep := engine.Run(t.Context(), catalog.MustLoad(), Checks(), scan, engine.Options{
		Now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }})
	if len(rep.Findings) == 0 {
		t.Fatal("no finding on the examples")
	}
	attribute := regexp.MustCompile(`^[a-z0-9_]+(\[[0-9]+\])?(\.[a-z0-9_]+(\[[0-9]+\])?)*$`)
	got := map[string]bool{}
	for _, f := range rep.Findings {
		loc := f.Location
		got[f.Check+" "+filepath.Base(loc.File)+" "+loc.Path] = true
		switch {
		case loc.File == "" || loc.Line == 0 || loc.Path == "":
			t.Errorf("%s: %s: no file, line and path: %+v", f.Check, f.Message, loc)
		case strings.HasSuffix(loc.File, ".tf") && !attribute.MatchString(loc.Path) && !strings.HasPrefix(loc.Path, "azurerm_"):
			t.Errorf("%s: %s: %q is not an azurerm attribute", f.Check, f.Message, loc.Path)
		case strings.HasSuffix(loc.File, ".json") && strings.HasPrefix(loc.Path, "properties."):
			t.Errorf("%s: %s: %q: az CLI output has no properties", f.Check, f.Message, loc.Path)
		}
	}
	for _, want := range []string{
		"private-cluster aks-shop-prod.json apiServerAccessProfile.enablePrivateCluster",
		"private-cluster main.tf private_cluster_enabled",
		"egress-lockdown main.tf network_profile.outbound_type",
		"system-node-pool main.tf default_node_pool.only_critical_addons_enabled",
		"ephemeral-os-disk nodepools.json osDiskType",
		"ephemeral-os-disk main.tf os_disk_type",
	} {
		if !got[want] {
			t.Errorf("no finding %s", want)
		}
	}
}
