// Package resources holds the namespace-level and cross-object checks of resource management:
// quotas, limit ranges, disruption budgets and autoscaling. Each check is one file with its
// metadata and logic; fixtures are in testdata/<check-id>/.
package resources

import (
	"github.com/akscheck/akscheck/internal/check"
)

// Checks returns every check of this package, in documentation order.
func Checks() []*check.Check {
	return []*check.Check{
		NamespaceIsolation, Autoscaling, HPAMissingRequests, HPATargetMissing,
		ResourceQuota, LimitRange, PDBCoverage, PDBBlocksEviction, PDBSelectsNothing,
	}
}
