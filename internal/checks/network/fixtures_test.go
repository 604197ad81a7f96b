package network

import (
	"testing"

	"github.com/akscheck/akscheck/internal/checks/checktest"
	"github.com/akscheck/akscheck/internal/load"
)

// TestClusterFixtures runs the fixtures that pair manifests with the Azure configuration
// (folders named *_cluster, read as `akscheck scan FOLDER` reads them): the checks that read
// the AKS cluster or the WAF policies of the scan besides the objects. The single-file
// fixtures are run by internal/checks' TestFixtures.
func TestClusterFixtures(t *testing.T) {
	t.Parallel()
	skip := map[string]bool{}
	for _, c := range Checks() {
		skip[c.ID] = c.ID != WAF.ID
	}
	checktest.Suite{Checks: Checks(), Pattern: "*_cluster", Load: checktest.Files(load.Options{}), Skip: skip}.Run(t)
}
