package arm

import (
	"reflect"
	"strings"

	"github.com/akscheck/akscheck/internal/subject"
)

// part is a piece of resource JSON that belongs to a cluster or a registry given in
// another file (or not given at all). It waits in the scan until Link ties it.
type part struct {
	subject.AzureResource
	// parent is the lower-cased ARM ID of the cluster or registry it belongs to.
	parent string

	pool        *subject.NodePool
	maintenance *subject.MaintenanceConfig
	upgrade     *subject.UpgradeProfile
	diagnostic  *subject.DiagnosticSetting
	pricing     *subject.DefenderPricing
	versions    *subject.KubernetesVersions
	extension   *subject.ClusterExtension
	flux        *subject.FluxConfig
	backup      *subject.BackupInstance
	replication *subject.Replication
	task        *subject.RegistryTask
	// poolName and latestImage come from an agent pool's upgrade profile.
	poolName    string
	latestImage subject.String
}

func (p *part) registrySide() bool { return p.replication != nil || p.task != nil }

// Link ties the parts of resource JSON to their clusters and registries by ARM ID, and
// returns the subjects with the parts consumed. A part whose cluster is not in the scan
// (an agent pool list given alone, say) gets a cluster of its own whose settings are all
// unknown, so that what the part proves is still checked and nothing else is judged.
// The Defender plan goes to the clusters of its subscription; the Kubernetes versions of
// az aks get-versions go to every cluster.
func Link(others []subject.Subject) []subject.Subject {
	var out []subject.Subject
	var parts []*part
	clusters := map[string]*subject.Cluster{}
	var allClusters []*subject.Cluster
	registries := map[string]*subject.Registry{}
	for _, s := range others {
		switch t := s.(type) {
		case *part:
			parts = append(parts, t)
			continue
		case *subject.Cluster:
			allClusters = append(allClusters, t)
			if t.ID != "" {
				clusters[strings.ToLower(t.ID)] = t
			}
		case *subject.Registry:
			if t.ID != "" {
				registries[strings.ToLower(t.ID)] = t
			}
		}
		out = append(out, s)
	}
	if len(parts) == 0 {
		return out
	}
	clusterFor := func(p *part) *subject.Cluster {
		if p.parent == "" {
			return nil
		}
		if c, ok := clusters[p.parent]; ok {
			return c
		}
		c := unknownCluster(p)
		clusters[p.parent] = c
		allClusters = append(allClusters, c)
		out = append(out, c)
		return c
	}
	// Pools first, so that pool upgrade profiles find their pool.
	for _, p := range parts {
		if p.pool != nil {
			if c := clusterFor(p); c != nil {
				mergePool(c, p.pool)
			}
		}
	}
	for _, p := range parts {
		switch {
		case p.maintenance != nil:
			if c := clusterFor(p); c != nil {
				c.Maintenance = append(c.Maintenance, p.maintenance)
				c.MaintenanceKnown = true
			}
		case p.diagnostic != nil:
			if c := clusterFor(p); c != nil {
				c.Diagnostics = append(c.Diagnostics, p.diagnostic)
				c.DiagnosticsKnown = true
			}
		case p.upgrade != nil:
			if c := clusterFor(p); c != nil {
				c.Upgrades = p.upgrade
			}
		case p.extension != nil:
			if c := clusterFor(p); c != nil {
				c.Extensions = append(c.Extensions, p.extension)
				c.ExtensionsKnown = true
			}
		case p.flux != nil:
			if c := clusterFor(p); c != nil {
				c.FluxConfigs = append(c.FluxConfigs, p.flux)
				c.FluxConfigsKnown = true
			}
		case p.backup != nil:
			if c := clusterFor(p); c != nil {
				c.Backups = append(c.Backups, p.backup)
				c.BackupsKnown = true
			}
		case p.poolName != "":
			if c := clusterFor(p); c != nil {
				for _, pool := range c.Pools {
					if strings.EqualFold(pool.Name, p.poolName) {
						pool.LatestNodeImageVersion = p.latestImage
					}
				}
			}
		case p.replication != nil || p.task != nil:
			g, ok := registries[p.parent]
			if !ok {
				continue
			}
			if p.replication != nil {
				g.Replications = append(g.Replications, p.replication)
			} else {
				g.Tasks = append(g.Tasks, p.task)
			}
		}
	}
	for _, p := range parts {
		switch {
		case p.pricing != nil && strings.EqualFold(p.pricing.Plan, "Containers"):
			sub := p.Subscription()
			for _, c := range allClusters {
				if c.Pricing == nil && (sub == "" || c.Subscription() == sub) {
					c.Pricing = p.pricing
				}
			}
		case p.versions != nil:
			for _, c := range allClusters {
				if c.Versions == nil {
					c.Versions = p.versions
				}
			}
		}
	}
	return out
}

var attrType = reflect.TypeFor[subject.Attr]()

// unknownCluster is the cluster of a part whose cluster resource was not given: every
// setting is unknown.
func unknownCluster(p *part) *subject.Cluster {
	c := &subject.Cluster{AzureResource: subject.AzureResource{
		ID: p.parent, Name: lastSeg(p.parent), Type: "Microsoft.ContainerService/managedClusters",
		Source: p.Source, Input: p.Input, Form: p.Form,
	}}
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() != reflect.Struct {
			continue
		}
		if a := f.FieldByName("Attr"); a.IsValid() && a.Type() == attrType {
			a.Set(reflect.ValueOf(subject.Attr{State: subject.Unknown, Loc: p.Source}))
		}
	}
	return c
}
