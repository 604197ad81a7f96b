package arm

import (
	"strconv"
	"strings"

	"github.com/akscheck/akscheck/internal/subject"
)

// Global routing resources. Field names from Microsoft's ARM template reference
// (learn.microsoft.com/azure/templates): Microsoft.Network/trafficManagerProfiles with
// properties.endpoints[] of {name, type, properties: {target, targetResourceId,
// endpointLocation, endpointStatus}}, and its child types azureEndpoints, externalEndpoints
// and nestedEndpoints with the same properties; Microsoft.Cdn/profiles (sku.name
// Standard_AzureFrontDoor or Premium_AzureFrontDoor for Front Door) and
// Microsoft.Cdn/profiles/originGroups/origins with properties {hostName, azureOrigin.id,
// enabledState}. The az CLI prints the same settings without the properties level.
const (
	typeTMProfile     = "microsoft.network/trafficmanagerprofiles"
	typeTMAzureEP     = "microsoft.network/trafficmanagerprofiles/azureendpoints"
	typeTMExternalEP  = "microsoft.network/trafficmanagerprofiles/externalendpoints"
	typeTMNestedEP    = "microsoft.network/trafficmanagerprofiles/nestedendpoints"
	typeCdnProfile    = "microsoft.cdn/profiles"
	typeFDOrigin      = "microsoft.cdn/profiles/origingroups/origins"
	profileTypeTM     = "Microsoft.Network/trafficManagerProfiles"
	profileTypeCdn    = "Microsoft.Cdn/profiles"
	frontDoorSKUTrait = "azurefrontdoor"
)

// trafficSubject maps a routing profile or one of its endpoints; name is the resource's
// name as the input gives it (a template's resolved name, "profile/endpoint" for a child).
// It returns nil for a Microsoft.Cdn profile of a classic CDN SKU, which routes to no
// cluster.
func (r res) trafficSubject(t, name string, input subject.InputKind) subject.Subject {
	switch t {
	case typeTMProfile:
		p := &subject.TrafficProfile{AzureResource: r.base(orDefault(r.typ(), profileTypeTM), name, input), Service: subject.TrafficManager}
		p.Tags = r.tags("tags")
		if list := r.prop("endpoints"); list != nil && list.kind == kArr {
			for i, x := range list.arr {
				if x == nil || x.kind != kObj {
					continue
				}
				sub := r.sub(x, r.pathOf("endpoints")+"["+strconv.Itoa(i)+"]")
				e := sub.tmEndpoint(sub.name(), input)
				e.Profile = lastSeg(name)
				p.Endpoints = append(p.Endpoints, e)
			}
		}
		return p
	case typeCdnProfile:
		sku := r.n.get("sku", "name").strOr()
		if sku != "" && !strings.Contains(strings.ToLower(sku), frontDoorSKUTrait) {
			return nil
		}
		p := &subject.TrafficProfile{AzureResource: r.base(orDefault(r.typ(), profileTypeCdn), name, input), Service: subject.FrontDoor}
		p.Tags = r.tags("tags")
		return p
	case typeFDOrigin:
		e := &subject.TrafficEndpoint{AzureResource: r.base(orDefault(r.typ(), "Microsoft.Cdn/profiles/originGroups/origins"), name, input), Service: subject.FrontDoor}
		e.Profile = profileOf(name, e.ID, "/profiles/")
		e.Target = r.str("hostName")
		e.TargetResourceID = r.str("azureOrigin", "id")
		e.Enabled = enabledState(r.str("enabledState"))
		return e
	default:
		e := r.tmEndpoint(name, input)
		e.Profile = profileOf(name, e.ID, "/trafficmanagerprofiles/")
		return e
	}
}

// tmEndpoint maps a Traffic Manager endpoint's settings.
func (r res) tmEndpoint(name string, input subject.InputKind) *subject.TrafficEndpoint {
	e := &subject.TrafficEndpoint{AzureResource: r.base(r.typ(), name, input), Service: subject.TrafficManager}
	e.Target = r.str("target")
	e.TargetResourceID = r.str("targetResourceId")
	e.Location = r.str("endpointLocation")
	e.Enabled = enabledState(r.str("endpointStatus"))
	return e
}

// enabledState reads endpointStatus or enabledState: Enabled unless written otherwise.
func enabledState(s subject.String) subject.Bool {
	if s.IsAbsent() {
		return subject.KnownBool(true, s.Loc)
	}
	return subject.Bool{Attr: s.Attr, V: s.Is("Enabled")}
}

// profileOf is the profile a child resource belongs to: the first segment of a
// "profile/child" name (templates), else the segment after marker in its ID (az, REST).
func profileOf(name, id, marker string) string {
	if strings.Contains(name, "/") {
		return firstSeg(name)
	}
	low := strings.ToLower(id)
	i := strings.LastIndex(low, marker)
	if i < 0 {
		return ""
	}
	rest := id[i+len(marker):]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
