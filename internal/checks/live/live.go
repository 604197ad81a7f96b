// Package live holds the checks that only a running cluster can answer: where replicas
// actually run, and the add-ons found in kube-system and gatekeeper-system (Defender, Azure
// Policy, monitoring agents), GitOps controllers and backups (the Kubernetes dashboard is
// found by the rbac checks, which the live loader feeds like any other). They take the
// *subject.LiveCluster the live loader builds and look up the cluster's objects in the index;
// each finding names the evidence it used. The rules the nodes prove as well as the cluster's
// Azure description (system pools, zones, version skew, node image age) are cluster checks:
// the live loader maps the nodes into the same cluster model.
package live

import (
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// liveOnly is the evidence of every check here: only the live API has it.
var liveOnly = []catalog.Evidence{catalog.Cluster}

const kubeSystem = "kube-system"

func objRef(o *subject.Object) check.ObjectRef {
	return check.ObjectRef{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Meta.Name}
}

// daemonSetsIn returns the DaemonSets of a namespace ("" for every namespace).
func daemonSets(ix *subject.Index, namespace string) []*appsv1.DaemonSet {
	var objs []*subject.Object
	if namespace == "" {
		objs = ix.ObjectsOfKind("DaemonSet")
	} else {
		objs = ix.InNamespace("DaemonSet", namespace)
	}
	out := make([]*appsv1.DaemonSet, 0, len(objs))
	for _, o := range objs {
		if ds, ok := o.Body().(*appsv1.DaemonSet); ok {
			out = append(out, ds)
		}
	}
	return out
}

// agent is a component found running: a DaemonSet, Deployment or StatefulSet, and how
// ready it is.
type agent struct {
	obj          *subject.Object
	ready, want  int32
	isDaemonSet  bool
	desiredKnown bool
}

func (a agent) ref() string { return a.obj.Kind + " " + a.obj.Namespace + "/" + a.obj.Meta.Name }

// healthy reports whether every pod the controller wants is ready. A controller whose
// status was never written (no controller manager yet) is taken at its word.
func (a agent) healthy() bool { return !a.desiredKnown || a.ready >= a.want }

func (a agent) readiness() string {
	return itoa(int(a.ready)) + "/" + itoa(int(a.want)) + " ready"
}

// findAgents returns the controllers in namespace ("" for all) of the given kinds whose name
// matches.
func findAgents(ix *subject.Index, namespace string, kinds []string, match func(name string) bool) []agent {
	var out []agent
	for _, kind := range kinds {
		var objs []*subject.Object
		if namespace == "" {
			objs = ix.ObjectsOfKind(kind)
		} else {
			objs = ix.InNamespace(kind, namespace)
		}
		for _, o := range objs {
			if !match(o.Meta.Name) {
				continue
			}
			a := agent{obj: o}
			switch t := o.Body().(type) {
			case *appsv1.DaemonSet:
				a.isDaemonSet = true
				a.ready, a.want = t.Status.NumberReady, t.Status.DesiredNumberScheduled
				a.desiredKnown = t.Status.ObservedGeneration > 0 || t.Status.DesiredNumberScheduled > 0
			case *appsv1.Deployment:
				a.ready, a.want = t.Status.ReadyReplicas, replicasOf(t.Spec.Replicas)
				a.desiredKnown = t.Status.ObservedGeneration > 0
			case *appsv1.StatefulSet:
				a.ready, a.want = t.Status.ReadyReplicas, replicasOf(t.Spec.Replicas)
				a.desiredKnown = t.Status.ObservedGeneration > 0
			default:
				continue
			}
			out = append(out, a)
		}
	}
	return out
}

func replicasOf(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}

func hasPrefix(prefixes ...string) func(string) bool {
	return func(name string) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				return true
			}
		}
		return false
	}
}

func contains(parts ...string) func(string) bool {
	return func(name string) bool {
		for _, p := range parts {
			if strings.Contains(name, p) {
				return true
			}
		}
		return false
	}
}

// unhealthy returns the agents found but not ready on all their nodes or replicas.
func unhealthy(agents []agent) []agent {
	var out []agent
	for _, a := range agents {
		if !a.healthy() {
			out = append(out, a)
		}
	}
	return out
}

// failAgents records one finding per controller that runs but is not ready.
func failAgents(r *check.Result, sev check.Severity, agents []agent, what string) {
	for _, a := range agents {
		r.Add(check.Finding{Severity: sev, Object: objRef(a.obj), Location: subject.Location{Path: "status"},
			Message: what + " " + a.ref() + " runs but is not ready: " + a.readiness() + " (evidence: its status)"})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
