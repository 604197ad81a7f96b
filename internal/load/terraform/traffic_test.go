package terraform

import (
	"slices"
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

// Traffic Manager and Front Door profiles of a module and their endpoints: each endpoint
// tied to its profile (through the origin group for Front Door), its location written or
// taken from the public IP its target references, and the enabled default.
func TestTrafficProfiles(t *testing.T) {
	t.Parallel()
	src := `
resource "azurerm_public_ip" "west" {
  name              = "pip-shop"
  location          = "westeurope"
  domain_name_label = "shop"
}
resource "azurerm_traffic_manager_profile" "tm" {
  name                   = "tm-shop"
  traffic_routing_method = "Performance"
  tags                   = { app = "shop" }
}
resource "azurerm_traffic_manager_azure_endpoint" "west" {
  name               = "west"
  profile_id         = azurerm_traffic_manager_profile.tm.id
  target_resource_id = azurerm_public_ip.west.id
}
resource "azurerm_traffic_manager_external_endpoint" "east" {
  name              = "east"
  profile_id        = azurerm_traffic_manager_profile.tm.id
  target            = "shop-eastus.example.com"
  endpoint_location = "East US"
  enabled           = false
}
resource "azurerm_cdn_frontdoor_profile" "afd" {
  name     = "afd-shop"
  sku_name = "Standard_AzureFrontDoor"
}
resource "azurerm_cdn_frontdoor_origin_group" "og" {
  name                     = "og"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.afd.id
}
resource "azurerm_cdn_frontdoor_origin" "west" {
  name                           = "west"
  cdn_frontdoor_origin_group_id  = azurerm_cdn_frontdoor_origin_group.og.id
  host_name                      = azurerm_public_ip.west.fqdn
  certificate_name_check_enabled = true
}
`
	s := LoadModule([]File{{Path: "main.tf", Data: []byte(src)}}, Options{})
	if len(s.Errors) > 0 {
		t.Fatal(s.Errors)
	}
	var profiles, endpoints []string
	for _, o := range s.Others {
		switch x := o.(type) {
		case *subject.TrafficProfile:
			profiles = append(profiles, x.Service+" "+x.Name+" "+x.Tags.V["app"].V)
		case *subject.TrafficEndpoint:
			endpoints = append(endpoints, x.Name+"|"+x.Profile+"|"+x.Target.V+"|"+x.Location.V+"|"+map[bool]string{true: "on", false: "off"}[!x.Off()])
		}
	}
	wantProfiles := []string{"Traffic Manager azurerm_traffic_manager_profile.tm shop", "Front Door azurerm_cdn_frontdoor_profile.afd "}
	wantEndpoints := []string{
		"azurerm_traffic_manager_azure_endpoint.west|azurerm_traffic_manager_profile.tm||westeurope|on",
		"azurerm_traffic_manager_external_endpoint.east|azurerm_traffic_manager_profile.tm|shop-eastus.example.com|East US|off",
		"azurerm_cdn_frontdoor_origin.west|azurerm_cdn_frontdoor_profile.afd||westeurope|on",
	}
	if !slices.Equal(profiles, wantProfiles) || !slices.Equal(endpoints, wantEndpoints) {
		t.Errorf("profiles  %q\nwant      %q\nendpoints %q\nwant      %q", profiles, wantProfiles, endpoints, wantEndpoints)
	}
}

// In a plan's values references are gone: endpoints find their profile by the literal ID
// of profile_id or of their origin group.
func TestTrafficProfilesFromPlan(t *testing.T) {
	t.Parallel()
	plan := `{"format_version":"1.2","terraform_version":"1.9.8","values":{"root_module":{"resources":[
	  {"address":"azurerm_traffic_manager_external_endpoint.we","mode":"managed","type":"azurerm_traffic_manager_external_endpoint","name":"we",
	   "values":{"name":"we","profile_id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/trafficManagerProfiles/tm-shop","target":"shop-we.example.com","endpoint_location":"westeurope","enabled":true}},
	  {"address":"azurerm_cdn_frontdoor_origin.ne","mode":"managed","type":"azurerm_cdn_frontdoor_origin","name":"ne",
	   "values":{"name":"ne","cdn_frontdoor_origin_group_id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cdn/profiles/afd-shop/originGroups/og","host_name":"shop.northeurope.cloudapp.azure.com","enabled":false}}]}}}`
	s := LoadPlan("plan.json", []byte(plan))
	if len(s.Errors) > 0 {
		t.Fatal(s.Errors)
	}
	var got []string
	for _, o := range s.Others {
		if e, ok := o.(*subject.TrafficEndpoint); ok {
			got = append(got, e.Profile+"|"+e.Target.V+"|"+map[bool]string{true: "on", false: "off"}[!e.Off()])
		}
	}
	want := []string{"tm-shop|shop-we.example.com|on", "afd-shop|shop.northeurope.cloudapp.azure.com|off"}
	if !slices.Equal(got, want) {
		t.Errorf("endpoints %q, want %q", got, want)
	}
}
