package engine

import (
	"github.com/akscheck/akscheck/internal/subject"
)

// crossNamespace are the namespaced kinds that checks read from other namespaces than their
// own (through the Index):
//   - RoleBinding: a RoleBinding of one namespace binds ServiceAccounts of any namespace
//     (by name, as system:serviceaccount:<ns>:<name>, or through the groups
//     system:serviceaccounts[:<ns>]), and automount-service-account-token reads a
//     workload's bindings wherever they are (Index.GrantsOf; the Role a binding names is
//     read from the binding, not from the Role);
//   - Ingress: the Service of an ingress controller serves TLS when any Ingress of its
//     classes, in any namespace, has TLS (ingress-controller-tls reads Index.OfKind);
//   - Instrumentation: an injection annotation may name an Instrumentation of another
//     namespace ("observability/java"; workload-tracing resolves it). Its case is not in
//     TestCrossNamespaceReads: in manifests, a missing Instrumentation leaves the workload
//     undecided and a found one passes it, so no finding tells the two runs apart.
//
// A change to one of them dirties every subject. TestCrossNamespaceReads keeps this list
// honest: it changes objects of each kind in one namespace of the examples and compares the
// findings of the other namespaces.
var crossNamespace = map[string]bool{"RoleBinding": true, "Ingress": true, "Instrumentation": true}

// Changes are the objects that changed since a run (added, updated or deleted), and say
// which subjects the next run must evaluate again (Dirty, for Options.Dirty). The rule:
//
//   - a change to a namespaced object in namespace N dirties the subjects of N: every
//     check of a namespaced subject reads only its own namespace (its policies, PDBs,
//     autoscalers, Services, ServiceAccount, quotas...), except through the kinds of
//     crossNamespace;
//   - the subjects of no namespace are always dirty: Namespaces (which read their
//     namespace's objects), cluster-scoped objects, the running cluster (LiveCluster) and
//     the AKS cluster model, which read across the cluster;
//   - a change to a cluster-scoped object (Nodes, Namespaces, ClusterRoles and their
//     bindings, StorageClasses, IngressClasses, cluster-wide network policies, whose
//     selectors read namespaces' labels...), to a kind of crossNamespace, or one whose
//     namespace is not known dirties every subject: the next run is a full one.
//
// The zero value holds no change.
type Changes struct {
	all        bool
	namespaces map[string]bool
	count      int
}

// Add records the change of one object.
func (c *Changes) Add(kind, namespace string) {
	c.count++
	if namespace == "" || crossNamespace[kind] || subject.IsClusterScoped(kind) {
		c.all = true
		return
	}
	if c.namespaces == nil {
		c.namespaces = map[string]bool{}
	}
	c.namespaces[namespace] = true
}

// AddAll records a change that cannot be bounded: every subject is dirty.
func (c *Changes) AddAll() {
	c.count++
	c.all = true
}

// Bounded is true when some objects changed and the changes are bounded to namespaces: the
// next run can be incremental.
func (c *Changes) Bounded() bool { return c.count > 0 && !c.all }

// Len is the number of changes recorded.
func (c *Changes) Len() int { return c.count }

// Namespaces is the number of namespaces the changes dirty (0 when they dirty everything).
func (c *Changes) Namespaces() int {
	if c.all {
		return 0
	}
	return len(c.namespaces)
}

// Dirty reports whether a subject must be evaluated again after these changes.
func (c *Changes) Dirty(id subject.Identity) bool {
	return c.all || id.Namespace == "" || c.namespaces[id.Namespace]
}
