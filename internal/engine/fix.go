package engine

import (
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/remedy"
	"github.com/akscheck/akscheck/internal/report"
)

// toReportFix shapes a check's fix for the report, in the form of the finding's input
// (package remedy): the edits of a manifest or template at its file and line, the Terraform
// attributes of the module's azurerm version, the az command of a deployed resource.
func toReportFix(f check.Finding) *report.Fix { return remedy.Shape(f) }
