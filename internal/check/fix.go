package check

import (
	"fmt"

	"github.com/akscheck/akscheck/internal/subject"
)

// A check that can mend its findings mechanically says so in Meta.Fix (what its fix changes,
// for `akscheck checks` and the docs) and attaches a Fix to each finding it can mend. The fix
// is written in the terms of the model, never of a loader: a value at a field path as the
// input spells it (the finding's Location.Path, or a path beside it), and the az CLI arguments
// that make the same change on a running cluster. The report shapes it for the input the
// finding came from (the edits of a manifest or template, the Terraform attribute, the az
// command), and `akscheck fix` applies the edits of manifests.

// EditOp is what an edit does at its path.
type EditOp string

// Edit operations.
const (
	// EditSet sets the value at the path, creating the maps on the way; it keeps the key's
	// place (and its comments) when the key is there.
	EditSet EditOp = "set"
	// EditAppend appends the value to the list at the path (creating it), unless an equal
	// element is there already.
	EditAppend EditOp = "append"
	// EditBlock writes a nested block at the path whose attributes are the value's entries
	// (a Terraform block whose presence switches a feature on: monitor_metrics {}), where a
	// map value of EditSet is a map attribute (tags, node_labels).
	EditBlock EditOp = "block"
)

// Edit is one change to the subject as its input spells it.
type Edit struct {
	Op EditOp
	// Path is the field path, in the form of Location.Path
	// (spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation,
	// default_node_pool.upgrade_settings.max_surge); "" is the finding's own path.
	Path string
	// Value is the value to set or append, as JSON would decode it (bool, string, int64,
	// float64, []any, map[string]any).
	Value any
}

// Fix is the mechanical remedy of one finding.
type Fix struct {
	// Edits are the changes to the subject, in order.
	Edits []Edit
	// Az are the arguments of the az CLI command that makes the change on a running cluster
	// ("aks", "update", "--enable-azure-rbac"), without the resource's group and name, which
	// the report adds from the finding's resource; nil when no command makes it.
	Az []string
	// Note says what the edits cannot: a setting chosen only when the cluster is created, a
	// value to review before applying.
	Note string
	// Input is the kind of input of the finding's subject, filled in by Result.Add.
	Input subject.InputKind
	// Resource is the Azure resource whose settings the fix changes (a cluster, a node
	// pool, a registry): its form decides the form of the remedy (the az command of a
	// deployed resource, the edits of a template or a Terraform module), its ID and name
	// the command's. Nil for subjects that are not Azure resources.
	Resource *subject.AzureResource
	// Cluster is, for the fix of a node pool, the cluster the pool belongs to (the
	// command's --cluster-name and resource group).
	Cluster *subject.AzureResource
}

// FailFixf records a finding like Failf, with the fix that mends it.
func (r *Result) FailFixf(path, container string, fix *Fix, format string, args ...any) {
	loc := r.subject.Source
	loc.Path = path
	f := Finding{Severity: r.meta.Severity, Location: loc, Container: container, Fix: fix}
	f.Message = fmt.Sprintf(format, args...)
	r.Add(f)
}
