package cluster

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// migrationEvidence is that of the storage migration check: it judges a cluster (its region
// and AKS Backup instances, from ARM, Terraform or the live cluster) with the Velero objects
// and volumes of the Kubernetes objects scanned alongside, as aks-backup does.
var migrationEvidence = []catalog.Evidence{catalog.ARM, catalog.Terraform, catalog.Cluster}

// veleroSchedule is what the check reads of a velero.io/v1 Schedule.
type veleroSchedule struct {
	Spec struct {
		Paused   bool `json:"paused"`
		Template struct {
			IncludedNamespaces []string `json:"includedNamespaces"`
			ExcludedNamespaces []string `json:"excludedNamespaces"`
			StorageLocation    string   `json:"storageLocation"`
		} `json:"template"`
	} `json:"spec"`
}

// veleroLocation is what the check reads of a velero.io/v1 BackupStorageLocation.
type veleroLocation struct {
	Spec struct {
		Provider string            `json:"provider"`
		Default  bool              `json:"default"`
		Config   map[string]string `json:"config"`
	} `json:"spec"`
}

// covers reports whether a Schedule's backups include a namespace.
func (s veleroSchedule) covers(ns string) bool {
	for _, x := range s.Spec.Template.ExcludedNamespaces {
		if x == ns {
			return false
		}
	}
	inc := s.Spec.Template.IncludedNamespaces
	return len(inc) == 0 || contains(inc, "*") || contains(inc, ns)
}

// BackupOtherRegion finds data that no tooling can move or restore outside the cluster's
// region.
var BackupOtherRegion = check.New(check.Meta{
	ID:          "backup-other-region",
	CrossObject: true,
	Requires:    append(slices.Clip(subject.WorkloadKinds), "PersistentVolumeClaim", "Schedule", "BackupStorageLocation"),
	Item:        "dr.storage-migration",
	Title:       "Volumes are backed up to storage outside the cluster's region",
	Severity:    check.Low,
	Description: "A storage migration plan needs tooling that copies each application namespace's volumes " +
		"(PersistentVolumeClaims, StatefulSet volume claim templates) to storage another region can restore " +
		"from. Velero (velero.io/v1): a Schedule that is not paused whose backups include the namespace " +
		"(includedNamespaces empty or *, excludedNamespaces) and whose BackupStorageLocation " +
		"(spec.template.storageLocation, else the default location) names a region (spec.config.region, " +
		"written by the AWS and S3-compatible plugins) other than the cluster's location: a location in " +
		"the cluster's own region is a finding, a namespace no Schedule backs up is a finding when the " +
		"cluster has no AKS Backup instance either. A location without a region (the Azure plugin names a " +
		"storage account, config.storageAccount, whose region and replication are not in the location) " +
		"and a cluster protected only by AKS Backup (whose vault's storage redundancy, GeoRedundant or " +
		"LocallyRedundant, akscheck does not read) leave the item not evaluated, naming what would decide " +
		"it. Not applicable when the scan's Kubernetes objects hold no volume of an application namespace; " +
		"not evaluated without Kubernetes objects. The plan itself (restore drills, the target region) " +
		"stays a person's call.",
	Remediation: "Back up each namespace with volumes to storage in another region: a Velero Schedule writing to a BackupStorageLocation in another region (or a geo-redundant storage account), or AKS Backup from a geo-redundant Backup vault with cross-region restore.",
	Evidence:    migrationEvidence,
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	if len(env.Index.Objects()) == 0 {
		r.Undecided("the Velero Schedules and BackupStorageLocations and the PersistentVolumeClaims of " + noun(c) +
			" (not in the input: give the cluster's manifests, or scan it live)")
		return
	}
	data := dataNamespaces(env)
	if len(data) == 0 {
		r.NotApplicable()
		return
	}
	locs := map[string]*subject.Object{}
	var defaultLoc string
	for _, o := range env.Index.OfKind("BackupStorageLocation") {
		var l veleroLocation
		if o.Group() != "velero.io" || json.Unmarshal(o.Raw(), &l) != nil {
			continue
		}
		locs[o.Name()] = o
		if l.Spec.Default {
			defaultLoc = o.Name()
		}
	}
	if defaultLoc == "" {
		defaultLoc = "default"
	}
	for _, ns := range data {
		var schedules []*subject.Object
		var locNames []string
		for _, o := range env.Index.OfKind("Schedule") {
			var s veleroSchedule
			if o.Group() != "velero.io" || json.Unmarshal(o.Raw(), &s) != nil || s.Spec.Paused || !s.covers(ns) {
				continue
			}
			schedules = append(schedules, o)
			name := s.Spec.Template.StorageLocation
			if name == "" {
				name = defaultLoc
			}
			locNames = append(locNames, name)
		}
		if len(schedules) == 0 {
			if len(c.Backups) > 0 {
				r.Undecided("the storage redundancy of the Backup vault of AKS Backup instance " + c.Backups[0].Name +
					" (storageSettings[].type of Microsoft.DataProtection/backupVaults, Terraform redundancy): akscheck does not read it")
				continue
			}
			noExtension := len(c.ExtensionOfType(subject.ExtensionBackup)) == 0 && c.ExtensionsKnown && !c.ExtensionTypeUnknown()
			if !noExtension && !c.BackupsKnown {
				missingFrom(r, c, "the backup instances", giveBackups)
				continue
			}
			r.FailLoc(dataAt(env, ns), "", "namespace %s holds volumes but no Velero Schedule backs it up and cluster %s has no AKS Backup instance: its data cannot be moved to or restored in another region", ns, c.Name)
			continue
		}
		judgeLocations(r, c, ns, schedules, locNames, locs)
	}
})

// judgeLocations judges the storage locations a namespace's Schedules write to: one in
// another region passes the namespace; otherwise a location in the cluster's region is a
// finding, and one whose region is not known leaves it undecided.
func judgeLocations(r *check.Result, c *subject.Cluster, ns string, schedules []*subject.Object, names []string, locs map[string]*subject.Object) {
	if !c.Location.IsKnown() {
		undecided(r, c, "the region", c.Location.Attr)
		return
	}
	home := subject.NormalizeRegion(c.Location.V)
	var same []string
	unknown := ""
	for i, name := range names {
		o, ok := locs[name]
		if !ok {
			if unknown == "" {
				unknown = "BackupStorageLocation " + name + " of Schedule " + schedules[i].Name() + " (not in the input: give the velero namespace's manifests, or scan the cluster live)"
			}
			continue
		}
		var l veleroLocation
		_ = json.Unmarshal(o.Raw(), &l) // decoded once already when indexed
		region := l.Spec.Config["region"]
		switch {
		case region == "":
			if unknown == "" {
				unknown = "the region of BackupStorageLocation " + name + " (spec.config.region; provider " + l.Spec.Provider
				if sa := l.Spec.Config["storageAccount"]; sa != "" {
					unknown += ": the location and replication of storage account " + sa + ", from its az storage account show output"
				}
				unknown += ")"
			}
		case subject.NormalizeRegion(region) != home:
			return
		default:
			same = append(same, name)
		}
	}
	if len(same) > 0 {
		sort.Strings(same)
		o := locs[same[0]]
		r.FailLoc(o.Source, "", "namespace %s is backed up only to BackupStorageLocation %s in the cluster's own region %s: a regional outage takes the backups with the cluster",
			ns, strings.Join(same, ", "), c.Location.V)
		return
	}
	if unknown != "" {
		r.Undecided(unknown)
	}
}

// dataNamespaces returns the application namespaces that hold volumes (PersistentVolumeClaims
// or StatefulSets that claim volumes), sorted.
func dataNamespaces(env *check.Env) []string {
	seen := map[string]bool{}
	for _, o := range env.Index.OfKind("PersistentVolumeClaim") {
		if !scope.System(env, o.Namespace) {
			seen[o.Namespace] = true
		}
	}
	for _, w := range env.Index.Workloads() {
		if st := w.StatefulSet(); st != nil && len(st.Spec.VolumeClaimTemplates) > 0 && !scope.System(env, w.Namespace) {
			seen[w.Namespace] = true
		}
	}
	out := make([]string, 0, len(seen))
	for ns := range seen {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
}

// dataAt is where a namespace's first volume is declared.
func dataAt(env *check.Env, ns string) subject.Location {
	for _, o := range env.Index.OfKind("PersistentVolumeClaim") {
		if o.Namespace == ns {
			return o.Source
		}
	}
	for _, w := range env.Index.WorkloadsIn(ns) {
		if st := w.StatefulSet(); st != nil && len(st.Spec.VolumeClaimTemplates) > 0 {
			return w.Source
		}
	}
	return subject.Location{}
}
