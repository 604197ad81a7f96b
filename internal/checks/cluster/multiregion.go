package cluster

import (
	"context"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// DRMultiRegion finds applications whose clusters all run in one region.
var DRMultiRegion = check.New(check.Meta{
	ID:          "dr-multiregion",
	CrossObject: true,
	Item:        "dr.multiregion",
	Title:       "The clusters of an application run in at least two regions",
	Severity:    check.Low,
	Description: "The clusters of the scan are grouped by the application they serve: the value of the first " +
		"tag of --app-tags (appTags: app, application, workload, service) they carry. An application's " +
		"clusters must run in at least two Azure regions, so that it survives the loss of one. When they " +
		"all run in one region, the finding is made only if the scan holds clusters in other regions (a " +
		"fleet: several clusters' az JSON, templates or Terraform scanned together, or --subscription); " +
		"a scan whose clusters are all in one region cannot show the application's clusters elsewhere, and " +
		"the check is undecided. Ideally the second region is the Azure pair of the first (the bundled " +
		"table of region pairs, from learn.microsoft.com \"Azure region pairs and nonpaired regions\"): " +
		"regions that all have a pair but where no two are paired are an info finding; nonpaired regions " +
		"rely on availability zones and any second region does. The DR plan itself stays a manual review.",
	Remediation: "Run the application on a second cluster in another region, ideally the Azure pair of the first, and route between them (Front Door or Traffic Manager).",
	Evidence:    clusterEvidence,
	Settings:    []check.Setting{AppTagsSetting},
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	keys := AppTagsSetting.Get(env)
	key, app, st := tagValue(c.Tags, keys)
	switch st {
	case tagUnknown:
		undecided(r, c, "the application tag", c.Tags.Attr)
		return
	case tagNone:
		r.Undecided("the application cluster " + c.Identity().Name + " serves (none of the tags " + quoted(keys) +
			"; tag the clusters with the application they serve, or set checks.params.appTags)")
		return
	}
	if !c.Location.IsKnown() || c.Location.V == "" {
		undecided(r, c, "the region", c.Location.Attr)
		return
	}
	clusters := fleetClusters(env.Index)
	var peers []*subject.Cluster
	appRegions := map[string]string{}
	scanRegions := map[string]bool{}
	var unsure []string
	for _, o := range clusters {
		region := ""
		if o.Location.IsKnown() && o.Location.V != "" {
			region = regionKey(o.Location.V)
			scanRegions[region] = true
		}
		_, v, ost := tagValue(o.Tags, keys)
		switch {
		case ost == tagKnown && v == app && region != "":
			peers = append(peers, o)
			appRegions[region] = o.Location.V
		case (ost == tagUnknown || (ost == tagKnown && v == app)) && o != c:
			// A cluster that may serve the application in a region the scan does not show.
			unsure = append(unsure, "the application tag and region of cluster "+o.Identity().Name)
		}
	}
	if len(appRegions) >= 2 {
		judgePairs(r, c, key, app, appRegions)
		return
	}
	if len(unsure) > 0 {
		sort.Strings(unsure)
		r.Undecided(strings.Join(unsure, "; ") + " (unresolved in the input)")
		return
	}
	region := c.Location.V
	if len(scanRegions) < 2 {
		r.Undecided("the clusters of application " + app + " in regions other than " + region +
			" (the scan holds clusters of " + region + " only: scan the application's clusters of every region together, or use --subscription)")
		return
	}
	others := make([]string, 0, len(scanRegions))
	for k := range scanRegions {
		if k != regionKey(region) {
			others = append(others, k)
		}
	}
	sort.Strings(others)
	hint := ""
	if pair := regionPairs[regionKey(region)]; pair != "" {
		hint = " (its Azure pair is " + pair + ")"
	}
	fail(r, c, c.Location.Attr, "application %s (tag %s) runs only in %s%s: its clusters %s; the scan holds clusters in %s, none of them serving it",
		app, key, region, hint, quoted(sortedNames(peers)), strings.Join(others, ", "))
})

// judgePairs records an info finding when the application's regions all have an Azure pair
// but no two of them are paired.
func judgePairs(r *check.Result, c *subject.Cluster, key, app string, regions map[string]string) {
	keys := make([]string, 0, len(regions))
	for k := range regions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for i, a := range keys {
		if regionPairs[a] == "" {
			// A nonpaired region (or one the table does not know): any second region does.
			return
		}
		pairs = append(pairs, a+" pairs with "+regionPairs[a])
		for _, b := range keys[i+1:] {
			if paired(a, b) {
				return
			}
		}
	}
	failSev(r, check.Info, c, c.Location.Attr, "application %s (tag %s) runs in %s, but no two of them are an Azure region pair (%s): paired regions are recovered one at a time and updated in turn",
		app, key, strings.Join(keys, ", "), strings.Join(pairs, "; "))
}

// AppTagsSetting are the tag keys whose value names the application a cluster serves.
var AppTagsSetting = check.NewParam[[]string]("appTags",
	"Azure tag keys whose value names the application a cluster serves, in order of preference (the first one a cluster carries counts)",
	[]string{"app", "application", "workload", "service"}, nonEmptyKeys)

// nonEmptyKeys rejects an empty list of tag keys, with which no cluster could be grouped.
func nonEmptyKeys(keys []string) error {
	if len(keys) == 0 {
		return errNoTagKeys
	}
	for _, k := range keys {
		if strings.TrimSpace(k) == "" {
			return errNoTagKeys
		}
	}
	return nil
}
