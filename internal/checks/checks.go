// Package checks assembles every built-in check.
package checks

import (
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/cluster"
	"github.com/akscheck/akscheck/internal/checks/dockerfile"
	"github.com/akscheck/akscheck/internal/checks/live"
	"github.com/akscheck/akscheck/internal/checks/network"
	"github.com/akscheck/akscheck/internal/checks/object"
	"github.com/akscheck/akscheck/internal/checks/rbac"
	"github.com/akscheck/akscheck/internal/checks/resources"
	"github.com/akscheck/akscheck/internal/checks/storage"
	"github.com/akscheck/akscheck/internal/checks/vuln"
	"github.com/akscheck/akscheck/internal/checks/windows"
	"github.com/akscheck/akscheck/internal/checks/workload"
)

// All returns every built-in check, in documentation order.
func All() []*check.Check {
	var all []*check.Check
	all = append(all, workload.Checks()...)
	all = append(all, object.Checks()...)
	all = append(all, network.Checks()...)
	all = append(all, resources.Checks()...)
	all = append(all, storage.Checks()...)
	all = append(all, windows.Checks()...)
	all = append(all, rbac.Checks()...)
	all = append(all, live.Checks()...)
	all = append(all, cluster.Checks()...)
	all = append(all, dockerfile.Checks()...)
	all = append(all, vuln.Checks()...)
	return all
}
