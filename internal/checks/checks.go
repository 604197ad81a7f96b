// Package checks assembles every built-in check.
package checks

import (
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/object"
	"github.com/akscheck/akscheck/internal/checks/workload"
)

// All returns every built-in check, in documentation order.
func All() []*check.Check {
	var all []*check.Check
	all = append(all, workload.Checks()...)
	all = append(all, object.Checks()...)
	return all
}
