package cluster

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
)

// TestBackupOtherRegionReasons: each fixture fails or is undecided for its own reason.
func TestBackupOtherRegionReasons(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	for fixture, want := range map[string]string{
		"fail_velero_same_region":         "namespace shop is backed up only to BackupStorageLocation westeurope in the cluster's own region westeurope",
		"fail_no_backup":                  "namespace shop holds volumes but no Velero Schedule backs it up and cluster aks-good has no AKS Backup instance",
		"fail_no_backup_terraform":        "namespace shop holds volumes but no Velero Schedule backs it up and cluster azurerm_kubernetes_cluster.good has no AKS Backup instance",
		"undecided_azure_plugin_location": "the region of BackupStorageLocation default (spec.config.region; provider velero.io/azure: the location and replication of storage account stshopbackup",
		"undecided_aks_backup_vault":      "the storage redundancy of the Backup vault of AKS Backup instance aks-good-instance",
	} {
		t.Run(fixture, func(t *testing.T) {
			t.Parallel()
			rep := runFixture(t, cat, BackupOtherRegion, materialise(t, filepath.Join("testdata", "backup-other-region", fixture)))
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.Message)
			}
			got = append(got, rep.Items[cat.ItemIndex(BackupOtherRegion.Item)].Reason)
			if !strings.Contains(strings.Join(got, "\n"), want) {
				t.Errorf("want %q in\n%s", want, strings.Join(got, "\n"))
			}
		})
	}
}
