package cluster

import (
	"context"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ltscSKUs maps the LTSC release in a Windows image tag to the node pool OS SKU that runs it.
var ltscSKUs = map[string]string{"ltsc2019": "Windows2019", "ltsc2022": "Windows2022", "ltsc2025": "Windows2025"}

// WindowsPoolForImages finds Windows images of the scan that no Windows pool can run.
var WindowsPoolForImages = check.New(check.Meta{
	ID:          "windows-pool-for-images",
	CrossObject: true,
	Requires:    subject.WorkloadKinds,
	Item:        "windows.base-image-os",
	Title:       "A Windows node pool of the right OS version runs each Windows image",
	Severity:    check.Medium,
	Description: "Heuristic, with the manifests scanned alongside the cluster: every container image whose tag " +
		"names a Windows LTSC release (ltsc2019, ltsc2022, ltsc2025) needs a Windows pool of that release " +
		"(osSKU Windows2019, Windows2022, Windows2025; Terraform os_sku), since process-isolated Windows " +
		"containers only run on a host of their own build. Not applicable without such images, nor to a " +
		"cluster without Windows pools when another cluster of the scan has them (the workloads run there).",
	Remediation: "Add a Windows pool of the release the images are built on (az aks nodepool add --os-type Windows --os-sku Windows2022), or rebuild the images on the release of the existing pools.",
	Evidence:    clusterEvidence,
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	needs := map[string][]string{}
	for _, w := range env.Index.Workloads() {
		for _, ref := range w.Images() {
			tag := strings.ToLower(ref.Tag)
			for ltsc, sku := range ltscSKUs {
				if strings.Contains(tag, ltsc) {
					needs[sku] = append(needs[sku], w.Kind+" "+w.Name())
				}
			}
		}
	}
	if len(needs) == 0 {
		r.NotApplicable()
		return
	}
	if !hasWindowsPool(c) && windowsElsewhere(env.Index, c) {
		// Several clusters in one scan: the Windows workloads run on those with Windows pools,
		// which are judged; a Linux-only cluster beside them runs none of them.
		r.NotApplicable()
		return
	}
	have := map[string]bool{}
	var unknown *subject.NodePool
	for _, p := range c.Pools {
		switch {
		case p.OSType.IsUnknown() || (p.IsWindows() && !p.OSSKU.IsKnown()):
			if unknown == nil {
				unknown = p
			}
		case p.IsWindows():
			have[strings.ToLower(p.OSSKU.V)] = true
		}
	}
	var missing []string
	for sku := range needs {
		if !have[strings.ToLower(sku)] {
			missing = append(missing, sku)
		}
	}
	if len(missing) == 0 {
		return
	}
	if unknown != nil {
		a := unknown.OSType.Attr
		if !unknown.OSType.IsUnknown() {
			a = unknown.OSSKU.Attr
		}
		poolUndecided(r, c, unknown, "the OS type and SKU", a)
		return
	}
	sort.Strings(missing)
	for _, sku := range missing {
		users := needs[sku]
		sort.Strings(users)
		fail(r, c, subject.Attr{Loc: c.UserPoolAt}, "no %s node pool runs the images of %s", sku, strings.Join(users, ", "))
	}
})

// hasWindowsPool reports whether a pool of the cluster is, or may be, a Windows pool.
func hasWindowsPool(c *subject.Cluster) bool {
	for _, p := range c.Pools {
		if p.IsWindows() || p.OSType.IsUnknown() {
			return true
		}
	}
	return false
}

// windowsElsewhere reports whether another cluster of the scan has, or may have, a Windows pool.
func windowsElsewhere(ix *subject.Index, c *subject.Cluster) bool {
	for _, other := range fleetClusters(ix) {
		if other != c && hasWindowsPool(other) {
			return true
		}
	}
	return false
}
