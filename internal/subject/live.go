package subject

import (
	"reflect"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// LiveCluster is a running cluster seen through the Kubernetes API: what only the live API
// knows (the API server's version and the nodes), for the cluster-wide live checks. The live
// loader builds one per kube context it scans cluster-wide; a scan limited to one namespace
// has none, since it cannot see the nodes or kube-system.
type LiveCluster struct {
	// Context is the kube context the cluster was read through ("in-cluster" in a pod).
	Context string
	// Server is the API server's URL.
	Server string
	// Version is the API server's gitVersion (/version), e.g. v1.31.2.
	Version string
	// Nodes are the cluster's nodes, in name order.
	Nodes []*corev1.Node
}

// LiveClusterKind is the kind findings on a LiveCluster name.
const LiveClusterKind = "Cluster"

// NewLiveCluster builds the live cluster view from the nodes among a scan's objects.
func NewLiveCluster(context, server, version string, objects []*Object) *LiveCluster {
	c := &LiveCluster{Context: context, Server: server, Version: version}
	for _, o := range objects {
		if o.Kind != "Node" {
			continue // (and a packed body is not decoded to learn it is not a Node's)
		}
		if n, ok := o.Body().(*corev1.Node); ok {
			c.Nodes = append(c.Nodes, n)
		}
	}
	sort.Slice(c.Nodes, func(i, j int) bool { return c.Nodes[i].Name < c.Nodes[j].Name })
	return c
}

// Identity implements Subject: the cluster, named by its kube context. Live subjects have no
// file: the object identity is their location.
func (c *LiveCluster) Identity() Identity {
	return Identity{Kind: LiveClusterKind, Name: c.Context, Input: InputCluster}
}

// The AKS node labels the live checks read.
const (
	LabelAgentPool        = "kubernetes.azure.com/agentpool"
	LabelNodePoolMode     = "kubernetes.azure.com/mode"
	LabelNodeImageVersion = "kubernetes.azure.com/node-image-version"
	LabelOSSKU            = "kubernetes.azure.com/os-sku"
	LabelZone             = "topology.kubernetes.io/zone"
	LabelOS               = "kubernetes.io/os"
	LabelHostname         = "kubernetes.io/hostname"
	LabelRegion           = "topology.kubernetes.io/region"
	LabelInstanceType     = "node.kubernetes.io/instance-type"
)

// NodePoolOf returns the AKS agent pool of a node ("" when the node has no AKS labels).
func NodePoolOf(n *corev1.Node) string {
	if p := n.Labels[LabelAgentPool]; p != "" {
		return p
	}
	return n.Labels["agentpool"]
}

// IsAKS reports whether the nodes carry AKS's labels: the checks that read them do not apply
// to other clusters.
func (c *LiveCluster) IsAKS() bool {
	for _, n := range c.Nodes {
		if n.Labels[LabelNodePoolMode] != "" || NodePoolOf(n) != "" {
			return true
		}
	}
	return false
}

// MinorVersion parses the major and minor of a Kubernetes version ("v1.31.2", "1.31",
// "v1.30.4-gke.1"). ok is false when it does not parse.
func MinorVersion(v string) (major, minor int, ok bool) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(strings.TrimRightFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return ma, mi, true
}

// WorkloadKinds are the kinds that run pods, for which the index builds a Workload.
var WorkloadKinds = []string{"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"}

// KindsOf returns the object kinds a subject type is built from: the kinds a check on that
// type needs in full when it names none itself. A check on every *Object judges each object
// on its own and needs none in particular.
func KindsOf(t reflect.Type) []string {
	switch t {
	case reflect.TypeFor[*Workload]():
		return WorkloadKinds
	case reflect.TypeFor[*Namespace]():
		return []string{"Namespace"}
	case reflect.TypeFor[*LiveCluster]():
		// The live cluster view is built from a cluster-wide scan, whose Nodes it holds.
		return []string{"Node"}
	}
	return nil
}

// controlledInScan returns the objects whose controller (metadata.ownerReferences with
// controller: true) is a workload of the same scan: a Pod of a ReplicaSet of a Deployment,
// the Job of a CronJob. They are checked once, at their controller, and are no subjects of
// their own; they stay in the index for lookups (which node a Deployment's pods run on).
// An object whose controller is not in the scan (a CRD, a kind that could not be listed) is
// still checked itself.
func controlledInScan(objects []*Object) map[*Object]bool {
	present := map[objectKey]bool{}
	for _, o := range objects {
		if o.Typed != nil && IsWorkloadKind(o.Kind) {
			present[objectKey{o.Kind, o.Namespace, o.Meta.Name}] = true
		}
	}
	out := map[*Object]bool{}
	if len(present) == 0 {
		return out
	}
	for _, o := range objects {
		for i := range o.Meta.OwnerReferences {
			ref := &o.Meta.OwnerReferences[i]
			if ref.Controller != nil && *ref.Controller && present[objectKey{ref.Kind, o.Namespace, ref.Name}] {
				out[o] = true
			}
		}
	}
	return out
}

// IsWorkloadKind reports whether objects of a kind run pods.
func IsWorkloadKind(kind string) bool {
	for _, k := range WorkloadKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// ObjectsOfKind returns every object of a kind across namespaces, in scan order. It walks
// the whole scan: cluster-wide checks call it a few times per cluster, not per object.
func (ix *Index) ObjectsOfKind(kind string) []*Object {
	if b := ix.beside; b != nil {
		return besideMerge(b, b.base.ObjectsOfKind(kind), objectOf, b.own.ObjectsOfKind(kind))
	}
	var out []*Object
	for _, o := range ix.objects {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	return out
}
