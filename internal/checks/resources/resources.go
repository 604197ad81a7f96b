// Package resources holds the namespace-level and cross-object checks of resource management:
// quotas, limit ranges, disruption budgets and autoscaling. Each check is one file with its
// metadata and logic; fixtures are in testdata/<check-id>/.
package resources

import ()
