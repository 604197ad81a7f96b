package storage

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ZoneRedundantStorage finds StatefulSets whose volumes live in one zone.
var ZoneRedundantStorage = check.New(check.Meta{
	ID:          "zone-redundant-storage",
	CrossObject: true,
	Item:        "storage.resilient",
	Title:       "StatefulSets use zone-redundant storage",
	Severity:    check.Low,
	Description: "A StatefulSet whose volumeClaimTemplates use a class (from the scan, or one of AKS's " +
		"built-in classes) with an *_LRS skuName. A locally redundant disk lives in one zone: when the " +
		"zone fails, the pod cannot move. This is a heuristic: state kept in managed PaaS needs no ZRS.",
	Remediation: "Use a class with skuName Premium_ZRS or StandardSSD_ZRS for the StatefulSet's claims.",
	Kinds:       []string{"StatefulSet"},
	Requires:    []string{"StorageClass"},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	sts := w.StatefulSet()
	if sts == nil || len(sts.Spec.VolumeClaimTemplates) == 0 {
		r.NotApplicable()
		return
	}
	applied := false
	for i, t := range sts.Spec.VolumeClaimTemplates {
		name := ""
		if t.Spec.StorageClassName != nil {
			name = *t.Spec.StorageClassName
		}
		if name == "" {
			name = defaultClassName(env)
		}
		c, known := lookupClass(env, name)
		if !known {
			continue
		}
		applied = true
		if c.locallyRedundant() {
			r.Failf("spec.volumeClaimTemplates["+itoa(i)+"].spec.storageClassName", "",
				"StatefulSet %s keeps claim %q on class %s (%s, one zone)", w.Name(), t.Name, name, c.skuName)
		}
	}
	if !applied {
		r.NotApplicable()
	}
})
