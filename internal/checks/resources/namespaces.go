package resources

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/scope"
	"github.com/akscheck/akscheck/internal/subject"
)

// NamespaceOwnerLabels are the label keys that say which application or team a namespace
// belongs to.
var NamespaceOwnerLabels = check.NewParam("namespaceOwnerLabels",
	"label keys that name the application or team a namespace belongs to; the Namespace object of a namespace that runs workloads must carry at least one of them with a value",
	[]string{"team", "owner", "app.kubernetes.io/part-of"}, func(keys []string) error {
		if len(keys) == 0 {
			return errors.New("name at least one label key")
		}
		return nil
	})

// MaxAppsPerNamespace is how many applications one namespace may hold.
var MaxAppsPerNamespace = check.NewParam("maxAppsPerNamespace",
	"how many distinct applications (by app.kubernetes.io/part-of, instance, name or app labels) the workloads of one namespace may belong to",
	5, func(n int) error {
		if n < 1 {
			return fmt.Errorf("maxAppsPerNamespace is %d; it must be at least 1", n)
		}
		return nil
	})

// NamespaceOwner finds namespaces that run workloads without saying whose they are.
var NamespaceOwner = scope.NamespaceCheck(check.Meta{
	ID:          "namespace-owner",
	CrossObject: true,
	Item:        "dev.namespaces",
	Title:       "Namespaces that run workloads name their application or team",
	Severity:    check.Medium,
	Description: "Each namespace outside the system namespaces that runs workloads has a Namespace object " +
		"carrying one of the owner labels (namespaceOwnerLabels: team, owner or app.kubernetes.io/part-of by " +
		"default), and is not the default namespace, which belongs to no application (each object put there is " +
		"also reported by default-namespace, under ops.no-default-namespace). A namespace per application or " +
		"team is what lets RBAC, quotas and network policies be written for one owner. A live scan lists the " +
		"Namespace objects, so a label missing there is missing. Manifests often leave the Namespace object to " +
		"whoever creates the namespace (a platform team, a GitOps bootstrap, kubectl create namespace): a " +
		"namespace whose Namespace object is not in the input, or the unnamed namespace of objects that name " +
		"none, is not judged, and the item stays not evaluated until the Namespace object (or the live " +
		"cluster) is scanned.",
	Remediation: "Deploy each application into a namespace of its own (not default) and label the Namespace with its team or application (team: <name>, or app.kubernetes.io/part-of: <application>).",
	Example: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    team: shop-team
    app.kubernetes.io/part-of: shop`,
	Requires: append([]string{"Namespace"}, subject.WorkloadKinds...),
	Settings: []check.Setting{scope.SystemNamespaces, NamespaceOwnerLabels},
}, func(_ context.Context, env *check.Env, ns *subject.Namespace, r *check.Result) {
	workloads := env.Index.WorkloadsIn(ns.Name)
	if len(workloads) == 0 {
		r.NotApplicable()
		return
	}
	switch {
	case ns.Name == "default":
		r.Failf("", "", "the default namespace runs %s: it belongs to no application or team", workloadList(workloads))
	case ns.Implicit:
		r.Undecided("the namespace that the objects naming none (" + workloadList(workloads) + ") are applied to, and its Namespace object (set metadata.namespace and add the Namespace, pass --namespace, or scan the live cluster)")
	case ns.Object == nil:
		r.Undecided("the Namespace object of " + ns.String() + ", whose labels name its owner (add it to the input, or scan the live cluster)")
	default:
		keys := NamespaceOwnerLabels.Get(env)
		for _, k := range keys {
			if ns.Labels()[k] != "" {
				return
			}
		}
		r.Failf("metadata.labels", "", "%s runs %s but its Namespace carries none of the owner labels %s",
			ns, workloadList(workloads), strings.Join(keys, ", "))
	}
})

// NamespaceApps finds namespaces shared by many unrelated applications.
var NamespaceApps = scope.NamespaceCheck(check.Meta{
	ID:          "namespace-apps",
	CrossObject: true,
	Item:        "dev.namespaces",
	Title:       "A namespace holds the workloads of a few applications only",
	Severity:    check.Low,
	Description: "Counts the applications the workloads of each namespace outside the system namespaces " +
		"belong to, each workload by the first of its labels app.kubernetes.io/part-of, " +
		"app.kubernetes.io/instance, app.kubernetes.io/name and app (on the workload, else on its pod " +
		"template), and a workload with none of them as an application of its own. More than " +
		"maxAppsPerNamespace (5 by default) means a namespace holds unrelated applications that share its " +
		"RBAC, quotas and network policies; components of one application labelled with one " +
		"app.kubernetes.io/part-of count once.",
	Remediation: "Move unrelated applications into namespaces of their own, or label the components of one application with the same app.kubernetes.io/part-of.",
	Requires:    subject.WorkloadKinds,
	Settings:    []check.Setting{scope.SystemNamespaces, MaxAppsPerNamespace},
}, func(_ context.Context, env *check.Env, ns *subject.Namespace, r *check.Result) {
	workloads := env.Index.WorkloadsIn(ns.Name)
	if len(workloads) == 0 {
		r.NotApplicable()
		return
	}
	apps := map[string]bool{}
	for _, w := range workloads {
		apps[appIdentity(w)] = true
	}
	if limit := MaxAppsPerNamespace.Get(env); len(apps) > limit {
		names := make([]string, 0, len(apps))
		for a := range apps {
			names = append(names, a)
		}
		sort.Strings(names)
		r.Failf("", "", "%s holds the workloads of %d applications (more than %d): %s", ns, len(apps), limit, strings.Join(names, ", "))
	}
})

// appLabels are the labels that name a workload's application, most encompassing first:
// part-of groups the components of one application, instance one installation of it.
var appLabels = []string{"app.kubernetes.io/part-of", "app.kubernetes.io/instance", "app.kubernetes.io/name", "app"}

// appIdentity names the application a workload belongs to: the first application label set
// on the workload or its pod template, else the workload itself.
func appIdentity(w *subject.Workload) string {
	for _, k := range appLabels {
		if v := w.Meta.Labels[k]; v != "" {
			return v
		}
		if v := w.PodLabels()[k]; v != "" {
			return v
		}
	}
	return w.Kind + " " + w.Name()
}

// workloadList names workloads in messages: "Deployment web, Pod debug", at most five then a
// count of the others.
func workloadList(ws []*subject.Workload) string {
	const shown = 5
	var names []string
	for i, w := range ws {
		if i == shown {
			names = append(names, fmt.Sprintf("and %d more", len(ws)-shown))
			break
		}
		names = append(names, w.Kind+" "+w.Name())
	}
	return strings.Join(names, ", ")
}
