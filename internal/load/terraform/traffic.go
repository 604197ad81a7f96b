package terraform

import (
	"strings"

	"github.com/akscheck/akscheck/internal/subject"
)

// Global routing resources, with the azurerm provider's argument names
// (registry.terraform.io/providers/hashicorp/azurerm/latest/docs):
// azurerm_traffic_manager_profile (name, tags); azurerm_traffic_manager_azure_endpoint
// (profile_id, target_resource_id, enabled, default true); azurerm_traffic_manager_external_endpoint
// (profile_id, target, endpoint_location, enabled); azurerm_traffic_manager_nested_endpoint
// (profile_id, target_resource_id, endpoint_location, enabled); azurerm_cdn_frontdoor_profile
// (name, sku_name, tags); azurerm_cdn_frontdoor_origin_group (cdn_frontdoor_profile_id);
// azurerm_cdn_frontdoor_origin (cdn_frontdoor_origin_group_id, host_name, enabled, default
// true).
const (
	tfTMProfile    = "azurerm_traffic_manager_profile"
	tfTMAzureEP    = "azurerm_traffic_manager_azure_endpoint"
	tfTMExternalEP = "azurerm_traffic_manager_external_endpoint"
	tfTMNestedEP   = "azurerm_traffic_manager_nested_endpoint"
	tfFDProfile    = "azurerm_cdn_frontdoor_profile"
	tfFDOriginGrp  = "azurerm_cdn_frontdoor_origin_group"
	tfFDOrigin     = "azurerm_cdn_frontdoor_origin"
)

// trafficSubjects maps a module's Traffic Manager and Front Door profiles and their
// endpoints. An endpoint belongs to the profile its profile_id (or its origin group's
// cdn_frontdoor_profile_id) references. An endpoint without endpoint_location whose target
// references another resource of the module (an azurerm_public_ip's fqdn, a cluster's id)
// takes that resource's location: it is where the traffic goes.
func trafficSubjects(resources []*tblock, input subject.InputKind) []subject.Subject {
	byAddress := map[string]*tblock{}
	for _, r := range resources {
		byAddress[r.address()] = r
	}
	// refTo is the first address a value references among resources of the given types.
	refTo := func(a *tval, types ...string) string {
		for _, ref := range a.refs {
			if b, ok := byAddress[ref]; ok {
				for _, t := range types {
					if b.labels[0] == t {
						return ref
					}
				}
			}
		}
		return ""
	}
	// locationOf is the location of a resource a target references, when written.
	locationOf := func(targets ...*tval) subject.String {
		for _, a := range targets {
			for _, ref := range a.refs {
				if b, ok := byAddress[ref]; ok {
					if loc := b.attr("location").str(); loc.IsKnown() {
						return loc
					}
				}
			}
		}
		return subject.String{}
	}
	var out []subject.Subject
	for _, r := range resources {
		switch r.labels[0] {
		case tfTMProfile, tfFDProfile:
			p := &subject.TrafficProfile{AzureResource: base(r, input), Service: subject.TrafficManager}
			if r.labels[0] == tfFDProfile {
				p.Service = subject.FrontDoor
			}
			p.Tags = r.attr("tags").tags()
			out = append(out, p)
		case tfTMAzureEP, tfTMExternalEP, tfTMNestedEP:
			e := &subject.TrafficEndpoint{AzureResource: base(r, input), Service: subject.TrafficManager}
			e.Profile = refTo(r.attr("profile_id"), tfTMProfile)
			if e.Profile == "" {
				e.Profile = idSegment(r.attr("profile_id"), "trafficManagerProfiles")
			}
			e.Target = r.attr("target").str()
			e.TargetResourceID = r.attr("target_resource_id").str()
			e.Location = r.attr("endpoint_location").str()
			if !e.Location.IsKnown() {
				if loc := locationOf(r.attr("target_resource_id"), r.attr("target")); loc.IsKnown() {
					e.Location = loc
				}
			}
			e.Enabled = enabledDefault(r.attr("enabled").boolean())
			out = append(out, e)
		case tfFDOrigin:
			e := &subject.TrafficEndpoint{AzureResource: base(r, input), Service: subject.FrontDoor}
			if g := refTo(r.attr("cdn_frontdoor_origin_group_id"), tfFDOriginGrp); g != "" {
				e.Profile = refTo(byAddress[g].attr("cdn_frontdoor_profile_id"), tfFDProfile)
			} else {
				e.Profile = idSegment(r.attr("cdn_frontdoor_origin_group_id"), "profiles")
			}
			e.Target = r.attr("host_name").str()
			if loc := locationOf(r.attr("host_name")); loc.IsKnown() {
				e.Location = loc
			}
			e.Enabled = enabledDefault(r.attr("enabled").boolean())
			out = append(out, e)
		}
	}
	return out
}

// enabledDefault is an enabled argument that defaults to true.
func enabledDefault(b subject.Bool) subject.Bool {
	if b.IsAbsent() {
		return subject.KnownBool(true, b.Loc)
	}
	return b
}

// idSegment is the name after /<typ>/ in a value that is a literal ARM ID (a plan's
// profile_id, a module's pasted ID): the endpoints of one profile then share it even when
// no reference ties them to the profile's block. "" when the value is no such ID.
func idSegment(a *tval, typ string) string {
	id := stringOf(a)
	low, marker := strings.ToLower(id), "/"+strings.ToLower(typ)+"/"
	i := strings.LastIndex(low, marker)
	if i < 0 {
		return ""
	}
	name, _, _ := strings.Cut(id[i+len(marker):], "/")
	return name
}
