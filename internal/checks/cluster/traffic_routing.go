package cluster

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

const trafficRoutingDescription = "Clusters that serve the same application (the same value of one of the " +
	"appTags Azure tags, by default app, application, workload or service) from two regions or more " +
	"have a global router in front: an Azure Traffic Manager profile " +
	"(Microsoft.Network/trafficManagerProfiles, azurerm_traffic_manager_profile) or a Front Door " +
	"Standard/Premium profile (Microsoft.Cdn/profiles, azurerm_cdn_frontdoor_profile) with an enabled " +
	"endpoint or origin in each of those regions. An endpoint is in a region when its endpointLocation " +
	"(Terraform endpoint_location) names it, when its target references a Terraform resource of that " +
	"location (an azurerm_public_ip's fqdn or id), or, best effort, when a DNS label of its target host " +
	"or resource name is the region's name or has it as a hyphen-separated part (a public IP's " +
	"<label>.<region>.cloudapp.azure.com, shop-westeurope.example.com, pip-shop-westeurope). A profile " +
	"that carries an app tag counts for that application only. Clusters of one region, or without an app " +
	"tag, are not applicable. When no profile is in the scan, the check fails if the clusters come from a " +
	"template or a Terraform configuration (which would declare the profile) or were read with --azure " +
	"(which lists the Traffic Manager and Front Door profiles of each cluster's subscription, with the Front " +
	"Door origins), and is not evaluated if they come from az or REST output, which does not hold the profiles, " +
	"or when --azure could not list them."

// TrafficManagement finds applications served from several regions without a global router.
var TrafficManagement = check.New(check.Meta{
	ID:          "multi-region-traffic-routing",
	CrossObject: true,
	Item:        "cluster.traffic-management",
	Title:       "An application served from several regions has a Traffic Manager or Front Door endpoint in each",
	Severity:    check.Medium,
	Description: trafficRoutingDescription + " Without one, clients reach one region's cluster by its own " +
		"address and nothing spreads the load or moves it when a region fails.",
	Remediation: "Put a Traffic Manager profile (az network traffic-manager profile create) or a Front Door profile (az afd profile create) in front of the application, with an enabled endpoint or origin for the ingress of each region's cluster.",
	Evidence:    clusterEvidence,
	Settings:    []check.Setting{AppTagsSetting},
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	judgeTrafficRouting(env, c, r, "spreads its traffic")
})

// DRTrafficManager is the disaster-recovery view of the same rule: the router is what fails
// an application over to its other region.
var DRTrafficManager = check.New(check.Meta{
	ID:          "dr-traffic-failover",
	CrossObject: true,
	Item:        "dr.traffic-manager",
	Title:       "Traffic fails over between the regions that serve an application",
	Severity:    check.Medium,
	Description: trafficRoutingDescription + " The router's health probes take a failed region out of " +
		"rotation; without one, a regional outage needs a DNS change by hand.",
	Remediation: "Route the application through Azure Traffic Manager (priority or performance routing) or Front Door, with an enabled endpoint for each region's cluster so that traffic fails over when a region is down.",
	Evidence:    clusterEvidence,
	Settings:    []check.Setting{AppTagsSetting},
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	judgeTrafficRouting(env, c, r, "fails its traffic over")
})

// appOf is the application a resource's tags name, lower-cased: the value of the first of
// keys it carries. ok is false when that value is unknown.
func appOf(t subject.Tags, keys []string) (app string, ok bool) {
	_, app, st := tagValue(t, keys)
	return app, st != tagUnknown
}

// routedProfile is a profile with every endpoint of the scan that belongs to it.
type routedProfile struct {
	name      string
	service   string
	app       string
	appKnown  bool
	endpoints []*subject.TrafficEndpoint
}

// judgeTrafficRouting judges cluster c: it applies when c's application runs in two regions
// or more, and passes when one profile of the scan that may serve the application has an
// enabled endpoint in each. what says what the router does, for the finding.
func judgeTrafficRouting(env *check.Env, c *subject.Cluster, r *check.Result, what string) {
	keys := AppTagsSetting.Get(env)
	app, ok := appOf(c.Tags, keys)
	switch {
	case !ok:
		undecided(r, c, "the application tag ("+strings.Join(keys, ", ")+")", c.Tags.Attr)
		return
	case app == "":
		r.NotApplicable()
		return
	}
	regions := map[string]bool{}
	// declared are the clusters whose input would hold the profile: a template or Terraform
	// configuration, or a cluster read through Azure with its subscription's profiles listed.
	var declared, unknownAt, unread []string
	for _, s := range env.Index.Subjects(subject.TypeOf[*subject.Cluster]()) {
		o, isCluster := s.(*subject.Cluster)
		if !isCluster {
			continue
		}
		if a, ok := appOf(o.Tags, keys); !ok || a != app {
			continue
		}
		switch {
		case o.Form != subject.FormDeployed && o.Form != "", o.Reads.RoutingProfiles:
			declared = append(declared, o.Name)
		case o.Reads.Unread[subject.UnreadRouting] != "":
			unread = append(unread, o.Name+": "+o.Reads.Unread[subject.UnreadRouting])
		}
		if !o.Location.IsKnown() {
			if o.Location.IsUnknown() {
				unknownAt = append(unknownAt, o.Name)
			}
			continue
		}
		if reg := subject.NormalizeRegion(o.Location.V); reg != "" {
			regions[reg] = true
		}
	}
	if len(regions) < 2 {
		if len(unknownAt) > 0 {
			undecided(r, c, fmt.Sprintf("the regions of the clusters of application %q (%s)", app, strings.Join(unknownAt, ", ")), c.Location.Attr)
			return
		}
		// One region: there is nothing to route between.
		r.NotApplicable()
		return
	}
	want := sortedKeys(regions)
	profiles := routingProfiles(env, keys)
	var candidates []*routedProfile
	for _, p := range profiles {
		if !p.appKnown || p.app == "" || p.app == app {
			candidates = append(candidates, p)
		}
	}
	if len(candidates) == 0 {
		if len(declared) == 0 && len(unread) > 0 {
			r.Undecided(fmt.Sprintf("the Traffic Manager or Front Door profile of application %q, which runs in %s (%s could not be read: %s)",
				app, strings.Join(want, ", "), subject.UnreadRouting, strings.Join(unread, "; ")))
			return
		}
		if len(declared) == 0 {
			// Named without the cluster, so that the clusters of one application ask for it once.
			r.Undecided(fmt.Sprintf("the Traffic Manager or Front Door profile of application %q, which runs in %s (not in the input: "+
				"give the profile as az JSON (az network traffic-manager profile show; az afd profile show and az afd origin list), "+
				"the ARM template or Terraform that declares it, or read the clusters with --azure)", app, strings.Join(want, ", ")))
			return
		}
		fail(r, c, c.Location.Attr, "cluster %s serves application %q, which runs in %s; no Traffic Manager or Front Door profile of the configuration %s between them",
			c.Name, app, strings.Join(want, ", "), what)
		return
	}
	best, bestMissing, undecidedProfile := "", want, ""
	for _, p := range candidates {
		covered := map[string]bool{}
		unknown := false
		for _, e := range p.endpoints {
			if e.Off() {
				continue
			}
			got := e.Regions(regions)
			if len(got) == 0 && (e.Location.IsUnknown() || e.Target.IsUnknown() || e.TargetResourceID.IsUnknown() || e.Enabled.IsUnknown()) {
				unknown = true
			}
			for _, reg := range got {
				covered[reg] = true
			}
		}
		var missing []string
		for _, reg := range want {
			if !covered[reg] {
				missing = append(missing, reg)
			}
		}
		if len(missing) == 0 {
			return
		}
		if unknown && undecidedProfile == "" {
			undecidedProfile = p.service + " profile " + p.name
		}
		if len(missing) < len(bestMissing) || best == "" {
			best, bestMissing = p.service+" profile "+p.name, missing
		}
	}
	if undecidedProfile != "" {
		r.Undecided(fmt.Sprintf("the regions of the endpoints of %s (their location or target is not known) for application %q of cluster %s", undecidedProfile, app, c.Name))
		return
	}
	fail(r, c, c.Location.Attr, "cluster %s serves application %q, which runs in %s; %s has no enabled endpoint in %s, so traffic never reaches that part of the application through it",
		c.Name, app, strings.Join(want, ", "), best, strings.Join(bestMissing, ", "))
}

// routingProfiles gathers the scan's profiles with their endpoints: those a profile lists and
// the endpoint resources whose Profile names it. Endpoints whose profile is not in the scan
// form a profile of their own name.
func routingProfiles(env *check.Env, keys []string) []*routedProfile {
	byKey := map[string]*routedProfile{}
	var out []*routedProfile
	for _, s := range env.Index.Subjects(subject.TypeOf[*subject.TrafficProfile]()) {
		p, ok := s.(*subject.TrafficProfile)
		if !ok {
			continue
		}
		rp := &routedProfile{name: p.Name, service: p.Service, endpoints: slices.Clone(p.Endpoints)}
		rp.app, rp.appKnown = appOf(p.Tags, keys)
		byKey[subject.ProfileKey(p.Name)] = rp
		out = append(out, rp)
	}
	for _, s := range env.Index.Subjects(subject.TypeOf[*subject.TrafficEndpoint]()) {
		e, ok := s.(*subject.TrafficEndpoint)
		if !ok {
			continue
		}
		// Endpoints whose profile the input does not name are taken together, by service:
		// best effort, as one profile.
		key, name := subject.ProfileKey(e.Profile), e.Profile
		if key == "" {
			key, name = "\x00"+e.Service, "(endpoints whose profile is not known)"
		}
		rp, ok := byKey[key]
		if !ok {
			rp = &routedProfile{name: name, service: e.Service, appKnown: true}
			byKey[key] = rp
			out = append(out, rp)
		}
		rp.endpoints = append(rp.endpoints, e)
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
