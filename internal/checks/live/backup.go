package live

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// aksBackupNamespace is where the AKS Backup extension (Microsoft.DataProtection) runs.
const aksBackupNamespace = "dataprotection-microsoft"

// Backup checks that every application namespace with persistent volumes is backed up.
var Backup = check.New(check.Meta{
	ID:          "live-backup-schedule",
	CrossObject: true,
	Item:        "storage.backup",
	Title:       "A backup schedule covers every namespace with persistent volumes",
	Severity:    check.Medium,
	Description: "Finds the application namespaces that hold PersistentVolumeClaims and the Velero " +
		"Schedules (velero.io/v1) that are not paused, with their includedNamespaces and " +
		"excludedNamespaces; a namespace none covers has no backup. The AKS Backup extension (pods in " +
		"dataprotection-microsoft) is taken as covering every namespace, since its backup policy lives " +
		"in Azure, not in the cluster: a heuristic. Restores must still be tested.",
	Remediation: "Schedule backups of the namespaces with data: enable AKS Backup (az k8s-extension create --extension-type microsoft.dataprotection.kubernetes) or create a Velero Schedule that includes them.",
	Evidence:    liveOnly,
	Requires:    []string{"PersistentVolumeClaim", "Schedule", "Deployment"},
	Settings:    []check.Setting{scope.SystemNamespaces},
}, func(_ context.Context, env *check.Env, c *subject.LiveCluster, r *check.Result) {
	withData := map[string]int{}
	for _, o := range env.Index.ObjectsOfKind("PersistentVolumeClaim") {
		if !scope.System(env, o.Namespace) {
			withData[o.Namespace]++
		}
	}
	if len(withData) == 0 {
		r.NotApplicable()
		return
	}
	if len(env.Index.InNamespace("Deployment", aksBackupNamespace)) > 0 {
		return
	}
	var schedules []veleroSchedule
	for _, o := range env.Index.ObjectsOfKind("Schedule") {
		var s veleroSchedule
		if o.Group() != "velero.io" || json.Unmarshal(o.Raw(), &s) != nil || s.Spec.Paused {
			continue
		}
		s.name = o.Namespace + "/" + o.Meta.Name
		schedules = append(schedules, s)
	}
	names := make([]string, 0, len(withData))
	for ns := range withData {
		names = append(names, ns)
	}
	sort.Strings(names)
	for _, ns := range names {
		if coveredBy(schedules, ns) {
			continue
		}
		r.Add(check.Finding{Severity: check.Medium, Object: check.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: ns},
			Message: "namespace " + ns + " holds " + itoa(withData[ns]) + " PersistentVolumeClaim(s) and no backup covers it (evidence: " +
				itoa(len(schedules)) + " active Velero Schedule(s), no AKS Backup extension in " + aksBackupNamespace + ")"})
	}
})

type veleroSchedule struct {
	name string
	Spec struct {
		Paused   bool `json:"paused"`
		Template struct {
			IncludedNamespaces []string `json:"includedNamespaces"`
			ExcludedNamespaces []string `json:"excludedNamespaces"`
		} `json:"template"`
	} `json:"spec"`
}

// coveredBy reports whether a schedule backs a namespace up: Velero includes every namespace
// when includedNamespaces is empty or "*".
func coveredBy(schedules []veleroSchedule, ns string) bool {
	for _, s := range schedules {
		t := s.Spec.Template
		if in(t.ExcludedNamespaces, ns) {
			continue
		}
		if len(t.IncludedNamespaces) == 0 || in(t.IncludedNamespaces, "*") || in(t.IncludedNamespaces, ns) {
			return true
		}
	}
	return false
}

func in(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
