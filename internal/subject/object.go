// Package subject is the typed model that checks see: Kubernetes objects with their source
// location, workloads with their pod template, and an index across all objects of a scan.
// Loaders build it; checks never see raw files.
package subject

import (
	"encoding/json"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// InputKind names the kind of input an object came from; the values are the JSON
// report's input kinds.
type InputKind string

// Input kinds.
const (
	InputManifest  InputKind = "manifest"
	InputHelm      InputKind = "helm"
	InputKustomize InputKind = "kustomize"
	InputCluster   InputKind = "cluster"
)

// Location says where a subject (or a part of it) is: a file and 1-based line, and a field path
// inside the object. A setting observed through the Kubernetes API rather than written in a
// file (a node pool's mode as its Nodes carry it) has no file: Kind and Name name the
// cluster-scoped object it was read from, and Path is the field path in that object.
type Location struct {
	File string
	Line int
	Path string
	Kind string
	Name string
}

// OnObject reports whether the location names a Kubernetes object instead of a file.
func (l Location) OnObject() bool { return l.File == "" && l.Kind != "" }

// Object is one Kubernetes object of the scan.
type Object struct {
	APIVersion string
	Kind       string
	// Meta is the object's metadata. For known kinds it points into Typed.
	Meta *metav1.ObjectMeta
	// Namespace is the effective namespace: the object's own, or the scan's --namespace for
	// namespaced objects that set none. Empty for cluster-scoped objects.
	Namespace string
	// NamespaceExplicit is true when the object itself set metadata.namespace.
	NamespaceExplicit bool
	// Typed is the decoded k8s.io/api value (*appsv1.Deployment…) or nil for kinds akscheck
	// does not decode (CRDs, unknown kinds). Loaders set it; everything else reads the body
	// through Body (a packed object holds it encoded: see Pack) and may only test Typed
	// against nil (TestTypedIsReadThroughBody).
	Typed any
	// Source is where the object starts.
	Source Location
	// Input is the kind of input it came from.
	Input InputKind
	// Extra holds what only some objects have (NewExtra); nil for the others. Read it with
	// Raw, SecretValues and WrittenAs.
	Extra *ObjectExtra
}

// ObjectExtra is what an Object holds for some kinds or inputs only. An Object is made for
// every object of a scan, and these three were a quarter of it (64 of its 240 bytes). It is
// read only once made: the live loader gives the objects written alike one ObjectExtra.
type ObjectExtra struct {
	// Raw is the object as JSON for kinds without a Go type (Typed == nil); nil otherwise.
	Raw json.RawMessage
	// SecretValues are, for a Secret read with its values, the shapes of its values as the
	// loader classified them before blanking them (ClassifySecret); nil otherwise.
	SecretValues []SecretValue
	// WrittenAs are the apiVersions its writers used, for objects read from a running
	// cluster (which serves every object in the version it is asked for): the version of
	// kubectl's last-applied copy and those of its managedFields entries, each once.
	WrittenAs []string
}

// NewExtra returns the extra of an object that has any of these, nil for one that has none.
func NewExtra(raw json.RawMessage, secretValues []SecretValue, writtenAs []string) *ObjectExtra {
	if raw == nil && secretValues == nil && writtenAs == nil {
		return nil
	}
	return &ObjectExtra{Raw: raw, SecretValues: secretValues, WrittenAs: writtenAs}
}

// Raw returns the object as JSON for kinds without a Go type (Typed == nil), nil otherwise.
func (o *Object) Raw() json.RawMessage {
	if o.Extra == nil {
		return nil
	}
	return o.Extra.Raw
}

// SecretValues returns, for a Secret read with its values, the shapes of its values
// (ObjectExtra.SecretValues); nil otherwise.
func (o *Object) SecretValues() []SecretValue {
	if o.Extra == nil {
		return nil
	}
	return o.Extra.SecretValues
}

// WrittenAs returns the apiVersions the writers of a live object used
// (ObjectExtra.WrittenAs); nil otherwise.
func (o *Object) WrittenAs() []string {
	if o.Extra == nil {
		return nil
	}
	return o.Extra.WrittenAs
}

// Self returns the object. A view that embeds it (Workload, HPA, NetworkPolicy) returns
// the object it is a view of: what names it, without what the view holds.
func (o *Object) Self() *Object { return o }

// Name returns metadata.name.
func (o *Object) Name() string { return o.Meta.Name }

// Live reports whether the object was read from a running cluster rather than written in a
// manifest (what a manifest holds is not necessarily what the cluster runs, and the other
// way round).
func (o *Object) Live() bool { return o.Input == InputCluster }

// Group returns the API group of the object ("" for the core group).
func (o *Object) Group() string {
	g, _, found := strings.Cut(o.APIVersion, "/")
	if !found {
		return ""
	}
	return g
}

// Ref returns Kind/namespace/name (Kind/name for cluster-scoped objects), for messages.
func (o *Object) Ref() string {
	if o.Namespace == "" {
		return o.Kind + "/" + o.Meta.Name
	}
	return o.Kind + "/" + o.Namespace + "/" + o.Meta.Name
}

// At returns the object's location with a field path.
func (o *Object) At(path string) Location {
	l := o.Source
	l.Path = path
	return l
}

// clusterScoped lists the cluster-scoped kinds of the core API groups and common add-ons.
// Kinds not listed are treated as namespaced.
var clusterScoped = map[string]bool{
	"Namespace": true, "Node": true, "PersistentVolume": true, "ClusterRole": true,
	"ClusterRoleBinding": true, "StorageClass": true, "CSIDriver": true, "CSINode": true,
	"VolumeAttachment": true, "PriorityClass": true, "RuntimeClass": true, "IngressClass": true,
	"CustomResourceDefinition": true, "APIService": true, "ValidatingWebhookConfiguration": true,
	"MutatingWebhookConfiguration": true, "ValidatingAdmissionPolicy": true,
	"ValidatingAdmissionPolicyBinding": true, "MutatingAdmissionPolicy": true,
	"MutatingAdmissionPolicyBinding": true, "ComponentStatus": true,
	"CertificateSigningRequest": true, "FlowSchema": true, "PriorityLevelConfiguration": true,
	"GatewayClass": true, "ClusterIssuer": true, "ConstraintTemplate": true,
	"VolumeSnapshotClass": true, "ClusterPolicy": true, "IPAddress": true, "ServiceCIDR": true,
	"DeviceClass": true,
	// Cluster-wide network policies and sets of Cilium and Calico.
	"CiliumClusterwideNetworkPolicy": true, "CiliumCIDRGroup": true, "GlobalNetworkPolicy": true,
	"GlobalNetworkSet": true,
}

// IsClusterScoped reports whether a kind is cluster-scoped.
func IsClusterScoped(kind string) bool { return clusterScoped[kind] }
