package cluster

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// Clusters of one region, or without an app tag, have nothing to route between: the routing
// checks do not apply, whatever profiles the scan holds.
func TestTrafficRoutingNotApplicable(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	for name, tf := range map[string]string{
		"one region": `
resource "azurerm_kubernetes_cluster" "a" {
  location = "westeurope"
  tags     = { app = "shop" }
}
resource "azurerm_kubernetes_cluster" "b" {
  location = "West Europe"
  tags     = { app = "shop" }
}`,
		"no app tag": `
resource "azurerm_kubernetes_cluster" "a" {
  location = "westeurope"
  tags     = { env = "prod" }
}
resource "azurerm_kubernetes_cluster" "b" {
  location = "northeurope"
  tags     = { env = "prod" }
}`,
		"other apps": `
resource "azurerm_kubernetes_cluster" "a" {
  location = "westeurope"
  tags     = { app = "shop" }
}
resource "azurerm_kubernetes_cluster" "b" {
  location = "northeurope"
  tags     = { service = "billing" }
}`,
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, ch := range []*check.Check{TrafficManagement, DRTrafficManager} {
			rep := runFixture(t, cat, ch, dir)
			if it := rep.Items[cat.ItemIndex(ch.Item)]; len(rep.Findings) > 0 || it.Status != report.StatusNotApplicable {
				t.Errorf("%s: %s: %d findings, item %s (%s), want not applicable", name, ch.ID, len(rep.Findings), it.Status, it.Reason)
			}
		}
	}
}

// The best-effort rule that places an endpoint in a region: its location first, else a
// region name as a DNS label or hyphen-separated part of its target or resource name.
func TestEndpointRegions(t *testing.T) {
	t.Parallel()
	known := map[string]bool{"westeurope": true, "eastus": true, "eastus2": true}
	str := func(v string) subject.String { return subject.KnownString(v, subject.Location{}) }
	for _, tc := range []struct {
		e    subject.TrafficEndpoint
		want []string
	}{
		{subject.TrafficEndpoint{Location: str("West Europe"), Target: str("shop.eastus.cloudapp.azure.com")}, []string{"westeurope"}},
		{subject.TrafficEndpoint{Target: str("shop.eastus2.cloudapp.azure.com")}, []string{"eastus2"}},
		{subject.TrafficEndpoint{Target: str("shop-eastus.contoso.example")}, []string{"eastus"}},
		{subject.TrafficEndpoint{Target: str("easternus.contoso.example")}, nil},
		{subject.TrafficEndpoint{TargetResourceID: str("/subscriptions/s/resourceGroups/rg-westeurope/providers/Microsoft.Network/publicIPAddresses/pip-shop")}, nil},
		{subject.TrafficEndpoint{TargetResourceID: str("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip-shop-eastus2")}, []string{"eastus2"}},
	} {
		if got := tc.e.Regions(known); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: regions %q, want %q", tc.e, got, tc.want)
		}
	}
}
