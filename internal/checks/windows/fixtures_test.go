package windows

import (
	"testing"

	"github.com/akscheck/akscheck/internal/checks/checktest"
	"github.com/akscheck/akscheck/internal/load"
)

// TestClusterFixtures runs the fixtures of the checks that read the AKS cluster of the scan
// besides the workloads: files and folders (*_cluster: manifests with the cluster's az JSON or
// Terraform), read as `akscheck scan PATH` reads them. The other checks' fixtures are run by
// internal/checks' TestFixtures.
func TestClusterFixtures(t *testing.T) {
	t.Parallel()
	skip := map[string]bool{}
	for _, c := range Checks() {
		skip[c.ID] = c.ID != SecureTraffic.ID
	}
	checktest.Suite{Checks: Checks(), Load: checktest.Files(load.Options{}), Skip: skip}.Run(t)
}
