package cluster

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
)

// TestExtensionChecksNotApplicable: the cases fixtures cannot state (a pass_ fixture must
// apply): a module that declares no extension has none to upgrade, and a scan whose
// Kubernetes objects hold no volume of an application namespace has no data to back up.
func TestExtensionChecksNotApplicable(t *testing.T) {
	t.Parallel()
	noExtensions := `resource "azurerm_kubernetes_cluster_extension" "flux" {
  count = 0
}

resource "azurerm_kubernetes_cluster_extension" "backup" {
  count = 0
}
`
	noBackup := `resource "azurerm_kubernetes_cluster_extension" "backup" {
  count = 0
}

resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "aks" {
  count = 0
}
`
	stateless := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: storefront
  namespace: shop
spec:
  selector:
    matchLabels: {app: storefront}
  template:
    metadata:
      labels: {app: storefront}
    spec:
      containers:
        - name: web
          image: contosoacr.azurecr.io/storefront:2.1.0
`
	systemClaim := `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: scratch
  namespace: kube-system
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 1Gi}
`
	for _, tc := range []struct {
		name, check, override string
		manifests             map[string]string
	}{
		{"module without extensions", "extension-auto-upgrade", noExtensions, nil},
		{"stateless workloads", "aks-backup", noBackup, map[string]string{"storefront.yaml": stateless}},
		{"a claim of a system namespace only", "aks-backup", noBackup, map[string]string{"scratch.yaml": systemClaim}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := filepath.Join(t.TempDir(), "main.override.tf")
			if err := os.WriteFile(src, []byte(tc.override), 0o600); err != nil {
				t.Fatal(err)
			}
			name, data := materialiseFile(t, src)
			dir := t.TempDir()
			files := map[string]string{name: string(data)}
			for f, m := range tc.manifests {
				files[f] = m
			}
			for f, content := range files {
				if err := os.WriteFile(filepath.Join(dir, f), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cat := catalog.MustLoad()
			var c *check.Check
			for _, x := range Checks() {
				if x.ID == tc.check {
					c = x
				}
			}
			rep := runFixture(t, cat, c, dir)
			if it := rep.Items[cat.ItemIndex(c.Item)]; it.Status != report.StatusNotApplicable || len(rep.Findings) > 0 {
				t.Errorf("item %s is %s (%s) with %d findings, want not-applicable", c.Item, it.Status, it.Reason, len(rep.Findings))
			}
		})
	}
}
