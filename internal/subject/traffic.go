package subject

import "strings"

// Global routing services, as TrafficProfile.Service and TrafficEndpoint.Service name them.
const (
	TrafficManager = "Traffic Manager"
	FrontDoor      = "Front Door"
)

// TrafficProfile is a global routing profile of the inputs: an Azure Traffic Manager profile
// (Microsoft.Network/trafficManagerProfiles, azurerm_traffic_manager_profile) or an Azure
// Front Door Standard/Premium profile (Microsoft.Cdn/profiles, azurerm_cdn_frontdoor_profile).
// Its endpoints are those it declares inline (a Traffic Manager profile's
// properties.endpoints) plus the TrafficEndpoint subjects whose Profile names it.
type TrafficProfile struct {
	AzureResource
	// Service is TrafficManager or FrontDoor.
	Service string
	Tags    Tags
	// Endpoints are the endpoints the profile's own description lists.
	Endpoints []*TrafficEndpoint
}

// TrafficEndpoint is one place a profile routes to: a Traffic Manager endpoint (azure,
// external or nested) or a Front Door origin.
type TrafficEndpoint struct {
	AzureResource
	Service string
	// Profile is the name of the profile it belongs to (the first segment of a child
	// resource's name, the profile segment of its ID, or the Terraform address of the
	// profile); "" when the input does not say.
	Profile string
	// Target is the host the endpoint sends traffic to (Traffic Manager target, Front Door
	// origin hostName).
	Target String
	// TargetResourceID is the Azure resource behind it (targetResourceId, azureOrigin.id).
	TargetResourceID String
	// Location is the endpoint's Azure region (Traffic Manager endpointLocation; Front Door
	// origins carry none).
	Location String
	// Enabled is endpointStatus / enabledState (Enabled when not written).
	Enabled Bool
}

// ProfileKey is how profiles and endpoints are tied together: the lower-cased name.
func ProfileKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// Regions returns the Azure regions an endpoint is known to serve, normalised (lower-case,
// no spaces: "West Europe" is westeurope): its location, else the region written in its
// target host name or resource ID. The host rule is best effort: a DNS label or a
// hyphen-separated part of one that is a region name the scan knows (known), as in a
// public IP's DNS name <label>.<region>.cloudapp.azure.com or a host such as
// shop-westeurope.example.com. A resource ID names its region only through such a part of
// its resource name (pip-westeurope).
func (e *TrafficEndpoint) Regions(known map[string]bool) []string {
	if e.Location.IsKnown() {
		if r := NormalizeRegion(e.Location.V); r != "" {
			return []string{r}
		}
	}
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		for _, label := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return r == '.' || r == '-' || r == '/' || r == '_' || r == ':'
		}) {
			if known[label] && !seen[label] {
				seen[label] = true
				out = append(out, label)
			}
		}
	}
	if e.Target.IsKnown() {
		add(e.Target.V)
	}
	if e.TargetResourceID.IsKnown() {
		id := e.TargetResourceID.V
		if i := strings.LastIndex(id, "/"); i >= 0 {
			id = id[i+1:]
		}
		add(id)
	}
	return out
}

// Off reports whether the endpoint is known to be disabled.
func (e *TrafficEndpoint) Off() bool { return e.Enabled.IsKnown() && !e.Enabled.V }
