package cluster

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// giveDeclaration names the inputs that declare a cluster, in undecided reasons.
const giveDeclaration = "the Terraform module or plan (terraform show -json) or the ARM template that deploys it, scanned with it"

// declaredEvidence is that of the drift check: a running cluster (az JSON, --azure: arm) and
// its declaration (arm templates, terraform).
var declaredEvidence = []catalog.Evidence{catalog.ARM, catalog.Terraform}

// IaCDrift compares each running cluster with its declaration in the same scan.
var IaCDrift = check.New(check.Meta{
	ID:          "iac-drift",
	CrossObject: true,
	Item:        "dr.whitespace-deployment",
	Title:       "The running cluster is declared as code, and runs as declared",
	Severity:    check.Medium,
	Description: "A whitespace deployment rebuilds the cluster from its code. Each running cluster (az aks " +
		"show output, a REST response, --azure) is matched with its declaration in the same scan (a Terraform " +
		"module or plan, an ARM template or compiled Bicep): by ARM ID when both carry one, else by name, and " +
		"by resource group when the declaration writes one (a template's resource group is its deployment's: " +
		"name only). Each dSetting of the model that both sides state (region, tier, version, identity, " +
		"Entra ID and RBAC, API server access, upgrade channels, Defender, KMS, workload identity, network " +
		"profile, add-ons, tags, node pools by name with their size, counts, zones, OS, surge and version, " +
		"extension types) and that differs is a finding naming both values and where each is written; a " +
		"dSetting only one side states (a default left unwritten, a value known only after apply) is not " +
		"compared. A node pool on one side only is a finding. A running cluster that no declaration of the " +
		"scan matches is a finding when the scan holds declarations at all; without any the item is not " +
		"evaluated. Declarations without a running cluster in the scan are not applicable (nothing to " +
		"compare). Kubernetes objects are not compared with manifests. Whether a rebuild was rehearsed " +
		"stays a person's call.",
	Remediation: "Bring the code and the cluster back together: apply the declaration (terraform apply, az deployment group create) or write the change made by hand into the code, and keep every running cluster declared.",
	Evidence:    declaredEvidence,
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	if c.Form != subject.FormDeployed {
		r.NotApplicable()
		return
	}
	var decls []*subject.Cluster
	for _, s := range env.Index.Subjects(subject.TypeOf[*subject.Cluster]()) {
		if d := s.(*subject.Cluster); declared(d) {
			decls = append(decls, d)
		}
	}
	if len(decls) == 0 {
		missingFrom(r, c, "the declaration", giveDeclaration)
		return
	}
	var matches []*subject.Cluster
	unknown := ""
	for _, d := range decls {
		switch m, known := declares(d, c); {
		case !known && unknown == "":
			unknown = d.Name
		case m:
			matches = append(matches, d)
		}
	}
	if len(matches) == 0 {
		if unknown != "" {
			r.Undecided("whether " + unknown + " declares " + noun(c) + " (its name or resource group is not resolved; give its value, or a plan)")
			return
		}
		// The finding points at the running resource's ID, which no declaration matches.
		at := c.Source
		at.Path = "id"
		fail(r, c, subject.Attr{Loc: at}, "cluster %s runs but no declaration of the scan (%s) declares it: it cannot be rebuilt from code",
			clusterRef(c), declNames(decls))
		return
	}
	for _, d := range matches {
		compareClusters(r, c, d)
	}
})

// declared reports whether a cluster comes from code: a template, Bicep, a module or a plan.
func declared(c *subject.Cluster) bool {
	switch c.Form {
	case subject.FormTemplate, subject.FormBicep, subject.FormModule, subject.FormPlan:
		return true
	}
	return false
}

// declares tells whether a declaration d describes the running cluster c: the same ARM ID
// when both have one, else the same name and, when d writes one, resource group. known is
// false when d's name or resource group is not resolved.
func declares(d, c *subject.Cluster) (match, known bool) {
	if d.ID != "" && c.ID != "" {
		return strings.EqualFold(strings.TrimRight(d.ID, "/"), strings.TrimRight(c.ID, "/")), true
	}
	name := d.ResourceName
	if d.Input != subject.InputTerraform {
		name = subject.KnownString(d.Name, d.Source)
		if strings.HasPrefix(d.Name, "[") {
			name.State = subject.Unknown
		}
	}
	if name.IsUnknown() || d.ResourceGroup.IsUnknown() {
		return false, false
	}
	if !name.IsKnown() || !strings.EqualFold(name.V, c.Name) {
		return false, true
	}
	if d.ResourceGroup.IsKnown() {
		return strings.EqualFold(d.ResourceGroup.V, subject.ResourceGroupOf(c.ID)), true
	}
	return true, true
}

func clusterRef(c *subject.Cluster) string {
	if rg := subject.ResourceGroupOf(c.ID); rg != "" {
		return c.Name + " (resource group " + rg + ")"
	}
	return c.Name
}

func declNames(ds []*subject.Cluster) string {
	names := make([]string, 0, len(ds))
	for _, d := range ds {
		n := d.Name
		if d.ResourceName.IsKnown() {
			n += " (" + d.ResourceName.V + ")"
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// dSetting is one compared value: its state, its normal form and where it is written.
type dSetting struct {
	state subject.State
	v     string
	loc   subject.Location
}

func dStr(s subject.String) dSetting {
	return dSetting{s.State, strings.ToLower(strings.TrimSpace(s.V)), s.Loc}
}

func dBool(b subject.Bool) dSetting { return dSetting{b.State, strconv.FormatBool(b.V), b.Loc} }

func dInt(i subject.Int) dSetting { return dSetting{i.State, strconv.FormatInt(i.V, 10), i.Loc} }

// set is a list compared as a set, any casing.
func dSet(l subject.List) dSetting {
	vs := make([]string, 0, len(l.V))
	for _, v := range l.V {
		vs = append(vs, strings.ToLower(strings.TrimSpace(v)))
	}
	sort.Strings(vs)
	return dSetting{l.State, "[" + strings.Join(vs, ", ") + "]", l.Loc}
}

// tagSet is the tags compared as a map (keys as written, values any casing); unknown when
// any value is.
func dTags(t subject.Tags) dSetting {
	keys := make([]string, 0, len(t.V))
	state := t.State
	for k, v := range t.V {
		if v.IsUnknown() {
			state = subject.Unknown
		}
		keys = append(keys, k+"="+v.V)
	}
	sort.Strings(keys)
	return dSetting{state, "{" + strings.Join(keys, ", ") + "}", t.Loc}
}

// region compares regions as NormalizeRegion does.
func dRegion(s subject.String) dSetting {
	return dSetting{s.State, subject.NormalizeRegion(s.V), s.Loc}
}

// clusterSettings are the compared settings of a cluster, by a neutral name.
func clusterSettings(c *subject.Cluster) []struct {
	name string
	s    dSetting
} {
	out := []struct {
		name string
		s    dSetting
	}{
		{"location", dRegion(c.Location)},
		{"SKU tier", dStr(c.SKUTier)},
		{"Kubernetes version", dStr(c.KubernetesVersion)},
		{"identity type", dStr(c.IdentityType)},
		{"Kubernetes RBAC", dBool(c.EnableRBAC)},
		{"local accounts disabled", dBool(c.DisableLocalAccounts)},
		{"AKS-managed Entra ID", dBool(c.AADManaged)},
		{"Azure RBAC", dBool(c.AADAzureRBAC)},
		{"Entra ID admin groups", dSet(c.AADAdminGroups)},
		{"authorized IP ranges", dSet(c.AuthorizedIPRanges)},
		{"private cluster", dBool(c.PrivateCluster)},
		{"public network access", dStr(c.PublicNetworkAccess)},
		{"upgrade channel", dStr(c.UpgradeChannel)},
		{"node OS upgrade channel", dStr(c.NodeOSUpgradeChannel)},
		{"Defender security monitoring", dBool(c.DefenderMonitoring)},
		{"KMS etcd encryption", dBool(c.KMSEnabled)},
		{"workload identity", dBool(c.WorkloadIdentity)},
		{"OIDC issuer", dBool(c.OIDCIssuer)},
		{"network plugin", dStr(c.NetworkPlugin)},
		{"network plugin mode", dStr(c.NetworkPluginMode)},
		{"network policy", dStr(c.NetworkPolicy)},
		{"network dataplane", dStr(c.NetworkDataplane)},
		{"outbound type", dStr(c.OutboundType)},
		{"load balancer SKU", dStr(c.LoadBalancerSKU)},
		{"pod CIDRs", dSet(c.PodCIDRs)},
		{"service CIDRs", dSet(c.ServiceCIDRs)},
		{"managed Prometheus", dBool(c.ManagedPrometheus)},
		{"KEDA add-on", dBool(c.KEDA)},
		{"tags", dTags(c.Tags)},
	}
	if c.Addons != nil {
		keys := make([]string, 0, len(c.Addons))
		for k := range c.Addons {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, struct {
				name string
				s    dSetting
			}{"add-on " + k, dBool(c.Addons[k].Enabled)})
		}
	}
	return out
}

func poolSettings(p *subject.NodePool) []struct {
	name string
	s    dSetting
} {
	out := []struct {
		name string
		s    dSetting
	}{
		{"mode", dStr(p.Mode)},
		{"OS type", dStr(p.OSType)},
		{"OS SKU", dStr(p.OSSKU)},
		{"VM size", dStr(p.VMSize)},
		{"autoscaling", dBool(p.EnableAutoScaling)},
		{"minimum count", dInt(p.MinCount)},
		{"maximum count", dInt(p.MaxCount)},
		{"zones", dSet(p.Zones)},
		{"max pods", dInt(p.MaxPods)},
		{"encryption at host", dBool(p.EnableEncryptionAtHost)},
		{"OS disk type", dStr(p.OSDiskType)},
		{"max surge", dStr(p.MaxSurge)},
		{"orchestrator version", dStr(p.OrchestratorVersion)},
	}
	// The node count moves with the autoscaler: compared only when both sides scale by hand.
	if p.EnableAutoScaling.IsKnown() && !p.EnableAutoScaling.V {
		out = append(out, struct {
			name string
			s    dSetting
		}{"node count", dInt(p.Count)})
	}
	return out
}

// compareClusters records a finding per dSetting that the running cluster c and its
// declaration d both state and that differs.
func compareClusters(r *check.Result, c, d *subject.Cluster) {
	dset := map[string]dSetting{}
	for _, s := range clusterSettings(d) {
		dset[s.name] = s.s
	}
	for _, s := range clusterSettings(c) {
		dDiffer(r, c, d, "", s.name, s.s, dset[s.name])
	}
	dpools := map[string]*subject.NodePool{}
	for _, p := range d.Pools {
		dpools[strings.ToLower(poolName(p))] = p
	}
	seen := map[string]bool{}
	for _, p := range c.Pools {
		key := strings.ToLower(poolName(p))
		seen[key] = true
		dp, ok := dpools[key]
		if !ok {
			fail(r, c, subject.Attr{Loc: where(p.Source, c.Source)}, "node pool %s runs in cluster %s but %s declares no such pool (%s)",
				poolName(p), c.Name, d.Name, dAt(d.Source))
			continue
		}
		dps := map[string]dSetting{}
		for _, s := range poolSettings(dp) {
			dps[s.name] = s.s
		}
		for _, s := range poolSettings(p) {
			if ds, ok := dps[s.name]; ok {
				dDiffer(r, c, d, "node pool "+poolName(p)+": ", s.name, dWhere(s.s, p.Source), dWhere(ds, dp.Source))
			}
		}
	}
	for _, dp := range d.Pools {
		if !seen[strings.ToLower(poolName(dp))] && len(c.Pools) > 0 {
			fail(r, c, subject.Attr{Loc: c.SystemPoolAt}, "node pool %s is declared at %s but does not run in cluster %s",
				poolName(dp), dAt(dp.Source), c.Name)
		}
	}
	if c.ExtensionsKnown && d.ExtensionsKnown && !c.ExtensionTypeUnknown() && !d.ExtensionTypeUnknown() {
		run, decl := extensionTypes(c), extensionTypes(d)
		if run != decl {
			fail(r, c, subject.Attr{Loc: extensionsAt(c)}, "the extension types differ: %s runs [%s] but %s declares [%s] (%s)",
				c.Name, run, d.Name, decl, dAt(extensionsAt(d)))
		}
	}
}

func dWhere(s dSetting, at subject.Location) dSetting {
	s.loc = where(s.loc, at)
	return s
}

func extensionTypes(c *subject.Cluster) string {
	ts := make([]string, 0, len(c.Extensions))
	for _, e := range c.Extensions {
		ts = append(ts, strings.ToLower(e.ExtensionType.V))
	}
	sort.Strings(ts)
	return strings.Join(ts, ", ")
}

// poolName is a pool's Azure name.
func poolName(p *subject.NodePool) string {
	if p.PoolName.IsKnown() {
		return p.PoolName.V
	}
	return p.Name
}

// differ records a finding when both sides state a dSetting and the values differ.
func dDiffer(r *check.Result, c, d *subject.Cluster, prefix, name string, run, decl dSetting) {
	if run.state != subject.Known || decl.state != subject.Known || run.v == decl.v {
		return
	}
	r.FailLoc(where(run.loc, c.Source), "", "%s%s is %s in the running cluster %s (%s) but %s in its declaration %s (%s)",
		prefix, name, run.v, c.Name, dAt(where(run.loc, c.Source)), decl.v, d.Name, dAt(where(decl.loc, d.Source)))
}

// at names a location in a message: file:line path.
func dAt(l subject.Location) string {
	s := l.File
	if l.Line > 0 {
		s += fmt.Sprintf(":%d", l.Line)
	}
	if l.Path != "" {
		if s != "" {
			s += " "
		}
		s += l.Path
	}
	return s
}
