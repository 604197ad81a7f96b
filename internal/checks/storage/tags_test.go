package storage

import (
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/subject"
)

// TestStorageClassTagsLive: a live scan judges only the classes its claims use (AKS's
// built-in classes carry no tags and cannot be changed), by name or as the default class;
// required keys come from requiredTags.
func TestStorageClassTagsLive(t *testing.T) {
	t.Parallel()
	const classes = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: managed-csi, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}
provisioner: disk.csi.azure.com
parameters: {skuname: StandardSSD_LRS}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: azurefile-csi}
provisioner: file.csi.azure.com
parameters: {skuName: Standard_LRS}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: tagged}
provisioner: disk.csi.azure.com
parameters: {tags: "owner=shop,env="}
`
	const defaultClaim = `---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: shop}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 8Gi}}}
`
	const taggedClaim = `---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: logs, namespace: shop}
spec: {storageClassName: tagged, accessModes: [ReadWriteOnce], resources: {requests: {storage: 8Gi}}}
`
	cat := catalog.MustLoad()
	for name, tc := range map[string]struct {
		doc      string
		required []string
		want     []string
	}{
		"no claim":                   {classes, nil, nil},
		"a claim of the default":     {classes + defaultClaim, nil, []string{"managed-csi"}},
		"required key without value": {classes + taggedClaim, []string{"owner", "env"}, []string{"tagged"}},
		"required keys present":      {classes + taggedClaim, []string{"OWNER"}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			scan := manifest.LoadBytes("cluster.yaml", []byte(tc.doc), manifest.Options{Input: subject.InputCluster})
			scan.Evidence = map[catalog.Evidence]bool{catalog.Cluster: true}
			settings := check.Settings{}
			if tc.required != nil {
				settings = check.Settings{"requiredTags": tc.required}
			}
			rep := engine.Run(t.Context(), cat, []*check.Check{StorageClassTags}, scan, engine.Options{Settings: settings})
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.Object.Name)
			}
			if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
				t.Errorf("findings on %v, want %v", got, tc.want)
			}
		})
	}
}
